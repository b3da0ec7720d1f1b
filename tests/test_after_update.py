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


def check(project: Path, framework: str = "flask") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HOOK), f"--framework={framework}", "--slug=shop", "--version-to=v1.1.0"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


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
    lines = result.stdout.splitlines()
    commands = [line.strip() for line in lines if line.startswith("    ") and not line.strip().startswith("#")]
    assert commands == [
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
