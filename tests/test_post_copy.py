"""The post-copy task puts a new project under git, commits it when git knows who is committing, says how otherwise,
and warns when the template path that Copier recorded is relative."""

import subprocess
import sys

from helpers import GIT_IDENTITY, TEMPLATE_ROOT, copier_cli, git, project_env

HOOK = TEMPLATE_ROOT / "hooks" / "post_copy.py"


def run_hook(project, *, src_path="/srv/templates/crossroads", env=None):
    """Run the task as Copier would, in `project`; return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, str(HOOK), "--framework=flask", "--slug=shop", f"--src-path={src_path}"],
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
