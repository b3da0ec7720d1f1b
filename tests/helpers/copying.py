"""Copier and git as a user runs them on this template's work tree.

Copier reads this template as a git repository at `vcs_ref="HEAD"`, with uncommitted changes included (it warns
with DirtyLocalWarning, silenced in pyproject.toml), so the tests see the work tree as it is.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import copier

from .environment import project_env
from .template import TEMPLATE_ROOT

# A git identity for the commits the tests make, the post-copy task's first commit included.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Crossroads Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Crossroads Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


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
