"""Each generated project's own checks, as a new user runs them, over a covering design of the answer space.

The rows (DESIGN): for each framework, every pair of answers that can occur together (tests/answer_space.py's
seeded greedy all-pairs over the same factors as tests/test_answer_space.py); every preset in presets/; and, with
the framework's default answers, names that stress the package name. Each row is generated with its post-copy task,
then: `uv sync`; its own `pytest -W error` (warnings are errors, even those its settings ignore); `ruff check` and
`ruff format --check`; the migrations check (Django: `makemigrations --check --dry-run` and `check --deploy`; Flask: `flask db upgrade`,
then `flask db check`). Rows with PostgreSQL run their tests and migrations on a fresh database of the tests'
server; no row's tests need Redis. A row's id is its answers (`django-api-postgresql-2fa-tasks`), then its name's
package or its preset when it has one: `pytest tests/test_design.py -k django-both-sqlite-blog`.
"""

from __future__ import annotations

import re
import secrets

import pytest
import yaml
from answer_space import QUESTIONS, Combination, all_pairs, choices, resolve
from helpers import PRESETS, TEMPLATE_JINJA, TEMPLATE_ROOT, Project, copy_template, project_env

pytestmark = pytest.mark.slow

FRAMEWORKS = choices(QUESTIONS["framework"])
# Names that stress the package name, in both frameworks: one that sorts before `config`, one not in ASCII, one of
# several words, and one that is already a Python identifier with an `api` in it.
STRESS_NAMES = ["Blog", "Café Ünïcode 2", "Clinic Portal", "api_gateway"]
# Names that collide with a reserved one (the slug gets `_app`), each in one framework.
RESERVED_NAMES = {"Flask": "flask", "Test": "django"}
_SLUG = TEMPLATE_JINJA.from_string('{% from "validation/rules.jinja" import default_slug %}{{ default_slug(name) }}')


def _rows() -> list[tuple[str, Combination]]:
    rows = [(combination.id, combination) for framework in FRAMEWORKS for combination in all_pairs(framework)]
    for preset in PRESETS:
        answers = yaml.safe_load((TEMPLATE_ROOT / "presets" / f"{preset}.yml").read_text())
        combination = resolve({**answers, "project_name": "Shop"})
        rows.append((f"{combination.id}-{preset}", combination))
    named = [(name, framework) for name in STRESS_NAMES for framework in FRAMEWORKS] + list(RESERVED_NAMES.items())
    for name, framework in named:
        combination = resolve({"project_name": name, "framework": framework})
        rows.append((f"{combination.id}-{_SLUG.render(name=name)}", combination))
    return rows


DESIGN = _rows()


def params(step: str) -> list:
    return [
        pytest.param(
            combination,
            id=row_id,
            marks=[pytest.mark.xdist_group(f"design-{row_id}")]
            + ([pytest.mark.postgres] if combination.context["use_postgresql"] else []),
        )
        for row_id, combination in DESIGN
    ]


@pytest.fixture(scope="session")
def synced(tmp_path_factory: pytest.TempPathFactory):
    """`synced(combination) -> Project`: generated as a user does (post-copy task included), `uv sync`ed; once
    per worker."""
    projects: dict[str, Project] = {}

    def sync(combination: Combination) -> Project:
        key = repr(sorted(combination.data.items()))
        if key not in projects:
            dst = tmp_path_factory.mktemp("design") / "project"
            copy_template(dst, combination.data)
            projects[key] = Project(dst, combination.data).sync()
        return projects[key]

    return sync


@pytest.fixture
def database_env(request, combination: Combination) -> dict[str, str]:
    """For a PostgreSQL row, a fresh database on the tests' server as TEST_DATABASE_URL and DATABASE_URL."""
    if not combination.context["use_postgresql"]:
        return {}
    url = request.getfixturevalue("postgres_server").create_database("design")
    return {"TEST_DATABASE_URL": url, "DATABASE_URL": url}


@pytest.mark.parametrize("combination", params("tests"))
def test_own_tests(synced, database_env, combination):
    result = synced(combination).uv_run(
        "pytest", "-q", "-W", "error", "-p", "no:cacheprovider", env=project_env(**database_env), timeout=900
    )
    assert re.search(r"\d+ passed", result.stdout) and "failed" not in result.stdout


@pytest.mark.parametrize("combination", params("lint"))
def test_lint(synced, combination):
    project = synced(combination)
    project.uv_run("ruff", "check", ".")
    project.uv_run("ruff", "format", "--check", ".")


@pytest.mark.parametrize("combination", params("migrations"))
def test_migrations(synced, database_env, combination, tmp_path):
    project = synced(combination)
    slug = combination.context["project_slug"]
    if combination.framework == "django":
        project.uv_run("python", "manage.py", "makemigrations", "--check", "--dry-run", env=project_env(**database_env))
        deploy = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
        result = project.uv_run(
            "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=project_env(**deploy)
        )
        assert "System check identified no issues" in result.stdout
    elif combination.context["use_sqlalchemy"]:
        env = project_env(**{"DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}", **database_env})
        project.uv_run("flask", "--app", slug, "db", "upgrade", env=env)
        result = project.uv_run("flask", "--app", slug, "db", "check", env=env)
        assert "No new upgrade operations detected." in result.stdout
    else:
        assert not (project.path / "migrations").exists()
