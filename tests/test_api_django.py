"""The Django flavour's app_kind: what api, site and both generate, and the API served by gunicorn, checked with the
cross-flavour contract (tests/contract.py) and its docs rendered in Chromium."""

from __future__ import annotations

import http.cookies
import re
import secrets
import urllib.parse
from pathlib import Path

import pytest
from contract import check_contract, request
from helpers import LOAD_API_RATE, assert_docs_render_from_the_host_alone, project_env, serving

pytestmark = pytest.mark.slow

STAFF_EMAIL = "staff@example.com"
STAFF_PASSWORD = "a long staff passphrase 42"
API_FILES = ["config/api.py", "shop/api", "shop/notes/api.py", "tests/test_api.py", "docs/adr/0002-api.md"]
PAGE_FILES = [
    "shop/notes/views.py",
    "shop/notes/urls.py",
    "shop/notes/forms.py",
    "shop/notes/templates",
    "shop/templates/index.html",
    "tests/test_notes.py",
]


def mentions(project_path: Path, word: str) -> list[str]:
    """The project's own files (not .git, .venv, caches) that contain `word`, relative to the project."""
    skipped = {".git", ".venv", ".pytest_cache", ".ruff_cache", ".hypothesis", "__pycache__", "uv.lock"}
    return [
        str(path.relative_to(project_path))
        for path in project_path.rglob("*")
        if path.is_file()
        and not skipped & set(path.relative_to(project_path).parts)
        and word in path.read_text(errors="replace")
    ]


@pytest.mark.xdist_group("django-site")
def test_site_has_no_api(generate):
    project = generate("django-site")
    assert not [name for name in API_FILES if (project.path / name).exists()]
    assert all((project.path / name).exists() for name in PAGE_FILES)
    assert mentions(project.path, "ninja") == []
    assert mentions(project.path, "/api/") == []


@pytest.mark.xdist_group("django-api")
def test_api_has_no_pages_beyond_accounts_and_admin(generate):
    project = generate("django-api")
    assert all((project.path / name).exists() for name in API_FILES)
    assert not [name for name in PAGE_FILES if (project.path / name).exists()]
    templates = sorted(str(path.relative_to(project.path / "shop")) for path in (project.path / "shop").rglob("*.html"))
    # What sign-in, sign-up, passwords and the token page need, with the error pages of sign-in's lockout and
    # rate limits and of an oversized body; the stylesheet stays for them.
    allowed = r"(templates/(registration/|base|form_page|nav|lockout|429|413)|users/|api/)"
    assert all(re.match(allowed, name) for name in templates), templates
    assert (project.path / "shop/static/style.css").is_file()
    nav = (project.path / "shop/templates/nav.html").read_text()
    assert "notes" not in nav and "tokens:list" in nav


@pytest.mark.xdist_group("django-api")
def test_api_passes_the_deploy_check_and_has_its_migrations(generate):
    project = generate("django-api").sync()
    env = project_env(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    project.uv_run("python", "manage.py", "makemigrations", "--check", "--dry-run", env=env)
    result = project.uv_run("python", "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert "System check identified no issues" in result.stdout


def staff_session(base: str) -> str:
    """Sign in to the admin as STAFF_EMAIL with the login form and its CSRF token; return the session cookie
    (`sessionid=...`). By hand, because the cookies are Secure and the server is plain HTTP on loopback."""
    login = "/admin/login/"
    page = request(base, "GET", login)
    csrf_cookie = http.cookies.SimpleCookie(page.headers["Set-Cookie"])["csrftoken"].value
    form_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": form_token, "username": STAFF_EMAIL, "password": STAFF_PASSWORD, "next": "/admin/"}
    )
    headers = {"Cookie": f"csrftoken={csrf_cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    answer = request(base, "POST", login, form, headers)
    assert answer.status == 302, answer.body[:2000]
    cookies = http.cookies.SimpleCookie()
    for header in answer.headers.get_all("Set-Cookie"):
        cookies.load(header)
    return f"sessionid={cookies['sessionid'].value}"


@pytest.fixture(scope="module")
def served(generate, tmp_path_factory):
    """(base URL, bearer headers, staff session cookie): the `django` project (app_kind both) under gunicorn, with
    production settings on a fresh SQLite database, a staff member and a token issued by the project's command."""
    project = generate("django").sync()
    folder = tmp_path_factory.mktemp("api-django")
    env = project_env(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        # Plain HTTP on loopback: no redirect to HTTPS (.env.example documents the variable).
        DJANGO_SECURE_SSL_REDIRECT="false",
        WEB_CONCURRENCY="2",
        DJANGO_API_RATE=LOAD_API_RATE,
    )
    project.uv_run("python", "manage.py", "migrate", "--noinput", env=env)
    project.uv_run("python", "manage.py", "collectstatic", "--noinput", env=env)
    staff = {"DJANGO_SUPERUSER_EMAIL": STAFF_EMAIL, "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD}
    project.uv_run("python", "manage.py", "createsuperuser", "--noinput", env={**env, **staff})
    token = project.uv_run("python", "manage.py", "issue_token", STAFF_EMAIL, "contract", env=env).stdout.strip()
    with serving(project, env, folder / "gunicorn.log") as server:
        base = f"http://127.0.0.1:{server.port}"
        yield base, {"Authorization": f"Bearer {token}"}, staff_session(base)


@pytest.mark.xdist_group("django")
def test_contract_under_gunicorn(served):
    base, bearer, session = served
    check_contract(base, bearer, {"Cookie": session})


@pytest.mark.browser
@pytest.mark.xdist_group("django")
def test_docs_render_in_chromium_from_the_host_alone(served, browser):
    """Swagger UI at /api/docs, for a staff member: every request it makes stays on the host, the Content-Security-
    Policy blocks nothing (Chromium reports each block on the console), and the operations are listed."""
    base, _, session = served
    assert_docs_render_from_the_host_alone(browser, base, session, operations=5)
