"""How much of the template is branching, and what each option pack weighs.

Usage (from the template's root):  python3 scripts/template_stats.py [--markdown]

Reads the committed working tree (no rendering) and prints two tables:
- Per tree (template-flask, template-django, partials): files, lines, `{% if %}` tags (`{% if`, `{%- if`, inline
  `{{ x if y }}` expressions are not tags and are not counted), tags per 100 lines, and the files holding more than
  two tags, worst first. A file whose name is conditional belongs to a pack; the rest is the core.
- Per pack: the files whose path has a condition in a folder or file name (`{% if use_api %}api{% endif %}/...`),
  grouped by that condition (the conditions of nested folders joined with "and"), with their lines of app code,
  tests (under `tests/`) and docs (`.md`, with the shared `partials/docs_*` files a page imports). Lines are the
  template's, before rendering: a close measure of what the pack adds to a generated project.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ("template-flask", "template-django", "partials")
IF_TAG = re.compile(r"\{%-?\s*if\b")
CONDITION = re.compile(r"\{%-?\s*if\s+(.+?)\s*-?%\}")
TAG = re.compile(r"\{%.*?%\}")
DOCS_PARTIAL = re.compile(r"\{%-?\s*(?:from|include|import)\s+\"(partials/docs_[^\"]+)\"")


def files(tree: str) -> list[Path]:
    return sorted(path for path in (ROOT / tree).rglob("*") if path.is_file() and "__pycache__" not in path.parts)


def condition(path: Path, tree: str) -> str:
    """The conditions in `path`'s folder and file names below `tree`, joined with "and"; "" for a core file."""
    parts = path.relative_to(ROOT / tree).parts
    return " and ".join(match.group(1) for part in parts for match in CONDITION.finditer(part))


def kind(path: Path, tree: str) -> str:
    parts = path.relative_to(ROOT / tree).parts
    if parts[0] == "tests":
        return "tests"
    if TAG.sub("", path.name).removesuffix(".jinja").endswith(".md"):
        return "docs"
    return "code"


def lines_of(path: Path, tree: str, text: str) -> int:
    """`path`'s lines; for a docs page, with those of the shared docs partials it imports, which it renders."""
    lines = text.count("\n")
    if kind(path, tree) == "docs":
        for partial in sorted(set(DOCS_PARTIAL.findall(text))):
            lines += (ROOT / partial).read_text().count("\n")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    print("| tree | files | lines | `{% if %}` tags | per 100 lines | core files with more than two |")
    print("|---|---:|---:|---:|---:|---|")
    packs: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for tree in TREES:
        lines = tags = 0
        crowded = []
        paths = files(tree)
        for path in paths:
            text = path.read_text(errors="replace")
            count = len(IF_TAG.findall(text))
            lines += text.count("\n")
            tags += count
            pack = condition(path, tree)
            if pack:
                packs[(tree, pack)][kind(path, tree)] += lines_of(path, tree, text)
            elif count > 2:
                crowded.append((count, str(path.relative_to(ROOT / tree))))
        crowded.sort(reverse=True)
        listed = ", ".join(f"{name} ({count})" for count, name in crowded[:8])
        more = f" and {len(crowded) - 8} more" if len(crowded) > 8 else ""
        print(f"| {tree} | {len(paths)} | {lines} | {tags} | {100 * tags / max(lines, 1):.1f} | {listed}{more} |")
    print()
    print("| tree | pack (the condition in its file names) | code lines | test lines | doc lines |")
    print("|---|---|---:|---:|---:|")
    for (tree, pack), sizes in sorted(packs.items()):
        print(f"| {tree} | `{pack}` | {sizes['code']} | {sizes['tests']} | {sizes['docs']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
