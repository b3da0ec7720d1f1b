"""A generated project on disk and its own tools in its own uv environment; its production settings."""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .environment import project_env


@dataclass
class Project:
    """A generated project on disk, with helpers that run its own tools in its own uv environment."""

    path: Path
    answers: dict[str, object]
    _synced: bool = field(default=False, repr=False)

    def run(self, *command: str, timeout: float = 300, env: dict[str, str] | None = None, check: bool = True):
        """Run `command` in the project folder; return the CompletedProcess (text, stdout and stderr merged).

        Raises AssertionError with the output when `check` is true and the command fails.
        """
        result = subprocess.run(
            command,
            cwd=self.path,
            env=env or project_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check:
            assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}"
        return result

    def sync(self) -> Project:
        """`uv sync` once: the project's locked dependencies, dev group included."""
        if not self._synced:
            self.run("uv", "sync", "--quiet", timeout=600)
            self._synced = True
        return self

    def uv_run(self, *command: str, **kwargs):
        """`uv run COMMAND` in the synced project environment."""
        return self.sync().run("uv", "run", "--quiet", *command, **kwargs)


def sign_up_confirmation_link(project: Project, env: dict[str, str], base: str, email: str) -> str:
    """The absolute URL that the sign-up confirmation mail to `email` carries, made by the project's own code as the
    mail would be (the servers these tests start send no mail). `base` is the site's URL, `http://127.0.0.1:8000`."""
    answers = yaml.safe_load((project.path / ".copier-answers.yml").read_text())
    slug = answers["project_slug"]
    if answers["framework"] == "django":
        code = (
            "from django.urls import reverse\nfrom django.utils.http import urlsafe_base64_encode\n"
            f"from {slug}.users.models import User\nfrom {slug}.users.tokens import sign_up_token_generator\n"
            f"user = User.objects.get(email={email!r})\n"
            "uid, token = urlsafe_base64_encode(str(user.pk).encode()), sign_up_token_generator.make_token(user)\n"
            f"print({base!r} + reverse('sign_up_confirm', args=[uid, token]))"
        )
        command = ["python", "manage.py", "shell", "-c", code]
    else:
        code = (
            "from flask_security.confirmable import generate_confirmation_link\n"
            f"from {slug} import create_app\nfrom {slug}.accounts import user_datastore\n"
            f"app = create_app()\nwith app.test_request_context(base_url={base!r}):\n"
            f"    print(generate_confirmation_link(user_datastore.find_user(email={email!r}))[0])"
        )
        command = ["python", "-c", code]
        # Flask-Security-Too's links name FLASK_SERVER_NAME: here the server's own address, port included.
        env = {**env, "FLASK_SERVER_NAME": urlsplit(base).netloc}
    return project.uv_run(*command, env=env).stdout.split()[-1]


# A production Flask app's hosts when the tests serve it on loopback: it answers 127.0.0.1 only, and its mail links
# name it (FLASK_SERVER_NAME is required with accounts and debug off).
FLASK_LOOPBACK_HOSTS = {"FLASK_TRUSTED_HOSTS": '["127.0.0.1"]', "FLASK_SERVER_NAME": "127.0.0.1"}
# The API's rate limit (per client address, token and user) for tests that send a served project many requests from
# one client, by framework: far above what any of them sends, so that none is answered 429 (the default is 60 a
# minute).
LOAD_API_RATE = {"flask": "1000000 per minute", "django": "1000000/m"}


def readme_block(project: Project, heading: str) -> list[str]:
    """The command lines of the first console block under `## heading` in the project's README."""
    text = (project.path / "README.md").read_text()
    section = text.split(f"## {heading}\n", 1)[1]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    return block.strip().splitlines()


def production_env(project: Project, database_url: str, **extra: str) -> dict[str, str]:
    """The environment in which `project` runs with its production settings (debug off, fresh secrets, plain HTTP on
    loopback), its database at `database_url`, plus `extra`; the migrations applied there first, and for Django the
    static files collected, which its production settings serve from their manifest."""
    if project.answers["framework"] == "django":
        env = project_env(
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_DEBUG="false",
            DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
            DATABASE_URL=database_url,
            **extra,
        )
        project.uv_run("python", "manage.py", "collectstatic", "--no-input", env=env)
        project.uv_run("python", "manage.py", "migrate", "--no-input", env=env)
    else:
        env = project_env(
            FLASK_SECRET_KEY=secrets.token_urlsafe(50),
            FLASK_SECURITY_PASSWORD_SALT=secrets.token_urlsafe(32),
            FLASK_DEBUG="false",
            **FLASK_LOOPBACK_HOSTS,
            DATABASE_URL=database_url,
            **extra,
        )
        project.uv_run("flask", "--app", "shop", "db", "upgrade", env=env)
    return env
