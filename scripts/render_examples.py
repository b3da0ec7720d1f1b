"""Render the example projects in examples/ from this work tree, so that a change to the template reads as a change
to real projects.

Usage: uv run python scripts/render_examples.py [--check]

Each example is `copier copy --defaults` of the work tree (uncommitted changes included) with its answers in
scripts/examples.yml, without the post-copy task: no `.env`, no git repository. `.copier-answers.yml` keeps the answers but not
the commit or the template's path, which change with every commit and every clone. `--check` renders into a
temporary folder and exits 1, naming the files that differ, when examples/ is stale; tests/test_examples.py runs it.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import copier
import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = TEMPLATE_ROOT / "examples"
# The answer sets, by example name (scripts/examples.yml).
EXAMPLES: dict[str, dict[str, object]] = yaml.safe_load((Path(__file__).with_name("examples.yml")).read_text())[
    "examples"
]
# Lines of the answers file that name this clone and commit rather than the answers.
VOLATILE_ANSWERS = re.compile(r"^_(commit|src_path): .*\n", re.MULTILINE)


def render(dst: Path) -> None:
    """Render every example into `dst/NAME`."""
    for name, answers in EXAMPLES.items():
        project = dst / name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DirtyLocalWarning: uncommitted changes are rendered on purpose
            copier.run_copy(
                str(TEMPLATE_ROOT),
                project,
                data=answers,
                defaults=True,
                skip_tasks=True,
                vcs_ref="HEAD",
                quiet=True,
            )
        answers_file = project / ".copier-answers.yml"
        answers_file.write_text(VOLATILE_ANSWERS.sub("", answers_file.read_text()))


def differences(left: Path, right: Path) -> list[str]:
    """The paths, relative to the two folders, of files that are in one only or differ between them."""
    comparison = filecmp.dircmp(left, right, ignore=[])
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files, *comparison.funny_files]
    for common in comparison.common_dirs:
        found += [f"{common}/{path}" for path in differences(left / common, right / common)]
    # dircmp compares by size and time first; compare the contents of the files it called the same too.
    found += [name for name in comparison.same_files if (left / name).read_bytes() != (right / name).read_bytes()]
    return sorted(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if examples/ differs from a fresh render")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "examples"
        render(fresh)
        if args.check:
            stale = differences(EXAMPLES_DIR, fresh) if EXAMPLES_DIR.is_dir() else ["examples/"]
            if stale:
                print("examples/ is stale; run: uv run python scripts/render_examples.py", file=sys.stderr)
                print("\n".join(f"  {path}" for path in stale), file=sys.stderr)
                return 1
            print("examples/ is up to date")
            return 0
        shutil.rmtree(EXAMPLES_DIR, ignore_errors=True)
        shutil.copytree(fresh, EXAMPLES_DIR)
    print(f"rendered {', '.join(EXAMPLES)} into examples/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
