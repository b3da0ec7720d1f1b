"""Generated apps driven by a real browser: Debian's Chromium through Playwright, against gunicorn on loopback.

Each case generates the project, installs it, creates a fresh database with its migrations, creates an admin with
the project's own documented command, and serves it under gunicorn in production-like settings (DEBUG off, static
files served by the app as in production). Only the Secure flag on cookies is relaxed, through the documented
variable, because loopback speaks plain HTTP.

On failure, a screenshot and the page's HTML are saved under test-artifacts/<test name>/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import TEMPLATE_ROOT, Project, answer_sets, project_env

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path(os.environ.get("CROSSROADS_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = TEMPLATE_ROOT / "test-artifacts"
# Flags from the machine's notes: without the background-networking ones, Chromium floods the closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery staple 42"
USER_EMAIL = "member@example.com"
USER_PASSWORD = "another long passphrase 77"
HEADER_GREEN = "rgb(11, 110, 79)"  # partials/style.css: .site-header { background: var(--accent) } = #0b6e4f


@dataclass(frozen=True)
class Flavour:
    """Where things are in one generated flavour, and how to prepare it. Paths are relative to the site root."""

    answer_set: str
    login: str
    signup: str
    admin: str
    admin_notes: str
    email_field: str
    password_field: str
    login_error: str  # text shown for a wrong password


FLAVOURS = {
    "django": Flavour(
        answer_set="django",
        login="/accounts/login/",
        signup="/accounts/signup/",
        admin="/admin/",
        admin_notes="/admin/notes/note/",
        email_field="input[name=username]",
        password_field="input[name=password]",
        login_error="enter a correct",
    ),
    "flask-all": Flavour(
        answer_set="flask-all",
        login="/login",
        signup="/register",
        admin="/admin/",
        admin_notes="/admin/note/",
        email_field="input[name=email]",
        password_field="input[name=password]",
        login_error="Invalid password",
    ),
}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium from Debian's package, with a fresh profile; closed at the end of the session."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    """A new browser context and page; on failure its screenshot and HTML go to test-artifacts/."""
    context = browser.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "page.png"), full_page=True)
        (folder / "page.html").write_text(page.content())
    context.close()


def serve(project: Project, env: dict[str, str], target: str) -> tuple[subprocess.Popen, str]:
    """Start the project's gunicorn with its own config on a free loopback port; return (process, base URL)."""
    port = free_port()
    server = subprocess.Popen(
        ["uv", "run", "--quiet", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", target],
        cwd=project.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2):
                return server, base
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise AssertionError(f"gunicorn did not serve {base}/health:\n{server.communicate()[0]}") from None
            time.sleep(0.3)
