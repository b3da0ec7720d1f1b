"""The generated README and its pages under docs/: every relative link names a file the template wrote, every page is
linked from the README's Documentation list, and no section is left empty. Rendered without tasks (no `uv sync`)."""

import re
from pathlib import Path

import pytest
from helpers import EVERY_EXTENSION, EVERY_OPTION, assert_no_template_syntax, copy_template

ANSWERS = {
    "flask-everything": {"framework": "flask", "flask_extensions": EVERY_EXTENSION, **EVERY_OPTION},
    "django-everything": {"framework": "django", **EVERY_OPTION},
    "flask-minimal-site": {"framework": "flask", "flask_extensions": [], "app_kind": "site"},
    "flask-minimal-api": {"framework": "flask", "flask_extensions": [], "app_kind": "api"},
    "flask-read-only-api": {"framework": "flask", "flask_extensions": ["sqlalchemy"], "app_kind": "api"},
    "flask-admin-basic-auth": {"framework": "flask", "flask_extensions": ["sqlalchemy", "admin"], "app_kind": "site"},
    "django-api-cache": {"framework": "django", "app_kind": "api", "cache": "redis", "background_tasks": False},
}
# A Markdown link or image: [text](target), the target without a title.
LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


@pytest.fixture(scope="module", params=sorted(ANSWERS))
def project(request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp(request.param) / "project"
    copy_template(dst, {"project_name": "Shop", **ANSWERS[request.param]}, skip_tasks=True)
    return dst


def pages(project: Path) -> list[Path]:
    return [project / "README.md", *sorted((project / "docs").rglob("*.md"))]


def test_every_relative_link_names_a_written_file(project):
    for page in pages(project):
        for target in LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (page.parent / target.split("#", 1)[0]).resolve()
            assert path.is_file(), f"{page.relative_to(project)} links to {target}, which is not a generated file"


def test_the_readme_lists_every_page(project):
    readme = (project / "README.md").read_text()
    listed = readme.split("\n## Documentation\n", 1)[1].split("\n## ", 1)[0]
    written = {str(page.relative_to(project)) for page in pages(project)[1:]}
    assert written == {f"docs/{target}" for target in re.findall(r"\]\(docs/([^)]+)\)", listed)}


def test_no_section_is_empty_and_no_template_syntax_is_left(project):
    assert_no_template_syntax(project)
    for page in pages(project):
        text = page.read_text()
        # A heading followed by another heading of the same or a higher level has nothing of its own.
        headings = re.findall(r"^(#+) .*\n+(?=(#+) )", text, flags=re.MULTILINE)
        empty = [(level, following) for level, following in headings if len(following) <= len(level)]
        assert not empty, f"{page.relative_to(project)} has an empty section"
        assert not re.search(r"[ \t]+$", text, flags=re.MULTILINE), f"{page.relative_to(project)}: trailing spaces"


# A file of the project named in backquotes: a module, template, test, manifest or page.
NAMED_FILE = re.compile(r"`((?:tests|shop|config|deploy|docs|migrations)/[\w./-]+\.(?:py|html|yaml|md|toml))`")


def test_every_file_the_pages_name_is_generated(project):
    """A page that names a module or test which moved or is not generated for these answers sends the reader nowhere."""
    for page in pages(project):
        missing = [name for name in NAMED_FILE.findall(page.read_text()) if not (project / name).is_file()]
        assert not missing, f"{page.relative_to(project)} names {missing}, which are not generated"
