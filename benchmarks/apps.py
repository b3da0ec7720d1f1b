"""The apps that startup and serving measure: each generated project, installed as in production, and a bare app
of its framework (benchmarks/bare/) doing the same work, in the same environment, on the same 20 notes."""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

from common import PROJECTS, SLUG, clean_env, generate, run

BARE = Path(__file__).resolve().parent / "bare"
NOTES = 20
# Production settings for the generated projects; the secrets are throwaway values for loopback benchmarking.
# Both run as behind a proxy that terminates TLS: the load sends `X-Forwarded-Proto: https`, which each project is
# told to trust, so that HTTPS redirects, HSTS and Secure cookies stay on, as in production.
PRODUCTION_ENV = {
    "flask": {
        "FLASK_SECRET_KEY": secrets.token_urlsafe(50),
        "FLASK_SECURITY_PASSWORD_SALT": secrets.token_urlsafe(50),
        "FLASK_DEBUG": "false",
        "FLASK_TRUSTED_PROXIES": "1",
        # Required in production: the hosts the app answers, and the one its mailed links name.
        "FLASK_TRUSTED_HOSTS": '["127.0.0.1", "localhost"]',
        "FLASK_SERVER_NAME": "127.0.0.1",
        # The load comes from one address, far past the API's rate limit (60 requests a minute by default).
        "FLASK_API_RATE": "1000000 per minute",
    },
    "django": {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # wrk's thousands of requests a second come from one address: far past the API's rate limit.
        "DJANGO_API_RATE": "1000000/m",
    },
}
# The packages the generated Flask app imports at startup, imported alone: the floor no app code can go below.
FLASK_LIBRARIES = (
    "import flask, flask_sqlalchemy, flask_wtf.csrf, flask_security, flask_security.models.fsqla_v3,"
    " flask_admin.contrib.sqla"
)
# Django imports the URLconf (and with it every view module) at the first request, where Flask's application
# factory registers every route up front: startup loads it too, for both, so that it is what a worker does before
# it can answer.
DJANGO_STARTUP = "from {0}.wsgi import application; from django.urls import get_resolver; get_resolver().url_patterns"
# Both sides serve a reader their own notes: the pages are requested with the reader's cookies (a signed-in session),
# the API with a bearer token. `{issue}` gives the reader a token whose secret is `secret`, as each side stores
# tokens. Prints the reader's id and the headers as JSON.
DJANGO_READER = """
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
User = get_user_model()
reader = User.objects.create_user(**{{User.USERNAME_FIELD: "reader@example.com"}})
{issue}
browser = Client()
browser.force_login(reader, backend="django.contrib.auth.backends.ModelBackend")
session = browser.cookies[settings.SESSION_COOKIE_NAME].value
# The CSRF cookie a browser holds after its first page with a form, so that no page has to set one.
first = RequestFactory().get("/")
get_token(first)
cookies = {{settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: first.META["CSRF_COOKIE"]}}
print(json.dumps({{
    "id": reader.pk,
    "headers": {{
        "Cookie": "; ".join(f"{{name}}={{value}}" for name, value in cookies.items()),
        "Authorization": f"Bearer {{secret}}",
    }},
}}))
"""
DJANGO_TOKEN = """
from {slug}.api.models import Token
_, secret = Token.objects.issue(reader, "benchmark")
"""
# The bare app's token: a row holding the secret's SHA-256 digest, as bare/django/notes/models.py's Token.
BARE_DJANGO_TOKEN = """
import datetime, hashlib, secrets
from django.utils import timezone
from notes.models import Token
secret = secrets.token_urlsafe(32)
expires_at = timezone.now() + datetime.timedelta(days=30)
Token.objects.create(digest=hashlib.sha256(secret.encode()).hexdigest(), user=reader, expires_at=expires_at)
"""
# The generated Flask app's notes are their author's: the load reads them as this user, through a session cookie
# (pages) and a bearer token (API).
FLASK_READER = "reader@example.com"
# A reader's session cookie, made offline with the app's own secret key (`{setup}` defines `app`, `login_user` and
# the `user` to sign in), holding the CSRF token as a browser's does after its first page with a form, so that no
# page has to sign the cookie again: the `Cookie` header's value, printed.
FLASK_SESSION_COOKIE = """
from flask import session
from flask_wtf.csrf import generate_csrf
{setup}
with app.test_request_context():
    login_user(user())
    generate_csrf()
    response = app.make_response("")
    app.session_interface.save_session(app, session, response)
    print(response.headers["Set-Cookie"].split(";")[0])
"""
FLASK_READER_SETUP = """
from flask_security import login_user
from {slug} import create_app
from {slug}.accounts import user_datastore
app = create_app()
user = lambda: user_datastore.find_user(email="{email}")
"""
BARE_FLASK_READER_SETUP = """
from flask_login import login_user
from app import app, db, User
user = lambda: db.session.get(User, {id})
"""
# The generated Django project with django-ratelimit switched off (the API's limits and the sign-in's), served beside
# it to measure what the rate limits cost.
UNLIMITED_DJANGO_SETTINGS = """
from config.settings import *  # noqa: F403

RATELIMIT_ENABLE = False
"""
BARE_DJANGO_SETTINGS = """
# The bare app's changes to startproject's settings: production mode and the notes app.
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS += ["notes"]
"""


@dataclass
class App:
    """One side of a comparison: where it runs, its WSGI target for gunicorn, its environment, the Python code
    whose run in a fresh process is its startup, the reader's credentials, and the pages it
    serves (serving.PAGES' names; None for all). `wsgi` is empty for what is not served, `startup_code` for what
    is not started."""

    cwd: Path
    wsgi: str
    env: dict[str, str]
    startup_code: str
    python: Path
    # The reader's credentials, "Cookie" (a signed-in session) and "Authorization" (a bearer token) where the app
    # has an API: serving.request_headers picks the one each page is requested with.
    headers: dict[str, str] = field(default_factory=dict)
    pages: tuple[str, ...] | None = None
    gunicorn: Path = field(init=False)

    def __post_init__(self) -> None:
        self.gunicorn = self.python.parent / "gunicorn"

    @property
    def startup_command(self) -> list[str]:
        """`startup_code` run by this app's Python in its folder, with what its environment adds to `clean_env()`
        (for hyperfine -N, which runs it in `clean_env()`)."""
        base = clean_env()
        variables = [f"{key}={value}" for key, value in self.env.items() if base.get(key) != value]
        return ["env", "-C", str(self.cwd), *variables, str(self.python), "-c", self.startup_code]


def seed(database: Path, table: str, **columns: object) -> None:
    """Replace the rows of `table` in the SQLite file `database` with the same NOTES notes for every app; `columns`
    gives every row the same value (the notes' owner, where notes have one).

    Plain SQL, so that all four databases hold identical rows; each app's page then shows that it reads them.
    """
    names = ["title", "body", "created_at", *columns]
    with sqlite3.connect(database) as connection:
        connection.execute(f"DELETE FROM {table}")
        connection.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(f':{name}' for name in names)})",
            [
                {
                    "title": f"Note {number}",
                    "body": f"Body of note {number}: a paragraph of plain text, as a person writes it.",
                    "created_at": f"2026-01-01 12:00:{number:02d}",
                    **columns,
                }
                for number in range(1, NOTES + 1)
            ],
        )
    connection.close()


def without_rate_limits(app: App, **switch: str) -> App:
    """`app` with its rate limits switched off by the environment variables `switch`: not started, serving the API
    list only."""
    return App(app.cwd, app.wsgi, {**app.env, **switch}, "", app.python, app.headers, ("api",))


def prepare_flask(project: Path, work: Path, python: Path) -> dict[str, App]:
    database = project / "bench.sqlite3"
    env = clean_env(**PRODUCTION_ENV["flask"], DATABASE_URL=f"sqlite:///{database}")
    run(python, "-m", "flask", "--app", SLUG, "db", "upgrade", cwd=project, env=env)
    password = secrets.token_urlsafe(30)
    run(
        python, "-m", "flask", "--app", SLUG, "create-admin", FLASK_READER, "--password", password, cwd=project, env=env
    )
    with sqlite3.connect(database) as connection:
        (owner_id,) = connection.execute("SELECT id FROM user WHERE email = ?", (FLASK_READER,)).fetchone()
    connection.close()
    seed(database, "note", owner_id=owner_id)
    token = run(python, "-m", "flask", "--app", SLUG, "issue-token", FLASK_READER, "load", cwd=project, env=env)
    setup = FLASK_READER_SETUP.format(slug=SLUG, email=FLASK_READER)
    cookie = run(python, "-c", FLASK_SESSION_COOKIE.format(setup=setup), cwd=project, env=env)
    headers = {"Authorization": f"Bearer {token.split()[-1]}", "Cookie": cookie.split()[-1]}

    bare = work / "bare-flask"
    shutil.copytree(BARE / "flask", bare)
    bare_env = clean_env()
    run(python, "-c", "from app import app, db; app.app_context().push(); db.create_all()", cwd=bare, env=bare_env)
    bare_database = bare / "instance" / "notes.sqlite3"
    secret = secrets.token_urlsafe(32)
    with sqlite3.connect(bare_database) as connection:
        reader = connection.execute("INSERT INTO user (email) VALUES (?)", (FLASK_READER,)).lastrowid
        connection.execute(
            "INSERT INTO token (digest, user_id, expires_at) VALUES (?, ?, '2099-01-01 00:00:00.000000')",
            (hashlib.sha256(secret.encode()).hexdigest(), reader),
        )
    connection.close()
    seed(bare_database, "note", owner_id=reader)
    setup = BARE_FLASK_READER_SETUP.format(id=reader)
    cookie = run(python, "-c", FLASK_SESSION_COOKIE.format(setup=setup), cwd=bare, env=bare_env)
    bare_headers = {"Authorization": f"Bearer {secret}", "Cookie": cookie.split()[-1]}
    app = App(project, f"{SLUG}:create_app()", env, f"from {SLUG} import create_app; create_app()", python, headers)
    return {
        "app": app,
        "unlimited": without_rate_limits(app, FLASK_RATELIMIT_ENABLED="false"),
        "bare": App(bare, "app:app", bare_env, "import app", python, bare_headers),
        "libraries": App(bare, "", bare_env, FLASK_LIBRARIES, python),
    }


def read_as(python: Path, project: Path, env: dict[str, str], issue: str) -> dict:
    """Create the Django project's reader, with a token `issue` makes. Returns {"id": the reader's primary key,
    "headers": {"Cookie": a signed-in session, "Authorization": "Bearer <secret>"}}."""
    reader = run(python, "manage.py", "shell", "-c", DJANGO_READER.format(issue=issue), cwd=project, env=env)
    return json.loads(reader.splitlines()[-1])


def django_app(project: Path, python: Path, issue: str | None, pages: tuple[str, ...] | None = None) -> App:
    """The generated Django project, migrated, its static files collected, its reader signed in and given a token
    by `issue` (None: a project without the API, whose reader sends only the session), the reader's notes seeded."""
    database = project / "bench.sqlite3"
    env = clean_env(**PRODUCTION_ENV["django"], DATABASE_URL=f"sqlite:///{database}")
    run(python, "manage.py", "migrate", "--noinput", cwd=project, env=env)
    run(python, "manage.py", "collectstatic", "--noinput", cwd=project, env=env)
    reader = read_as(python, project, env, issue or 'secret = ""')
    seed(database, "notes_note", owner_id=reader["id"])
    headers = reader["headers"] if issue else {"Cookie": reader["headers"]["Cookie"]}
    return App(project, "config.wsgi", env, DJANGO_STARTUP.format("config"), python, headers, pages)


def prepare_django(project: Path, work: Path, python: Path) -> dict[str, App]:
    app = django_app(project, python, DJANGO_TOKEN.format(slug=SLUG))
    (project / "unlimited_settings.py").write_text(UNLIMITED_DJANGO_SETTINGS)

    bare = work / "bare-django"
    bare_env = clean_env(DJANGO_SETTINGS_MODULE="bare.settings")
    bare.mkdir()
    run(python.parent / "django-admin", "startproject", "bare", bare, env=bare_env)
    run(python, "manage.py", "startapp", "notes", cwd=bare, env=bare_env)
    shutil.copytree(BARE / "django", bare, dirs_exist_ok=True)
    with (bare / "bare" / "settings.py").open("a") as settings:
        settings.write(BARE_DJANGO_SETTINGS)
    run(python, "manage.py", "makemigrations", "notes", cwd=bare, env=bare_env)
    run(python, "manage.py", "migrate", "--noinput", cwd=bare, env=bare_env)
    bare_reader = read_as(python, bare, bare_env, BARE_DJANGO_TOKEN)
    seed(bare / "db.sqlite3", "notes_note", owner_id=bare_reader["id"])
    return {
        "app": app,
        "unlimited": without_rate_limits(app, DJANGO_SETTINGS_MODULE="unlimited_settings"),
        "bare": App(bare, "bare.wsgi", bare_env, DJANGO_STARTUP.format("bare"), python, bare_reader["headers"]),
    }


def prepare_apps(template: Path, work: Path) -> dict[str, dict[str, App]]:
    """Generate and install both projects and build their bare twins. Returns {framework: {side: App}}, the
    sides being "app", "bare", "unlimited" (the app with its rate limits off, serving the API list only), for
    Flask "libraries" (the extensions' packages imported alone, not served) and for Django "site" (its defaults
    without the API, serving the pages).

    Each project is installed as in production, with compiled bytecode (the generated Dockerfile sets
    UV_COMPILE_BYTECODE), without the development `.env` that `copier copy` writes; the bare app runs in the
    project's environment, so that only the app differs. Each database is SQLite, seeded with the same notes.
    """
    prepare = {"flask": prepare_flask, "django": prepare_django}
    apps = {}
    for name, answers in PROJECTS.items():
        project = install(template, answers, work / f"app-{name}")
        apps[name] = prepare[name](project, work, python_of(project))
    # Django's defaults without the API, for what the API costs at startup and in memory.
    site = install(template, {**PROJECTS["django"], "app_kind": "site"}, work / "app-django-site")
    apps["django"]["site"] = django_app(site, python_of(site), None, ("home", "notes"))
    for app in (app for sides in apps.values() for app in sides.values()):
        # Our own modules, compiled too (the venvs' are, by uv): nothing is compiled while it is timed.
        run(app.python, "-m", "compileall", "-q", "-x", r"/\.venv/", app.cwd, env=clean_env())
    return apps


def python_of(project: Path) -> Path:
    return project / ".venv" / "bin" / "python"


def install(template: Path, answers: dict[str, str], dst: Path) -> Path:
    """Generate the project of `answers` into `dst` and install it as in production; return `dst`."""
    project = generate(template, answers, dst)
    (project / ".env").unlink(missing_ok=True)
    run("uv", "sync", "--quiet", "--compile-bytecode", cwd=project, env=clean_env())
    if not (python_of(project).parent / "gunicorn").exists():
        sys.exit(f"{project.name}: gunicorn is not among the generated project's dependencies")
    return project
