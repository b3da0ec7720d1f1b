"""The Django flavour under attack and heavy traffic, served as in production: gunicorn, production settings, a
TLS-terminating proxy that the tests play. Sign-in lockout shared by processes, sessions that end at logout, bounded
requests, SQLite under concurrent writers and readers, a PostgreSQL restart, readiness before migrations.

Loopback only; every load loop is bounded in time and stops by itself.
"""

from __future__ import annotations

import http.client
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from helpers import Project, free_port, project_env, require, wait_for_health

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


class Server:
    """`uv run gunicorn` on a free loopback port, its output in a file (a pipe nobody reads would fill up)."""

    def __init__(self, project: Project, env: dict[str, str], log: Path):
        self.port = free_port()
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen(
                ["uv", "run", "--quiet", "gunicorn"],
                cwd=project.path,
                env={**env, "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{self.port}"},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_for_health(self.process, self.port, timeout=60, log=log)

    def stop(self) -> str:
        """Stop gracefully; return everything it logged."""
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.log.read_text()


@contextmanager
def serving(project: Project, env: dict[str, str], log: Path) -> Iterator[Server]:
    server = Server(project, env, log)
    try:
        yield server
    finally:
        server.stop()


class Visitor:
    """One browser: keeps its cookies, sends the proxy's headers and the CSRF token as Django's forms expect."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, body: bytes | None = None, port=None):
        """One request; return (status, headers, text). Set-Cookie headers update the cookies."""
        port = port or self.port
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        origin = f"https://127.0.0.1:{port}"
        headers = {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + path}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
        return response.status, response.headers, text

    def submit(self, path: str, fields: dict[str, str], port=None):
        """GET the form at `path`, then POST `fields` with its CSRF token."""
        status, _, page = self.request("GET", path, port=port)
        assert status == 200, page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", path, form={"csrfmiddlewaretoken": token, **fields}, port=port)


@pytest.fixture(scope="module")
def project(generate):
    return generate("django").sync()


def test_the_sixth_sign_in_is_refused_and_the_lockout_is_shared_by_processes(project, tmp_path):
    """Two gunicorn servers of 2 workers each on one database, as two machines would be; the visitor's requests
    alternate between them. The 5th wrong password locks the account for this address, in both; the right password
    is refused until the cool-off (6 s here) ends, and then works. The admin login shares the count."""
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="2", DJANGO_AXES_COOLOFF_MINUTES="0.1")
    prepare(project, env)
    with serving(project, env, tmp_path / "a.log") as first, serving(project, env, tmp_path / "b.log") as second:
        visitor = Visitor(first.port)
        ports = [first.port, second.port]
        statuses = []
        started = time.monotonic()
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
        assert time.monotonic() - started < 6, "all within the cool-off"
        time.sleep(6.5)  # the cool-off, counted from the last failure
        status, headers, _ = visitor.submit(
            "/accounts/login/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, port=second.port
        )
        assert (status, headers["Location"]) == (302, "/accounts/profile/")
    logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    assert "AXES: Locking out" in logs
    assert '" 500 ' not in logs


def post_large_body(port: int, path: str, size: int) -> int:
    """POST `size` bytes to `path`, as fast as the server takes them; return the response's status.

    The server may answer before it has read the body and close the connection: what could not be sent is dropped.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Forwarded-Proto: https\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode())
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < size:
                sock.sendall(chunk[: size - sent])
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status


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
        captured = dict(visitor.cookies)
        assert visitor.request("GET", "/accounts/profile/")[0] == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', visitor.request("GET", "/notes/new/")[2])
        assert visitor.request("POST", "/accounts/logout/", form={"csrfmiddlewaretoken": token.group(1)})[0] == 302

        replay = Visitor(server.port)
        replay.cookies = captured
        status, headers, _ = replay.request("GET", "/accounts/profile/")
        assert (status, headers["Location"]) == (302, "/accounts/login/?next=/accounts/profile/")
        status, headers, _ = replay.request("GET", "/admin/")
        assert status == 302 and headers["Location"].startswith("/admin/login/")

        assert post_large_body(server.port, "/accounts/sign-up/", 10 * 1024 * 1024) == 413

        anonymous = Visitor(server.port)
        status, _, page = anonymous.request("GET", "/notes/?page=2")
        assert status == 200 and page.count('class="note"') == 5 and "Page 2 of 2" in page
        for path in ("/notes/99999999999999999999999/", f"/notes/{2**63}/", "/notes/0/"):
            assert anonymous.request("GET", path)[0] == 404, path
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


def load(port: int, writers: int, readers: int, seconds: float, cookies: dict[str, str], token: str) -> Counter:
    """`writers` threads adding notes and `readers` threads reading pages, each in a loop that stops after
    `seconds`; return how many answers of each kind came back ("write 302", "read 200", "error ...")."""
    results: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(kind: str, number: int) -> None:
        visitor = Visitor(port)
        visitor.cookies = dict(cookies)
        count = 0
        while time.monotonic() < deadline:
            count += 1
            try:
                if kind == "write":
                    form = {"csrfmiddlewaretoken": token, "title": f"Load {number}-{count}", "body": "Under load."}
                    status = visitor.request("POST", "/notes/new/", form=form)[0]
                else:
                    status = visitor.request("GET", "/notes/" if count % 2 else "/notes/?page=2")[0]
                outcome = f"{kind} {status}"
            except OSError as error:
                outcome = f"error {type(error).__name__}"
            with lock:
                results[outcome] += 1

    threads = [threading.Thread(target=run, args=("write", n)) for n in range(writers)]
    threads += [threading.Thread(target=run, args=("read", n)) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return results


def test_sqlite_serves_five_workers_with_32_writers_and_16_readers(project, tmp_path):
    """gunicorn's 5 workers on one SQLite file, 32 threads adding notes and 16 reading them for 20 s: every write
    is saved and answered, every read answered, no "database is locked" anywhere."""
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="5")
    prepare(project, env)
    with serving(project, env, tmp_path / "gunicorn.log") as server:
        visitor = Visitor(server.port)
        assert visitor.submit("/accounts/login/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})[0] == 302
        page = visitor.request("GET", "/notes/new/")[2]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        results = load(server.port, writers=32, readers=16, seconds=20, cookies=visitor.cookies, token=token)
    log = (tmp_path / "gunicorn.log").read_text()
    assert set(results) == {"write 302", "read 200"}, results
    assert results["write 302"] > 100 and results["read 200"] > 100, results
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
    saved = project.uv_run(
        "python", "manage.py", "shell", "-c", "from shop.notes.models import Note; print(Note.objects.count())", env=env
    ).stdout.split()[-1]
    assert int(saved) == results["write 302"]


@contextmanager
def private_postgres() -> Iterator[tuple[str, Callable[[], None]]]:
    """A throwaway PostgreSQL cluster of its own on a free loopback port, run as the `postgres` user (initdb and
    pg_ctl from Debian's package, as .ci/postgres uses), so that restarting it disturbs no other test.

    Yields (URL of its database `shop`, restart()); restart() is a fast shutdown and a start, and returns once the
    server accepts connections again. The cluster is stopped and deleted at the end.
    """
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    if not binaries or not shutil.which("runuser"):
        require("no PostgreSQL server binaries (Debian: postgresql), or no runuser")
    bin_dir = binaries[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="crossroads-restart-", dir="/var/tmp"))  # postgres can reach it
    shutil.chown(folder, "postgres", "postgres")
    port = free_port()

    def as_postgres(*command: str) -> None:
        result = subprocess.run(
            ["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr

    data = folder / "data"
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} -c fsync=off"
    pg_ctl = [str(bin_dir / "pg_ctl"), f"--pgdata={data}", f"--log={folder / 'server.log'}", "--wait", "--silent"]
    try:
        # Trust on loopback: a cluster that lives for one test, reachable only from this machine.
        as_postgres(
            str(bin_dir / "initdb"), f"--pgdata={data}", "--username=postgres", "--auth=trust", "--no-instructions"
        )
        as_postgres(*pg_ctl, "start", "-o", options)
        as_postgres(str(bin_dir / "createdb"), f"--host={folder}", f"--port={port}", "--username=postgres", "shop")

        def restart() -> None:
            as_postgres(*pg_ctl, "restart", "--mode=fast", "-o", options)

        yield f"postgresql://postgres@127.0.0.1:{port}/shop", restart
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *pg_ctl, "stop", "--mode=immediate"], capture_output=True, check=False
        )
        shutil.rmtree(folder, ignore_errors=True)


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
            results: list[tuple[float, float, int]] = []  # (sent, answered, status); 0: no answer
            stop = time.monotonic() + 60  # a bound, whatever happens
            finished = threading.Event()

            def read(number: int) -> None:
                visitor = Visitor(server.port)
                while not finished.is_set() and time.monotonic() < stop:
                    sent = time.monotonic()
                    try:
                        status = visitor.request("GET", "/notes/" if number % 2 else "/accounts/login/")[0]
                    except OSError:
                        status = 0
                    results.append((sent, time.monotonic(), status))
                    time.sleep(0.05)

            threads = [threading.Thread(target=read, args=(n,)) for n in range(4)]
            for thread in threads:
                thread.start()
            time.sleep(3)
            restart()
            back_at = time.monotonic()
            time.sleep(5)
            finished.set()
            for thread in threads:
                thread.join(timeout=30)
        after = [status for sent, _, status in results if sent > back_at]
        before = [status for _, answered, status in results if answered < back_at - 1]
        assert before and set(before) == {200}, Counter(before)
        assert len(after) > 20 and set(after) == {200}, Counter(after)
