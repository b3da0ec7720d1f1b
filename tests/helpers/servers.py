"""A generated project served (gunicorn), its Celery worker, and the servers around it (Redis, HAProxy).
PostgreSQL is in postgres.py."""

from __future__ import annotations

import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .processes import LoggedProcess, free_port, wait_for_health
from .project import Project


class Server:
    """`uv run gunicorn` on a free loopback port, its output in a file (a pipe nobody reads would fill up)."""

    def __init__(self, project: Project, env: dict[str, str], log: Path):
        self.port = free_port()
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen(
                ["uv", "run", "--quiet", "gunicorn"],
                cwd=project.path,
                env={**env, "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{self.port}"},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_for_health(self.process, self.port, timeout=120, log=log)

    def stop(self) -> str:
        """Stop gracefully; return everything it logged."""
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.log.read_text()


@contextmanager
def serving(project: Project, env: dict[str, str], log: Path) -> Iterator[Server]:
    server = Server(project, env, log)
    try:
        yield server
    finally:
        server.stop()


def start_gunicorn(project: Project, env: dict[str, str], log: Path, *arguments: str) -> tuple[LoggedProcess, int]:
    """Start `project`'s gunicorn, as its gunicorn.conf.py sets it up, with `env` and `arguments` (say
    `--pythonpath DIR module:app`), 2 workers on a free loopback port and its metrics (when on) on another, not
    the default 9000, unless `env` names it. Return it and its port once it serves /health."""
    port = free_port()
    web = LoggedProcess(
        ["uv", "run", "--quiet", "gunicorn", *arguments],
        log,
        cwd=project.path,
        env={
            "METRICS_PORT": str(free_port()),
            **env,
            "WEB_CONCURRENCY": "2",
            "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
        },
    )
    wait_for_health(web.process, port, log=log)
    return web, port


# Each framework's `celery --app`.
CELERY_APPS = {"django": "config.celery_app", "flask": "make_celery"}


def start_celery_worker(project: Project, env: dict[str, str], log: Path, *options: str) -> LoggedProcess:
    """Start `project`'s Celery worker with `env` and `options` (say `--pool solo`); return it once it is ready."""
    app = CELERY_APPS[project.answers["framework"]]
    worker = LoggedProcess(
        ["uv", "run", "--quiet", "celery", "--app", app, "worker", "--without-mingle", "--without-gossip", *options],
        log,
        cwd=project.path,
        env=env,
    )
    worker.wait_for_output(" ready.", timeout=90)
    return worker


def redis_server(log: Path, port: int | None = None) -> tuple[LoggedProcess, str]:
    """Debian's redis-server on loopback `port` (default: a free one), nothing saved to disk; return it and its URL
    (database 0). Raises AssertionError when it does not start."""
    port = port or free_port()
    server = LoggedProcess(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], log
    )
    server.wait_for_output("Ready to accept connections", timeout=60)
    return server, f"redis://127.0.0.1:{port}/0"


def haproxy_round_robin(backends: list[int], folder: Path, health_path: str = "/health") -> tuple[LoggedProcess, int]:
    """HAProxy on a free loopback port, round-robin over the loopback ports `backends` (servers s0, s1, ...), each
    checked on `health_path` every 500 ms and taken out at the first failure. A request whose connection is refused
    goes to another server; each response names its server in `X-Served-By`. Writes `folder`/haproxy.cfg; returns
    the process and its port. Raises AssertionError when it does not start."""
    port = free_port()
    servers = "\n".join(
        f"    server s{number} 127.0.0.1:{backend} check inter 500 fall 1 rise 2"
        for number, backend in enumerate(backends)
    )
    config = folder / "haproxy.cfg"
    config.write_text(
        f"""global
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1

frontend http
    bind 127.0.0.1:{port}
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri {health_path} hdr Host 127.0.0.1
    http-response set-header X-Served-By %s
{servers}
"""
    )
    proxy = LoggedProcess(["haproxy", "-db", "-f", str(config)], folder / "haproxy.log")
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{health_path}", timeout=2) as response:
                if response.status == 200:
                    return proxy, port
        except OSError:
            pass
        if not proxy.running() or time.monotonic() > deadline:
            proxy.kill()
            raise AssertionError(f"haproxy did not serve {health_path}:\n{proxy.output()}")
        time.sleep(0.3)
