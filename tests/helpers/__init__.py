"""Helpers for the template's tests, a module a concern; test modules import them from here (`from helpers import
X`), not from each other.

- template: where the template is, its Jinja rendered directly, checks of what it writes (no leftover syntax);
- answers: the named answer sets (ANSWER_SETS) and their pytest parameters;
- environment: a Python 3.12+ for generated projects (find_python, PROJECT_PYTHON), project_env, require;
- copying: Copier and git as a user runs them (copier_cli, copy_template, snapshot_template, git);
- project: a generated project (Project: .run, .sync, .uv_run) and its production settings (production_env);
- processes, servers, postgres: what a test starts and stops: LoggedProcess, gunicorn (serving, start_gunicorn),
  Celery, Redis, HAProxy, PostgreSQL (PostgresServer, private_postgres);
- web, sinks, browser: requests to a served project (Visitor, load, statuses_around), the SMTP and HTTP endpoints
  it sends to (MailSink, PostSink), and Chromium;
- decision: the decision module rendered as data (decide).
"""

from .answers import ANSWER_SETS, EVERY_EXTENSION, EVERY_OPTION, answer_sets
from .browser import CHROMIUM, CHROMIUM_ARGS, assert_docs_render_from_the_host_alone
from .copying import GIT_IDENTITY, copier_cli, copy_template, git, snapshot_template
from .decision import DECISION_NEUTRAL, DECISION_QUESTIONS, decide
from .environment import PROJECT_PYTHON, find_python, project_env, require
from .postgres import POSTGRES_URL_FILE, PostgresServer, private_postgres, psql_rows
from .processes import LoggedProcess, free_port, wait_for_health, wait_until
from .project import (
    FLASK_LOOPBACK_HOSTS,
    LOAD_API_RATE,
    Project,
    production_env,
    readme_block,
    sign_up_confirmation_link,
)
from .servers import (
    CELERY_APPS,
    Server,
    haproxy_round_robin,
    redis_server,
    serving,
    start_celery_worker,
    start_gunicorn,
)
from .sinks import MailSink, PostSink
from .template import (
    LEFTOVER,
    PRESETS,
    RUN_ARTIFACTS,
    TEMPLATE_JINJA,
    TEMPLATE_ROOT,
    TOOLS,
    assert_no_template_syntax,
    assert_pack_is_off,
    template_files,
)
from .web import Visitor, load, post_large_body, statuses_around

__all__ = [
    "ANSWER_SETS",
    "CELERY_APPS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "DECISION_NEUTRAL",
    "DECISION_QUESTIONS",
    "EVERY_EXTENSION",
    "EVERY_OPTION",
    "FLASK_LOOPBACK_HOSTS",
    "GIT_IDENTITY",
    "LEFTOVER",
    "LOAD_API_RATE",
    "POSTGRES_URL_FILE",
    "PRESETS",
    "PROJECT_PYTHON",
    "RUN_ARTIFACTS",
    "TEMPLATE_JINJA",
    "TEMPLATE_ROOT",
    "TOOLS",
    "LoggedProcess",
    "MailSink",
    "PostSink",
    "PostgresServer",
    "Project",
    "Server",
    "Visitor",
    "answer_sets",
    "assert_docs_render_from_the_host_alone",
    "assert_no_template_syntax",
    "assert_pack_is_off",
    "copier_cli",
    "copy_template",
    "decide",
    "find_python",
    "free_port",
    "git",
    "haproxy_round_robin",
    "load",
    "post_large_body",
    "private_postgres",
    "production_env",
    "project_env",
    "psql_rows",
    "readme_block",
    "redis_server",
    "require",
    "serving",
    "sign_up_confirmation_link",
    "snapshot_template",
    "start_celery_worker",
    "start_gunicorn",
    "statuses_around",
    "template_files",
    "wait_for_health",
    "wait_until",
]
