"""Each flavour (Flask with Flask-SQLAlchemy, Flask-Admin and Flask-Security-Too; Django) under attack and heavy
traffic, served as in production: gunicorn, production settings, a TLS-terminating proxy that the tests play. Sign-in
lockout shared by processes and kept over a restart, sessions that end at logout, bounded requests, SQLite under
concurrent writers and readers, a PostgreSQL restart, readiness before migrations. Each case runs against both
flavours through their adapters (tests/flavours.py).

Loopback only; every load loop is bounded in time and stops by itself.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections import Counter

import pytest
from flavours import ADMIN_EMAIL, FLASK, both, of
from helpers import MailSink, load, post_large_body, private_postgres, serving, statuses_around

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=both())
def flavour(request):
    return of(request.param)


@pytest.fixture(scope="module")
def project(generate, flavour):
    return generate(flavour.answer_set).sync()


def assert_no_server_error(log: str) -> None:
    assert not re.search(r'" 5\d\d ', log), log
    assert "Traceback" not in log, log


def test_the_sixth_sign_in_is_refused_and_the_lockout_is_shared_by_processes_and_kept(flavour, project, tmp_path):
    """Two gunicorn servers of 2 workers each on one database, as two machines would be; the visitor's requests
    alternate between them. After 5 wrong passwords, the right one is refused (429) by both, on every sign-in form
    (Django's admin login shares the count), and by a server started afterwards, until the cool-off (the default 15
    minutes) ends; then it works.

    No test waits 15 minutes: the failures are moved into the past in the database (age_failures), 10 minutes (still
    locked, however slow the machine, for the 5 minutes left) and then past the cool-off."""
    database = tmp_path / "db.sqlite3"
    env = flavour.env(f"sqlite:///{database}", WEB_CONCURRENCY="2")
    flavour.prepare(project, env)
    with serving(project, env, tmp_path / "a.log") as first, serving(project, env, tmp_path / "b.log") as second:
        browser = flavour.visitor(first.port)
        ports = [first.port, second.port]
        statuses = [flavour.sign_in(browser, f"wrong guess {n}", port=ports[n % 2])[0] for n in range(5)]
        assert statuses == flavour.lockout_statuses
        for port in ports:
            status, headers, page = flavour.sign_in(browser, port=port)
            assert status == 429 and flavour.locked_text in page, page
            if flavour.lockout_retry_after:
                assert 5 * 60 < int(headers["Retry-After"]) <= 15 * 60
            for path in flavour.extra_login_paths:
                assert flavour.sign_in(browser, path=path, port=port)[0] == 429, path
    with serving(project, env, tmp_path / "c.log") as restarted:
        status, _, page = flavour.sign_in(browser, port=restarted.port)
        assert status == 429, page
        flavour.age_failures(database, minutes=10)
        status, headers, page = flavour.sign_in(browser, port=restarted.port)
        assert status == 429 and flavour.locked_text in page, "10 minutes into the cool-off"
        if flavour.lockout_retry_after:
            assert 1 <= int(headers["Retry-After"]) <= 5 * 60
        flavour.age_failures(database, minutes=flavour.cool_off_left_minutes)  # counted from the last failure
        status, headers, page = flavour.sign_in(browser, port=restarted.port)
        assert (status, headers["Location"]) == (302, flavour.after_sign_in), page
    logs = "".join((tmp_path / name).read_text() for name in ("a.log", "b.log", "c.log"))
    for line in flavour.lockout_logs:
        assert line in logs
    assert not re.search(r'" 5\d\d ', logs), logs


def test_served_sessions_end_at_logout_and_requests_are_bounded(flavour, project, tmp_path):
    """A replayed session (or remember) cookie after logout, a 10 MB POST, pages of notes, huge ids and NUL bytes:
    answers the visitor can act on (a redirect to login, 413, 200, 404, a 400 or a form error), and no 500 in the
    whole run."""
    env = flavour.env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="2")
    flavour.prepare(project, env)
    with serving(project, env, tmp_path / "gunicorn.log") as server:
        browser = flavour.visitor(server.port)
        assert flavour.sign_in(browser, **flavour.remember)[0] == 302
        for number in range(25):
            status, _, page = browser.submit(flavour.new_note_path, {"title": f"Note {number}", "body": "Body."})
            assert status == 302, page
        captured = dict(browser.cookies)
        assert set(captured) >= {name for names in flavour.session_cookies for name in names}
        for path, _ in flavour.protected:
            assert browser.request("GET", path)[0] == 200, path
        status, _, page = browser.request("GET", "/notes/?page=2")
        assert status == 200 and page.count('class="note"') == 5 and "Page 2 of 2" in page
        for path in flavour.missing_paths:
            assert browser.request("GET", path)[0] == 404, path
        token = browser.csrf_token(browser.request("GET", flavour.new_note_path)[2])
        assert browser.request("POST", flavour.logout_path, form={flavour.csrf_field: token})[0] == 302

        for names in flavour.session_cookies:
            replay = flavour.visitor(server.port)
            replay.cookies = {name: captured[name] for name in names}
            for path, login in flavour.protected:
                status, headers, _ = replay.request("GET", path)
                assert status == 302 and headers["Location"].startswith(login), (names, path, headers["Location"])

        assert post_large_body(server.port, flavour.sign_up_path, 10 * 1024 * 1024) == 413

        anonymous = flavour.visitor(server.port)
        for path, login in flavour.protected:
            status, headers, _ = anonymous.request("GET", path)
            assert status == 302 and headers["Location"].startswith(login), (path, headers["Location"])
        status, _, page = anonymous.submit(flavour.sign_up_path, flavour.sign_up_fields)
        assert status == flavour.nul_answer[0] and flavour.nul_answer[1] in page, page
        status, _, page = anonymous.submit(flavour.login_path, {flavour.user_field: "a\x00", "password": "b\x00"})
        assert status == flavour.nul_login_status, page
    assert_no_server_error((tmp_path / "gunicorn.log").read_text())


@pytest.mark.xdist_group(FLASK.answer_set)
def test_flask_links_in_mail_name_the_configured_host_and_a_request_for_another_host_gets_400(generate, tmp_path):
    """Flask only (Django answers a host outside ALLOWED_HOSTS 400 before any view). Password reset, mail sent for
    real (to a loopback SMTP server). Requested with `Host: evil.example`, and a valid CSRF token: 400 and no mail,
    so that no link names the attacker's host. Requested on a trusted host, the link names FLASK_SERVER_NAME,
    whatever host the request named, and the token in it works."""
    project = generate(FLASK.answer_set).sync()
    with MailSink() as sink:
        env = FLASK.env(
            f"sqlite:///{tmp_path / 'db.sqlite3'}",
            WEB_CONCURRENCY="1",
            FLASK_TRUSTED_HOSTS='["127.0.0.1", "www.example.com"]',
            FLASK_SERVER_NAME="www.example.com",
            FLASK_MAIL_SERVER="127.0.0.1",
            FLASK_MAIL_PORT=str(sink.port),
        )
        FLASK.prepare(project, env)
        with serving(project, env, tmp_path / "gunicorn.log") as server:
            browser = FLASK.visitor(server.port)
            token = browser.csrf_token(browser.request("GET", "/reset")[2])
            attacker = FLASK.visitor(server.port, host="evil.example")
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
    assert_no_server_error((tmp_path / "gunicorn.log").read_text())


def test_ready_is_503_until_the_migrations_are_applied(flavour, project, tmp_path):
    """gunicorn on a new, empty SQLite file: /ready says 503 (and /health 200) until the migrations run, then 200."""
    env = flavour.env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="1")
    flavour.collect_static(project, env)
    with serving(project, env, tmp_path / "gunicorn.log") as server:
        browser = flavour.visitor(server.port)
        status, _, body = browser.request("GET", "/ready")
        assert status == 503 and "migrations to apply" in body, body
        flavour.migrate(project, env)
        assert browser.request("GET", "/ready")[0] == 200


def test_sqlite_serves_five_workers_with_32_writers_and_16_readers(flavour, project, tmp_path):
    """gunicorn's 5 workers on one SQLite file, 32 threads adding notes and 16 reading them for 20 s: every write
    is saved and answered, every read answered, no "database is locked" anywhere."""
    env = flavour.env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="5")
    flavour.prepare(project, env)
    with serving(project, env, tmp_path / "gunicorn.log") as server:
        browser = flavour.visitor(server.port)
        assert flavour.sign_in(browser)[0] == 302
        for number in range(21):  # a second page for the readers
            assert browser.submit(flavour.new_note_path, {"title": f"Note {number}", "body": "Body."})[0] == 302
        page = browser.request("GET", flavour.new_note_path)[2]
        write = (flavour.new_note_path, {flavour.csrf_field: browser.csrf_token(page)})
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
    assert flavour.count_notes(project, env) == results["write 302"] + 21


@pytest.mark.postgres
@pytest.mark.parametrize("name", both("-postgresql"))
def test_no_5xx_once_a_restarted_postgresql_is_back(generate, name, tmp_path):
    """Light traffic (4 readers, two of them signed in and reading their notes, two reading /ready, which reads the
    database) on 2 workers that keep their connections, through a quick PostgreSQL restart: requests during the
    restart may fail, but every one sent after the server is back succeeds (a kept connection is checked before it
    is used)."""
    flavour = of(name)
    project = generate(name, database="postgresql").sync()
    with private_postgres() as (database_url, restart):
        env = flavour.env(database_url, WEB_CONCURRENCY="2")
        flavour.prepare(project, env)
        with serving(project, env, tmp_path / "gunicorn.log") as server:
            signed_in = flavour.visitor(server.port)
            assert flavour.sign_in(signed_in)[0] == 302
            browsers = {}

            def visit(number: int) -> int:
                if number not in browsers:
                    browsers[number] = flavour.visitor(server.port)
                    if number % 2:  # reads its notes, which need a signed-in user
                        browsers[number].cookies = dict(signed_in.cookies)
                try:
                    return browsers[number].request("GET", "/notes/" if number % 2 else "/ready")[0]
                except OSError:
                    return 0

            before, after = statuses_around(restart, visit, at_least_after=20)
        assert before and set(before) == {200}, Counter(before)
        assert len(after) > 20 and set(after) == {200}, Counter(after)
