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
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from helpers import Project, free_port, project_env, wait_for_health

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
    env = production_env(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", WEB_CONCURRENCY="2", DJANGO_AXES_COOLOFF_MINUTES="0.1"
    )
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
