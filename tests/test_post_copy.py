"""The post-copy task puts a new project under git, commits it when git knows who is committing, says how otherwise,
and warns when the template path that Copier recorded is relative. The next steps it prints, followed as printed,
serve the new project."""

import re
import shlex
import subprocess
import sys
import time
import urllib.request

import pytest
from helpers import (
    GIT_IDENTITY,
    TEMPLATE_ROOT,
    LoggedProcess,
    Project,
    Visitor,
    copier_cli,
    free_port,
    git,
    project_env,
    readme_block,
    redis_server,
)

HOOK = TEMPLATE_ROOT / "hooks" / "post_copy.py"


def run_hook(project, *, src_path="/srv/templates/crossroads", env=None):
    """Run the task as Copier would, in `project`; return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, str(HOOK), f"--src-path={src_path}"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def no_git_identity(home):
    """An environment where git has no configuration and no identity at all."""
    env = project_env(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(home / "gitconfig"))
    for name in GIT_IDENTITY:
        env.pop(name, None)
    return env


def test_copy_makes_a_git_repository_with_the_first_commit(tmp_path):
    destination = tmp_path / "project"
    data = ["--data", "project_name=Shop", "--data", "framework=flask"]
    result = copier_cli(
        "copy", "--trust", "--defaults", "--vcs-ref", "HEAD", *data, str(TEMPLATE_ROOT), str(destination)
    )

    assert result.returncode == 0, result.stderr
    assert "initialised a git repository and committed" in result.stdout
    assert git(destination, "log", "--format=%s").startswith("Generate the project from crossroads")
    assert git(destination, "status", "--porcelain") == ""
    tracked = git(destination, "ls-files").splitlines()
    assert ".copier-answers.yml" in tracked and ".env.example" in tracked
    assert ".env" not in tracked, "the secrets must stay out of git"


def test_without_a_git_identity_it_initialises_and_says_how_to_commit(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env.example").write_text("FLASK_SECRET_KEY=\n")

    result = run_hook(project, env=no_git_identity(tmp_path))

    assert result.returncode == 0, result.stderr
    assert (project / ".git").is_dir()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, check=False)
    assert head.returncode != 0
    assert 'git config --global user.email "you@example.com"' in result.stdout
    assert 'git commit -m "Generate the project from crossroads"' in result.stdout


def test_inside_an_existing_repository_it_makes_no_repository_of_its_own(tmp_path):
    git(tmp_path, "init", "--quiet")
    project = tmp_path / "services" / "shop"
    project.mkdir(parents=True)
    (project / ".env.example").write_text("FLASK_SECRET_KEY=\n")

    result = run_hook(project, env=project_env(**GIT_IDENTITY))

    assert result.returncode == 0, result.stderr
    assert not (project / ".git").exists()
    assert "inside an existing git repository" in result.stdout
    assert git(tmp_path, "log", "--all", "--oneline") == ""


def test_a_relative_template_path_gets_a_warning(tmp_path):
    (tmp_path / ".env.example").write_text("FLASK_SECRET_KEY=\n")

    relative = run_hook(tmp_path, src_path="../crossroads", env=project_env(**GIT_IDENTITY))
    absolute_or_remote = [
        run_hook(tmp_path, src_path=path, env=project_env(**GIT_IDENTITY)).stderr
        for path in ("/srv/crossroads", "~/crossroads", "https://git.example.com/crossroads.git", "gh:team/crossroads")
    ]

    assert relative.returncode == 0
    assert "warning: the template was given as the relative path '../crossroads'" in relative.stderr
    assert "absolute path or URL" in relative.stderr
    assert not any("warning" in stderr for stderr in absolute_or_remote)


# --- The first run: the printed next steps, followed as printed -----------------------------------------------------

# Heavy load: PostgreSQL, Redis and Celery by default; Flask with accounts too, whose sign-up is confirmed by mail.
FIRST_RUN = {
    "flask": {"framework": "flask", "expected_load": "high", "flask_extensions": ["sqlalchemy", "admin", "security"]},
    "django": {"framework": "django", "expected_load": "high"},
}


def printed_steps(output: str) -> list[str]:
    """The commands under "Next steps:" in the post-copy task's output, as a person reads them: the indented lines,
    each without its trailing comment."""
    lines = output.split("\nNext steps:\n", 1)[1].splitlines()
    steps = []
    for line in lines:
        if not line.startswith("  "):
            break
        steps.append(line.partition(" #")[0].strip())
    return steps


def wait_for_ready(server: LoggedProcess, port: int, timeout: float = 300) -> None:
    """Wait until GET /ready answers 200 (the development server starts slowly on a busy machine). Raises
    AssertionError with the server's output when it exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=10) as response:
                assert response.status == 200
                return
        except OSError:
            if not server.running() or time.monotonic() > deadline:
                server.kill()
                raise AssertionError(f"{server.process.args} did not answer /ready 200:\n{server.output()}") from None
            time.sleep(0.5)


def sign_up_by_the_link_on_the_console(server: LoggedProcess, port: int) -> None:
    """A new user signs up at /register, follows the confirmation link that the server printed, and signs in."""
    visitor = Visitor(port, csrf_field="csrf_token")
    password = "correct horse battery staple"
    form = {"email": "grace@example.com", "password": password, "password_confirm": password}
    status, _, _ = visitor.submit("/register", form)
    assert status == 302, server.output()
    server.wait_for_output("/confirm/")
    # The link names .env's FLASK_SERVER_NAME (`localhost:5000`, where `flask run` serves by default); this server
    # took a free port instead, so the visitor follows the link's path on it.
    link = re.search(r"http://localhost:5000(/confirm/[^\s]+)", server.output())
    assert link, server.output()
    status, _, _ = visitor.request("GET", link.group(1))
    assert status == 302, server.output()
    status, _, _ = visitor.submit("/login", {"email": "grace@example.com", "password": password})
    assert status == 302, server.output()
    assert "Log out" in visitor.request("GET", "/")[2]


@pytest.mark.slow
@pytest.mark.multiprocess
@pytest.mark.parametrize(
    "framework", [pytest.param(name, marks=pytest.mark.xdist_group(f"first-run-{name}")) for name in FIRST_RUN]
)
def test_the_printed_next_steps_followed_as_printed_serve_the_project(framework, tmp_path, postgres_server):
    project = tmp_path / "shop"
    data = []
    for key, value in {"project_name": "Shop", **FIRST_RUN[framework]}.items():
        data += ["--data", f"{key}={value if isinstance(value, str) else '[' + ', '.join(value) + ']'}"]
    result = copier_cli("copy", "--trust", "--defaults", "--vcs-ref", "HEAD", *data, str(TEMPLATE_ROOT), str(project))
    assert result.returncode == 0, result.stderr
    steps = printed_steps(result.stderr)  # Copier prints its message after copy on stderr
    assert steps[:4] == [f"cd {project}", "uv sync", "uv run pytest", "docker compose up -d db redis"]
    assert steps[3:] == readme_block(Project(project, FIRST_RUN[framework]), "Run"), "the README's Run, as printed"

    env = project_env()
    servers: list[LoggedProcess] = []
    try:
        *commands, run = steps[1:]
        for command in commands:
            if command == "uv run pytest":
                continue  # The same projects' own tests: tests/test_scale.py, *_passes_its_own_checks.
            if command.startswith("docker compose up -d "):
                # No Docker engine here: local servers, and .env pointed at them, where compose would publish them at
                # the addresses .env names already.
                redis, redis_url = redis_server(tmp_path / "redis.log")
                servers.append(redis)
                env_file = project / ".env"
                text = env_file.read_text()
                assert "DATABASE_URL=postgresql://shop:shop@localhost:5432/shop\n" in text
                assert "REDIS_URL=redis://localhost:6379/0\n" in text
                text = re.sub(
                    r"^DATABASE_URL=.*$",
                    f"DATABASE_URL={postgres_server.create_database('first_run')}",
                    text,
                    flags=re.MULTILINE,
                )
                env_file.write_text(re.sub(r"^REDIS_URL=.*$", f"REDIS_URL={redis_url}", text, flags=re.MULTILINE))
                continue
            subprocess.run(shlex.split(command), cwd=project, env=env, check=True, capture_output=True, timeout=600)
        port = free_port()
        where = ["--port", str(port)] if framework == "flask" else [f"127.0.0.1:{port}"]
        server = LoggedProcess(shlex.split(run) + where, tmp_path / "server.log", cwd=project, env=env)
        servers.append(server)
        wait_for_ready(server, port)
        if framework == "flask":
            sign_up_by_the_link_on_the_console(server, port)
    finally:
        for server in reversed(servers):
            server.stop()
