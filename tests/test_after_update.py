"""The after-update check, run on a project left the way `copier update` leaves one: names every conflict and exits 1,
or says there is none and exits 0; adds the variables `.env` lacks; prints the commands the update needs.

These put a small project in git, change it as an update would, and run the hook as Copier runs it (its own Python,
in the project). tests/test_update.py runs it through `copier update` itself.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import TEMPLATE_ROOT, git

HOOK = TEMPLATE_ROOT / "hooks" / "after_update.py"
EXAMPLE = "# Signs sessions.\nFLASK_SECRET_KEY=\nFLASK_DEBUG=false\n"
TEAM_ENV = "FLASK_SECRET_KEY=the-team-s-own-secret\nFLASK_DEBUG=true\nTEAM_FLAG=1\n"


def revision(name: str, parent: str | None) -> str:
    """An Alembic revision script's source, as `flask db migrate` writes one."""
    return f'"""{name}"""\n\nrevision = {name!r}\ndown_revision = {parent!r}\n\n\ndef upgrade():\n    pass\n'


@pytest.fixture
def project(tmp_path) -> Path:
    """A committed Flask project with one revision and a `.env`; the update's changes come on top, uncommitted."""
    root = tmp_path / "shop"
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "migrations" / "versions" / "0001_notes.py").write_text(revision("0001_notes", None))
    (root / ".gitignore").write_text(".env\n*.rej\n")
    (root / ".env.example").write_text(EXAMPLE)
    (root / "README.md").write_text("# Shop\n")
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "Generate")
    (root / ".env").write_text(TEAM_ENV)
    return root


def check(project: Path, framework: str = "flask", *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HOOK), f"--framework={framework}", "--slug=shop", "--version-to=v1.1.0", *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def printed_commands(output: str) -> list[str]:
    """The commands under "Then run, in this order:", without their comments."""
    _, _, rest = output.partition("  Then run, in this order:\n")
    lines = []
    for line in rest.splitlines():
        if not line.startswith("    "):
            break
        lines.append(line.strip())
    return [line for line in lines if not line.startswith("#")]


def test_an_update_with_no_conflict_exits_0_and_says_so(project):
    (project / "README.md").write_text("# Shop\n\nA new section from the template.\n")

    result = check(project)

    assert result.returncode == 0, result.stderr
    assert "No conflicts" in result.stdout
    assert "git diff --check" not in result.stdout
    assert (project / ".env").read_text() == TEAM_ENV
    assert ".env: has every variable of .env.example; unchanged" in result.stdout
    assert "Then run" not in result.stdout  # no dependency, migration or head to deal with


def test_an_inline_conflict_exits_1_and_names_the_file(project):
    (project / "README.md").write_text(
        "# Shop\n<<<<<<< before updating\nOurs.\n=======\nTheirs.\n>>>>>>> after updating\n"
    )

    result = check(project)

    assert result.returncode == 1
    assert "1 file(s) with conflicts:\n    README.md\n" in result.stdout
    assert "git diff --check HEAD" in result.stdout
    assert "No conflicts" not in result.stdout


def test_a_rejected_hunk_counts_as_a_conflict_even_when_git_ignores_it(project):
    (project / "pyproject.toml.rej").write_text("@@ -1 +1 @@\n-a\n+b\n")

    result = check(project)

    assert result.returncode == 1
    assert "    pyproject.toml.rej\n" in result.stdout


def test_a_marker_committed_before_the_update_is_not_the_update_s_conflict(project):
    (project / "docs.md").write_text("How a conflict looks:\n<<<<<<< before updating\n")
    git(project, "add", "docs.md")
    git(project, "commit", "--quiet", "--message", "Docs")

    assert check(project).returncode == 0


def test_new_variables_are_added_to_env_with_fresh_secrets_and_nothing_else_changes(project):
    example = EXAMPLE + (
        "# Salts password hashes.\nFLASK_SECURITY_PASSWORD_SALT=\n"
        "# Whether anyone may create an account.\nFLASK_SECURITY_REGISTERABLE=true\n"
    )
    (project / ".env.example").write_text(example)

    result = check(project)
    env = (project / ".env").read_text()

    assert result.returncode == 0
    assert env.startswith(TEAM_ENV), "an existing line changed"
    added = env.removeprefix(TEAM_ENV).splitlines()
    assert added[:3] == ["", "# Added by copier update, from .env.example:", "# Salts password hashes."]
    name, _, salt = added[3].partition("=")
    assert name == "FLASK_SECURITY_PASSWORD_SALT" and len(salt) >= 60
    assert added[4:] == ["# Whether anyone may create an account.", "FLASK_SECURITY_REGISTERABLE=true"]
    assert ".env: added FLASK_SECURITY_PASSWORD_SALT, FLASK_SECURITY_REGISTERABLE, with fresh secrets" in result.stdout
    # Run again: nothing more to add.
    assert "unchanged" in check(project).stdout
    assert (project / ".env").read_text() == env


def test_variables_the_template_dropped_are_named_and_kept(project):
    (project / ".env.example").write_text(EXAMPLE.replace("FLASK_DEBUG=false\n", ""))

    result = check(project)

    assert "FLASK_DEBUG no longer in .env.example" in result.stdout
    assert (project / ".env").read_text() == TEAM_ENV


def test_two_alembic_heads_get_the_merge_command_then_upgrade(project):
    versions = project / "migrations" / "versions"
    (versions / "a1b2c3_add_tag.py").write_text(revision("a1b2c3", "0001_notes"))
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "The team's revision")
    # What the update brings: the template's next revision, after the same parent, and a new dependency.
    (versions / "0002_accounts.py").write_text(revision("0002_accounts", "0001_notes"))
    (project / "pyproject.toml").write_text('[project]\nname = "shop"\ndependencies = ["flask-security-too"]\n')

    result = check(project)

    assert result.returncode == 0
    assert printed_commands(result.stdout) == [
        "uv lock && uv sync",
        'uv run flask --app shop db merge heads -m "merge the template\'s migrations"',
        "uv run flask --app shop db upgrade",
    ]
    assert "2 Alembic heads (0002_accounts, a1b2c3)" in result.stdout


def test_a_django_migration_from_the_update_says_migrate(project):
    migrations = project / "shop" / "users" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0002_team.py").write_text("# a migration\n")

    result = check(project, framework="django")

    assert "    uv run python manage.py migrate\n" in result.stdout


def django_migration(app: str, parents: list[str], extra: str = "") -> str:
    """A Django migration's source, as `makemigrations` writes one (with a swappable dependency, which is no literal)."""
    dependencies = "".join(f"        ('{app}', '{parent}'),\n" for parent in parents)
    return (
        "from django.conf import settings\nfrom django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n\n    dependencies = [\n"
        f"        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n{dependencies}    ]\n{extra}\n"
        "    operations = []\n"
    )


@pytest.fixture
def django_project(project) -> Path:
    """The project, with a Django app `notes` (label set in apps.py) whose migrations 0001 and the team's 0002_tag
    are committed."""
    app = project / "shop" / "notes"
    (app / "migrations").mkdir(parents=True)
    (app / "apps.py").write_text('class NotesConfig:\n    name = "shop.notes"\n    label = "notes"\n')
    (app / "migrations" / "__init__.py").write_text("")
    (app / "migrations" / "0001_initial.py").write_text(django_migration("notes", []))
    (app / "migrations" / "0002_tag.py").write_text(django_migration("notes", ["0001_initial"]))
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "The team's migration")
    return project


def test_two_django_leaf_nodes_get_makemigrations_merge_then_migrate(django_project):
    migrations = django_project / "shop" / "notes" / "migrations"
    # What the update brings: the template's next migration, after the same parent.
    (migrations / "0002_alter_note_body.py").write_text(django_migration("notes", ["0001_initial"]))

    result = check(django_project, framework="django")

    assert printed_commands(result.stdout) == [
        "uv run python manage.py makemigrations --merge --noinput",
        "uv run python manage.py migrate",
    ]
    assert "more than one leaf (notes: 0002_alter_note_body, 0002_tag)" in result.stdout


def test_one_django_leaf_per_app_needs_no_merge(django_project):
    migrations = django_project / "shop" / "notes" / "migrations"
    # The template's migration after the team's: a chain; and a merge made earlier joins two leaves into one.
    (migrations / "0003_word_count.py").write_text(django_migration("notes", ["0002_tag"]))
    (migrations / "0003_side.py").write_text(django_migration("notes", ["0002_tag"]))
    (migrations / "0004_merge.py").write_text(django_migration("notes", ["0003_side", "0003_word_count"]))
    # A migration that runs before another of its app through `run_before` is no leaf either.
    (migrations / "0005_early.py").write_text(
        django_migration("notes", ["0004_merge"], "    run_before = [('notes', '0006_late')]\n")
    )
    (migrations / "0006_late.py").write_text(django_migration("notes", ["0004_merge"]))

    result = check(django_project, framework="django")

    assert "makemigrations --merge" not in result.stdout
    assert "    uv run python manage.py migrate\n" in result.stdout


def test_new_files_are_listed_and_the_message_ends_with_git_add_all(project):
    (project / "shop" / "api").mkdir(parents=True)
    (project / "shop" / "api" / "__init__.py").write_text("")
    (project / "NEW.md").write_text("New.\n")
    (project / "notes.rej").write_text("ignored by git, counted as a conflict\n")

    result = check(project)

    assert "  The update added 2 file(s) that git does not track yet:\n    NEW.md\n    shop/api/__init__.py\n" in (
        result.stdout
    )
    assert result.stdout.rstrip().splitlines()[-1].startswith("  Then stage everything")
    assert "`git add -A`" in result.stdout.splitlines()[-1]


def test_a_new_variable_comes_with_its_own_comment_only(project):
    # As .env.example lays them out: a header, optional variables shown commented out, then the new variable.
    example = EXAMPLE + (
        "\n# Email, for password reset. Without a host it is printed to the console:\n"
        "# FLASK_MAIL_SERVER=smtp.example.com\n# FLASK_MAIL_PORT=587\n"
        "# Salts password hashes.\nFLASK_SECURITY_PASSWORD_SALT=\n"
        "\n# The header of a group.\n\nFLASK_SECURITY_REGISTERABLE=true\n"
    )
    (project / ".env.example").write_text(example)

    check(project)

    added = (project / ".env").read_text().removeprefix(TEAM_ENV).splitlines()
    assert [line.partition("=")[0] for line in added] == [
        "",
        "# Added by copier update, from .env.example:",
        "# Salts password hashes.",
        "FLASK_SECURITY_PASSWORD_SALT",
        "FLASK_SECURITY_REGISTERABLE",
    ]


def test_new_python_and_framework_versions_are_named(project):
    pyproject = '[project]\nname = "shop"\nrequires-python = "{}"\ndependencies = ["{}", "flask-sqlalchemy>=3.1"]\n'
    (project / "pyproject.toml").write_text(pyproject.format(">=3.11", "flask>=3.0,<3.1"))
    git(project, "commit", "--quiet", "--all", "--message", "Python 3.11")
    (project / "pyproject.toml").write_text(pyproject.format(">=3.12", "Flask>=3.1.3,<3.2"))

    output = check(project).stdout

    assert "  Python: the project now needs >=3.12 (was >=3.11): " in output
    assert "  Flask: now >=3.1.3,<3.2 (was >=3.0,<3.1): read Flask's release notes" in output


CHANGELOG_TEXT = """\
# Changelog

## [Unreleased]

### Upgrading from 0.2.0
- Python 3.13 or newer.

## [0.2.0] - 2026-12-01

### Added
- Something.

### Upgrading from 0.1.0
- Django 6.1: read its release notes.
  Its second line.

## [0.1.0] - 2026-11-21
"""


@pytest.mark.parametrize(
    ("version_from", "expected"),
    [
        (
            "0.1.0",
            [
                "[Unreleased] Upgrading from 0.2.0:",
                "- Python 3.13 or newer.",
                "[0.2.0] Upgrading from 0.1.0:",
                "- Django 6.1: read its release notes.",
                "  Its second line.",
            ],
        ),
        ("0.0.0.post60.dev0+9e262de", None),  # a commit before any release tag: every note applies
        ("0.2.0", ["[Unreleased] Upgrading from 0.2.0:", "- Python 3.13 or newer."]),
        ("0.2.0.post3.dev0+abc1234", []),  # after 0.2.0: that release's own move is behind it already
        ("not a version", []),
    ],
)
def test_upgrade_notes_are_those_for_releases_after_the_project_s(tmp_path, version_from, expected):
    sys.path.insert(0, str(HOOK.parent))
    try:
        from after_update import upgrade_notes
    finally:
        sys.path.remove(str(HOOK.parent))
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(CHANGELOG_TEXT)

    notes = upgrade_notes(version_from, changelog)

    assert notes == (expected if expected is not None else upgrade_notes("0.1.0", changelog))
