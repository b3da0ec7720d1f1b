"""The Flask flavour (Flask-SQLAlchemy, Flask-Admin, Flask-Security-Too) under attack and heavy traffic, served as in
production: gunicorn, production settings, a TLS-terminating proxy that the tests play. Sign-in lockout shared by
processes and kept over a restart, sessions that end at logout, bounded requests, SQLite under concurrent writers and
readers, a PostgreSQL restart, readiness before migrations.

Loopback only; every load loop is bounded in time and stops by itself.
"""

from __future__ import annotations

import email
import email.policy
import re
import secrets
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from helpers import (
    FLASK_LOOPBACK_HOSTS,
    MailSink,
    Project,
    Visitor,
    load,
    post_large_body,
    private_postgres,
    project_env,
    serving,
    statuses_around,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("flask-all")]

ADMIN_EMAIL, ADMIN_PASSWORD = "boss@example.com", "a long enough passphrase"
FLASK = ["flask", "--app", "shop"]


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings behind one TLS-terminating proxy (which the tests play), on `database_url`, for the
    host 127.0.0.1; `extra` adds to them or replaces them."""
    settings = {
        "FLASK_DEBUG": "false",
        "FLASK_SECRET_KEY": secrets.token_urlsafe(50),
        "FLASK_SECURITY_PASSWORD_SALT": secrets.token_urlsafe(30),
        "FLASK_TRUSTED_PROXIES": "1",
        **FLASK_LOOPBACK_HOSTS,
        "DATABASE_URL": database_url,
    }
    return project_env(**{**settings, **extra})


def prepare(project: Project, env: dict[str, str]) -> None:
    """Migrate and create the administrator, as the README says."""
    project.uv_run(*FLASK, "db", "upgrade", env=env)
    project.uv_run(*FLASK, "create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, env=env)


def visitor(port: int, host: str | None = None) -> Visitor:
    return Visitor(port, csrf_field="csrf_token", host=host)


def sign_in(visitor: Visitor, password: str = ADMIN_PASSWORD, port: int | None = None, **extra: str):
    return visitor.submit("/login", {"email": ADMIN_EMAIL, "password": password, **extra}, port=port)


@pytest.fixture(scope="module")
def project(generate):
    return generate("flask-all").sync()


def age_failures(database: Path, seconds: float) -> None:
    """Move every failed sign-in recorded in the SQLite file `database` (the `failed_sign_in` table, Unix times)
    `seconds` into the past: to the lockout, exactly as if that much time had passed since."""
    with closing(sqlite3.connect(database)) as connection, connection:
        moved = connection.execute("UPDATE failed_sign_in SET failed_at = failed_at - ?", (seconds,)).rowcount
        assert moved, "no failed sign-in recorded"


def test_the_sixth_sign_in_is_refused_and_the_lockout_is_shared_by_processes_and_kept(project, tmp_path):
    """Two gunicorn servers of 2 workers each on one database, as two machines would be; the visitor's requests
    alternate between them. After 5 wrong passwords, the right one is refused (429) by both, and by a server started
    afterwards, until the cool-off (the default 15 minutes) ends; then it works.

    No test waits 15 minutes: the failures are moved into the past in the database (age_failures), 10 minutes (still
    locked, however slow the machine, for the 5 minutes left) and then 6 more (past the cool-off)."""
    database = tmp_path / "db.sqlite3"
    env = production_env(f"sqlite:///{database}", WEB_CONCURRENCY="2")
    prepare(project, env)
    with serving(project, env, tmp_path / "a.log") as first, serving(project, env, tmp_path / "b.log") as second:
        browser = visitor(first.port)
        ports = [first.port, second.port]
        statuses = [sign_in(browser, f"wrong guess {n}", port=ports[n % 2])[0] for n in range(5)]
        assert statuses == [200] * 5
        for port in ports:
            status, headers, page = sign_in(browser, port=port)
            assert status == 429 and "Too many failed sign-ins" in page, page
            assert 5 * 60 < int(headers["Retry-After"]) <= 15 * 60
    with serving(project, env, tmp_path / "c.log") as restarted:
        status, _, page = sign_in(browser, port=restarted.port)
        assert status == 429, page
        age_failures(database, seconds=10 * 60)
        status, headers, page = sign_in(browser, port=restarted.port)
        assert status == 429, page
        assert 1 <= int(headers["Retry-After"]) <= 5 * 60
        age_failures(database, seconds=6 * 60)  # the cool-off, counted from the last failure
        status, headers, page = sign_in(browser, port=restarted.port)
        assert (status, headers["Location"]) == (302, "/"), page
    logs = "".join((tmp_path / name).read_text() for name in ("a.log", "b.log", "c.log"))
    assert f"Sign-in locked: {ADMIN_EMAIL} from 127.0.0.1" in logs
    assert f"Sign-in refused: {ADMIN_EMAIL} from 127.0.0.1 is locked out" in logs
    assert not re.search(r'" 5\d\d ', logs), logs


def test_served_sessions_end_at_logout_and_requests_are_bounded(project, tmp_path):
    """A replayed session or remember cookie after logout, a 10 MB POST, pages of notes, huge ids and NUL bytes:
    answers the visitor can act on (a redirect to login, 413, 200, 404, 400), and no 500 in the whole run."""
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="2")
    prepare(project, env)
    with serving(project, env, tmp_path / "gunicorn.log") as server:
        browser = visitor(server.port)
        assert sign_in(browser, remember="y")[0] == 302
        for number in range(25):
            status, _, page = browser.submit("/notes/", {"title": f"Note {number}", "body": "Body."})
            assert status == 302, page
        captured = dict(browser.cookies)
        assert set(captured) >= {"session", "remember_token"}
        assert browser.request("GET", "/admin/")[0] == 200
        status, _, page = browser.request("GET", "/notes/?page=2")
        assert status == 200 and page.count('class="note"') == 5 and "Page 2 of 2" in page
        for path in (
            "/api/notes/99999999999999999999999",
            f"/api/notes/{2**63}",
            "/api/notes/0",
            f"/notes/?page={2**63}",
        ):
            assert browser.request("GET", path)[0] == 404, path
        token = browser.csrf_token(browser.request("GET", "/")[2])
        assert browser.request("POST", "/logout", form={"csrf_token": token})[0] == 302

        for names in (["session"], ["remember_token"], ["session", "remember_token"]):
            replay = visitor(server.port)
            replay.cookies = {name: captured[name] for name in names}
            status, headers, _ = replay.request("GET", "/admin/")
            assert status == 302 and headers["Location"].startswith("/login?next=/admin/"), names

        assert post_large_body(server.port, "/register", 10 * 1024 * 1024) == 413

        anonymous = visitor(server.port)
        status, _, page = anonymous.submit("/register", {"email": "a\x00@example.com", "password": "x\x00y"})
        assert status == 400 and "NUL characters are not allowed" in page
        status, _, page = anonymous.submit("/login", {"email": "a\x00", "password": "b\x00"})
        assert status == 400, page
    log = (tmp_path / "gunicorn.log").read_text()
    assert not re.search(r'" 5\d\d ', log), log
    assert "Traceback" not in log, log


def test_links_in_mail_name_the_configured_host_and_a_request_for_another_host_gets_400(project, tmp_path):
    """Password reset, mail sent for real (to a loopback SMTP server). Requested with `Host: evil.example`, and a
    valid CSRF token: 400 and no mail, so that no link names the attacker's host. Requested on a trusted host, the
    link names FLASK_SERVER_NAME, whatever host the request named, and the token in it works."""
    with MailSink() as sink:
        env = production_env(
            f"sqlite:///{tmp_path / 'db.sqlite3'}",
            WEB_CONCURRENCY="1",
            FLASK_TRUSTED_HOSTS='["127.0.0.1", "www.example.com"]',
            FLASK_SERVER_NAME="www.example.com",
            FLASK_MAIL_SERVER="127.0.0.1",
            FLASK_MAIL_PORT=str(sink.port),
        )
        prepare(project, env)
        with serving(project, env, tmp_path / "gunicorn.log") as server:
            browser = visitor(server.port)
            token = browser.csrf_token(browser.request("GET", "/reset")[2])
            attacker = visitor(server.port, host="evil.example")
            attacker.cookies = dict(browser.cookies)
            status, _, page = attacker.request("POST", "/reset", form={"email": ADMIN_EMAIL, "csrf_token": token})
            assert status == 400, page
            assert "href" not in page
            assert sink.messages == []

            status, _, page = browser.submit("/reset", {"email": ADMIN_EMAIL})
            assert status == 200, page
            (message,) = (email.message_from_string(text, policy=email.policy.default) for text in sink.messages)
            assert message["To"] == ADMIN_EMAIL
            body = message.get_body(("plain",)).get_content()
            path = re.search(r"https://www\.example\.com(/reset/\S+)", body).group(1)
            assert "127.0.0.1" not in body
            assert browser.request("GET", path)[0] == 200
    log = (tmp_path / "gunicorn.log").read_text()
    assert not re.search(r'" 5\d\d ', log), log
    assert "Traceback" not in log, log


def test_ready_is_503_until_the_migrations_are_applied(project, tmp_path):
    """gunicorn on a new, empty SQLite file: /ready says 503 (and /health 200) until `flask db upgrade` runs."""
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="1")
    with serving(project, env, tmp_path / "gunicorn.log") as server:
        browser = visitor(server.port)
        status, _, body = browser.request("GET", "/ready")
        assert status == 503 and "migrations to apply" in body, body
        project.uv_run(*FLASK, "db", "upgrade", env=env)
        assert browser.request("GET", "/ready")[0] == 200


def test_sqlite_serves_five_workers_with_32_writers_and_16_readers(project, tmp_path):
    """gunicorn's 5 workers on one SQLite file, 32 threads adding notes and 16 reading them for 20 s: every write
    is saved and answered, every read answered, no "database is locked" anywhere."""
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="5")
    prepare(project, env)
    with serving(project, env, tmp_path / "gunicorn.log") as server:
        browser = visitor(server.port)
        assert sign_in(browser)[0] == 302
        for number in range(21):  # a second page for the readers
            assert browser.submit("/notes/", {"title": f"Note {number}", "body": "Body."})[0] == 302
        write = ("/notes/", {"csrf_token": browser.csrf_token(browser.request("GET", "/notes/")[2])})
        results = load(
            server.port,
            32,
            16,
            seconds=20,
            cookies=browser.cookies,
            write=write,
            reads=("/notes/?page=2", "/notes/"),
            at_least=101,
        )
    log = (tmp_path / "gunicorn.log").read_text()
    assert set(results) == {"write 302", "read 200"}, results
    assert results["write 302"] > 100 and results["read 200"] > 100, results
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
    saved = project.uv_run(
        "python",
        "-c",
        "from shop import create_app; from shop.extensions import db; from shop.models import Note\n"
        "with create_app().app_context(): print(db.session.query(Note).count())",
        env=env,
    ).stdout.split()[-1]
    assert int(saved) == results["write 302"] + 21


@pytest.mark.postgres
@pytest.mark.xdist_group("flask-all-postgresql")
def test_no_5xx_once_a_restarted_postgresql_is_back(generate, tmp_path):
    """Light traffic (4 readers, two of them signed in) on 2 workers that keep their connections, through a quick
    PostgreSQL restart: requests during the restart may fail, but every one sent after the server is back succeeds
    (a pooled connection is checked before it is used)."""
    project = generate("flask-all", database="postgresql").sync()
    with private_postgres() as (database_url, restart):
        env = production_env(database_url, WEB_CONCURRENCY="2")
        prepare(project, env)
        with serving(project, env, tmp_path / "gunicorn.log") as server:
            signed_in = visitor(server.port)
            assert sign_in(signed_in)[0] == 302
            browsers = {}

            def visit(number: int) -> int:
                if number not in browsers:
                    browsers[number] = visitor(server.port)
                    if number % 2:  # reads its notes, which need a signed-in user
                        browsers[number].cookies = dict(signed_in.cookies)
                browser = browsers[number]
                try:
                    return browser.request("GET", "/notes/" if number % 2 else "/ready")[0]
                except OSError:
                    return 0

            before, after = statuses_around(restart, visit, at_least_after=20)
        assert before and set(before) == {200}, Counter(before)
        assert len(after) > 20 and set(after) == {200}, Counter(after)
