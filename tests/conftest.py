"""Shared fixtures: generate each answer set once per test session, and run the generated project's own tools.

Copier reads this template as a git repository at `vcs_ref="HEAD"`, with uncommitted changes included (it warns
with DirtyLocalWarning, silenced in pyproject.toml), so the tests see the work tree as it is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import copier
import pytest

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent

# Named answer sets. Each is generated at most once per session (per xdist worker: the tests of one set share
# an xdist group, so one worker takes them all).
ANSWER_SETS: dict[str, dict[str, object]] = {
    "flask": {"project_name": "Shop", "framework": "flask", "flask_extensions": []},
    "flask-sqlalchemy": {"project_name": "Shop", "framework": "flask", "flask_extensions": ["sqlalchemy"]},
    "flask-admin": {"project_name": "Shop", "framework": "flask", "flask_extensions": ["sqlalchemy", "admin"]},
    "flask-security": {"project_name": "Shop", "framework": "flask", "flask_extensions": ["sqlalchemy", "security"]},
    "flask-all": {
        "project_name": "Shop",
        "framework": "flask",
        "flask_extensions": ["sqlalchemy", "admin", "security"],
    },
    "django": {"project_name": "Shop", "framework": "django"},
}


def project_env(**extra: str) -> dict[str, str]:
    """The environment for a generated project's commands: ours, less this virtualenv, plus `extra`."""
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(extra)
    return env


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


@pytest.fixture(scope="session")
def generate(tmp_path_factory: pytest.TempPathFactory):
    """Return `generate(name, **overrides) -> Project`, generating each distinct answer set once per session."""
    projects: dict[tuple, Project] = {}

    def _generate(name: str, **overrides: object) -> Project:
        answers = {**ANSWER_SETS[name], **overrides}
        key = (name, repr(sorted(answers.items())))
        if key not in projects:
            dst = tmp_path_factory.mktemp(name) / "project"
            copy_template(dst, answers)
            projects[key] = Project(dst, answers)
        return projects[key]

    return _generate


def answer_sets(*names: str):
    """pytest parameters for `names`, each in its own xdist group so that one worker generates it."""
    return [pytest.param(name, id=name, marks=pytest.mark.xdist_group(name)) for name in names]


@pytest.fixture(scope="session")
def copier_command() -> list[str]:
    """The Copier command line of this environment's Copier."""
    return [sys.executable, "-m", "copier"]
