"""Production readiness of every generated project: gunicorn, the container files, the CI workflow, pre-commit.

There is no Docker engine on our machines, so the Dockerfile is linted with hadolint and compose.yaml is validated
against the Compose specification's JSON schema; the workflow is linted with actionlint and the GitHub workflow
schema. Those checks are cheap (no `uv sync`) and run for every answer set. The rest runs the project's own tools:
gunicorn serving /health, the workflow's steps (against PostgreSQL where the project uses it), pre-commit.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import yaml
from helpers import (
    ANSWER_SETS,
    FLASK_LOOPBACK_HOSTS,
    LOAD_API_RATE,
    free_port,
    project_env,
    readme_block,
    wait_for_health,
)

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
# The projects that use the PostgreSQL server: Django, and Flask with every extension.
POSTGRESQL = [param for param in ALL if param.id.endswith("-postgresql")]


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
    """The environment of a production process: a fresh secret key, debug off, the host 127.0.0.1 (Django's
    ALLOWED_HOSTS has it by default), the API's rate limit out of the tests' way, nothing from .env."""
    prefix = project.answers["framework"].upper()
    settings = {
        f"{prefix}_SECRET_KEY": secrets.token_urlsafe(50),
        f"{prefix}_DEBUG": "false",
        f"{prefix}_API_RATE": LOAD_API_RATE[project.answers["framework"]],
    }
    if prefix == "FLASK":
        settings.update(FLASK_LOOPBACK_HOSTS)
    return project_env(**settings, **extra)


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


@pytest.mark.xdist_group("flask")
def test_a_flask_project_without_a_database_ignores_database_postgresql(generate):
    # `database` is not asked without an extension; given anyway with --data, it must bring nothing in.
    project = generate("flask", database="postgresql")
    files = {
        path: (project.path / path).read_text()
        for path in ("pyproject.toml", "compose.yaml", ".github/workflows/ci.yml", ".env.example", "README.md")
    }
    assert generate("flask").path.joinpath("compose.yaml").read_text() == files["compose.yaml"]
    for path, text in files.items():
        assert "psycopg" not in text and "PostgreSQL" not in text and "postgres:" not in text, path


@pytest.mark.parametrize(("name", "overrides"), FLAVOURS)
def test_gunicorn_config_reads_the_environment(generate, name, overrides):
    project = generate(name, **overrides).sync()

    def settings(**env: str) -> dict[str, str]:
        output = project.uv_run("gunicorn", "--print-config", env=production_env(project, **env)).stdout
        return dict(re.findall(r"^(\w+) += (.*)$", output, re.MULTILINE))

    configured = settings(PORT="8123", WEB_CONCURRENCY="3")
    assert configured["bind"] == "['0.0.0.0:8123']" and configured["workers"] == "3"
    # No access log: the app logs each request itself (tests/test_logs.py).
    assert configured["accesslog"] == "None" and configured["errorlog"] == "-"
    assert configured["threads"] == "4"
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
        # Browsers open connections that send nothing. One per worker must not hold up the next request, as it
        # would hold sync workers until their 30 s timeout.
        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        try:
            # Well under the 30 s a held worker would take, and long enough for a busy machine.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            connection.request("GET", "/health")
            assert connection.getresponse().status == 200
            connection.close()
        finally:
            for idle in silent:
                idle.close()
        server.send_signal(signal.SIGTERM)  # a graceful stop, as `docker stop` sends
        log = server.communicate(timeout=30)[0]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 0, log
    assert log.count("Booting worker with pid") == 2, log
    requests = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any((r.get("method"), r.get("path"), r.get("status")) == ("GET", "/health", 200) for r in requests), (
        "the app's request line goes to the standard streams"
    )
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


@pytest.mark.parametrize(("name", "overrides"), POSTGRESQL)
def test_ci_workflow_steps_pass_against_postgresql(generate, postgres_server, name, overrides):
    """The workflow's steps with its database pointed at a fresh database on our server: the project's own
    tests run on PostgreSQL (Django's migrations too: pytest-django applies them to its test database)."""
    project = generate(name, **overrides)
    job_env, commands = ci_steps(project)
    (variable,) = job_env
    assert variable == "TEST_DATABASE_URL"
    assert job_env[variable].startswith("postgresql://")
    database_url = postgres_server.create_database(f"{name.replace('-', '_')}_ci")
    database = database_url.rsplit("/", 1)[1]
    env = project_env(TEST_DATABASE_URL=database_url)
    project.run("uv", "sync", "--quiet", env=env, timeout=600)
    if project.answers["framework"] == "django":
        # The migrations on the server itself, as a deploy runs them; then the test settings' connection.
        project.run(
            "uv", "run", "python", "manage.py", "migrate", "--no-input", env={**env, "DATABASE_URL": database_url}
        )
        assert int(postgres_server.psql("SELECT count(*) FROM django_migrations", database)) > 0
        vendor = project.run(
            "uv", "run", "python", "manage.py", "shell", "-c",
            "from django.db import connection; print(connection.vendor, connection.settings_dict['NAME'])",
            env={**env, "DJANGO_SETTINGS_MODULE": "config.test_settings"},
        )  # fmt: skip
        assert vendor.stdout.strip().splitlines()[-1] == f"postgresql {database}"
    for command in commands:
        result = project.run(*command.split(), env=env, timeout=600)
    assert re.search(r"\d+ passed", result.stdout) and "failed" not in result.stdout
    if project.answers["framework"] == "flask":
        # The tests wrote their rows to this database (and dropped its tables when done).
        inserted = postgres_server.psql(
            "SELECT tup_inserted FROM pg_stat_database WHERE datname = current_database()", database
        )
        assert int(inserted) > 0


# --- Served for real: gunicorn, production settings, PostgreSQL ----------------------------------------------------

ADMIN_EMAIL, ADMIN_PASSWORD = "boss@example.com", "a long enough passphrase"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Strict-Transport-Security": "max-age=3600; includeSubDomains; preload",
}


def served_env(project, database_url: str) -> dict[str, str]:
    """Production settings behind one TLS-terminating proxy (which the tests play), on `database_url`."""
    if project.answers["framework"] == "django":
        proxy = {"DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"}
    else:
        proxy = {"FLASK_TRUSTED_PROXIES": "1", "FLASK_SECURITY_PASSWORD_SALT": secrets.token_urlsafe(32)}
    return production_env(project, DATABASE_URL=database_url, WEB_CONCURRENCY="2", **proxy)


def prepare(project, env: dict[str, str]) -> None:
    """Collect Django's static files, apply the migrations and create an administrator, as the README says."""
    if project.answers["framework"] == "django":
        project.uv_run("python", "manage.py", "collectstatic", "--no-input", env=env)
        project.uv_run("python", "manage.py", "migrate", "--no-input", env=env)
        superuser = {"DJANGO_SUPERUSER_EMAIL": ADMIN_EMAIL, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD}
        project.uv_run("python", "manage.py", "createsuperuser", "--no-input", env={**env, **superuser})
    else:
        project.uv_run("flask", "--app", "shop", "db", "upgrade", env=env)
        project.uv_run("flask", "--app", "shop", "create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, env=env)


@contextmanager
def gunicorn(project, env: dict[str, str]) -> Iterator[int]:
    """`uv run gunicorn` on a free loopback port, until the block ends; yield the port."""
    port = free_port()
    server = subprocess.Popen(
        ["uv", "run", "--quiet", "gunicorn"],
        cwd=project.path,
        env={**env, "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_health(server, port)
        yield port
    finally:
        server.terminate()
        server.communicate(timeout=30)


def fetch(port: int, method: str, path: str, headers: dict[str, str] | None = None, form: dict | None = None):
    """One request to 127.0.0.1:`port`, as the TLS proxy forwards it; return (status, headers, body text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", **(headers or {})}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def set_cookies(headers) -> dict:
    """The cookies of the Set-Cookie headers, by name, as http.cookies morsels (with their flags)."""
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return dict(jar)


def log_in(project, port: int) -> dict:
    """Sign the administrator in through the login form over HTTPS; return the cookies the login response sets."""
    django = project.answers["framework"] == "django"
    path = "/accounts/login/" if django else "/login"
    status, headers, page = fetch(port, "GET", path)
    assert status == 200, page
    cookies = set_cookies(headers)
    if django:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": token}
    else:
        token = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page).group(1)
        form = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "remember": "y", "csrf_token": token}
    origin = f"https://127.0.0.1:{port}"
    sent = {
        "Cookie": "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items()),
        "Origin": origin,
        "Referer": origin + path,
    }
    status, headers, page = fetch(port, "POST", path, headers=sent, form=form)
    assert status == 302, page
    return set_cookies(headers)


@pytest.mark.parametrize(("name", "overrides"), POSTGRESQL)
def test_served_in_production_with_headers_secure_cookies_and_readiness(generate, postgres_server, name, overrides):
    """gunicorn with production settings on a fresh PostgreSQL database, behind a TLS proxy that the test plays:
    security headers, Secure/HttpOnly/SameSite cookies after a real login, and /ready going from 200 to 503 when
    the database is dropped under the running app.

    DROP DATABASE ... WITH (FORCE) ends the app's open connections, as a database that goes down does, and new
    connections fail; the shared server, which other tests use, keeps running.
    """
    project = generate(name, **overrides).sync()
    database_url = postgres_server.create_database(f"{name.replace('-', '_')}_served")
    env = served_env(project, database_url)
    prepare(project, env)
    with gunicorn(project, env) as port:
        status, headers, _ = fetch(port, "GET", "/")
        assert status == 200
        for header, value in SECURITY_HEADERS.items():
            # Directives in any order: the order is the CSP library's business, not the policy's.
            assert sorted(headers[header].split("; ")) == sorted(value.split("; ")), header
        if project.answers["framework"] == "django":
            # Without the proxy's header the request is plain HTTP, and is sent to HTTPS once, not in a loop.
            status, headers, _ = fetch(port, "GET", "/", headers={"X-Forwarded-Proto": "http"})
            assert (status, headers["Location"]) == (301, f"https://127.0.0.1:{port}/")

        cookies = log_in(project, port)
        expected = (
            ["sessionid", "csrftoken"] if project.answers["framework"] == "django" else ["session", "remember_token"]
        )
        assert sorted(cookies) == sorted(expected)
        for name_, cookie in cookies.items():
            assert cookie["secure"] and cookie["samesite"] == "Lax", name_
            # Django's CSRF cookie is readable by scripts by design (CSRF_COOKIE_HTTPONLY is off: no protection).
            assert cookie["httponly"] or name_ == "csrftoken", name_

        status, _, body = fetch(port, "GET", "/ready")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        database = database_url.rsplit("/", 1)[1]
        postgres_server.psql(f'DROP DATABASE "{database}" WITH (FORCE)')
        for _ in range(3):  # every worker, whichever takes the request
            status, _, body = fetch(port, "GET", "/ready")
            assert status == 503, body
            assert json.loads(body) == {"status": "unavailable", "reason": "the database does not answer"}
        status, _, body = fetch(port, "GET", "/health")
        assert (status, json.loads(body)) == (200, {"status": "ok"})


@pytest.mark.parametrize(("name", "overrides"), POSTGRESQL)
def test_ready_is_503_when_nothing_listens_on_the_database_port(generate, name, overrides):
    """A database URL on a closed loopback port: the app starts and lives, and is not ready."""
    project = generate(name, **overrides).sync()
    env = served_env(project, f"postgresql://shop:shop@127.0.0.1:{free_port()}/shop")
    with gunicorn(project, env) as port:
        status, _, body = fetch(port, "GET", "/ready")
        assert status == 503, body
        assert json.loads(body)["reason"] == "the database does not answer"


# --- Flask under gunicorn: error responses and the traceback in the log --------------------------------------------

# A WSGI module beside the project (not in it, which other tests lint): the app as built for production, plus a view
# that raises.
RAISING_WSGI = """from shop import create_app

app = create_app()


@app.get("/api/boom")
@app.get("/boom", endpoint="boom_page")
def boom():
    raise RuntimeError("raised by the test's view")
"""


@pytest.fixture
def flask_served(generate, tmp_path) -> Iterator[tuple[int, Path]]:
    """flask-all under gunicorn, DEBUG off, on a fresh SQLite file, serving `raising_wsgi:app`; yield the port and
    the file that gunicorn's output (stdout and stderr) goes to."""
    project = generate("flask-all").sync()
    (tmp_path / "raising_wsgi.py").write_text(RAISING_WSGI)
    env = production_env(
        project,
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}",
        FLASK_SECURITY_PASSWORD_SALT=secrets.token_urlsafe(32),
        WEB_CONCURRENCY="1",
    )
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            ["uv", "run", "--quiet", "gunicorn", "--pythonpath", str(tmp_path), "raising_wsgi:app"],
            cwd=project.path,
            env={**env, "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_health(server, port, log=log)
        yield port, log
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.xdist_group("flask-all")
def test_flask_view_that_raises_logs_its_traceback_under_gunicorn(flask_served):
    port, log = flask_served
    status, headers, body = fetch(port, "GET", "/api/boom")
    assert status == 500, body
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["status"] == "Internal Server Error"
    status, headers, page = fetch(port, "GET", "/boom", headers={"Accept": "text/html"})
    assert status == 500, page
    assert "<h1>500 Internal Server Error</h1>" in page
    for response in (body, page):
        assert "raised by the test's view" not in response and "Traceback" not in response
    output = log.read_text()
    # One JSON object per record, from the project's logging configuration, the traceback in it.
    failures = [json.loads(line) for line in output.splitlines() if '"level": "ERROR"' in line]
    assert [record["message"] for record in failures] == ["Exception on /api/boom [GET]", "Exception on /boom [GET]"]
    for record in failures:
        assert record["logger"] == "shop" and record["traceback"].startswith("Traceback (most recent call last):")
        assert record["traceback"].endswith("RuntimeError: raised by the test's view")
    assert "\nTraceback" not in output, output


@pytest.mark.xdist_group("flask-all")
def test_flask_405_and_csrf_failure_are_json_under_gunicorn(flask_served):
    port, _ = flask_served
    status, headers, body = fetch(port, "DELETE", "/api/notes")
    assert status == 405, body
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["status"] == "Method Not Allowed"
    assert set(headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    # A form posted without its CSRF token, by a client that prefers JSON.
    status, headers, body = fetch(port, "POST", "/notes/", headers={"Accept": "application/json"}, form={"title": "x"})
    assert status == 400, body
    assert json.loads(body) == {"code": 400, "status": "Bad Request", "message": "The CSRF token is missing."}


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
