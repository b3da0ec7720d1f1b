"""Generate each flavour, then prove the project works with its own tools: tests, lint, and a served /health."""

import re
import subprocess
import sys

import pytest
import yaml
from helpers import TEMPLATE_ROOT, answer_sets, free_port, project_env, readme_block, wait_for_health

pytestmark = pytest.mark.slow

QUESTIONS = [name for name in yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text()) if not name.startswith("_")]
# Copier syntax left behind: a Jinja tag around one of our question names, or a raw marker.
# Django's own fragment-cache tags ({% load cache %}, {% cache ... %}) share their name with the question `cache`.
LEFTOVER = re.compile(
    r"(?!\{% (?:load )?cache\b)\{[{%][^}]*\b(" + "|".join(QUESTIONS) + r"|_copier_\w+)\b|\{%-? *(end)?raw"
)
FLAVOURS = answer_sets(
    "flask",
    "flask-sqlalchemy",
    "flask-admin",
    "flask-security",
    "flask-all",
    "flask-all-api",
    "flask-all-site",
    "flask-sqlalchemy-api",
    "flask-api",
    "django",
    "django-api",
    "django-site",
    "django-tasks",
    "django-cache",
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


@pytest.mark.parametrize("name", FLAVOURS)
def test_no_template_syntax_is_left(generate, name):
    project = generate(name)
    files = [
        path
        for path in project.path.rglob("*")
        if path.is_file() and not {".git", *RUN_ARTIFACTS} & set(path.relative_to(project.path).parts)
    ]
    assert files
    for path in files:
        text = path.read_text()
        assert not LEFTOVER.search(text), f"{path.relative_to(project.path)}: {LEFTOVER.search(text).group(0)}"
        if path.suffix not in {".py", ".mako"}:  # ruff format owns Python's blank lines (Mako here writes Python)
            assert "\n\n\n" not in text, f"{path.relative_to(project.path)} has a run of blank lines"
        if text:
            assert text.endswith("\n") and not text.endswith("\n\n"), f"{path.relative_to(project.path)}: end of file"
        if path.suffix not in {".html", ".md"}:
            assert "{{" not in text and "{%" not in text, path


@pytest.mark.parametrize("name", FLAVOURS)
def test_env_is_written_with_fresh_secrets_and_ignored(generate, name):
    project = generate(name)
    env = (project.path / ".env").read_text()
    prefix = project.answers["framework"].upper()
    secret = re.search(rf"^{prefix}_SECRET_KEY=(\S+)$", env, re.MULTILINE).group(1)
    assert len(secret) >= 50
    assert secret not in (project.path / ".env.example").read_text()
    assert ".env\n" in (project.path / ".gitignore").read_text()


@pytest.mark.parametrize("name", FLAVOURS)
def test_decision_record_explains_the_choice(generate, name):
    project = generate(name)
    adr = (project.path / "docs" / "adr" / "0001-web-framework.md").read_text()
    label = project.answers["framework"].capitalize()
    assert adr.startswith(f"# 1. Web framework: {label}\n")
    assert "Score: Django " in adr and "## When to revisit" in adr and "## Sources" in adr
    answers = yaml.safe_load((project.path / ".copier-answers.yml").read_text())
    assert answers["framework"] == project.answers["framework"]
    recommended = re.search(r"Recommended: \*\*(\w+)\*\*", adr).group(1)
    assert ("overrode the recommendation" in adr) == (recommended != label)


@pytest.mark.parametrize("name", FLAVOURS)
def test_own_tests_pass(generate, name):
    # -W error: a warning fails the run even where pyproject.toml's filterwarnings would ignore it.
    # A generous deadline: two cores shared with other runs take minutes for the largest sets.
    result = generate(name).uv_run("pytest", "-q", "-W", "error", "-p", "no:cacheprovider", timeout=900)
    assert re.search(r"\d+ passed", result.stdout) and "failed" not in result.stdout


# Words that would make a generated file speak of where it came from rather than of the project.
ORIGIN_WORDS = re.compile(r"crossroads|flavou?r|benchmark|(this|the|copier) template\b", re.IGNORECASE)
OTHER_FRAMEWORK = {"flask": re.compile(r"\bdjango\b", re.IGNORECASE), "django": re.compile(r"\bflask\b", re.IGNORECASE)}
# Files that may say where the project came from and how it is updated.
ORIGIN_FILES = {"README.md", ".copier-answers.yml", ".env"}


@pytest.mark.parametrize("name", FLAVOURS)
def test_no_code_or_config_file_speaks_of_the_template_or_the_other_framework(generate, name):
    project = generate(name)
    other = OTHER_FRAMEWORK[project.answers["framework"]]
    for path in project.path.rglob("*"):
        relative = path.relative_to(project.path)
        if not path.is_file() or {".git", "docs", *RUN_ARTIFACTS} & set(relative.parts) or path.name in ORIGIN_FILES:
            continue
        text = path.read_text()
        for pattern in (ORIGIN_WORDS, other):
            assert not pattern.search(text), f"{relative}: {pattern.search(text).group(0)!r}"


@pytest.mark.parametrize("name", FLAVOURS)
def test_lint_and_format_are_clean(generate, name):
    project = generate(name)
    project.uv_run("ruff", "check", "--no-cache", ".")
    project.uv_run("ruff", "format", "--check", "--no-cache", ".")


@pytest.mark.parametrize("name", FLAVOURS)
def test_lint_and_format_are_clean_with_the_longest_slug(generate, name):
    # The name and slug are written into imports, settings and docstrings: at the most project_name (64 characters)
    # and project_slug (32, cut from the name at a word) allow, no line may pass the project's line-length limit.
    # The template's own ruff, with the project's config.
    project = generate(name, project_name="Inventory Management Service API for All Northern Warehouses Ltd")
    assert project.path.joinpath("inventory_management_service_api").is_dir()
    for command in (["check"], ["format", "--check"]):
        project.run(sys.executable, "-m", "ruff", *command, "--no-cache", ".")


@pytest.mark.parametrize("name", FLAVOURS)
def test_readme_run_command_serves_health(generate, name):
    project = generate(name).sync()
    *setup, run = readme_block(project, "Run")
    for line in setup:
        if line.startswith("docker compose up -d "):
            # Redis for development (there is no Docker engine here): /health needs none. The whole first run, with
            # PostgreSQL and Redis, is tests/test_post_copy.py's.
            continue
        project.run(*line.split())
    port = free_port()
    # The README's command as written, told which port to take.
    command = run.split() + (["--port", str(port)] if "flask" in run else [f"127.0.0.1:{port}", "--noreload"])
    server = subprocess.Popen(
        command, cwd=project.path, env=project_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_for_health(server, port)
    finally:
        server.terminate()
        server.wait(timeout=10)
