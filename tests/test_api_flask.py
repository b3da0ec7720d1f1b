"""The Flask flavour's app_kind: what api, site and both generate, and the API served by gunicorn, checked with the
cross-flavour contract (tests/contract.py) and its docs rendered in Chromium."""

from __future__ import annotations

import http.cookies
import re
import secrets
import urllib.parse
from pathlib import Path

import pytest
from contract import check_contract, request
from helpers import FLASK_LOOPBACK_HOSTS, assert_docs_render_from_the_host_alone, project_env, serving

pytestmark = pytest.mark.slow

STAFF_EMAIL = "staff@example.com"
STAFF_PASSWORD = "a long staff passphrase 42"
API_FILES = ["shop/api", "shop/templates/swagger_ui.html", "tests/test_api.py", "docs/adr/0002-api.md"]
PAGE_FILES = [
    "shop/main.py",
    "shop/notes.py",
    "shop/templates/index.html",
    "shop/templates/notes",
    "tests/test_notes.py",
]


def mentions(project_path: Path, word: str) -> list[str]:
    """The project's own files (not .git, .venv, caches) that contain `word`, relative to the project."""
    skipped = {".git", ".venv", ".pytest_cache", ".ruff_cache", ".hypothesis", "__pycache__", "uv.lock", "instance"}
    return [
        str(path.relative_to(project_path))
        for path in project_path.rglob("*")
        if path.is_file()
        and not skipped & set(path.relative_to(project_path).parts)
        and word in path.read_text(errors="replace")
    ]


@pytest.mark.xdist_group("flask-all-site")
def test_site_has_no_api(generate):
    project = generate("flask-all-site")
    assert not [name for name in API_FILES if (project.path / name).exists()]
    assert all((project.path / name).exists() for name in PAGE_FILES)
    assert mentions(project.path, "smorest") == []
    assert mentions(project.path, "schemathesis") == []


@pytest.mark.xdist_group("flask-all-api")
def test_api_has_no_pages_beyond_sign_in_tokens_and_admin(generate):
    project = generate("flask-all-api")
    assert all((project.path / name).exists() for name in API_FILES)
    assert not [name for name in PAGE_FILES if (project.path / name).exists()]
    templates = sorted(
        str(path.relative_to(project.path / "shop/templates"))
        for path in (project.path / "shop/templates").rglob("*.html")
    )
    # The layout and error page for the sign-in pages, the token page and the docs; the stylesheet stays for them.
    assert templates == ["base.html", "error.html", "nav.html", "security/base.html", "swagger_ui.html", "tokens.html"]
    assert (project.path / "shop/static/style.css").is_file()
    nav = (project.path / "shop/templates/nav.html").read_text()
    assert "notes" not in nav and "tokens.index" in nav


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in ["flask-sqlalchemy-api", "flask-api"]]
)
def test_api_without_accounts_serves_no_page_at_all(generate, name):
    project = generate(name)
    templates = [path.name for path in (project.path / "shop/templates").rglob("*.html")]
    assert templates == ["swagger_ui.html"]  # the docs, while debugging
    assert [path.name for path in (project.path / "shop/static").iterdir()] == ["api-docs.js"]
    assert not [name for name in PAGE_FILES if (project.path / name).exists()]
    assert mentions(project.path, "render_template") == []


@pytest.mark.xdist_group("flask-all-api")
def test_api_migrations_match_the_models(generate, tmp_path):
    project = generate("flask-all-api").sync()
    env = project_env(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    project.uv_run("flask", "--app", "shop", "db", "upgrade", env=env)
    project.uv_run("flask", "--app", "shop", "db", "check", env=env)


def staff_session(base: str) -> str:
    """Sign in as STAFF_EMAIL with Flask-Security's login form and its CSRF token; return the session cookie
    (`session=...`). By hand, because the cookies are Secure and the server is plain HTTP on loopback."""
    page = request(base, "GET", "/login")
    cookie = http.cookies.SimpleCookie(page.headers["Set-Cookie"])["session"].value
    token = re.search(rb'name="csrf_token"[^>]* value="([^"]+)"', page.body).group(1).decode()
    form = urllib.parse.urlencode({"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": token})
    headers = {"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    answer = request(base, "POST", "/login", form, headers)
    assert answer.status == 302, answer.body[:2000]
    cookies = http.cookies.SimpleCookie()
    for header in answer.headers.get_all("Set-Cookie"):
        cookies.load(header)
    return f"session={cookies['session'].value}"


@pytest.fixture(scope="module")
def served(generate, tmp_path_factory):
    """(base URL, bearer headers, staff session cookie): the `flask-all` project (app_kind both) under gunicorn, with
    production settings on a fresh SQLite database, an administrator and a token issued by the project's command."""
    project = generate("flask-all").sync()
    folder = tmp_path_factory.mktemp("api-flask")
    env = project_env(
        FLASK_DEBUG="false",
        FLASK_SECRET_KEY=secrets.token_urlsafe(50),
        FLASK_SECURITY_PASSWORD_SALT=secrets.token_urlsafe(32),
        **FLASK_LOOPBACK_HOSTS,
        DATABASE_URL=f"sqlite:///{folder / 'app.sqlite3'}",
        WEB_CONCURRENCY="2",
    )
    flask = ["flask", "--app", "shop"]
    project.uv_run(*flask, "db", "upgrade", env=env)
    project.uv_run(*flask, "create-admin", STAFF_EMAIL, "--password", STAFF_PASSWORD, env=env)
    token = project.uv_run(*flask, "issue-token", STAFF_EMAIL, "contract", env=env).stdout.strip()
    with serving(project, env, folder / "gunicorn.log") as server:
        base = f"http://127.0.0.1:{server.port}"
        yield base, {"Authorization": f"Bearer {token}"}, staff_session(base)


@pytest.mark.xdist_group("flask-all")
def test_contract_under_gunicorn(served):
    base, bearer, session = served
    check_contract(base, bearer, {"Cookie": session})


@pytest.mark.browser
@pytest.mark.xdist_group("flask-all")
def test_docs_render_in_chromium_from_the_host_alone(served, browser):
    """Swagger UI at /api/docs, for an administrator: every request it makes stays on the host, the Content-Security-
    Policy blocks nothing (Chromium reports each block on the console), and the operations are listed."""
    base, _, session = served
    assert_docs_render_from_the_host_alone(browser, base, session, operations=6)
