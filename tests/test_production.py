"""Production readiness of every generated project: gunicorn, the container files, the CI workflow, pre-commit.

There is no Docker engine on our machines, so the Dockerfile is linted with hadolint and compose.yaml is validated
against the Compose specification's JSON schema; the workflow is linted with actionlint and the GitHub workflow
schema. Those checks are cheap (no `uv sync`) and run for every answer set. The rest runs the project's own tools:
gunicorn serving /health, the workflow's steps (against PostgreSQL where the project uses it), pre-commit.
"""

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ANSWER_SETS, free_port, project_env, wait_for_health
from test_generate import readme_block

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent  # hadolint, check-jsonschema and pre-commit of the template's own environment
# (name, overrides, xdist group): every answer set, plus PostgreSQL where the flavour asks for a database.
VARIANTS = [(name, {}, name) for name in ANSWER_SETS] + [
    ("django", {"database": "postgresql"}, "django-postgresql"),
    ("flask-all", {"database": "postgresql"}, "flask-all-postgresql"),
]
ALL = [
    pytest.param(name, overrides, id=group, marks=pytest.mark.xdist_group(group)) for name, overrides, group in VARIANTS
]
FLAVOURS = [param for param in ALL if param.id in {"flask", "django"}]


def run(*command: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `command`; return the CompletedProcess, stdout and stderr merged."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=env or project_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def uses_postgresql(project) -> bool:
    return project.answers.get("database") == "postgresql"


def production_env(project, **extra: str) -> dict[str, str]:
    """The environment of a production process: a fresh secret key, debug off, nothing from .env."""
    prefix = project.answers["framework"].upper()
    return project_env(**{f"{prefix}_SECRET_KEY": secrets.token_urlsafe(50), f"{prefix}_DEBUG": "false"}, **extra)


# --- Lint: every answer set ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "overrides"), ALL)
def test_dockerfile_passes_hadolint(generate, name, overrides):
    project = generate(name, **overrides)
    result = run(str(BIN / "hadolint"), "--no-color", "--failure-threshold", "info", "Dockerfile", cwd=project.path)
    assert result.returncode == 0 and not result.stdout, result.stdout

    dockerfile = (project.path / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) == 2, "a build stage and a runtime stage"
    assert "uv sync --locked --no-dev" in dockerfile
    assert re.search(r"^USER [1-9]\d*:", dockerfile, re.MULTILINE), "the image must run as a non-root user"
    assert dockerfile.rstrip().endswith('CMD ["gunicorn"]')
    assert ("collectstatic" in dockerfile) == (project.answers["framework"] == "django")


@pytest.mark.parametrize(("name", "overrides"), ALL)
def test_dockerignore_keeps_secrets_and_local_state_out(generate, name, overrides):
    project = generate(name, **overrides)
    ignored = (project.path / ".dockerignore").read_text().splitlines()
    assert {".env", ".git", ".venv"} <= set(ignored)
    assert "uv.lock" not in ignored and "pyproject.toml" not in ignored and "gunicorn.conf.py" not in ignored


@pytest.mark.parametrize(("name", "overrides"), ALL)
def test_compose_file_matches_the_compose_specification(generate, name, overrides):
    project = generate(name, **overrides)
    result = run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml", cwd=project.path
    )
    assert result.returncode == 0, result.stdout

    services = yaml.safe_load((project.path / "compose.yaml").read_text())["services"]
    assert ("db" in services) == uses_postgresql(project)
    assert "healthcheck" in services["web"] and services["web"]["build"] == "."
    if uses_postgresql(project):
        assert "healthcheck" in services["db"]
        assert services["web"]["environment"]["DATABASE_URL"].endswith("@db:5432/shop")
        assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
        assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize(("name", "overrides"), ALL)
def test_ci_workflow_passes_actionlint_and_the_workflow_schema(generate, actionlint, name, overrides):
    project = generate(name, **overrides)
    workflow = project.path / ".github" / "workflows" / "ci.yml"
    result = run(*actionlint, str(workflow), cwd=project.path)
    assert result.returncode == 0 and not result.stdout, result.stdout
    result = run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow), cwd=project.path
    )
    assert result.returncode == 0, result.stdout

    job = yaml.safe_load(workflow.read_text())["jobs"]["test"]
    assert ("services" in job) == uses_postgresql(project)
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs[0] == "uv sync --locked" and "uv run pytest" in runs


@pytest.mark.parametrize(("name", "overrides"), ALL)
def test_pre_commit_config_is_valid(generate, name, overrides):
    project = generate(name, **overrides)
    result = run(str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml", cwd=project.path)
    assert result.returncode == 0 and not result.stdout, result.stdout
    hooks = [
        hook["id"]
        for repo in yaml.safe_load((project.path / ".pre-commit-config.yaml").read_text())["repos"]
        for hook in repo["hooks"]
    ]
    assert hooks == ["ruff-check", "ruff-format", "check-merge-conflict", "end-of-file-fixer", "trailing-whitespace"]


@pytest.mark.parametrize(("name", "overrides"), ALL)
def test_env_example_documents_every_variable_of_the_production_files(generate, name, overrides):
    project = generate(name, **overrides)
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (project.path / ".env.example").read_text(), re.MULTILINE))
    read = set(re.findall(r"environ\.get\([\"']([A-Z_]+)", (project.path / "gunicorn.conf.py").read_text()))
    compose = yaml.safe_load((project.path / "compose.yaml").read_text())
    read |= set(compose["services"]["web"]["environment"])
    assert read >= {"PORT", "WEB_CONCURRENCY"}
    assert read <= documented, f"undocumented in .env.example: {sorted(read - documented)}"


# --- gunicorn: each flavour, served for real ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "overrides"), FLAVOURS)
def test_gunicorn_config_reads_the_environment(generate, name, overrides):
    project = generate(name, **overrides).sync()

    def settings(**env: str) -> dict[str, str]:
        output = project.uv_run("gunicorn", "--print-config", env=production_env(project, **env)).stdout
        return dict(re.findall(r"^(\w+) += (.*)$", output, re.MULTILINE))

    configured = settings(PORT="8123", WEB_CONCURRENCY="3")
    assert configured["bind"] == "['0.0.0.0:8123']" and configured["workers"] == "3"
    assert configured["accesslog"] == "-" and configured["errorlog"] == "-"
    defaults = settings()
    assert defaults["bind"] == "['0.0.0.0:8000']"
    assert defaults["workers"] == str(2 * os.cpu_count() + 1)


@pytest.mark.parametrize(("name", "overrides"), FLAVOURS)
def test_readme_deploy_command_serves_health_under_gunicorn(generate, name, overrides):
    """The README's production command, with its config and production settings, on a free loopback port."""
    project = generate(name, **overrides).sync()
    (command,) = readme_block(project, "Deploy")
    assert command == "uv run gunicorn"
    port = free_port()
    # Loopback only, as the config's docstring says; DJANGO_ALLOWED_HOSTS keeps its default (localhost, 127.0.0.1).
    env = production_env(project, WEB_CONCURRENCY="2", GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port}")
    server = subprocess.Popen(
        command.split(), cwd=project.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_for_health(server, port)
        server.send_signal(signal.SIGTERM)  # a graceful stop, as `docker stop` sends
        log = server.communicate(timeout=30)[0]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 0, log
    assert log.count("Booting worker with pid") == 2, log
    assert '"GET /health HTTP/1.1" 200' in log, "the access log goes to the standard streams"
    assert "Shutting down: Master" in log


# --- The project's own workflow -----------------------------------------------------------------------------------


def ci_steps(project) -> tuple[dict[str, str], list[str]]:
    """The CI workflow's job environment and its `run:` commands, in order."""
    job = yaml.safe_load((project.path / ".github" / "workflows" / "ci.yml").read_text())["jobs"]["test"]
    return {name: str(value) for name, value in job.get("env", {}).items()}, [
        s["run"] for s in job["steps"] if "run" in s
    ]


@pytest.mark.parametrize(("name", "overrides"), FLAVOURS)
def test_ci_workflow_steps_pass(generate, name, overrides):
    project = generate(name, **overrides).sync()  # `uv sync` writes uv.lock, which the README says to commit
    job_env, commands = ci_steps(project)
    assert not job_env
    for command in commands:
        project.run(*command.split(), timeout=600)


@pytest.mark.parametrize(
    ("name", "overrides"),
    [pytest.param("django", {"database": "postgresql"}, marks=pytest.mark.xdist_group("django-postgresql"))],
    ids=["django-postgresql"],
)
def test_ci_workflow_steps_pass_against_postgresql(generate, postgres_server, name, overrides):
    """The workflow's steps with its DATABASE_URL pointed at our server: migrations, then the project's own tests."""
    project = generate(name, **overrides)
    job_env, commands = ci_steps(project)
    assert job_env["DATABASE_URL"].startswith("postgresql://")
    database_url = postgres_server.create_database("django_ci")
    env = project_env(DATABASE_URL=database_url)
    project.run("uv", "sync", "--quiet", env=env, timeout=600)
    project.run("uv", "run", "python", "manage.py", "migrate", "--no-input", env=env)
    database = database_url.rsplit("/", 1)[1]
    assert int(postgres_server.psql("SELECT count(*) FROM django_migrations", database)) > 0
    vendor = project.run(
        "uv",
        "run",
        "python",
        "manage.py",
        "shell",
        "-c",
        "from django.db import connection; print(connection.vendor)",
        env=env,
    )
    assert vendor.stdout.strip().splitlines()[-1] == "postgresql"
    for command in commands:
        result = project.run(*command.split(), env=env, timeout=600)
    assert re.search(r"\d+ passed", result.stdout) and "failed" not in result.stdout


@pytest.mark.parametrize(("name", "overrides"), FLAVOURS)
def test_dockerfile_collectstatic_step_runs(generate, name, overrides):
    """The Dockerfile's build-time RUN command for Django works in the project as written, with no .env."""
    project = generate(name, **overrides)
    steps = re.findall(r"^RUN (\S+=\S+ .*collectstatic.*)$", (project.path / "Dockerfile").read_text(), re.MULTILINE)
    if project.answers["framework"] != "django":
        assert not steps
        return
    project.sync()
    image = project.path.parent / "image"  # the build context as .dockerignore leaves it: no .env
    left_out = {".env", "staticfiles"}
    shutil.copytree(
        project.path,
        image,
        ignore=lambda folder, names: left_out & set(names) if folder == str(project.path) else (),
        symlinks=True,
    )
    env = {key: value for key, value in project_env().items() if not key.startswith("DJANGO_")}
    result = run("sh", "-c", steps[0], cwd=image, env=env)
    assert result.returncode == 0, result.stdout
    assert (image / "staticfiles" / "style.css").is_file()


@pytest.mark.parametrize(("name", "overrides"), FLAVOURS)
def test_pre_commit_hooks_pass_and_catch_conflict_markers(generate, tmp_path, name, overrides):
    """pre-commit on a fresh clone of the project: clean as generated, and it stops on a conflict marker."""
    project = generate(name, **overrides).sync()
    clone = tmp_path / "clone"
    left_out = {".venv", ".env", ".pytest_cache", ".ruff_cache", "staticfiles"}
    shutil.copytree(
        project.path, clone, ignore=lambda folder, names: left_out & set(names) if folder == str(project.path) else ()
    )
    env = project_env(PRE_COMMIT_HOME=str(tmp_path.parent / "pre-commit-home"))
    for command in (["git", "init", "--quiet"], ["git", "add", "--all"]):
        assert run(*command, cwd=clone, env=env).returncode == 0
    result = run("uv", "run", "--quiet", "pre-commit", "run", "--all-files", cwd=clone, env=env)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("Passed") == 5, result.stdout

    # What `copier update` leaves behind when a change conflicts: inline markers, and exit status 0.
    (clone / "README.md").write_text("<<<<<<< before updating\nours\n=======\ntheirs\n>>>>>>> after updating\n")
    result = run(
        "uv", "run", "--quiet", "pre-commit", "run", "check-merge-conflict", "--files", "README.md", cwd=clone, env=env
    )
    assert result.returncode == 1 and "README.md:1: Merge conflict string" in result.stdout, result.stdout
