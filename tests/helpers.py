"""Helpers for the template's tests: answer sets, running Copier, git and a generated project's own tools.

Copier reads this template as a git repository at `vcs_ref="HEAD"`, with uncommitted changes included (it warns
with DirtyLocalWarning, silenced in pyproject.toml), so the tests see the work tree as it is.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import copier
import jinja2
import pytest

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
}


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


def wait_for_health(server: subprocess.Popen, port: int, timeout: float = 30, log: Path | None = None) -> None:
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
