"""examples/ holds the rendered output of two answer sets; it must match what the work tree renders now."""

import subprocess
import sys

import pytest
from helpers import TEMPLATE_ROOT

pytestmark = pytest.mark.xdist_group("examples")


def test_examples_are_current():
    result = subprocess.run(
        [sys.executable, str(TEMPLATE_ROOT / "scripts" / "render_examples.py"), "--check"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
