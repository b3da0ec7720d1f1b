"""The Django flavour under attack and heavy traffic, served as in production: gunicorn, production settings, a
TLS-terminating proxy that the tests play. Sign-in lockout shared by processes, sessions that end at logout, bounded
requests, SQLite under concurrent writers and readers, a PostgreSQL restart, readiness before migrations.

Loopback only; every load loop is bounded in time and stops by itself.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections import Counter
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers import (
    Project,
    Visitor,
    load,
    post_large_body,
    private_postgres,
    project_env,
    serving,
    statuses_around,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("django")]

ADMIN_EMAIL, ADMIN_PASSWORD = "boss@example.com", "a long enough passphrase"


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings behind one TLS-terminating proxy (which the tests play), on `database_url`."""
    return project_env(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        DATABASE_URL=database_url,
        **extra,
    )


def prepare(project: Project, env: dict[str, str]) -> None:
    """Collect static files, migrate, and create the administrator, as the README says."""
    project.uv_run("python", "manage.py", "collectstatic", "--no-input", env=env)
    project.uv_run("python", "manage.py", "migrate", "--no-input", env=env)
    superuser = {"DJANGO_SUPERUSER_EMAIL": ADMIN_EMAIL, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD}
    project.uv_run("python", "manage.py", "createsuperuser", "--no-input", env={**env, **superuser})


@pytest.fixture(scope="module")
def project(generate):
    return generate("django").sync()


def age_failures(database: Path, minutes: float) -> None:
    """Move every failed sign-in that django-axes recorded in the SQLite file `database` `minutes` into the past:
    to the lockout, exactly as if that much time had passed since. The servers' clocks keep running."""
    with closing(sqlite3.connect(database)) as connection, connection:
        rows = connection.execute("SELECT id, attempt_time FROM axes_accessattempt").fetchall()
        assert rows, "no failed sign-in recorded"
        for row_id, attempt_time in rows:
            moved = datetime.fromisoformat(attempt_time) - timedelta(minutes=minutes)
            connection.execute(
                "UPDATE axes_accessattempt SET attempt_time = ? WHERE id = ?", (moved.isoformat(" "), row_id)
            )


def test_the_sixth_sign_in_is_refused_and_the_lockout_is_shared_by_processes(project, tmp_path):
    """Two gunicorn servers of 2 workers each on one database, as two machines would be; the visitor's requests
    alternate between them. The 5th wrong password locks the account for this address, in both; the right password
    is refused until the cool-off (the default 15 minutes) ends, and then works. The admin login shares the count.

    No test waits 15 minutes: the failures are moved into the past in the database (age_failures), 10 minutes (still
    locked, however slow the machine; the refused try starts the cool-off again, as django-axes does by default),
    then 16 minutes (past the cool-off)."""
    database = tmp_path / "db.sqlite3"
    env = production_env(f"sqlite:///{database}", WEB_CONCURRENCY="2")
    prepare(project, env)
    with serving(project, env, tmp_path / "a.log") as first, serving(project, env, tmp_path / "b.log") as second:
        visitor = Visitor(first.port)
        ports = [first.port, second.port]
        statuses = []
        for attempt in range(5):
            form = {"username": ADMIN_EMAIL, "password": f"wrong guess {attempt}"}
            statuses.append(visitor.submit("/accounts/login/", form, port=ports[attempt % 2])[0])
        assert statuses == [200, 200, 200, 200, 429]
        for port in ports:
            status, _, page = visitor.submit(
                "/accounts/login/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, port=port
            )
            assert status == 429 and "Sign-in locked" in page, page
            status, _, page = visitor.submit(
                "/admin/login/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, port=port
            )
            assert status == 429, page
        age_failures(database, minutes=10)
        status, _, page = visitor.submit(
            "/accounts/login/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, port=second.port
        )
        assert status == 429 and "Sign-in locked" in page, "10 minutes into the cool-off"
        age_failures(database, minutes=16)  # the cool-off, counted from the last failure
        status, headers, _ = visitor.submit(
            "/accounts/login/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, port=second.port
        )
        assert (status, headers["Location"]) == (302, "/accounts/profile/")
    logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    assert "AXES: Locking out" in logs
    assert '" 500 ' not in logs


def test_served_sessions_end_at_logout_and_requests_are_bounded(project, tmp_path):
    """A replayed session cookie after logout, a 10 MB POST, pages of notes, huge ids and NUL bytes: answers the
    visitor can act on (a redirect to login, 413, 200, 404, a form error), and no 500 in the whole run."""
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="2")
    prepare(project, env)
    with serving(project, env, tmp_path / "gunicorn.log") as server:
        visitor = Visitor(server.port)
        status, _, _ = visitor.submit("/accounts/login/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert status == 302
        for number in range(25):
            status, _, page = visitor.submit("/notes/new/", {"title": f"Note {number}", "body": "Body."})
            assert status == 302, page
        status, _, page = visitor.request("GET", "/notes/?page=2")
        assert status == 200 and page.count('class="note"') == 5 and "Page 2 of 2" in page
        for path in ("/notes/99999999999999999999999/", f"/notes/{2**63}/", "/notes/0/"):
            assert visitor.request("GET", path)[0] == 404, path
        captured = dict(visitor.cookies)
        assert visitor.request("GET", "/accounts/profile/")[0] == 200
        token = visitor.csrf_token(visitor.request("GET", "/notes/new/")[2])
        assert visitor.request("POST", "/accounts/logout/", form={"csrfmiddlewaretoken": token})[0] == 302

        replay = Visitor(server.port)
        replay.cookies = captured
        status, headers, _ = replay.request("GET", "/accounts/profile/")
        assert (status, headers["Location"]) == (302, "/accounts/login/?next=/accounts/profile/")
        status, headers, _ = replay.request("GET", "/admin/")
        assert status == 302 and headers["Location"].startswith("/admin/login/")

        assert post_large_body(server.port, "/accounts/sign-up/", 10 * 1024 * 1024) == 413

        anonymous = Visitor(server.port)
        status, headers, _ = anonymous.request("GET", "/notes/")
        assert (status, headers["Location"]) == (302, "/accounts/login/?next=/notes/")
        status, _, page = anonymous.submit(
            "/accounts/sign-up/", {"email": "a\x00@example.com", "password1": "x\x00y", "password2": "x\x00y"}
        )
        assert status == 200 and "Null characters are not allowed" in page
        status, _, page = anonymous.submit("/accounts/login/", {"username": "a\x00", "password": "b\x00"})
        assert status == 200, page
    log = (tmp_path / "gunicorn.log").read_text()
    assert not re.search(r'" 5\d\d ', log), log
    assert "Traceback" not in log, log


def test_ready_is_503_until_the_migrations_are_applied(project, tmp_path):
    """gunicorn on a new, empty SQLite file: /ready says 503 (and /health 200) until `migrate` runs, then 200."""
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="1")
    project.uv_run("python", "manage.py", "collectstatic", "--no-input", env=env)
    with serving(project, env, tmp_path / "gunicorn.log") as server:
        visitor = Visitor(server.port)
        status, _, body = visitor.request("GET", "/ready")
        assert status == 503 and "migrations to apply" in body, body
        project.uv_run("python", "manage.py", "migrate", "--no-input", env=env)
        assert visitor.request("GET", "/ready")[0] == 200


def test_sqlite_serves_five_workers_with_32_writers_and_16_readers(project, tmp_path):
    """gunicorn's 5 workers on one SQLite file, 32 threads adding notes and 16 reading them for 20 s: every write
    is saved and answered, every read answered, no "database is locked" anywhere."""
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="5")
    prepare(project, env)
    with serving(project, env, tmp_path / "gunicorn.log") as server:
        visitor = Visitor(server.port)
        assert visitor.submit("/accounts/login/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})[0] == 302
        page = visitor.request("GET", "/notes/new/")[2]
        write = ("/notes/new/", {"csrfmiddlewaretoken": visitor.csrf_token(page)})
        results = load(
            server.port,
            32,
            16,
            seconds=20,
            cookies=visitor.cookies,
            write=write,
            reads=("/notes/?page=2", "/notes/"),
            at_least=101,
        )
    log = (tmp_path / "gunicorn.log").read_text()
    assert set(results) == {"write 302", "read 200"}, results
    assert results["write 302"] > 100 and results["read 200"] > 100, results
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
    saved = project.uv_run(
        "python", "manage.py", "shell", "-c", "from shop.notes.models import Note; print(Note.objects.count())", env=env
    ).stdout.split()[-1]
    assert int(saved) == results["write 302"]


@pytest.mark.postgres
def test_no_5xx_once_a_restarted_postgresql_is_back(generate, tmp_path):
    """Light traffic (4 readers) on 2 workers that keep their connections, through a quick PostgreSQL restart:
    requests during the restart may fail, but every one sent after the server is back succeeds (the settings check
    a kept connection before reusing it)."""
    project = generate("django", database="postgresql").sync()
    with private_postgres() as (database_url, restart):
        env = production_env(database_url, WEB_CONCURRENCY="2")
        prepare(project, env)
        with serving(project, env, tmp_path / "gunicorn.log") as server:
            visitors = {}

            def visit(number: int) -> int:
                visitor = visitors.setdefault(number, Visitor(server.port))
                try:
                    # /ready reads the database (SELECT 1) for anyone; the notes are for signed-in people.
                    return visitor.request("GET", "/ready" if number % 2 else "/accounts/login/")[0]
                except OSError:
                    return 0

            before, after = statuses_around(restart, visit, at_least_after=20)
        assert before and set(before) == {200}, Counter(before)
        assert len(after) > 20 and set(after) == {200}, Counter(after)
