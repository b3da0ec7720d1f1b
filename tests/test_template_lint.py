"""The template's own Python (hooks, scripts, tests, benchmarks) is held to the lint its projects pass."""

import subprocess
import sys

from helpers import TEMPLATE_ROOT

OWN_CODE = [name for name in ("hooks", "scripts", "tests", "benchmarks") if (TEMPLATE_ROOT / name).is_dir()]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", *OWN_CODE],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_check_is_clean():
    result = ruff("check")
    assert result.returncode == 0, result.stdout


def test_ruff_format_is_clean():
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout
