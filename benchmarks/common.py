"""What every benchmark module shares: the answer sets, the Python for generated projects, running commands,
hyperfine, and the `Figure` a measurement gives."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
# The interpreter generated projects run on: the tests' own search for a Python 3.12 or newer (tests/helpers/).
sys.path.insert(0, str(TEMPLATE_ROOT / "tests"))
from helpers import PROJECT_PYTHON

COPIER = [sys.executable, "-m", "copier"]
SLUG = "bench"  # the project_slug that project_name "Bench" gives
# The two projects measured: Flask with every extension, Django with the default answers.
PROJECTS = {
    "flask": {"project_name": "Bench", "framework": "flask", "flask_extensions": "[sqlalchemy, admin, security]"},
    "django": {"project_name": "Bench", "framework": "django"},
}


@dataclass
class Figure:
    """A median of several runs, with its spread. `unit` is "s", "req/s", "ms" or "MiB"."""

    median: float
    low: float
    high: float
    unit: str
    runs: int

    @classmethod
    def of(cls, samples: list[float], unit: str) -> Figure:
        return cls(statistics.median(samples), min(samples), max(samples), unit, len(samples))

    def __str__(self) -> str:
        digits = 3 if self.unit == "s" else 1
        return f"{self.median:.{digits}f} {self.unit} ({self.low:.{digits}f} to {self.high:.{digits}f})"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class CommandFailed(subprocess.CalledProcessError):
    """A command that exited non-zero; its message ends with the last lines of what it printed."""

    def __str__(self) -> str:
        lines = f"{self.stdout or ''}{self.stderr or ''}".strip().splitlines()
        return super().__str__() + "\n" + "\n".join(lines[-25:])


def run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command to completion; return its stdout. Raises CommandFailed, with the output, on failure."""
    args = [str(part) for part in command]
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise CommandFailed(result.returncode, shlex.join(args), result.stdout, result.stderr)
    return result.stdout


def clean_env(**extra: str) -> dict[str, str]:
    """Our environment for a measured process: without this virtualenv, uv pointed at PROJECT_PYTHON (and never
    downloading one), Python writing bytecode, plus `extra`.

    PYTHONDONTWRITEBYTECODE (set in some sandboxes and CI images) makes every import compile its module from source
    when no .pyc exists yet, again at each start: startup and generation would measure the compiler, not what users
    see. Production installs compile bytecode (uv sync --compile-bytecode, as the generated Dockerfile does, or
    Python writes it at the first run), so it is dropped here, and the projects served are installed compiled.
    """
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(UV_PYTHON=PROJECT_PYTHON, UV_PYTHON_DOWNLOADS="never")
    env.update(extra)
    return env


def ensure_tools() -> None:
    """Install hyperfine and wrk from Debian when they are missing (needs root)."""
    missing = [tool for tool in ("hyperfine", "wrk") if not shutil.which(tool)]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"benchmarks need {', '.join(missing)}: install them (Debian: apt-get install {' '.join(missing)})")
    log(f"installing {', '.join(missing)} with apt-get")
    run("apt-get", "update", "-qq")
    run("apt-get", "install", "-y", "-qq", *missing)


def tool_version(tool: str) -> str:
    """The first line of `tool --version` (wrk prints it and exits with status 1)."""
    result = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).splitlines()[0]


def copier_copy_command(src: Path | str, dst: Path, answers: dict[str, str]) -> list[str]:
    data = [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
    return [*COPIER, "copy", "--quiet", "--trust", "--defaults", "--vcs-ref", "HEAD", *data, str(src), str(dst)]


def generate(template: Path, answers: dict[str, str], dst: Path) -> Path:
    """`copier copy` the project of `answers` (PROJECTS' values) from `template` into `dst`; return `dst`."""
    run(*copier_copy_command(template, dst, answers), env=clean_env())
    return dst


def snapshot(repository: Path, dst: Path) -> Path:
    """A packed clone of `repository`'s committed HEAD, as a user's download of a template is. Returns its path.

    Copier clones a local template with `git clone`, which hardlinks every loose object of the source: timing the
    working copy would measure how long ago its owner ran `git gc`, not the template.
    """
    run("git", "clone", "--quiet", "--no-local", repository, dst)
    return dst


def hyperfine(
    commands: dict[str, list[str]], rounds: int, runs_per_round: int, env: dict[str, str], prepare: str = ""
) -> dict[str, Figure]:
    """Time each command with hyperfine; return {name: Figure in seconds over all rounds}.

    Each round runs every command once untimed (warm-up: caches, bytecode), then `runs_per_round` timed runs of
    each; rounds alternate the commands, so that a busy spell on the machine hits all of them. Commands run
    without a shell (hyperfine -N), so no shell start is timed; to run one elsewhere, start it with `env -C DIR`.
    """
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        with tempfile.NamedTemporaryFile(suffix=".json") as export:
            args = ["hyperfine", "--style", "none", "-N", "--warmup", "1", "--runs", str(runs_per_round)]
            args += ["--export-json", export.name]
            if prepare:
                args += ["--prepare", prepare]
            for name, command in commands.items():
                args += ["--command-name", name, shlex.join(command)]
            run(*args, env=env)
            for result in json.loads(Path(export.name).read_text())["results"]:
                samples[result["command"]].extend(result["times"])
    return {name: Figure.of(times, "s") for name, times in samples.items()}
