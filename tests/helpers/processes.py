"""Processes that a test starts and stops, on free loopback ports."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(server: subprocess.Popen, port: int, timeout: float = 120, log: Path | None = None) -> None:
    """Wait until `server` answers GET http://127.0.0.1:`port`/health with 200 and `{"status": "ok"}`.

    Raises AssertionError with the server's output (the file `log`, else its stdout, text) when it exits first or
    does not answer within `timeout` seconds; the server is killed then.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                assert response.status == 200
                assert json.loads(response.read()) == {"status": "ok"}
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                output = server.communicate()[0]
                if log is not None:
                    output = log.read_text()
                raise AssertionError(f"{server.args} did not serve /health:\n{output}") from None
            time.sleep(0.3)


class LoggedProcess:
    """A process started by a test, in a session of its own, its output in the file `log` (a pipe nobody reads would
    fill up and block it). `stop()` ends it gracefully, `kill()` at once, each with every child it started (uv run
    starts the real server as a child); both wait for it."""

    def __init__(self, command: list[str], log: Path, cwd: Path | None = None, env: dict[str, str] | None = None):
        self.log = log
        with log.open("a") as output:
            self.process = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def running(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text()

    def wait_for_output(self, text: str, timeout: float = 60) -> None:
        """Wait until `text` is in the log. Raises AssertionError with the log when the process exits first or
        `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if not self.running() or time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"{self.process.args} did not log {text!r}:\n{self.output()}")
            time.sleep(0.2)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)  # the session this object started: the process and its children
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, as `docker stop` sends; SIGKILL after `timeout` seconds."""
        if self.running():
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._signal_group(signal.SIGKILL)  # children that outlived their parent

    def kill(self) -> None:
        """SIGKILL, as a machine that fails."""
        self._signal_group(signal.SIGKILL)
        self.process.wait()


def wait_until(condition, timeout: float, interval: float = 0.5):
    """Call `condition()` every `interval` seconds until it returns a true value, for at most `timeout` seconds;
    return that value, or the last false one."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
