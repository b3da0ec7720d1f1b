"""The template itself: where it is, its Jinja files rendered directly, and checks of what it writes into a
project (no Copier syntax left, nothing of a pack that is off)."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent.parent
TOOLS = TEMPLATE_ROOT / "tests" / "tools"


PRESETS = sorted(path.stem for path in (TEMPLATE_ROOT / "presets").glob("*.yml"))
# The template's Jinja files (decision module, validators) rendered directly, with the filters Copier adds.
TEMPLATE_JINJA = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_ROOT),
    extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
    undefined=jinja2.StrictUndefined,
)


# Copier syntax left behind: a Jinja tag around one of the template's question names, or a raw marker.
# Django's own tags may share a name with a question: the fragment cache's ({% load cache %}, {% cache ... %}) with
# `cache`, and a quoted URL name ({% url 'two_factor:profile' %}) with `two_factor`.
_QUESTIONS = [name for name in yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text()) if not name.startswith("_")]
LEFTOVER = re.compile(
    r"(?!\{% (?:load )?cache\b)\{[{%][^}]*(?<!['\"])\b(" + "|".join(_QUESTIONS) + r"|_copier_\w+)\b"
    r"|\{%-? *(end)?raw"
)
# Made by running a project (uv sync, pytest, migrate, collectstatic), not by the template; other tests may run first.
RUN_ARTIFACTS = {
    ".venv",
    ".hypothesis",
    "uv.lock",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    "db.sqlite3",
    "staticfiles",
}


def assert_no_template_syntax(project: Path) -> None:
    """Assert that no file the template wrote into `project` holds Copier syntax (LEFTOVER), a run of blank lines
    (Python and Mako aside, whose blank lines ruff format owns), a missing or doubled final newline, or, outside
    HTML and Markdown, `{{` or `{%`."""
    files = template_files(project)
    assert files
    for path in files:
        text = path.read_text()
        relative = path.relative_to(project)
        assert not LEFTOVER.search(text), f"{relative}: {LEFTOVER.search(text).group(0)}"
        if path.suffix not in {".py", ".mako"}:
            assert "\n\n\n" not in text, f"{relative} has a run of blank lines"
        if text:
            assert text.endswith("\n") and not text.endswith("\n\n"), f"{relative}: end of file"
        if path.suffix not in {".html", ".md"}:
            assert "{{" not in text and "{%" not in text, relative


def template_files(project: Path) -> list[Path]:
    """The files the template wrote into `project`: not in .git, nor made by running the project (RUN_ARTIFACTS)."""
    return [
        path
        for path in project.rglob("*")
        if path.is_file() and not {".git", *RUN_ARTIFACTS} & set(path.relative_to(project).parts)
    ]


def assert_pack_is_off(project: Path, answer: str, words: tuple[str, ...]) -> None:
    """Assert that the answers file of `project` holds the line `answer` (such as "metrics: none") and that no other
    file the template wrote names any of `words` (lower case) in its path or its text: nothing of an option pack
    that is off."""
    answers = project / ".copier-answers.yml"
    assert f"\n{answer}\n" in answers.read_text()
    for path in template_files(project):
        if path != answers:
            relative = str(path.relative_to(project)).lower()
            text = path.read_text(errors="replace").lower()
            for word in words:
                assert word not in relative and word not in text, (relative, word)
