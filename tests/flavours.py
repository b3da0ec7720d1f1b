"""What each flavour does differently, for the behaviour suites that run each case against both (tests/test_security.py,
tests/test_api.py, tests/test_degradation.py): how to name a setting, migrate, make an administrator and a user, issue
a token, sign in, and the paths and words of its pages. The cases themselves are written once, in those modules.

The facts about each flavour's generated project are data, in flavours.yml; the commands that differ are the methods
of FlaskFlavour and DjangoFlavour. `FLASK` and `DJANGO` are the two adapters; `of(answer_set)` names the one of an
answer set, and `both()` gives the pytest parameters of a case that runs against each flavour's answer set with
everything.
"""

from __future__ import annotations

import http.cookies
import re
import secrets
import sqlite3
import urllib.parse
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from contract import request
from helpers import FLASK_LOOPBACK_HOSTS, Project, Visitor, project_env

# The administrator that Flavour.prepare() creates (flavours.yml's lockout_logs name the address).
ADMIN_EMAIL, ADMIN_PASSWORD = "boss@example.com", "a long enough passphrase"


@dataclass(frozen=True)
class Flavour:
    """One framework's side of the behaviour suites: facts about its generated project (flavours.yml), and the
    commands and requests that differ (the subclasses)."""

    name: str  # "flask" or "django"
    answer_set: str  # the answer set with accounts, pages, the API and admin (ANSWER_SETS)
    command: list[str]  # the project's command line, run with `uv run`
    csrf_field: str  # the hidden form field of the CSRF token
    login_path: str
    staff_login_path: str  # the sign-in form of the administrators, who read the API's docs
    staff_login_fields: dict[str, str]  # its fields besides the CSRF token, the email address and the password
    user_field: str  # the sign-in form's field for the email address
    after_sign_in: str  # where a successful sign-in redirects
    extra_login_paths: list[str]  # other sign-in forms that share the lockout's count
    locked_text: str  # on the page that refuses a locked-out sign-in
    lockout_statuses: list[int]  # the answers to five wrong passwords in a row
    lockout_retry_after: bool  # whether a locked-out sign-in's answer says when to try again (Retry-After)
    cool_off_left_minutes: int  # aged 10 minutes into the cool-off, how many more to age to be past it
    lockout_logs: list[str]  # what the servers log about a lockout of ADMIN_EMAIL from 127.0.0.1
    remember: dict[str, str]  # the sign-in form's "remember me", when there is one
    session_cookies: list[list[str]]  # cookie sets, each of which alone keeps a visitor signed in
    new_note_path: str  # the form that adds a note
    logout_path: str
    # Pages for signed-in people only, each with where it sends anyone else (the start of the Location).
    protected: list[list[str]]
    missing_paths: list[str]  # ids out of any range, answered 404
    sign_up_path: str
    sign_up_fields: dict[str, str]  # a sign-up form with NUL characters in every field
    nul_answer: list  # the status and words of the answer to a sign-up with NUL characters
    nul_login_status: int  # the status of a sign-in with NUL characters
    # app_kind: the answer sets without an API and with the API alone; the files of each, and words of the API's
    # libraries that a project without it never names.
    site_answer_set: str
    api_answer_set: str
    api_files: list[str]
    page_files: list[str]
    api_words: list[str]
    api_templates_root: str
    api_templates: str  # a regular expression that every template of an API-only project matches in full
    api_templates_required: list[str]  # templates that an API-only project must have
    tokens_link: str  # the token page's name in nav.html
    # With Redis: the project's own tests of an outage; without: files that are absent, and (file, word) pairs.
    outage_tests: list[str]
    no_redis_absent: list[str]
    no_redis_words: list[list[str]]
    # With the cache and tasks on Redis, and Redis down: /ready's reason, and what the web log says of a word count
    # that could not be queued.
    redis_down: str
    not_queued_log: str
    celery_app: str  # `celery --app`
    wsgi_arguments: list[str]  # what start_gunicorn names besides gunicorn.conf.py

    def setting(self, name: str) -> str:
        """The environment variable of the project's setting `name` (API_RATE: FLASK_API_RATE, DJANGO_API_RATE)."""
        return f"{self.name.upper()}_{name}"

    def rate(self, per_minute: int) -> str:
        """A rate limit of `per_minute` requests a minute, in the notation of the flavour's limiter."""
        raise NotImplementedError

    def settings(self, proxied: bool) -> dict[str, str]:
        """The flavour's own production settings: behind one TLS-terminating proxy, or plain HTTP on loopback."""
        raise NotImplementedError

    def env(self, database_url: str, proxied: bool = True, **extra: str) -> dict[str, str]:
        """Production settings on `database_url`, for the host 127.0.0.1: behind one TLS-terminating proxy (which
        the tests play: Visitor) when `proxied`, else plain HTTP on loopback; `extra` adds to them or replaces them."""
        settings = {
            self.setting("DEBUG"): "false",
            self.setting("SECRET_KEY"): secrets.token_urlsafe(50),
            **self.settings(proxied),
            "DATABASE_URL": database_url,
        }
        return project_env(**{**settings, **extra})

    def manage(self, project: Project, *arguments: str, env: dict[str, str]):
        """The project's command line with `arguments`, in its environment."""
        return project.uv_run(*self.command, *arguments, env=env)

    def collect_static(self, project: Project, env: dict[str, str]) -> None:
        """Collect the static files that the production settings serve, where they need that."""

    def migrate(self, project: Project, env: dict[str, str]) -> None:
        raise NotImplementedError

    def check_migrations(self, project: Project, env: dict[str, str]) -> None:
        """Fail when the models have changes that no migration holds."""
        raise NotImplementedError

    def create_admin(self, project: Project, env: dict[str, str], email: str, password: str) -> None:
        raise NotImplementedError

    def create_user(self, project: Project, env: dict[str, str], email: str, password: str) -> None:
        raise NotImplementedError

    def issue_token(self, project: Project, env: dict[str, str], email: str, name: str) -> dict[str, str]:
        """A new API token of `email`'s called `name`, as the bearer header."""
        raise NotImplementedError

    def count_notes(self, project: Project, env: dict[str, str]) -> int:
        """How many notes the database holds, read by the project's own models."""
        raise NotImplementedError

    def age_failures(self, database: Path, minutes: float) -> None:
        """Move every failed sign-in recorded in the SQLite file `database` `minutes` into the past: to the lockout,
        exactly as if that much time had passed since. The servers' clocks keep running."""
        raise NotImplementedError

    def prepare(self, project: Project, env: dict[str, str]) -> None:
        """Collect static files, migrate, and create the administrator ADMIN_EMAIL, as the README says."""
        self.collect_static(project, env)
        self.migrate(project, env)
        self.create_admin(project, env, ADMIN_EMAIL, ADMIN_PASSWORD)

    def visitor(self, port: int, host: str | None = None) -> Visitor:
        return Visitor(port, csrf_field=self.csrf_field, host=host)

    def sign_in(self, visitor: Visitor, password: str = ADMIN_PASSWORD, path: str | None = None, port=None, **extra):
        """Submit the sign-in form at `path` (default: the site's) as ADMIN_EMAIL; return (status, headers, text)."""
        form = {self.user_field: ADMIN_EMAIL, "password": password, **extra}
        return visitor.submit(path or self.login_path, form, port=port)

    def staff_session(self, base: str, email: str, password: str) -> str:
        """Sign in at staff_login_path as `email`, with the form's CSRF token; return the session cookie,
        `name=value`. By hand, because the cookies are Secure and the server is plain HTTP on loopback."""
        page = request(base, "GET", self.staff_login_path)
        sent = http.cookies.SimpleCookie()
        for header in page.headers.get_all("Set-Cookie"):
            sent.load(header)
        token = re.search(rf'name="{self.csrf_field}"[^>]* value="([^"]+)"'.encode(), page.body).group(1).decode()
        form = {self.csrf_field: token, self.user_field: email, "password": password, **self.staff_login_fields}
        headers = {
            "Cookie": "; ".join(f"{name}={morsel.value}" for name, morsel in sent.items()),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        answer = request(base, "POST", self.staff_login_path, urllib.parse.urlencode(form), headers)
        assert answer.status == 302, answer.body[:2000]
        jar = http.cookies.SimpleCookie()
        for header in answer.headers.get_all("Set-Cookie"):
            jar.load(header)
        name = self.session_cookies[0][0]
        return f"{name}={jar[name].value}"


class FlaskFlavour(Flavour):
    def rate(self, per_minute: int) -> str:
        return f"{per_minute}/minute"

    def settings(self, proxied: bool) -> dict[str, str]:
        settings = {"FLASK_SECURITY_PASSWORD_SALT": secrets.token_urlsafe(30), **FLASK_LOOPBACK_HOSTS}
        if proxied:
            settings["FLASK_TRUSTED_PROXIES"] = "1"
        return settings

    def migrate(self, project: Project, env: dict[str, str]) -> None:
        self.manage(project, "db", "upgrade", env=env)

    def check_migrations(self, project: Project, env: dict[str, str]) -> None:
        self.migrate(project, env)
        self.manage(project, "db", "check", env=env)

    def create_admin(self, project: Project, env: dict[str, str], email: str, password: str) -> None:
        self.manage(project, "create-admin", email, "--password", password, env=env)

    def create_user(self, project: Project, env: dict[str, str], email: str, password: str) -> None:
        self.manage(project, "users", "create", email, "--password", password, "--active", env=env)

    def issue_token(self, project: Project, env: dict[str, str], email: str, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.manage(project, 'issue-token', email, name, env=env).stdout.strip()}"}

    def count_notes(self, project: Project, env: dict[str, str]) -> int:
        code = (
            "from shop import create_app; from shop.extensions import db; from shop.models import Note\n"
            "with create_app().app_context(): print(db.session.query(Note).count())"
        )
        return int(project.uv_run("python", "-c", code, env=env).stdout.split()[-1])

    def age_failures(self, database: Path, minutes: float) -> None:
        """The `failed_sign_in` table, in Unix times."""
        with closing(sqlite3.connect(database)) as connection, connection:
            moved = connection.execute("UPDATE failed_sign_in SET failed_at = failed_at - ?", (minutes * 60,)).rowcount
            assert moved, "no failed sign-in recorded"


class DjangoFlavour(Flavour):
    def rate(self, per_minute: int) -> str:
        return f"{per_minute}/m"

    def settings(self, proxied: bool) -> dict[str, str]:
        if proxied:
            return {"DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"}
        return {"DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "false"}

    def collect_static(self, project: Project, env: dict[str, str]) -> None:
        """The production settings serve the static files from their manifest."""
        self.manage(project, "collectstatic", "--no-input", env=env)

    def migrate(self, project: Project, env: dict[str, str]) -> None:
        self.manage(project, "migrate", "--no-input", env=env)

    def check_migrations(self, project: Project, env: dict[str, str]) -> None:
        self.manage(project, "makemigrations", "--check", "--dry-run", env=env)

    def create_admin(self, project: Project, env: dict[str, str], email: str, password: str) -> None:
        superuser = {"DJANGO_SUPERUSER_EMAIL": email, "DJANGO_SUPERUSER_PASSWORD": password}
        self.manage(project, "createsuperuser", "--no-input", env={**env, **superuser})

    def create_user(self, project: Project, env: dict[str, str], email: str, password: str) -> None:
        code = "from django.contrib.auth import get_user_model; get_user_model().objects.create_user(%r, %r)"
        self.manage(project, "shell", "-c", code % (email, password), env=env)

    def issue_token(self, project: Project, env: dict[str, str], email: str, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.manage(project, 'issue_token', email, name, env=env).stdout.strip()}"}

    def count_notes(self, project: Project, env: dict[str, str]) -> int:
        code = "from shop.notes.models import Note; print(Note.objects.count())"
        return int(self.manage(project, "shell", "-c", code, env=env).stdout.split()[-1])

    def age_failures(self, database: Path, minutes: float) -> None:
        """django-axes's attempts, in ISO times."""
        with closing(sqlite3.connect(database)) as connection, connection:
            rows = connection.execute("SELECT id, attempt_time FROM axes_accessattempt").fetchall()
            assert rows, "no failed sign-in recorded"
            for row_id, attempt_time in rows:
                moved = datetime.fromisoformat(attempt_time) - timedelta(minutes=minutes)
                connection.execute(
                    "UPDATE axes_accessattempt SET attempt_time = ? WHERE id = ?", (moved.isoformat(" "), row_id)
                )


_FACTS = yaml.safe_load((Path(__file__).with_name("flavours.yml")).read_text())
FLASK = FlaskFlavour(**_FACTS["flask"])
DJANGO = DjangoFlavour(**_FACTS["django"])


def of(answer_set: str) -> Flavour:
    """The adapter of the flavour that `answer_set` (an ANSWER_SETS name, "flask-..." or "django-...") generates."""
    return {"flask": FLASK, "django": DJANGO}[answer_set.split("-")[0]]


def both(group_suffix: str = ""):
    """pytest parameters for each flavour's answer set with everything (FLASK.answer_set, DJANGO.answer_set), by
    flavour name, each in the xdist group of its answer set plus `group_suffix`, so that one worker generates it.
    A test takes the answer set's name, and its adapter from of(name)."""
    return [
        pytest.param(
            flavour.answer_set, id=flavour.name, marks=pytest.mark.xdist_group(flavour.answer_set + group_suffix)
        )
        for flavour in (FLASK, DJANGO)
    ]
