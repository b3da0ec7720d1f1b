"""A pack comes out by hand: removing its files and its one line in each core file from a full render leaves a
project that passes its own tests and lint (issue 24).

"The pack's files" are the template files whose path names the pack's `use_*` flag in a condition; "its lines" are
what decision/facts.yml's `packs.flask` entries for the pack render in the files that read that data.
"""

import re
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import EVERY_OPTION, TEMPLATE_ROOT, Project

FLASK = TEMPLATE_ROOT / "template-flask"
PACKS = yaml.safe_load((TEMPLATE_ROOT / "decision" / "facts.yml").read_text())["packs"]["flask"]
CONDITION = re.compile(r"\{%-? *if (.+?) *-?%\}(.*?)\{%-? *endif *-?%\}")
REVISES = re.compile(r'^down_revision = "([^"]+)"$', re.MULTILINE)


def generated_path(template_path: Path) -> Path:
    """Where the full render puts `template_path` (relative to template-flask/), were every condition true."""
    path = CONDITION.sub(r"\2", template_path.as_posix()).replace("{{project_slug}}", "shop")
    return Path(path.removesuffix(".jinja"))


def pack_files(project: Path, flag: str) -> list[Path]:
    """The files of the full render that come from a template path whose conditions name `flag`."""
    found = []
    for template in sorted(FLASK.rglob("*")):
        relative = template.relative_to(FLASK)
        conditions = [match.group(1) for match in CONDITION.finditer(relative.as_posix())]
        named = any(re.search(rf"\b{flag}\b", condition) for condition in conditions)
        if named and template.is_file() and (project / generated_path(relative)).is_file():
            found.append(generated_path(relative))
    return found


def data_files(project: Path) -> list[Path]:
    """The files of the render whose template reads decision/facts.yml (the core files' lists of packs)."""
    return [
        generated_path(template.relative_to(FLASK))
        for template in sorted(FLASK.rglob("*.jinja"))
        if "partials/facts.jinja" in template.read_text()
        and (project / generated_path(template.relative_to(FLASK))).is_file()
    ]


def pack_lines(flag: str) -> tuple[set[str], set[str]]:
    """What the `packs.flask` entries of `flag` render: whole lines (stripped), and module names that join an import."""
    lines, names = set(), set()
    for entry in PACKS:
        if flag not in entry["when"]:
            continue
        lines.update(line.strip() for line in entry.get("call", "").splitlines() if line.strip())
        if "account_link" in entry:
            link = entry["account_link"]
            lines.add(f"<a href=\"{{{{ url_for('{link['endpoint']}') }}}}\">{link['text']}</a>")
        for key in ("module", "fixtures", "cached_list"):
            if key in entry:
                lines.update({f"{entry[key]},", f'"{entry[key]}",'})
        if "module" in entry:
            names.add(entry["module"])
    return lines, names


def remove_pack(project: Path, flag: str) -> list[str]:
    """Remove the pack of `flag` from `project` by hand; return what was removed, for the failure message."""
    removed = []
    revisions = {}
    for path in pack_files(project, flag):
        text = (project / path).read_text()
        if path.parent.as_posix() == "migrations/versions":
            # Alembic's chain: the next revision now revises the removed one's predecessor.
            revisions[path.stem] = REVISES.search(text).group(1)
        (project / path).unlink()
        removed.append(str(path))
    for path in (project / "migrations" / "versions").glob("*.py"):
        text = path.read_text()
        match = REVISES.search(text)
        previous = match.group(1) if match else None
        while previous in revisions:
            previous = revisions[previous]
        if match and previous != match.group(1):
            text = text.replace(match.group(0), f'down_revision = "{previous}"')
            path.write_text(text.replace(f"Revises: {match.group(1)}\n", f"Revises: {previous}\n"))
            removed.append(f"{path.name}: down_revision {match.group(1)} -> {previous}")
    lines, names = pack_lines(flag)
    for path in data_files(project):
        kept = []
        for line in (project / path).read_text().splitlines(keepends=True):
            if line.strip() in lines:
                removed.append(f"{path}: {line.strip()}")
                continue
            if line.startswith("from . import ") and not line.rstrip().endswith("("):
                modules = line.removeprefix("from . import ").strip().split(", ")
                line = f"from . import {', '.join(name for name in modules if name not in names)}\n"
            kept.append(line)
        (project / path).write_text("".join(kept))
    return removed


@pytest.mark.slow
@pytest.mark.xdist_group("flask-full")
def test_removing_the_api_pack_by_hand_leaves_a_project_that_passes_its_tests_and_lint(generate, tmp_path):
    full = generate("flask-all", **EVERY_OPTION)
    project = tmp_path / "shop"
    shutil.copytree(full.path, project, ignore=shutil.ignore_patterns(".venv", "__pycache__", ".ruff_cache"))
    files = pack_files(project, "use_api")
    assert Path("shop/api/__init__.py") in files and Path("tests/test_api.py") in files, files
    removed = remove_pack(project, "use_api")
    assert "shop/__init__.py: api.init_app(app)" in removed, removed
    assert not list((project / "shop" / "api").glob("*.py"))
    api_less = Project(project, full.answers)
    api_less.uv_run("ruff", "check", ".")
    api_less.uv_run("ruff", "format", "--check", ".")
    result = api_less.uv_run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", timeout=1200, check=False)
    assert result.returncode == 0, f"removed: {removed}\n{result.stdout[-4000:]}"
    leftovers = [path for path in project.rglob("*.py") if ".venv" not in path.parts and ".api" in path.read_text()]
    assert leftovers == []
