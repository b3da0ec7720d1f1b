"""Helpers for the template's tests: answer sets, running Copier, git and a generated project's own tools.

Copier reads this template as a git repository at `vcs_ref="HEAD"`, with uncommitted changes included (it warns
with DirtyLocalWarning, silenced in pyproject.toml), so the tests see the work tree as it is.
"""

from __future__ import annotations

import gzip
import http.client
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

import copier
import jinja2
import pytest
import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
TOOLS = TEMPLATE_ROOT / "tests" / "tools"
# Where .ci/postgres writes its server's URL: found here when CROSSROADS_POSTGRES_URL is not set.
POSTGRES_URL_FILE = Path(os.environ.get("CROSSROADS_POSTGRES_DIR", "/var/tmp/crossroads-postgres")) / "url"
PRESETS = sorted(path.stem for path in (TEMPLATE_ROOT / "presets").glob("*.yml"))
# The template's Jinja files (decision module, validators) rendered directly, with the filters Copier adds.
TEMPLATE_JINJA = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_ROOT),
    extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
    undefined=jinja2.StrictUndefined,
)
# A git identity for the commits the tests make, the post-copy task's first commit included.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Crossroads Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Crossroads Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}

# Named answer sets. Each is generated at most once per session (per xdist worker: the tests of one set share
# an xdist group, so one worker takes them all).
ANSWER_SETS: dict[str, dict[str, object]] = {
    "flask": {"project_name": "Shop", "framework": "flask", "flask_extensions": []},
    "flask-sqlalchemy": {"project_name": "Shop", "framework": "flask", "flask_extensions": ["sqlalchemy"]},
    # Admin and security alone: copier.yml brings sqlalchemy in with them.
    "flask-admin": {"project_name": "Shop", "framework": "flask", "flask_extensions": ["admin"]},
    "flask-security": {"project_name": "Shop", "framework": "flask", "flask_extensions": ["security"]},
    "flask-all": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
    },
    "django": {"project_name": "Shop", "framework": "django"},
    # Sensitive data: two-factor sign-in by default.
    "django-sensitive": {"project_name": "Shop", "framework": "django", "data_sensitivity": "sensitive"},
    # app_kind: "django" above is both (the default), pages and the API.
    "django-api": {"project_name": "Shop", "framework": "django", "app_kind": "api"},
    "django-site": {"project_name": "Shop", "framework": "django", "app_kind": "site"},
    # As it scales (tests/test_scale.py): Celery tasks and the cache on Redis, PostgreSQL; then each alone, on SQLite.
    "django-scale": {
        "project_name": "Shop",
        "framework": "django",
        "background_tasks": True,
        "cache": "redis",
        "database": "postgresql",
    },
    "django-tasks": {"project_name": "Shop", "framework": "django", "background_tasks": True, "cache": "none"},
    "django-cache": {"project_name": "Shop", "framework": "django", "background_tasks": False, "cache": "redis"},
    # The heavy-load microservice: an API only, with tasks and the cache.
    "django-api-scale": {
        "project_name": "Shop",
        "framework": "django",
        "app_kind": "api",
        "background_tasks": True,
        "cache": "redis",
    },
    "flask-sensitive": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
        "data_sensitivity": "sensitive",
    },
    # Flask's app_kind: the Flask sets above are both (the default), pages and the API.
    "flask-all-api": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
        "app_kind": "api",
    },
    "flask-all-site": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
        "app_kind": "site",
    },
    # A read-only API (no accounts), and a JSON-only service without a database.
    "flask-sqlalchemy-api": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy"],
        "app_kind": "api",
    },
    "flask-api": {"project_name": "Shop", "framework": "flask", "flask_extensions": [], "app_kind": "api"},
    # As it scales (tests/test_scale.py): Celery tasks and the cache on Redis, PostgreSQL; then each alone, on SQLite,
    # tasks without accounts, the cache with them.
    "flask-scale": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
        "background_tasks": True,
        "cache": "redis",
        "database": "postgresql",
    },
    "flask-tasks": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy"],
        "background_tasks": True,
        "cache": "none",
    },
    "flask-cache": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["security"],
        "background_tasks": False,
        "cache": "redis",
    },
    # Observability with everything on (tests/test_error_reporting.py, test_metrics.py, test_tracing.py): Sentry,
    # Prometheus and OpenTelemetry, with accounts, to sign in, and tasks.
    "django-observed": {
        "project_name": "Shop",
        "framework": "django",
        "background_tasks": True,
        "cache": "none",
        "error_tracking": "sentry",
        "metrics": "prometheus",
        "tracing": "opentelemetry",
    },
    "flask-observed": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "security"],
        "background_tasks": True,
        "cache": "none",
        "error_tracking": "sentry",
        "metrics": "prometheus",
        "tracing": "opentelemetry",
    },
}


# Copier syntax left behind: a Jinja tag around one of the template's question names, or a raw marker.
# Django's own tags may share a name with a question: the fragment cache's ({% load cache %}, {% cache ... %}) with
# `cache`, and a quoted URL name ({% url 'two_factor:profile' %}) with `two_factor`.
_QUESTIONS = [name for name in yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text()) if not name.startswith("_")]
LEFTOVER = re.compile(
    r"(?!\{% (?:load )?cache\b)\{[{%][^}]*(?<!['\"])\b(" + "|".join(_QUESTIONS) + r"|_copier_\w+)\b"
    r"|\{%-? *(end)?raw"
)
# Made by running a project (uv sync, pytest, migrate, collectstatic), not by the template; other tests may run first.
RUN_ARTIFACTS = {
    ".venv",
    ".hypothesis",
    "uv.lock",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    "db.sqlite3",
    "staticfiles",
}


def assert_no_template_syntax(project: Path) -> None:
    """Assert that no file the template wrote into `project` holds Copier syntax (LEFTOVER), a run of blank lines
    (Python and Mako aside, whose blank lines ruff format owns), a missing or doubled final newline, or, outside
    HTML and Markdown, `{{` or `{%`."""
    files = template_files(project)
    assert files
    for path in files:
        text = path.read_text()
        relative = path.relative_to(project)
        assert not LEFTOVER.search(text), f"{relative}: {LEFTOVER.search(text).group(0)}"
        if path.suffix not in {".py", ".mako"}:
            assert "\n\n\n" not in text, f"{relative} has a run of blank lines"
        if text:
            assert text.endswith("\n") and not text.endswith("\n\n"), f"{relative}: end of file"
        if path.suffix not in {".html", ".md"}:
            assert "{{" not in text and "{%" not in text, relative


def template_files(project: Path) -> list[Path]:
    """The files the template wrote into `project`: not in .git, nor made by running the project (RUN_ARTIFACTS)."""
    return [
        path
        for path in project.rglob("*")
        if path.is_file() and not {".git", *RUN_ARTIFACTS} & set(path.relative_to(project).parts)
    ]


def assert_pack_is_off(project: Path, answer: str, words: tuple[str, ...]) -> None:
    """Assert that the answers file of `project` holds the line `answer` (such as "metrics: none") and that no other
    file the template wrote names any of `words` (lower case) in its path or its text: nothing of an option pack
    that is off."""
    answers = project / ".copier-answers.yml"
    assert f"\n{answer}\n" in answers.read_text()
    for path in template_files(project):
        if path != answers:
            relative = str(path.relative_to(project)).lower()
            text = path.read_text(errors="replace").lower()
            for word in words:
                assert word not in relative and word not in text, (relative, word)


def find_python() -> str:
    """The path of a Python 3.12 or newer for generated projects: `CROSSROADS_PYTHON`, else the newest
    `python3.1N` (N >= 12) under pyenv's versions folder, else one on PATH that runs.

    uv cannot download a Python here, and pyenv's shims on PATH fail for a version that is not selected, so
    the tests hand uv a real interpreter (`UV_PYTHON`). Raises RuntimeError when there is none.
    """
    if os.environ.get("CROSSROADS_PYTHON"):
        return os.environ["CROSSROADS_PYTHON"]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(
        pyenv_root.glob("versions/3.1[2-9]*/bin/python3.1[2-9]"),
        key=lambda path: [int(part) for part in path.parent.parent.name.split(".") if part.isdigit()],
    )
    candidates = [str(path) for path in reversed(found)]
    candidates += [name for name in ("python3.14", "python3.13", "python3.12") if shutil.which(name)]
    for candidate in candidates:
        if subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False).returncode == 0:
            return candidate
    raise RuntimeError("no Python 3.12 or newer: install one with pyenv, or set CROSSROADS_PYTHON to its path")


# Debian's Chromium, which the browser tests drive through Playwright (browser downloads are not reachable here).
CHROMIUM = Path(os.environ.get("CROSSROADS_CHROMIUM", "/usr/bin/chromium"))
# Flags from the machine's notes: without the background-networking ones, Chromium floods the closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# The interpreter every generated project runs on (generated projects need Python 3.12+; this runs on 3.11).
PROJECT_PYTHON = find_python()


def project_env(**extra: str) -> dict[str, str]:
    """The environment for a generated project's commands: ours, less this virtualenv, with uv pointed at
    PROJECT_PYTHON, plus `extra`."""
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(UV_PYTHON=PROJECT_PYTHON, UV_PYTHON_DOWNLOADS="never")
    env.update(extra)
    return env


def git(cwd: Path, *args: str) -> str:
    """Run `git ARGS` in `cwd` with the tests' identity; return its output. Raises CalledProcessError on failure."""
    return subprocess.run(
        ["git", *args], cwd=cwd, env=project_env(**GIT_IDENTITY), capture_output=True, text=True, check=True
    ).stdout


def snapshot_template(dst: Path) -> Path:
    """Copy this template's work tree (tracked and untracked files, not ignored ones) into a new git repository at
    `dst` with one commit, the way a user's clone of a release would look; return `dst`."""
    listing = git(TEMPLATE_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listing.split("\0")):
        source = TEMPLATE_ROOT / name
        if source.is_file():  # a tracked file deleted in the work tree is listed but gone
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dst / name)
    git(dst, "init", "--quiet")
    git(dst, "add", "--all")
    git(dst, "commit", "--quiet", "--message", "Snapshot of the template work tree")
    return dst


def copier_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    """Run `python -m copier ARGS` like a user would; return the CompletedProcess (text, stdout and stderr apart)."""
    return subprocess.run(
        [sys.executable, "-m", "copier", *args],
        cwd=cwd,
        env=env or project_env(**GIT_IDENTITY),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def copy_template(dst: Path, data: dict[str, object], **kwargs: object) -> None:
    """Run `copier copy --trust --defaults` of the work tree into `dst`, with `data` as the answers."""
    copier.run_copy(
        str(TEMPLATE_ROOT),
        dst,
        data=data,
        defaults=True,
        unsafe=True,
        vcs_ref="HEAD",
        quiet=True,
        **kwargs,
    )


@dataclass
class Project:
    """A generated project on disk, with helpers that run its own tools in its own uv environment."""

    path: Path
    answers: dict[str, object]
    _synced: bool = field(default=False, repr=False)

    def run(self, *command: str, timeout: float = 300, env: dict[str, str] | None = None, check: bool = True):
        """Run `command` in the project folder; return the CompletedProcess (text, stdout and stderr merged).

        Raises AssertionError with the output when `check` is true and the command fails.
        """
        result = subprocess.run(
            command,
            cwd=self.path,
            env=env or project_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check:
            assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}"
        return result

    def sync(self) -> Project:
        """`uv sync` once: the project's locked dependencies, dev group included."""
        if not self._synced:
            self.run("uv", "sync", "--quiet", timeout=600)
            self._synced = True
        return self

    def uv_run(self, *command: str, **kwargs):
        """`uv run COMMAND` in the synced project environment."""
        return self.sync().run("uv", "run", "--quiet", *command, **kwargs)


def sign_up_confirmation_link(project: Project, env: dict[str, str], base: str, email: str) -> str:
    """The absolute URL that the sign-up confirmation mail to `email` carries, made by the project's own code as the
    mail would be (the servers these tests start send no mail). `base` is the site's URL, `http://127.0.0.1:8000`."""
    answers = yaml.safe_load((project.path / ".copier-answers.yml").read_text())
    slug = answers["project_slug"]
    if answers["framework"] == "django":
        code = (
            "from django.urls import reverse\nfrom django.utils.http import urlsafe_base64_encode\n"
            f"from {slug}.users.models import User\nfrom {slug}.users.tokens import sign_up_token_generator\n"
            f"user = User.objects.get(email={email!r})\n"
            "uid, token = urlsafe_base64_encode(str(user.pk).encode()), sign_up_token_generator.make_token(user)\n"
            f"print({base!r} + reverse('sign_up_confirm', args=[uid, token]))"
        )
        command = ["python", "manage.py", "shell", "-c", code]
    else:
        code = (
            "from flask_security.confirmable import generate_confirmation_link\n"
            f"from {slug} import create_app\nfrom {slug}.accounts import user_datastore\n"
            f"app = create_app()\nwith app.test_request_context(base_url={base!r}):\n"
            f"    print(generate_confirmation_link(user_datastore.find_user(email={email!r}))[0])"
        )
        command = ["python", "-c", code]
        # Flask-Security-Too's links name FLASK_SERVER_NAME: here the server's own address, port included.
        env = {**env, "FLASK_SERVER_NAME": urlsplit(base).netloc}
    return project.uv_run(*command, env=env).stdout.split()[-1]


# A production Flask app's hosts when the tests serve it on loopback: it answers 127.0.0.1 only, and its mail links
# name it (FLASK_SERVER_NAME is required with accounts and debug off).
FLASK_LOOPBACK_HOSTS = {"FLASK_TRUSTED_HOSTS": '["127.0.0.1"]', "FLASK_SERVER_NAME": "127.0.0.1"}
# The API's rate limit (per client address, token and user) for tests that send a served project many requests from
# one client, by framework: far above what any of them sends, so that none is answered 429 (the default is 60 a
# minute).
LOAD_API_RATE = {"flask": "1000000 per minute", "django": "1000000/m"}


def answer_sets(*names: str):
    """pytest parameters for `names`, each in its own xdist group so that one worker generates it."""
    return [pytest.param(name, id=name, marks=pytest.mark.xdist_group(name)) for name in names]


def require(reason: str) -> None:
    """Skip the running test for `reason`; under CI=true fail it instead, because CI must run every test."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: every test must run)")
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(server: subprocess.Popen, port: int, timeout: float = 120, log: Path | None = None) -> None:
    """Wait until `server` answers GET http://127.0.0.1:`port`/health with 200 and `{"status": "ok"}`.

    Raises AssertionError with the server's output (the file `log`, else its stdout, text) when it exits first or
    does not answer within `timeout` seconds; the server is killed then.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                assert response.status == 200
                assert json.loads(response.read()) == {"status": "ok"}
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                output = server.communicate()[0]
                if log is not None:
                    output = log.read_text()
                raise AssertionError(f"{server.args} did not serve /health:\n{output}") from None
            time.sleep(0.3)


@dataclass(frozen=True)
class PostgresServer:
    """The PostgreSQL server of `.ci/postgres`: `url` connects as a role with CREATEDB."""

    url: str

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run `sql` with psql in `database`; return its unaligned output, without headers."""
        url = urlsplit(self.url)._replace(path=f"/{database}").geturl()
        result = subprocess.run(
            ["psql", url, "--no-psqlrc", "--tuples-only", "--no-align", "--set=ON_ERROR_STOP=1", "--command", sql],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"psql {sql!r} failed: {result.stderr}"
        return result.stdout.strip()

    def create_database(self, prefix: str) -> str:
        """Create an empty database named `prefix` plus a random suffix; return its URL."""
        name = f"{prefix}_{secrets.token_hex(4)}"
        self.psql(f'CREATE DATABASE "{name}"')
        return urlsplit(self.url)._replace(path=f"/{name}").geturl()


def readme_block(project: Project, heading: str) -> list[str]:
    """The command lines of the first console block under `## heading` in the project's README."""
    text = (project.path / "README.md").read_text()
    section = text.split(f"## {heading}\n", 1)[1]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    return block.strip().splitlines()


# --- Serving a generated project under gunicorn, and visiting it as browsers and load would (tests/test_security_*) ---


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
        wait_for_health(self.process, self.port, timeout=120, log=log)

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
    """One browser: keeps its cookies, sends a TLS-terminating proxy's headers, and posts forms with the CSRF token of
    the page they came from (the hidden field `csrf_field`: Django's csrfmiddlewaretoken, Flask-WTF's csrf_token)."""

    def __init__(self, port: int, csrf_field: str = "csrfmiddlewaretoken", host: str | None = None):
        self.port = port
        self.csrf_field = csrf_field
        self.host = host  # the Host header (and the origin's host); None: 127.0.0.1 and the port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, body: bytes | None = None, port=None):
        """One request; return (status, headers, text). Set-Cookie headers update the cookies."""
        port = port or self.port
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        host = self.host or f"127.0.0.1:{port}"
        origin = f"https://{host}"
        headers = {"Host": host, "X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + path}
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
        return self.request("POST", path, form={self.csrf_field: self.csrf_token(page), **fields}, port=port)

    def csrf_token(self, page: str) -> str:
        """The CSRF token of the first form on `page`."""
        return re.search(rf'name="{self.csrf_field}"[^>]* value="([^"]+)"', page).group(1)


class _SMTPSession(socketserver.StreamRequestHandler):
    """One client of MailSink: every command is accepted; the text of each DATA goes to the server's `messages`."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink\r\n")
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command == b"DATA":
                self.wfile.write(b"354 end with .\r\n")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line)
                self.server.messages.append(b"".join(lines).decode())
                self.wfile.write(b"250 ok\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # EHLO (no extensions offered), MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


class MailSink(socketserver.ThreadingTCPServer):
    """An SMTP server on a free loopback port (`port`) that takes every mail and keeps its raw text (`messages`),
    in the order received. A mail is in `messages` before the server answers the client's DATA, so before the
    request that sent it is answered. Use it as a context manager."""

    daemon_threads = True

    def __init__(self):
        self.messages: list[str] = []
        super().__init__(("127.0.0.1", 0), _SMTPSession)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def __exit__(self, *exc_info) -> None:
        self.shutdown()
        super().__exit__(*exc_info)


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


def load(
    port: int,
    writers: int,
    readers: int,
    seconds: float,
    cookies: dict[str, str],
    write: tuple[str, dict[str, str]],
    reads: tuple[str, str],
    at_least: int = 0,
) -> Counter:
    """`writers` threads adding notes and `readers` threads reading pages, each in a loop that stops after
    `seconds`, or once `at_least` requests of its kind were sent if that is later (at most 120 s later: a slow
    machine sends fewer in a given time); return how many answers of each kind came back ("write 302", "read 200",
    "error ...").

    write: (path, form) of the POST that adds a note, a unique title added to the form; reads: the two paths the
    readers alternate between. Every thread sends `cookies`."""
    results: Counter = Counter()
    sent: Counter = Counter()  # requests of each kind, answered or not
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    # A slow machine gets more time to reach `at_least`, not a failure for being slow.
    last_deadline = deadline + 120

    def go_on(kind: str) -> bool:
        now = time.monotonic()
        return now < deadline or (sent[kind] < at_least and now < last_deadline)

    def run(kind: str, number: int) -> None:
        visitor = Visitor(port)
        visitor.cookies = dict(cookies)
        count = 0
        while go_on(kind):
            count += 1
            try:
                if kind == "write":
                    form = {**write[1], "title": f"Load {number}-{count}", "body": "Under load."}
                    status = visitor.request("POST", write[0], form=form)[0]
                else:
                    status = visitor.request("GET", reads[count % 2])[0]
                outcome = f"{kind} {status}"
            except OSError as error:
                outcome = f"error {type(error).__name__}"
            with lock:
                results[outcome] += 1
                sent[kind] += 1

    threads = [threading.Thread(target=run, args=("write", n)) for n in range(writers)]
    threads += [threading.Thread(target=run, args=("read", n)) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    return results


@contextmanager
def private_postgres() -> Iterator[tuple[str, Callable[[], None]]]:
    """A throwaway PostgreSQL cluster of its own on a free loopback port, run as the `postgres` user (initdb and
    pg_ctl from Debian's package, as .ci/postgres uses), so that restarting it disturbs no other test.

    Yields (URL of its database `shop`, restart(while_down=None)); restart() is a fast shutdown and a start, and
    returns once the server accepts connections again; with `while_down`, it calls `while_down()` between the two, to
    look at the world without the server. The cluster is stopped and deleted at the end.
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

        def restart(while_down: Callable[[], None] | None = None) -> None:
            if while_down is None:
                as_postgres(*pg_ctl, "restart", "--mode=fast", "-o", options)
                return
            as_postgres(*pg_ctl, "stop", "--mode=fast")
            try:
                while_down()
            finally:
                as_postgres(*pg_ctl, "start", "-o", options)

        yield f"postgresql://postgres@127.0.0.1:{port}/shop", restart
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *pg_ctl, "stop", "--mode=immediate"], capture_output=True, check=False
        )
        shutil.rmtree(folder, ignore_errors=True)


# The decision module rendered directly: decide() returns its exports for a set of answers, as plain data.
_DECISION_PROBE = TEMPLATE_JINJA.from_string(
    '{% from "decision/framework.jinja" import CRITERIA, ARTICLES, TIE_BREAK, answers, matched, score, recommendation'
    " with context %}"
    "{{ {'criteria': CRITERIA, 'articles': ARTICLES, 'tie_break': TIE_BREAK, 'questions': answers.keys() | list,"
    " 'matched': matched, 'score': score, 'recommendation': recommendation} | tojson }}"
)
# Answers that trigger no criterion, so that a test can switch on exactly the ones it names.
DECISION_NEUTRAL: dict[str, object] = {
    "app_size": "",
    "app_kind": "site",
    "builtins_needed": [],
    "product_stage": "",
    "team_style": "",
    "data_sensitivity": "ordinary",
    "expected_load": "modest",
    "team_experience": "",
}


def decide(**answers: object) -> dict:
    """Render decision/framework.jinja for DECISION_NEUTRAL updated with `answers`; return its exports as a dict:
    criteria, articles, tie_break, questions (the decision questions, in order), matched, score, recommendation."""
    return json.loads(_DECISION_PROBE.render({**DECISION_NEUTRAL, **answers}))


# The questions the recommendation reads, in copier.yml's order.
DECISION_QUESTIONS: list[str] = decide()["questions"]


# --- Processes that a test starts and stops (tests/test_scale.py) --------------------------------------------------


class LoggedProcess:
    """A process started by a test, in a session of its own, its output in the file `log` (a pipe nobody reads would
    fill up and block it). `stop()` ends it gracefully, `kill()` at once, each with every child it started (uv run
    starts the real server as a child); both wait for it."""

    def __init__(self, command: list[str], log: Path, cwd: Path | None = None, env: dict[str, str] | None = None):
        self.log = log
        with log.open("a") as output:
            self.process = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def running(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text()

    def wait_for_output(self, text: str, timeout: float = 60) -> None:
        """Wait until `text` is in the log. Raises AssertionError with the log when the process exits first or
        `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if not self.running() or time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"{self.process.args} did not log {text!r}:\n{self.output()}")
            time.sleep(0.2)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)  # the session this object started: the process and its children
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, as `docker stop` sends; SIGKILL after `timeout` seconds."""
        if self.running():
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._signal_group(signal.SIGKILL)  # children that outlived their parent

    def kill(self) -> None:
        """SIGKILL, as a machine that fails."""
        self._signal_group(signal.SIGKILL)
        self.process.wait()


class PostSink:
    """A local HTTP endpoint that stands in for a service the app reports to (Sentry, an OpenTelemetry collector):
    it answers every POST with 200, REPLY and REPLY_TYPE, and keeps each one's path, Content-Type and body (gunzipped
    when its Content-Encoding is gzip) in `received`, in order. Serves from a thread, as a context manager."""

    REPLY = b""
    REPLY_TYPE = "application/json"

    def __init__(self) -> None:
        self.received: list[tuple[str, str, bytes]] = []
        received, reply, reply_type = self.received, self.REPLY, self.REPLY_TYPE

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.append((self.path, self.headers.get("Content-Type", ""), body))
                self.send_response(200)
                self.send_header("Content-Type", reply_type)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def production_env(project: Project, database_url: str, **extra: str) -> dict[str, str]:
    """The environment in which `project` runs with its production settings (debug off, fresh secrets, plain HTTP on
    loopback), its database at `database_url`, plus `extra`; the migrations applied there first, and for Django the
    static files collected, which its production settings serve from their manifest."""
    if project.answers["framework"] == "django":
        env = project_env(
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_DEBUG="false",
            DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
            DATABASE_URL=database_url,
            **extra,
        )
        project.uv_run("python", "manage.py", "collectstatic", "--no-input", env=env)
        project.uv_run("python", "manage.py", "migrate", "--no-input", env=env)
    else:
        env = project_env(
            FLASK_SECRET_KEY=secrets.token_urlsafe(50),
            FLASK_SECURITY_PASSWORD_SALT=secrets.token_urlsafe(32),
            FLASK_DEBUG="false",
            **FLASK_LOOPBACK_HOSTS,
            DATABASE_URL=database_url,
            **extra,
        )
        project.uv_run("flask", "--app", "shop", "db", "upgrade", env=env)
    return env


def start_gunicorn(project: Project, env: dict[str, str], log: Path, *arguments: str) -> tuple[LoggedProcess, int]:
    """Start `project`'s gunicorn, as its gunicorn.conf.py sets it up, with `env` and `arguments` (say
    `--pythonpath DIR module:app`), 2 workers on a free loopback port and its metrics (when on) on another, not
    the default 9000, unless `env` names it. Return it and its port once it serves /health."""
    port = free_port()
    web = LoggedProcess(
        ["uv", "run", "--quiet", "gunicorn", *arguments],
        log,
        cwd=project.path,
        env={
            "METRICS_PORT": str(free_port()),
            **env,
            "WEB_CONCURRENCY": "2",
            "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
        },
    )
    wait_for_health(web.process, port, log=log)
    return web, port


# Each framework's `celery --app`.
CELERY_APPS = {"django": "config.celery_app", "flask": "make_celery"}


def start_celery_worker(project: Project, env: dict[str, str], log: Path, *options: str) -> LoggedProcess:
    """Start `project`'s Celery worker with `env` and `options` (say `--pool solo`); return it once it is ready."""
    app = CELERY_APPS[project.answers["framework"]]
    worker = LoggedProcess(
        ["uv", "run", "--quiet", "celery", "--app", app, "worker", "--without-mingle", "--without-gossip", *options],
        log,
        cwd=project.path,
        env=env,
    )
    worker.wait_for_output(" ready.", timeout=90)
    return worker


def redis_server(log: Path, port: int | None = None) -> tuple[LoggedProcess, str]:
    """Debian's redis-server on loopback `port` (default: a free one), nothing saved to disk; return it and its URL
    (database 0). Raises AssertionError when it does not start."""
    port = port or free_port()
    server = LoggedProcess(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], log
    )
    server.wait_for_output("Ready to accept connections", timeout=60)
    return server, f"redis://127.0.0.1:{port}/0"


def haproxy_round_robin(backends: list[int], folder: Path, health_path: str = "/health") -> tuple[LoggedProcess, int]:
    """HAProxy on a free loopback port, round-robin over the loopback ports `backends` (servers s0, s1, ...), each
    checked on `health_path` every 500 ms and taken out at the first failure. A request whose connection is refused
    goes to another server; each response names its server in `X-Served-By`. Writes `folder`/haproxy.cfg; returns
    the process and its port. Raises AssertionError when it does not start."""
    port = free_port()
    servers = "\n".join(
        f"    server s{number} 127.0.0.1:{backend} check inter 500 fall 1 rise 2"
        for number, backend in enumerate(backends)
    )
    config = folder / "haproxy.cfg"
    config.write_text(
        f"""global
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1

frontend http
    bind 127.0.0.1:{port}
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri {health_path} hdr Host 127.0.0.1
    http-response set-header X-Served-By %s
{servers}
"""
    )
    proxy = LoggedProcess(["haproxy", "-db", "-f", str(config)], folder / "haproxy.log")
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{health_path}", timeout=2) as response:
                if response.status == 200:
                    return proxy, port
        except OSError:
            pass
        if not proxy.running() or time.monotonic() > deadline:
            proxy.kill()
            raise AssertionError(f"haproxy did not serve {health_path}:\n{proxy.output()}")
        time.sleep(0.3)


def statuses_around(disruption, visit, readers: int = 4, at_least_after: int = 0) -> tuple[list[int], list[int]]:
    """Call `visit(number) -> status` (0 when there is no answer; raises nothing) from `readers` threads, every 50 ms
    each; after 3 s, and one answer to each thread, call `disruption()`, which returns once the disruption is over,
    then read 5 s more, and on until more than `at_least_after` requests were sent after it (at most 60 s: a slow
    machine sends fewer in a given time). Return (the statuses answered more than 1 s before the disruption ended, the
    statuses of requests sent after it ended)."""
    results: list[tuple[float, float, int]] = []  # (sent, answered, status)
    finished = threading.Event()

    def read(number: int) -> None:
        while not finished.is_set():
            sent = time.monotonic()
            status = visit(number)
            results.append((sent, time.monotonic(), status))
            time.sleep(0.05)

    def wait(until: Callable[[], bool], at_most: float) -> None:
        deadline = time.monotonic() + at_most
        while not until() and time.monotonic() < deadline:
            time.sleep(0.1)

    threads = [threading.Thread(target=read, args=(number,)) for number in range(readers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    wait(lambda: time.monotonic() > started + 3 and len(results) >= readers, at_most=60)
    disruption()
    back_at = time.monotonic()
    wait(
        lambda: time.monotonic() > back_at + 5 and sum(sent > back_at for sent, _, _ in results) > at_least_after,
        at_most=60,
    )
    finished.set()
    for thread in threads:
        thread.join(timeout=30)
    before = [status for _, answered, status in results if answered < back_at - 1]
    after = [status for sent, _, status in results if sent > back_at]
    return before, after


def assert_docs_render_from_the_host_alone(browser, base: str, session: str, operations: int) -> None:
    """Open Swagger UI at `base`/api/docs in `browser` (Playwright's Chromium) with the `session` cookie
    ("name=value"), try out the first operation, and assert: `operations` operations listed, the one tried answered
    200, every request stayed on the host, and Chromium's console reports no CSP block and no error."""
    host = urllib.parse.urlsplit(base).netloc
    requested, console = [], []
    context = browser.new_context()
    try:
        name, value = session.split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": base}])
        page = context.new_page()
        page.on("request", lambda sent: requested.append(sent.url))
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        response = page.goto(base + "/api/docs")
        assert response.status == 200
        assert "Content-Security-Policy" in {name.title() for name in response.headers}
        page.locator(".opblock").first.wait_for(timeout=60_000)
        assert page.locator(".opblock").count() == operations
        assert "Shop API" in page.locator(".info .title").inner_text()
        # Open an operation and try it out: more of the UI, and its styles, come into play.
        page.locator(".opblock-summary").first.click()
        page.get_by_role("button", name="Try it out").click()
        page.get_by_role("button", name="Execute").click()
        page.locator(".live-responses-table tbody .response-col_status").first.wait_for()
        assert "200" in page.locator(".live-responses-table tbody .response-col_status").first.inner_text()
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    outside = [url for url in requested if urllib.parse.urlsplit(url).netloc != host and not url.startswith("data:")]
    assert outside == [], outside
    assert [line for line in console if "Content Security Policy" in line or "error" in line.split(":")[0]] == []
