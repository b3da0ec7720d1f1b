"""A Django pack is its files and its lines in the core files, nothing more: taking the API's out of a full render
(every option on) by hand leaves a project that passes its own tests, its lint and Django's checks.

The pack's files are those whose template path carries a condition that the API's absence makes false; its lines
are the entries of `packs.django` in decision/facts.yml that the API brings in. Both are read from the template, so
that a new API file or registration is removed by this test too, and one that slips into a core file unlisted fails
it.
"""

import re
import shutil
import subprocess
from pathlib import Path

import jinja2
import pytest
import yaml
from helpers import EVERY_OPTION, Project

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("django-packs")]

# The computed use_* variables that are true in the full render (every option on), as far as template-django's paths and packs ask.
FULL_ON = {
    "use_api",
    "use_pages",
    "use_two_factor",
    "use_tasks",
    "use_redis",
    "use_redis_cache",
    "use_sentry",
    "use_metrics",
    "use_tracing",
    "use_postgresql",
}
TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
CONDITION = re.compile(r"\{% if (.+?) %\}(.*?)\{% endif %\}")
SLUG = "shop"


def holds(condition: str, on: set[str]) -> bool:
    """Whether a file name's `{% if ... %}` condition is true when exactly the names in `on` are."""
    names = set(re.findall(r"\buse_\w+\b", condition))
    return bool(jinja2.Environment().compile_expression(condition)(**{name: name in on for name in names}))


def rendered(path: str) -> str:
    """A template path as Copier renders it in the full project."""
    path = CONDITION.sub(r"\2", path).replace("{{project_slug}}", SLUG)
    return path.removesuffix(".jinja")


def pack_files(off: str) -> list[str]:
    """The full render's files that are there only because `off` is true."""
    tree = TEMPLATE_ROOT / "template-django"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "."],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    files = []
    for path in listed:
        conditions = [match.group(1) for match in CONDITION.finditer(path)]
        if all(holds(c, FULL_ON) for c in conditions) and not all(holds(c, FULL_ON - {off}) for c in conditions):
            files.append(rendered(path))
    return files


def pack_lines(off: str) -> dict[str, list[str]]:
    """What the full render's core files hold only because `off` is true: {file: [block of lines, ...]}."""
    facts = yaml.safe_load((TEMPLATE_ROOT / "decision" / "facts.yml").read_text())

    def registered(entry: dict, on: set[str]) -> bool:
        return (
            set(entry["when"]) <= on and not set(entry.get("unless", [])) & on and bool(set(entry.get("any", on)) & on)
        )

    blocks: dict[str, list[str]] = {}
    for entry in facts["packs"]["django"]:
        if registered(entry, FULL_ON) and not registered(entry, FULL_ON - {off}):
            if "lines" in entry:
                block = "".join(line.replace("{project_slug}", SLUG) + "\n" for line in entry["lines"])
            else:  # a navigation link
                block = f"<a href=\"{{% url '{entry['url']}' %}}\">{entry['label']}</a>\n"
            blocks.setdefault(entry["file"].replace("{project_slug}", SLUG), []).append(block)
    return blocks


def test_the_api_packs_files_and_lines_are_found():
    files = pack_files("use_api")
    assert {"config/api.py", "config/settings_api.py", f"{SLUG}/api/models.py", "tests/test_api.py"} <= set(files)
    assert "tests/fixtures_clock.py" not in files, "two-factor sign-in's tests use the clock too"
    assert f"{SLUG}/notes/models.py" not in files
    lines = pack_lines("use_api")
    assert {"config/settings.py", "config/urls.py", f"{SLUG}/templates/nav.html"} <= set(lines)
    assert not any("fixtures_clock" in block for block in lines.get("tests/conftest.py", []))


def test_a_full_render_without_the_api_pack_passes_its_tests_and_lint(generate, tmp_path):
    full = generate("django", **EVERY_OPTION)
    path = tmp_path / "shop"
    shutil.copytree(full.path, path, ignore=shutil.ignore_patterns(".venv", "__pycache__", ".ruff_cache"))
    for name in pack_files("use_api"):
        target = path / name
        assert target.is_file(), name
        target.unlink()
    for folder in sorted((p for p in path.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    for name, blocks in pack_lines("use_api").items():
        target = path / name
        text = target.read_text()
        for block in blocks:
            if block.startswith("<a "):
                lines = [line for line in text.splitlines(keepends=True) if line.strip() + "\n" != block]
                assert len(lines) == text.count("\n") - 1, (name, block)
                text = "".join(lines)
            else:
                assert text.count(block) == 1, (name, block)
                text = text.replace(block, "")
        target.write_text(text)
    leftovers = [
        str(p.relative_to(path))
        for p in path.rglob("*.py")
        if ".venv" not in p.parts and re.search(rf"\b{SLUG}\.api\b|from \.api import|config\.api\b", p.read_text())
    ]
    assert not leftovers, f"core files still name the API: {leftovers}"

    project = Project(path, {**full.answers}).sync()
    project.uv_run("ruff", "check", ".")
    project.uv_run("ruff", "format", "--check", ".")
    project.uv_run("python", "manage.py", "check")
    project.uv_run("python", "manage.py", "makemigrations", "--check", "--dry-run")
    result = project.uv_run("pytest", "-q", "-p", "no:cacheprovider", timeout=1200)
    assert " passed" in result.stdout and "failed" not in result.stdout, result.stdout
