"""The environment of a generated project's commands: a Python 3.12 or newer found for uv, and the rule that a
missing tool skips a test, or fails it under CI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


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


def require(reason: str) -> None:
    """Skip the running test for `reason`; under CI=true fail it instead, because CI must run every test."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: every test must run)")
    pytest.skip(reason)
