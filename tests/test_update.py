"""`copier update` the way a team runs it, with their own work in the project.

A throwaway git repository of this template gets two releases: v1.0.0 is the work tree as it is, and v1.1.0 changes
what a team also touches (a section added to the README, above its team's own section; the decision record changed
at its top, below which the team added notes). A project is generated at v1.0.0 and committed by the post-copy
task, the team edits it and commits, then `copier update --vcs-ref v1.1.0` runs from inside it.
"""

from __future__ import annotations

import re
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from helpers import ANSWER_SETS, Project, answer_sets, copier_cli, git, project_env, serving, snapshot_template

FLAVOURS = answer_sets("flask-sqlalchemy", "django")

RECORD = "docs/adr/0001-web-framework.md"
# What v1.1.0 adds to every project's README: a section above the team's own, the last, which stays as it is.
NOTES_HEADING = "## Notes for this project\n"
NEW_SECTION = "## Support\n\nAsk the platform team in #platform.\n\n"
# What a team writes in its own section, at the end of the README.
TEAM_NOTES = "\nDeploys go through the release train on Tuesdays.\n"
RECORD_STATUS = "Status: accepted."
CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)


def release_v1_1(repo: Path) -> None:
    """Make the template's v1.1.0: a README section, and the decision record changed."""
    tail = repo / "partials" / "readme_tail.md.jinja"
    assert NOTES_HEADING in tail.read_text(), "the README's last section moved"
    tail.write_text(tail.read_text().replace(NOTES_HEADING, NEW_SECTION + NOTES_HEADING, 1))
    # The record changes at the top, the team's notes are at the end: Copier must merge, not replace, the team's version.
    record = repo / "partials" / "adr_web_framework.md.jinja"
    text, found = re.subn(
        r"^(# 1\. Web framework: .*)$", r"\1\n\n" + RECORD_STATUS, record.read_text(), 1, re.MULTILINE
    )
    assert found, "the decision record's title line moved"
    record.write_text(text)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "Add a Support section and the decision record's status")


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway git repository of this template, tagged v1.0.0 (the work tree) and v1.1.0 (a later release)."""
    repo = snapshot_template(tmp_path_factory.mktemp("template"))
    git(repo, "tag", "v1.0.0")
    release_v1_1(repo)
    git(repo, "tag", "v1.1.0")
    return repo


def generate_at(template_repo: Path, destination: Path, answers: dict[str, object], version: str) -> Project:
    """`copier copy` of `template_repo` at `version`, answers from a data file; assert the task committed it."""
    data_file = destination.parent / "answers.yml"
    data_file.write_text(yaml.safe_dump(answers))
    result = copier_cli(
        "copy", "--trust", "--defaults", "--vcs-ref", version, "--data-file", str(data_file),
        str(template_repo), str(destination),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert git(destination, "status", "--porcelain") == "", "the post-copy task left the project uncommitted"
    return Project(destination, answers)


def update(project: Project, version: str) -> subprocess.CompletedProcess:
    """`copier update --trust --defaults --vcs-ref VERSION`, run from inside the project."""
    return copier_cli("update", "--trust", "--defaults", "--vcs-ref", version, cwd=project.path)


def commit_all(project: Project, message: str) -> None:
    git(project.path, "add", "--all")
    git(project.path, "commit", "--quiet", "--message", message)


def text_files(root: Path):
    """The project's files that a person edits: not git's, not the virtual environment's, not caches."""
    skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "instance"}
    for path in root.rglob("*"):
        if path.is_file() and not skip & set(path.relative_to(root).parts) and path.suffix != ".sqlite3":
            yield path


# --- The team's edits -------------------------------------------------------------------------------------------


def with_import(source: str, statement: str) -> str:
    """`source` with the import `statement` after its last top-level import, unless it has it already."""
    if statement in source:
        return source
    last = list(re.finditer(r"^(from|import) .+$", source, re.MULTILINE))[-1]
    return source[: last.end()] + "\n" + statement + source[last.end() :]


def add_model(project: Project) -> str | None:
    """Add a model next to the project's own and make its migration with the framework's tool.

    Returns the migration file's path relative to the project, or None when the project has no database layer.
    """
    slug = "shop"
    untracked = ("ls-files", "--others", "--exclude-standard")
    before = set(git(project.path, *untracked).splitlines())
    if project.answers["framework"] == "django":
        # In the users app, registered in the admin the way the project's own tests ask of every model.
        app = project.path / slug / "users"
        models = with_import((app / "models.py").read_text(), "from django.db import models")
        (app / "models.py").write_text(
            models + '\n\nclass Team(models.Model):\n    """A group of users."""\n\n'
            "    name = models.CharField(max_length=100, unique=True)\n"
            "    created = models.DateTimeField(auto_now_add=True)\n"
        )
        admin = with_import((app / "admin.py").read_text(), "from .models import Team")
        (app / "admin.py").write_text(
            admin + "\n\n@admin.register(Team)\nclass TeamAdmin(admin.ModelAdmin):\n"
            '    list_display = ("name", "created")\n    list_filter = ("created",)\n    search_fields = ("name",)\n'
        )
        project.uv_run("python", "manage.py", "makemigrations", "users", "--name", "team")
    else:
        holders = [path for path in (project.path / slug).rglob("*.py") if "(db.Model)" in path.read_text()]
        if not holders or not (project.path / "migrations").is_dir():
            return None
        holders[0].write_text(
            holders[0].read_text() + '\n\nclass Tag(db.Model):\n    """A label."""\n\n'
            "    id = db.Column(db.Integer, primary_key=True)\n"
            "    name = db.Column(db.String(50), unique=True, nullable=False)\n"
        )
        project.uv_run("flask", "--app", slug, "db", "upgrade")
        project.uv_run("flask", "--app", slug, "db", "migrate", "--message", "add tag")
    created = set(git(project.path, *untracked).splitlines()) - before
    (migration,) = [name for name in created if "migrations" in name and name.endswith(".py")]
    return migration


@dataclass
class Updated:
    """A project after the team's edits and `copier update` to v1.1.0."""

    project: Project
    result: subprocess.CompletedProcess
    edited: dict[str, str]  # path -> the text the team left there before the update
    migration: str | None
    env: str


@pytest.fixture(scope="module")
def updated(request, template_repo, tmp_path_factory) -> Updated:
    name = request.param
    project = generate_at(template_repo, tmp_path_factory.mktemp(name) / "project", ANSWER_SETS[name], "v1.0.0")
    root, edited = project.path, {}

    # An unrelated part of a generated file that v1.1.0 also changes: the README's description.
    readme = (root / "README.md").read_text()
    description = f"{project.answers['project_name']}: a Python web service."
    assert description in readme
    # And the team's notes, in the section the README keeps for them at its end.
    assert readme.endswith("-->\n")
    edited["README.md"] = readme.replace(description, "Shop sells socks, one pair at a time.", 1) + TEAM_NOTES
    # A file of the team's own, with its test.
    edited["shop/pricing.py"] = '"""Prices."""\n\n\ndef with_tax(cents: int) -> int:\n    return cents * 120 // 100\n'
    edited["tests/test_pricing.py"] = (
        "from shop.pricing import with_tax\n\n\ndef test_with_tax():\n    assert with_tax(1000) == 1200\n"
    )
    # A note in the decision record, which v1.1.0 changes.
    edited[RECORD] = (root / RECORD).read_text() + "\n## Team notes\n\nReviewed by the whole team.\n"
    for path, text in edited.items():
        (root / path).write_text(text)
    # A value in .env: the team's own secret.
    env = (root / ".env").read_text()
    env = re.sub(r"^(\w+_SECRET_KEY)=.*$", r"\1=the-team-s-own-secret-" + "x" * 40, env, count=1, flags=re.MULTILINE)
    (root / ".env").write_text(env)
    migration = add_model(project)
    commit_all(project, "The team's work")

    result = update(project, "v1.1.0")
    return Updated(project, result, edited, migration, env)


@pytest.mark.slow
@pytest.mark.parametrize("updated", FLAVOURS, indirect=True)
def test_update_succeeds_to_the_new_version(updated):
    assert updated.result.returncode == 0, updated.result.stderr
    answers = yaml.safe_load((updated.project.path / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.1.0"
    # The after-update check ran last, in the project, after the merge.
    assert "After-update check: updated to crossroads v1.1.0" in updated.result.stdout
    assert "No conflicts: every edit of yours merged cleanly." in updated.result.stdout
    assert ".env: has every variable of .env.example; unchanged" in updated.result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("updated", FLAVOURS, indirect=True)
def test_update_keeps_every_edit_of_the_team(updated):
    root = updated.project.path
    readme = (root / "README.md").read_text()
    assert "Shop sells socks, one pair at a time." in readme
    assert readme.endswith(TEAM_NOTES)  # merged without a conflict: the test above finds none
    assert (root / "shop/pricing.py").read_text() == updated.edited["shop/pricing.py"]
    assert (root / "tests/test_pricing.py").read_text() == updated.edited["tests/test_pricing.py"]
    assert "## Team notes\n\nReviewed by the whole team.\n" in (root / RECORD).read_text()
    assert (root / ".env").read_text() == updated.env, ".env must never be rewritten by an update"


@pytest.mark.slow
@pytest.mark.parametrize("updated", FLAVOURS, indirect=True)
def test_update_keeps_the_team_s_model_and_migration(updated):
    if updated.migration is None:
        pytest.skip("this Flask tree has no Flask-SQLAlchemy model and migrations folder to add a model to")
    root = updated.project.path
    assert (root / updated.migration).is_file()
    models = "".join(path.read_text() for path in (root / "shop").rglob("*.py"))
    assert "class Team(models.Model)" in models or "class Tag(db.Model)" in models
    if updated.project.answers["framework"] == "django":
        updated.project.uv_run("python", "manage.py", "migrate")  # the team's migration applies
        updated.project.uv_run("python", "manage.py", "makemigrations", "--check", "--dry-run")  # none is missing
    else:
        updated.project.uv_run("flask", "--app", "shop", "db", "upgrade")  # the team's migration applies
        updated.project.uv_run("flask", "--app", "shop", "db", "check")  # and no model lacks one


@pytest.mark.slow
@pytest.mark.parametrize("updated", FLAVOURS, indirect=True)
def test_update_brings_the_template_s_changes(updated):
    root = updated.project.path
    readme = (root / "README.md").read_text()
    assert NEW_SECTION + NOTES_HEADING in readme and readme.endswith(TEAM_NOTES)
    record = (root / RECORD).read_text()
    assert record.startswith("# 1. Web framework: ") and f"\n\n{RECORD_STATUS}\n\n" in record


@pytest.mark.slow
@pytest.mark.parametrize("updated", FLAVOURS, indirect=True)
def test_update_leaves_no_reject_file_or_conflict_marker(updated):
    root = updated.project.path
    for path in text_files(root):
        assert path.suffix != ".rej", path
        assert not CONFLICT_MARKER.search(path.read_text()), f"conflict marker in {path.relative_to(root)}"
    assert git(root, "ls-files", "--unmerged") == ""


@pytest.mark.slow
@pytest.mark.parametrize("updated", FLAVOURS, indirect=True)
def test_updated_project_passes_its_own_tests(updated):
    project = updated.project
    project.run("uv", "sync", "--quiet", timeout=600)
    result = project.uv_run("pytest", "-q", "-W", "error", "-p", "no:cacheprovider", timeout=900)
    assert "test_pricing.py" in project.uv_run("pytest", "--collect-only", "-q").stdout
    assert re.search(r"\d+ passed", result.stdout) and "failed" not in result.stdout


# --- Options turned on by an update -------------------------------------------------------------------------------


def printed_commands(output: str) -> list[str]:
    """The commands under the after-update check's "Then run, in this order:", without their comments."""
    _, found, rest = output.partition("  Then run, in this order:\n")
    assert found, output
    lines = []
    for line in rest.splitlines():
        if not line.startswith("    "):
            break
        if not line.lstrip().startswith("#"):
            lines.append(line.strip())
    return lines


@pytest.mark.slow
def test_admin_and_security_turned_on_by_update_work_after_the_printed_commands(template_repo, tmp_path):
    project = generate_at(template_repo, tmp_path / "project", ANSWER_SETS["flask-sqlalchemy"], "v1.0.0")
    project.run("uv", "sync", "--quiet", timeout=600)
    team_migration = add_model(project)  # a revision of the team's after 0001_notes, where 0002_accounts goes too
    commit_all(project, "The team's model")
    env_before = (project.path / ".env").read_text()

    result = copier_cli(
        "update", "--trust", "--defaults", "--vcs-ref", "v1.1.0",
        "--data", "flask_extensions=[sqlalchemy, admin, security]", cwd=project.path,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    env = (project.path / ".env").read_text()
    assert env.startswith(env_before), "a line of .env changed"
    added = [line.partition("=")[0] for line in env.removeprefix(env_before).splitlines() if line[:1].isalpha()]
    assert added == ["FLASK_SECURITY_PASSWORD_SALT", "FLASK_SERVER_NAME", "FLASK_SECURITY_REGISTERABLE"]
    commands = printed_commands(result.stdout)
    assert commands == [
        "uv lock && uv sync",
        'uv run flask --app shop db merge heads -m "merge the template\'s migrations"',
        "uv run flask --app shop db upgrade",
    ]
    for command in commands:
        project.run("bash", "-c", command, timeout=600)
    # The app starts from .env (the salt is there), its migrations are one graph, and no model lacks a revision.
    assert project.uv_run("flask", "--app", "shop", "db", "heads").stdout.count("(head)") == 1
    project.uv_run("flask", "--app", "shop", "db", "check")
    assert (project.path / team_migration).is_file()
    tests = ("tests/test_admin.py", "tests/test_accounts.py", "tests/test_migrations.py", "tests/test_notes.py")
    # The summary line, not the exit status: at this template commit, flask-all projects end their test run with
    # an unraisable ResourceWarning (an unclosed SQLite connection) after every test passed, in fresh ones too;
    # when the garbage collector meets it during a test, the summary counts it as a warning.
    result = project.uv_run("pytest", "-q", "-p", "no:cacheprovider", *tests, check=False)
    assert re.search(r"^\d+ passed(, \d+ warnings?)? in ", result.stdout, re.MULTILINE), result.stdout
    project.uv_run("ruff", "check", ".")  # the team's revision and the merge revision included
    project.uv_run("ruff", "format", "--check", ".")


# Each flavour from pages alone to every answer an update can turn on since: the API, two-factor sign-in, tasks and the
# Redis cache. (data, the answers to update with; migration check, the project's command that finds a missing one.)
OPTIONS_LATER = {
    "django": (
        {"project_name": "Shop", "framework": "django", "app_kind": "site"},
        ["python", "manage.py", "makemigrations", "--check", "--dry-run"],
    ),
    "flask": (
        {
            "project_name": "Shop",
            "framework": "flask",
            "flask_extensions": ["sqlalchemy", "security"],
            "app_kind": "site",
        },
        ["flask", "--app", "shop", "db", "check"],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=pytest.mark.xdist_group(f"later-{name}")) for name in OPTIONS_LATER]
)
def test_api_two_factor_tasks_and_cache_turned_on_by_update_work_after_the_printed_commands(
    template_repo, tmp_path, name
):
    answers, migration_check = OPTIONS_LATER[name]
    project = generate_at(template_repo, tmp_path / "project", answers, "v1.0.0")
    env_before = (project.path / ".env").read_text()

    result = copier_cli(
        "update", "--trust", "--defaults", "--vcs-ref", "v1.1.0", "--data", "app_kind=both", "--data", "two_factor=true",
        "--data", "background_tasks=true", "--data", "cache=redis", cwd=project.path,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert (project.path / ".env").read_text().startswith(env_before), "a line of .env changed"
    # The check lists every file the update added, which git does not track yet (the API, its migrations ...).
    untracked = git(project.path, "ls-files", "--others", "--exclude-standard").splitlines()
    assert untracked and "".join(f"    {name}\n" for name in untracked) in result.stdout, result.stdout
    commands = printed_commands(result.stdout)
    assert commands[0] == "uv lock && uv sync", commands
    for command in commands:
        project.run("bash", "-c", command, timeout=600)
    project.uv_run(*migration_check)
    project.uv_run("ruff", "check", ".")
    # Then, as the check's last line and the update's message say: `git add -A`, and commit.
    assert "`git add -A`" in result.stdout.rstrip().splitlines()[-1]
    assert "`git add -A`" in result.stderr
    git(project.path, "add", "-A")
    git(project.path, "commit", "--quiet", "--message", "Update from the template")
    assert git(project.path, "status", "--porcelain") == ""
    # Everything the project needs was committed: a fresh clone (no .env, no .venv) passes its tests.
    clone = Project(tmp_path / "clone", answers)
    git(tmp_path, "clone", "--quiet", str(project.path), str(clone.path))
    clone.uv_run("pytest", "-q", "-p", "no:cacheprovider", timeout=900)


# --- The database switched by an update ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_switch_to_postgresql_by_update_is_finished_by_the_printed_steps(template_repo, tmp_path, postgres_server):
    project = generate_at(template_repo, tmp_path / "project", ANSWER_SETS["django"], "v1.0.0")
    project.uv_run("python", "manage.py", "migrate")
    note = "from shop.notes.models import Note; Note.objects.create(title='Kept', body='Written to SQLite.')"
    project.uv_run("python", "manage.py", "shell", "--command", note)
    commit_all(project, "Lock the dependencies")

    result = copier_cli(
        "update", "--trust", "--defaults", "--vcs-ref", "v1.1.0", "--data", "database=postgresql", cwd=project.path
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "DATABASE_URL=postgresql://shop:shop@localhost:5432/shop\n" in (project.path / ".env").read_text()
    commands = printed_commands(result.stdout)
    create = (
        "psql --host=localhost --port=5432 --dbname=postgres --command=\"CREATE ROLE shop LOGIN PASSWORD 'shop'\""
        " && createdb --host=localhost --port=5432 --owner=shop shop"
    )
    assert commands == ["uv lock && uv sync", create, "uv run python manage.py migrate"], result.stdout
    assert "  Your SQLite data stays behind in db.sqlite3" in result.stdout
    # The printed step's other way, on a server where the tests may not create roles: DATABASE_URL in .env set to a
    # database of ours. The rest as printed, the data moved too.
    env = project.path / ".env"
    url = postgres_server.create_database("update_switch")
    env.write_text(env.read_text().replace("postgresql://shop:shop@localhost:5432/shop", url))
    moves = [line.strip() for line in result.stdout.splitlines() if line.startswith("    ") and "sqlite-data" in line]
    assert len(moves) == 2, result.stdout
    for command in [*(command for command in commands if command != create), *moves]:
        project.run("bash", "-c", command, timeout=600)

    kept = "from shop.notes.models import Note; print(Note.objects.get().title)"
    assert project.uv_run("python", "manage.py", "shell", "--command", kept).stdout.splitlines()[-1] == "Kept"
    assert postgres_server.psql("SELECT title FROM notes_note", database=url.rpartition("/")[2]) == "Kept"
    with (
        serving(project, project_env(), tmp_path / "server.log") as server,
        urllib.request.urlopen(f"http://127.0.0.1:{server.port}/ready", timeout=10) as response,
    ):
        assert response.status == 200


# --- A true conflict --------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", FLAVOURS)
def test_true_conflict_is_reported_and_ends_as_inline_markers_that_git_catches(template_repo, tmp_path, name):
    project = generate_at(template_repo, tmp_path / "project", ANSWER_SETS[name], "v1.0.0")
    readme = project.path / "README.md"
    # The team adds a section exactly where v1.1.0 adds its own, above the section for its notes.
    team_section = "## Team notes\n\nDeploys go through the platform team.\n\n"
    readme.write_text(readme.read_text().replace(NOTES_HEADING, team_section + NOTES_HEADING, 1))
    commit_all(project, "Team notes")

    result = update(project, "v1.1.0")

    # The after-update check names the file and fails the update, so that a script or CI notices.
    assert result.returncode != 0
    assert "1 file(s) with conflicts:\n    README.md\n" in result.stdout, result.stdout
    assert "git diff --check HEAD" in result.stdout
    text = readme.read_text()
    assert "<<<<<<< before updating" in text and ">>>>>>> after updating" in text
    assert "Deploys go through the platform team." in text and NEW_SECTION.strip() in text
    assert not list(project.path.rglob("*.rej"))
    # git records the file as unmerged, and the project's pre-commit check-merge-conflict hook fails on it.
    assert git(project.path, "ls-files", "--unmerged", "--", "README.md")
    check = project.uv_run(
        "pre-commit", "run", "check-merge-conflict", "--files", "README.md", check=False, timeout=600
    )
    assert check.returncode != 0 and "README.md:" in check.stdout and "Merge conflict string" in check.stdout, (
        check.stdout
    )


# --- Refusals ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def django_at_v1(template_repo, tmp_path_factory) -> Project:
    """A Django project generated at v1.0.0, for updates that must be refused (and so leave it as it is)."""
    return generate_at(template_repo, tmp_path_factory.mktemp("refused") / "project", ANSWER_SETS["django"], "v1.0.0")


def edit_answers(old: str, new: str):
    """An edit of the answers file by hand: `old` (a whole line) becomes `new` ("" deletes the line)."""

    def change(text: str) -> str:
        assert f"\n{old}\n" in text, text
        return text.replace(f"{old}\n", f"{new}\n" if new else "", 1)

    return change


# How a change that an update must refuse arrives: (an edit of the answers file or None, --data, the question named).
REFUSALS = {
    "data-generated-framework": (None, ["generated_framework=flask"], "generated_framework"),
    "data-framework": (None, ["framework=flask"], "framework"),
    "deleted-generated-framework": (edit_answers("generated_framework: django", ""), [], "generated_framework"),
    "deleted-generated-framework-data-framework": (
        edit_answers("generated_framework: django", ""), ["framework=flask"], "generated_framework",
    ),
    "edited-framework": (edit_answers("framework: django", "framework: flask"), [], "framework"),
    "edited-project-slug": (edit_answers("project_slug: shop", "project_slug: store"), [], "project_slug"),
    "data-project-slug": (None, ["project_slug=store"], "project_slug"),
    "data-unknown-choice": (None, ["database=mysql"], "database"),
    "data-not-a-boolean": (None, ["two_factor=maybe"], "two_factor"),
    "edited-not-a-boolean": (edit_answers("two_factor: false", "two_factor: maybe"), [], "two_factor"),
    "data-validator": (None, ["author_email=nope"], "author_email"),
    "data-not-a-list": (None, ["builtins_needed=database"], "builtins_needed"),
}  # fmt: skip


@pytest.mark.xdist_group("refusals")
@pytest.mark.parametrize("case", REFUSALS)
def test_update_refuses_in_one_line_and_changes_nothing(django_at_v1, case):
    edit, data, question = REFUSALS[case]
    project = django_at_v1
    answers = project.path / ".copier-answers.yml"
    if edit:
        answers.write_text(edit(answers.read_text()))
        commit_all(project, "An edit of the answers file")
    files = lambda: {path: path.read_bytes() for path in text_files(project.path)}
    before = files()
    try:
        arguments = [argument for pair in data for argument in ("--data", pair)]
        result = copier_cli(
            "update", "--trust", "--defaults", "--vcs-ref", "v1.1.0", *arguments, cwd=project.path
        )  # fmt: skip

        assert result.returncode != 0
        assert "Traceback" not in result.stderr, result.stderr
        refusals = [line for line in result.stderr.splitlines() if line.startswith("Update refused")]
        assert len(refusals) == 1, result.stderr
        source = "--data" if data and not (edit and question == "generated_framework") else ".copier-answers.yml"
        assert refusals[0].startswith(f"Update refused, nothing changed: {source}: {question}: "), refusals[0]
        assert files() == before
        assert git(project.path, "status", "--porcelain") == ""
    finally:
        if edit:
            git(project.path, "reset", "--quiet", "--hard", "HEAD~1")


@pytest.mark.xdist_group("refusals")
def test_the_framework_refusal_says_what_to_do_instead(django_at_v1):
    result = copier_cli(
        "update", "--trust", "--defaults", "--vcs-ref", "v1.1.0", "--data", "framework=flask", cwd=django_at_v1.path
    )

    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Update refused")]
    assert "generated with Django" in line and "start a new project with `copier copy`" in line, line


@pytest.mark.xdist_group("refusals")
def test_an_unknown_choice_in_the_answers_file_stops_the_update_before_it_writes(django_at_v1):
    """Copier itself checks the answers file against the old version's questions when it renders that version, before
    the template's guard runs: its traceback ends with the question and the rule, and nothing is written."""
    answers = django_at_v1.path / ".copier-answers.yml"
    answers.write_text(edit_answers("database: sqlite", "database: mysql")(answers.read_text()))
    commit_all(django_at_v1, "An edit of the answers file")
    try:
        result = copier_cli("update", "--trust", "--defaults", "--vcs-ref", "v1.1.0", cwd=django_at_v1.path)

        assert result.returncode != 0
        assert result.stderr.strip().splitlines()[-1] == (
            "ValueError: Invalid choice for 'database': 'mysql' is not in ['sqlite', 'postgresql']"
        )
        assert git(django_at_v1.path, "status", "--porcelain") == ""
    finally:
        git(django_at_v1.path, "reset", "--quiet", "--hard", "HEAD~1")
