"""The static checks of a generated project, run by a Python environment that holds the dependencies of every
answer set of its framework (tests/test_answer_space.py builds it once per session).

    python project_check.py check {django,flask} SLUG     # in the project's folder; the report on stderr
    python project_check.py serve PROJECT                   # many projects, one JSON line each (see serve())

Checks, in order, each failure one line on stderr (exit status 1 when any failed, else 0):
- the environment satisfies every requirement in the project's pyproject.toml (dependencies and the dev group),
  so that running here proves what running in the project's own environment would;
- every third-party module a project file imports comes from a distribution the project requires (directly or
  through another requirement): the shared environment holds more than the project declares, and would hide a
  missing dependency;
- every module imports (migrations/env.py, which only Alembic runs, aside);
- Django: `manage.py check` and `makemigrations --check --dry-run`; Flask: `flask db upgrade` on a fresh SQLite
  file, then `flask db check`, and `flask routes` (where the project has a database; `flask routes` always).

The environment comes from `.env` (as the post-copy task writes it) under the variables already set, which win:
the caller points DATABASE_URL at a SQLite file.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import io
import json
import os
import re
import sys
import tempfile
import tomllib
import traceback
from contextlib import redirect_stderr, redirect_stdout
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path.cwd()  # the project checked: set by check()
SKIPPED = {".venv", ".git", "__pycache__", "node_modules"}
failures: list[str] = []


def fail(message: str) -> None:
    failures.append(message)


def python_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED & set(path.relative_to(ROOT).parts) and path.relative_to(ROOT).as_posix() != "migrations/env.py"
    )


def load_env() -> None:
    """`.env`'s variables, under the ones already set."""
    env = ROOT / ".env"
    if not env.is_file():
        return
    for line in env.read_text().splitlines():
        name, separator, value = line.partition("=")
        if separator and not line.startswith("#") and name.strip().isidentifier():
            os.environ.setdefault(name.strip(), value.strip().strip('"'))


def requirements() -> tuple[list[Requirement], list[Requirement]]:
    """The project's runtime requirements, and its dev group's."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = [Requirement(line) for line in pyproject["project"].get("dependencies", [])]
    dev = [Requirement(line) for line in pyproject.get("dependency-groups", {}).get("dev", [])]
    return runtime, dev


# The environment's distributions, read once (the server's forks inherit them): by normalised name, their version
# and requirements; and the distributions that provide each top-level module.
INSTALLED = {
    canonicalize_name(dist.metadata["Name"]): (dist.version, [Requirement(line) for line in dist.requires or []])
    for dist in metadata.distributions()
}
PROVIDERS = {
    name: {canonicalize_name(dist) for dist in dists} for name, dists in metadata.packages_distributions().items()
}


def closure(roots: list[Requirement]) -> set[str]:
    """The names of the distributions `roots` bring, with their extras, transitively; reports a requirement this
    environment does not satisfy."""
    seen: set[tuple[str, str]] = set()
    names: set[str] = set()
    pending = [(requirement, "") for requirement in roots]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        if name not in INSTALLED:
            fail(f"the shared environment lacks {requirement} (needed by this project)")
            continue
        version, requires = INSTALLED[name]
        if requirement.specifier and not requirement.specifier.contains(version, prereleases=True):
            fail(f"the shared environment has {name} {version}, which does not satisfy {requirement}")
        names.add(name)
        for wanted in ["", *sorted(requirement.extras)]:
            if (name, wanted) in seen:
                continue
            seen.add((name, wanted))
            pending += [(dependency, wanted) for dependency in requires]
    return names


def imported_top_levels(path: Path) -> set[str]:
    """The top-level names of the absolute imports in a file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def check_declared_imports() -> None:
    runtime, dev = requirements()
    runtime_names = closure(runtime)
    all_names = runtime_names | closure(dev)
    # The project's own modules: its packages, its top-level scripts, and the tests' conftest (pytest puts the
    # tests' folder on the path).
    local = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    local |= {path.stem for path in [*ROOT.glob("*.py"), *ROOT.glob("tests/*.py")]}
    for path in python_files():
        relative = path.relative_to(ROOT)
        # Application code must run with the runtime dependencies alone (the Dockerfile installs no dev group).
        allowed = all_names if relative.parts[0] == "tests" else runtime_names
        for name in sorted(imported_top_levels(path) - local - set(sys.stdlib_module_names)):
            dists = PROVIDERS.get(name, set())
            if not dists & allowed:
                fail(f"{relative} imports {name} ({', '.join(sorted(dists)) or 'not installed'}), not required")


def module_name(path: Path) -> str | None:
    """The dotted name of a file inside a package folder (one with __init__.py), else None."""
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if len(parts) == 1:
        return None
    for depth in range(1, len(parts)):
        if not (ROOT.joinpath(*parts[:depth]) / "__init__.py").is_file():
            return None
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_every_module() -> None:
    for path in python_files():
        relative = path.relative_to(ROOT)
        try:
            name = module_name(path)
            if name:
                importlib.import_module(name)
            else:  # a script or a test module: loaded under a name of its own
                spec = importlib.util.spec_from_file_location(
                    "checked_" + re.sub(r"\W", "_", relative.as_posix()), path
                )
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
        except BaseException:  # noqa: BLE001 - every failure is reported, SystemExit included
            fail(f"{relative} does not import:\n{traceback.format_exc()}")


def check_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    import_every_module()
    for command, options in (
        ("check", {"fail_level": "WARNING"}),
        ("makemigrations", {"check": True, "dry_run": True, "interactive": False}),
    ):
        output = io.StringIO()
        try:
            with redirect_stdout(output), redirect_stderr(output):
                call_command(command, **options)
        except BaseException:  # noqa: BLE001 - a failed check raises SystemExit or CommandError
            fail(f"manage.py {command} failed:\n{output.getvalue()}{traceback.format_exc()}")


def check_flask(slug: str) -> None:
    from flask.cli import FlaskGroup

    import_every_module()
    app = importlib.import_module(slug).create_app()
    # The `flask` command on this app: its built-in commands (routes) and the app's own (db).
    runner, flask = app.test_cli_runner(), FlaskGroup(load_dotenv=False)
    commands = [["routes"]]
    if (ROOT / "migrations").is_dir():
        # `db check` exits 1 when the models differ from the migrations.
        commands = [["db", "upgrade"], ["db", "check"], *commands]
    for args in commands:
        result = runner.invoke(flask, args=args)
        if result.exit_code != 0:
            error = "".join(traceback.format_exception(result.exception)) if result.exception else ""
            fail(f"flask {' '.join(args)} exited {result.exit_code}:\n{result.output}{error}")


def check(folder: Path, framework: str, slug: str) -> int:
    """Check the project in `folder`; print each failure on stderr; return 1 when any, else 0."""
    global ROOT
    ROOT = folder.resolve()
    os.chdir(ROOT)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    load_env()
    check_declared_imports()
    if framework == "django":
        check_django()
    else:
        check_flask(slug)
    for message in failures:
        print(message, file=sys.stderr)
    return 1 if failures else 0


def preload(project: Path) -> None:
    """Import the modules from other distributions that `project`'s files import, as far as they import without
    the project (a Django module that needs settings does not): every check forked afterwards finds them loaded."""
    global ROOT
    ROOT = project.resolve()
    local = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    local |= {path.stem for path in [*ROOT.glob("*.py"), *ROOT.glob("tests/*.py")]}
    names = set()
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    for name in sorted(names):
        if name.split(".")[0] not in local:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001, S112 - it imports in the check, with the project's settings
                continue


def serve(project: Path) -> None:
    """Preload `project`'s imports, then for each JSON line on stdin, {"folder", "framework", "slug", "env"},
    fork a process that sets `env`, checks the project in `folder` and exits; answer one JSON line on stdout,
    {"status": exit status, "output": what it printed, "cpu": its CPU time in seconds}. Ends at the end of stdin."""
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the imports print must not mix with the answers
    preload(project)
    for line in sys.stdin:
        request = json.loads(line)
        with tempfile.TemporaryFile() as output:
            pid = os.fork()
            if pid == 0:  # the check, in a copy of this process
                os.dup2(output.fileno(), 1)
                os.dup2(output.fileno(), 2)
                status = 1
                try:
                    os.environ.update(request["env"])
                    status = check(Path(request["folder"]), request["framework"], request["slug"])
                except BaseException:  # noqa: BLE001 - reported, whatever it is
                    traceback.print_exc()
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(status)
            _, wait_status, usage = os.wait4(pid, 0)
            output.seek(0)
            text = output.read().decode(errors="replace")
        cpu = usage.ru_utime + usage.ru_stime
        answers.write(json.dumps({"status": os.waitstatus_to_exitcode(wait_status), "output": text, "cpu": cpu}) + "\n")
        answers.flush()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(Path(sys.argv[2]))
    else:
        sys.exit(check(Path.cwd(), *sys.argv[2:4]))
