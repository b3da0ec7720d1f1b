"""Generate each flavour, then check what it holds and that the README's run command serves /health.

Each project's own tests and lint run in tests/test_design.py, over a covering design of the answer space; lint with
the longest name in tests/test_names.py."""

import re
import subprocess

import pytest
import yaml
from helpers import (
    RUN_ARTIFACTS,
    answer_sets,
    assert_no_template_syntax,
    free_port,
    project_env,
    readme_block,
    wait_for_health,
)

pytestmark = pytest.mark.slow

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


@pytest.mark.parametrize("name", FLAVOURS)
def test_no_template_syntax_is_left(generate, name):
    assert_no_template_syntax(generate(name).path)


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
