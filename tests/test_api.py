"""Each flavour's app_kind: what api, site and both generate, and the API served by gunicorn, checked with the
cross-flavour contract (tests/contract.py) and its docs rendered in Chromium. Each case runs against both flavours
through their adapters (tests/flavours.py)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from contract import Clients, check_contract, check_rate_limit, expire_token
from flavours import DJANGO, FLASK, both, of
from helpers import answer_sets, assert_docs_render_from_the_host_alone, project_env, serving

pytestmark = pytest.mark.slow

STAFF_EMAIL = "staff@example.com"
STAFF_PASSWORD = "a long staff passphrase 42"
OTHER_EMAIL = "other@example.com"
# The API rate the served project is given: above what the contract asks of one client, low enough to reach.
API_RATE = 300


def mentions(project_path: Path, word: str) -> list[str]:
    """The project's own files (not .git, .venv, caches, Flask's instance folder) that contain `word`, relative to
    the project."""
    skipped = {".git", ".venv", ".pytest_cache", ".ruff_cache", ".hypothesis", "__pycache__", "uv.lock", "instance"}
    return [
        str(path.relative_to(project_path))
        for path in project_path.rglob("*")
        if path.is_file()
        and not skipped & set(path.relative_to(project_path).parts)
        and word in path.read_text(errors="replace")
    ]


@pytest.mark.parametrize("name", answer_sets(FLASK.site_answer_set, DJANGO.site_answer_set))
def test_site_has_no_api(generate, name):
    flavour, project = of(name), generate(name)
    assert not [path for path in flavour.api_files if (project.path / path).exists()]
    assert all((project.path / path).exists() for path in flavour.page_files)
    for word in flavour.api_words:
        assert mentions(project.path, word) == [], word


@pytest.mark.parametrize("name", answer_sets(FLASK.api_answer_set, DJANGO.api_answer_set))
def test_api_has_no_pages_beyond_accounts_tokens_and_admin(generate, name):
    flavour, project = of(name), generate(name)
    assert all((project.path / path).exists() for path in flavour.api_files)
    assert not [path for path in flavour.page_files if (project.path / path).exists()]
    root = project.path / flavour.api_templates_root
    templates = sorted(str(path.relative_to(root)) for path in root.rglob("*.html"))
    assert all(re.fullmatch(flavour.api_templates, template) for template in templates), templates
    assert set(flavour.api_templates_required) <= set(templates), templates
    # The stylesheet stays for them.
    assert (project.path / "shop/static/style.css").is_file()
    nav = (project.path / "shop/templates/nav.html").read_text()
    assert "notes" not in nav and flavour.tokens_link in nav


@pytest.mark.parametrize("name", answer_sets("flask-sqlalchemy-api", "flask-api"))
def test_flask_api_without_accounts_serves_no_page_at_all(generate, name):
    """Flask only: Django's API always comes with accounts."""
    project = generate(name)
    templates = [path.name for path in (project.path / "shop/templates").rglob("*.html")]
    assert templates == ["swagger_ui.html"]  # the docs, while debugging
    assert [path.name for path in (project.path / "shop/static").iterdir()] == ["api-docs.js"]
    assert not [path for path in FLASK.page_files if (project.path / path).exists()]
    assert mentions(project.path, "render_template") == []


@pytest.mark.parametrize("name", answer_sets(FLASK.api_answer_set, DJANGO.api_answer_set))
def test_api_migrations_match_the_models(generate, name, tmp_path):
    flavour, project = of(name), generate(name).sync()
    flavour.check_migrations(project, flavour.env(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", proxied=False))


@pytest.mark.xdist_group(DJANGO.api_answer_set)
def test_django_api_passes_the_deploy_check(generate):
    """Django only: Flask has no deploy check."""
    project = generate(DJANGO.api_answer_set).sync()
    env = project_env(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    result = DJANGO.manage(project, "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert "System check identified no issues" in result.stdout


@pytest.fixture(scope="module", params=both())
def served(request, generate, tmp_path_factory):
    """(base URL, the contract's clients): the flavour's project with everything (app_kind both) under gunicorn, with
    production settings on a fresh SQLite database; an administrator with a token, an expired token and a session,
    and another user with a token, issued by the project's commands."""
    flavour = of(request.param)
    project = generate(flavour.answer_set).sync()
    folder = tmp_path_factory.mktemp(f"api-{flavour.name}")
    database = folder / "db.sqlite3"
    env = flavour.env(
        f"sqlite:///{database}",
        proxied=False,
        **{flavour.setting("API_RATE"): flavour.rate(API_RATE)},
        WEB_CONCURRENCY="2",
    )
    flavour.collect_static(project, env)
    flavour.migrate(project, env)
    flavour.create_admin(project, env, STAFF_EMAIL, STAFF_PASSWORD)
    flavour.create_user(project, env, OTHER_EMAIL, STAFF_PASSWORD)
    owner = flavour.issue_token(project, env, STAFF_EMAIL, "contract")
    other = flavour.issue_token(project, env, OTHER_EMAIL, "other")
    expired = flavour.issue_token(project, env, STAFF_EMAIL, "old")
    expire_token(database, "old")
    with serving(project, env, folder / "gunicorn.log") as server:
        base = f"http://127.0.0.1:{server.port}"
        session = {"Cookie": flavour.staff_session(base, STAFF_EMAIL, STAFF_PASSWORD)}
        yield base, Clients(owner=owner, other=other, expired=expired, session=session, staff=session)


def test_contract_under_gunicorn(served):
    base, clients = served
    check_contract(base, clients)


@pytest.mark.browser
def test_docs_render_in_chromium_from_the_host_alone(served, browser):
    """Swagger UI at /api/docs, for an administrator: every request it makes stays on the host, the Content-Security-
    Policy blocks nothing (Chromium reports each block on the console), and the operations are listed."""
    base, clients = served
    assert_docs_render_from_the_host_alone(browser, base, clients.staff["Cookie"], operations=6)


def test_rate_limit_under_gunicorn(served):
    """Last for each flavour: it spends the client address's limit."""
    base, clients = served
    check_rate_limit(base, clients.owner, API_RATE)
