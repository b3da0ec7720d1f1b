"""The template's branching, as scripts/template_stats.py measures it: each tree at half or less of its `{% if %}`
tags per 100 lines before options became packs, no core file with more than two, and the README's tables the
script's output as it is now (issue 24)."""

import re
import subprocess
import sys

from helpers import TEMPLATE_ROOT

# Tags per 100 lines before options became packs (README.md, Layout).
BEFORE = {"template-flask": 4.9, "template-django": 3.0, "partials": 4.8}


def stats() -> str:
    return subprocess.run(
        [sys.executable, "scripts/template_stats.py"], cwd=TEMPLATE_ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_each_tree_branches_half_as_much_and_no_core_file_more_than_twice():
    rows = {}
    for line in stats().splitlines():
        match = re.fullmatch(
            r"\| (template-flask|template-django|partials) \| \d+ \| \d+ \| \d+ \| ([\d.]+) \| (.*) \|", line
        )
        if match:
            rows[match.group(1)] = (float(match.group(2)), match.group(3).strip())
    assert set(rows) == set(BEFORE), rows
    for tree, (per_100_lines, crowded) in rows.items():
        assert per_100_lines <= BEFORE[tree] / 2, (tree, per_100_lines)
        assert crowded == "", (tree, crowded)


def test_the_readme_shows_the_scripts_output():
    readme = (TEMPLATE_ROOT / "README.md").read_text()
    assert stats().strip() in readme, "README.md, Layout: paste `python3 scripts/template_stats.py`'s output again"
