"""After-update check: say what `copier update` left to do, and fail while it left conflicts.

Copier runs this as the last `_migrations` entry of copier.yml, which has no version, so it runs on every update,
once, in the project, after the team's edits were merged into the new template version. (Copier 9.19 runs `_tasks`
on update before that merge, and in its temporary old and new renderings too: no task could see a conflict.)
It is not copied into the project. It reports, in this order:
- every file with the inline conflict markers Copier writes (`<<<<<<< before updating` ... `>>>>>>> after updating`),
  every file git records as unmerged, and every `.rej` file, then how to resolve and check them; the exit status is
  1 while there is any, so that a script or CI running the update notices;
- the variables that `.env.example` lists and the git-ignored `.env` lacks: appended to `.env`, secrets freshly
  generated and DEBUG on, exactly as the post-copy task writes `.env` at copy, each with its own comment (the
  comment lines right above it); a value already in `.env` is never changed, and variables the template no longer
  lists are named but left in place;
- the Python and framework versions that pyproject.toml moved to, and the `### Upgrading from X.Y.Z` notes of the
  template's CHANGELOG.md that apply to a project coming from `--version-from`;
- `uv lock` when `pyproject.toml` changed; the migrations to apply when the update brought some; when a revision or
  migration of the team's and one of the template's now follow the same parent, the exact command that joins them
  before anything is applied: for Flask, `flask db merge heads` (the Alembic revisions have more than one head);
  for Django, `makemigrations --merge` (an app's migrations have more than one leaf node, and `migrate` would
  stop at "Conflicting migrations detected"); when the update switched the `database` answer, the commands that
  create the new database, and where the old data stays;
- the files the update added, which git does not track until `git add -A`, the last step it prints (`git diff HEAD`
  and `git commit -a` leave untracked files out). It prints the command and does not stage them itself: the printed
  commands write more (uv.lock, a merge migration), and a file staged with its conflicts unresolved no longer shows
  them to `git diff`.
The commands it prints (lock, migrate, merge the migrations) are those of the template's decision/facts.yml, and the
values it gives new variables are its `development` values, as at copy.

Usage: after_update.py --framework {flask,django} --slug NAME [--version-to REF] [--version-from PEP440]
                       [--answers-file NAME]
Exit status: 0 when the update left no conflict, 1 when it did (everything else is reported either way).
"""

import argparse
import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from packaging.version import InvalidVersion, Version
from post_copy import (
    CHANGELOG,
    DEVELOPMENT,
    FACTS,
    RANDOM,
    development_env,
    development_line,
    release_note,
    variable_name,
)

CONFLICT_MARKER = re.compile(r"^(<{7} before updating|>{7} after updating)$", re.MULTILINE)
# Per framework, the commands of decision/facts.yml: {framework: [{step, command, when, ...}, ...]}.
COMMANDS = yaml.safe_load(FACTS.read_text())["commands"]
# Where each flavour keeps its SQLite database when DATABASE_URL is unset (Django's settings, Flask's extensions.py).
SQLITE_FILES = {"flask": "instance/app.sqlite3", "django": "db.sqlite3"}
# Revision and model files the update may bring: Alembic's versions folder, or a Django app's migrations package.
MIGRATION_FILES = {"flask": re.compile(r"^migrations/versions/[^/]+\.py$"), "django": re.compile(r"/migrations/\d")}


def command(framework: str, step: str, slug: str) -> str:
    """The command of decision/facts.yml for `step` (lock, migrate, merge_migrations, ...) of `framework`, with the
    package name `slug` in it. Raises KeyError when the facts have no such step."""
    found = [entry["command"] for entry in COMMANDS[framework] if entry["step"] == step]
    if not found:
        raise KeyError(f"decision/facts.yml: no {step} command for {framework}")
    return found[0].replace("{project_slug}", slug)


def git_lines(project: Path, command: str, *args: str) -> list[str]:
    """The NUL-separated output of `git COMMAND -z ARGS` in `project`, as a list; empty when git fails."""
    result = subprocess.run(["git", command, "-z", *args], cwd=project, capture_output=True, text=True, check=False)
    return [line for line in result.stdout.split("\0") if line] if result.returncode == 0 else []


def changed_files(project: Path) -> list[str]:
    """The files the update changed or added. Copier updates only a clean work tree, so that is every file that
    differs from the last commit, plus the untracked files that are not ignored."""
    changed = git_lines(project, "diff", "--name-only", "HEAD", "--")
    return sorted(set(changed) | set(git_lines(project, "ls-files", "--others", "--exclude-standard")))


def conflicted_files(project: Path, changed: list[str]) -> list[str]:
    """The changed files with Copier's inline conflict markers or unmerged in git's index, and the `.rej` files
    (ignored ones included: Copier writes them whatever `.gitignore` says)."""
    found = set(git_lines(project, "diff", "--name-only", "--diff-filter=U"))
    for name in changed:
        path = project / name
        try:
            if path.is_file() and CONFLICT_MARKER.search(path.read_text(errors="replace")):
                found.add(name)
        except OSError:
            continue
    ignored = git_lines(project, "ls-files", "--others", "--ignored", "--exclude-standard", "--directory")
    found |= {name for name in [*changed, *ignored] if name.endswith(".rej")}
    return sorted(found)


def add_missing_variables(project: Path) -> list[str]:
    """Append to `.env` each variable of `.env.example` that it lacks, as the post-copy task would write it.

    Returns the report's lines. `.env` is written from scratch (mode 0600) when it is missing, as at copy.
    """
    example, env = project / ".env.example", project / ".env"
    if not example.is_file():
        return []
    example_text = example.read_text()
    if CONFLICT_MARKER.search(example_text):
        return [".env: not checked, because .env.example has conflict markers; resolve them, then run the update again"]
    if not env.exists():
        env.write_text(development_env(example_text))
        env.chmod(0o600)
        return [".env: was missing, so it was written from .env.example with fresh secrets (git-ignored)"]
    env_text = env.read_text()
    present = {variable_name(line) for line in env_text.splitlines()} - {None}
    added, block, comments = [], [], []
    for line in example_text.splitlines():
        name = variable_name(line)
        if name is None:
            # The comment right above a variable says what it is for, and goes with it; a blank line or an optional
            # variable shown commented out (`# NAME=value`) ends the comment before it, which is not this one's.
            prose = line.startswith("#") and variable_name(line.lstrip("# ")) is None
            comments = [*comments, line] if prose else []
            continue
        if name not in present:
            added.append(name)
            block += [*comments, development_line(line)]
        comments = []
    report = []
    if added:
        separator = "" if env_text.endswith("\n") or not env_text else "\n"
        env.write_text(
            f"{env_text}{separator}\n# Added by copier update, from .env.example:\n" + "\n".join(block) + "\n"
        )
        secret = any(DEVELOPMENT.get(name) == RANDOM for name in added)
        fresh = ", with fresh secrets" if secret else ""
        report.append(f".env: added {', '.join(added)}{fresh}; no value already there was changed")
    else:
        report.append(".env: has every variable of .env.example; unchanged")
    listed = {variable_name(line) for line in example_text.splitlines()}
    unused = sorted(name for name in present - listed if name in old_example_variables(project))
    if unused:
        report.append(f".env: {', '.join(unused)} no longer in .env.example; left as they are, remove them when done")
    return report


def old_example_variables(project: Path) -> set[str]:
    """The variables that `.env.example` set in the project's last commit, before the update."""
    show = subprocess.run(
        ["git", "show", "HEAD:./.env.example"], cwd=project, capture_output=True, text=True, check=False
    )
    return {variable_name(line) for line in show.stdout.splitlines()} - {None}


def alembic_heads(versions: Path) -> list[str]:
    """The head revisions of the Alembic scripts in `versions`: those no other script names as a parent.

    Reads `revision` and `down_revision` from each script's source with `ast`, because Copier's Python has no
    Alembic, and the project's environment may be out of date until `uv sync`. Unparsable files are skipped.
    """
    revisions, parents = set(), set()
    for script in versions.glob("*.py"):
        values = literal_assignments(script, {"revision", "down_revision"})
        if isinstance(values.get("revision"), str):
            revisions.add(values["revision"])
            down = values.get("down_revision")
            parents.update([down] if isinstance(down, str) else down or ())
    return sorted(revisions - parents)


def django_app_label(migrations: Path) -> str:
    """The label of the Django app whose migrations package is `migrations`: `label = "..."` in its apps.py, else
    the app folder's name (Django's default, the last part of the app's module path)."""
    apps = migrations.parent / "apps.py"
    found = re.search(r"^\s+label\s*=\s*[\"']([\w]+)[\"']", apps.read_text(), re.MULTILINE) if apps.is_file() else None
    return found[1] if found else migrations.parent.name


def django_leaf_nodes(project: Path) -> dict[str, list[str]]:
    """The apps whose migrations have more than one leaf node, each with its leaves, sorted: the conflicts that
    Django's MigrationLoader.detect_conflicts() finds and `makemigrations --merge` joins.

    A leaf is a migration that no migration of the same app depends on (`dependencies`, or its own `run_before`);
    migrations that a squashed one `replaces` count as that one. Read with `ast`, as alembic_heads() reads Alembic's
    scripts; every `migrations` package (a folder with `__init__.py`) outside `.venv` is an app's.
    """
    conflicts = {}
    for package in sorted(project.rglob("migrations/__init__.py")):
        folder = package.parent
        if ".venv" in folder.relative_to(project).parts:
            continue
        label = django_app_label(folder)
        nodes, parents, replaced = set(), set(), set()
        for script in folder.glob("*.py"):
            if script.name.startswith(("_", "~")):
                continue
            nodes.add(script.stem)
            values = literal_assignments(script, {"dependencies", "run_before", "replaces"}, scope="Migration")
            for app, name in (pair for pair in values.get("dependencies") or () if len(pair) == 2):
                if app == label:
                    parents.add(name)
            for app, name in (pair for pair in values.get("run_before") or () if len(pair) == 2):
                if app == label:
                    parents.add(script.stem)
            replaced |= {name for app, name in values.get("replaces") or () if app == label}
        leaves = sorted(nodes - parents - replaced)
        if len(leaves) > 1:
            conflicts[label] = leaves
    return conflicts


def literal_assignments(script: Path, names: set[str], scope: str | None = None) -> dict[str, object]:
    """The literal values assigned to `names` at the top of `script`, or in its class `scope`, read with `ast`.

    A value that is not a literal as a whole (a list with a call in it, say) keeps its literal items: Django's
    `dependencies` often hold `migrations.swappable_dependency(...)` beside plain tuples. Returns {} for a file that
    does not parse.
    """
    try:
        body = ast.parse(script.read_text()).body
    except (SyntaxError, ValueError, OSError):
        return {}
    if scope is not None:
        classes = [node for node in body if isinstance(node, ast.ClassDef) and node.name == scope]
        body = classes[0].body if classes else []
    values: dict[str, object] = {}
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not (isinstance(target, ast.Name) and target.id in names):
            continue
        try:
            values[target.id] = ast.literal_eval(value)
        except ValueError:
            if isinstance(value, (ast.List, ast.Tuple)):
                items = []
                for item in value.elts:
                    try:
                        items.append(ast.literal_eval(item))
                    except ValueError:
                        continue
                values[target.id] = items
    return values


def database_switch(project: Path, answers_file: str) -> tuple[str, str] | None:
    """(before, after) when the update changed the `database` answer (sqlite, postgresql), else None: the answers
    file in the last commit against the one the update wrote."""
    show = subprocess.run(
        ["git", "show", f"HEAD:./{answers_file}"], cwd=project, capture_output=True, text=True, check=False
    )
    try:
        before = (yaml.safe_load(show.stdout) or {}).get("database") if show.returncode == 0 else None
        after = (yaml.safe_load((project / answers_file).read_text()) or {}).get("database")
    except (yaml.YAMLError, OSError, AttributeError):
        return None
    return (before, after) if before and after and before != after else None


def env_value(project: Path, name: str) -> str | None:
    """The value `.env` sets for variable `name` (the last line that sets it), or None."""
    env = project / ".env"
    lines = env.read_text().splitlines() if env.is_file() else []
    values = [line.partition("=")[2].strip() for line in lines if variable_name(line) == name]
    return values[-1] if values else None


def create_database_command(url: str | None) -> str | None:
    """The commands that create the role and the database a `postgresql://user:password@host:port/name` URL names,
    run as a superuser of that server; None for any other URL."""
    if not url:
        return None
    parts = urlsplit(url)
    name, user = parts.path.lstrip("/"), unquote(parts.username or "")
    if not parts.scheme.startswith("postgres") or not name or not user:
        return None
    server = f" --host={parts.hostname}" if parts.hostname else ""
    server += f" --port={parts.port}" if parts.port else ""
    password = unquote(parts.password or "").replace("'", "''")
    role = f"CREATE ROLE {user} LOGIN" + (f" PASSWORD '{password}'" if password else "")
    return f'psql{server} --dbname=postgres --command="{role}" && createdb{server} --owner={user} {name}'


def database_steps(project: Path, framework: str, switch: tuple[str, str]) -> tuple[list[tuple[str, str]], list[str]]:
    """For an update that switched the database: the steps that finish the switch, as (why, command), and the lines
    that say where the old data stays and how to move it."""
    before, after = switch
    sqlite = SQLITE_FILES[framework]
    if after != "postgresql":
        note = (
            f"The database is now {after}: delete the DATABASE_URL line from .env, which still names the {before}"
            f" one (unset, the app uses {sqlite}). The {before} data stays there; nothing copies it."
        )
        return [], [note]
    url = env_value(project, "DATABASE_URL")
    shown = re.sub(r":[^:@/]*@", ":***@", url or "")  # the password, masked
    command = create_database_command(url)
    steps = []
    if command:
        why = (
            f"the database is now PostgreSQL, as DATABASE_URL in .env says ({shown}): create that role and database"
            " (as the server's superuser), or set DATABASE_URL in .env to a database of yours"
        )
        steps.append((why, command))
    notes = [f"Your SQLite data stays behind in {sqlite}: the new database starts empty, and nothing copies it."]
    if framework == "django":
        notes += [
            "To move it, after `migrate`: dump it from SQLite, then load it into PostgreSQL:",
            (
                f"    DATABASE_URL=sqlite:///{sqlite} uv run python manage.py dumpdata --natural-foreign"
                " --natural-primary --exclude=contenttypes --exclude=auth.permission --output=sqlite-data.json"
            ),
            "    uv run python manage.py loaddata sqlite-data.json && rm sqlite-data.json",
        ]
    return steps, notes


def next_steps(
    project: Path, framework: str, slug: str, changed: list[str], switch: tuple[str, str] | None = None
) -> list[tuple[str, str]]:
    """The commands the update needs besides resolving conflicts, in order, each as (why, command)."""
    steps = []
    if "pyproject.toml" in changed:
        why = "pyproject.toml changed: bring uv.lock and the environment up to date"
        steps.append((why, command(framework, "lock", slug)))
    if switch:
        steps += database_steps(project, framework, switch)[0]
    if framework == "flask" and (project / "migrations" / "versions").is_dir():
        heads = alembic_heads(project / "migrations" / "versions")
        if len(heads) > 1:
            why = f"{len(heads)} Alembic heads ({', '.join(heads)}): join them in a revision, and commit it"
            steps.append((why, command(framework, "merge_migrations", slug)))
    leaves = django_leaf_nodes(project) if framework == "django" else {}
    if leaves:
        apps = "; ".join(f"{app}: {', '.join(names)}" for app, names in leaves.items())
        why = f"conflicting migrations, more than one leaf ({apps}): join them in a merge migration, and commit it"
        steps.append((why, command(framework, "merge_migrations", slug)))
    if switch:
        why = "the new database is empty: apply every migration there"
        steps.append((why, command(framework, "migrate", slug)))
    elif leaves or any(MIGRATION_FILES[framework].search(name) for name in changed):
        steps.append(("the update brought migrations: apply them", command(framework, "migrate", slug)))
    return steps


def pyproject_versions(text: str, framework: str) -> tuple[str, str] | None:
    """(requires-python, the framework's requirement) from the text of a pyproject.toml; None when it does not parse
    (conflict markers, say). Either is "" when the file has none."""
    try:
        project = tomllib.loads(text).get("project", {})
    except tomllib.TOMLDecodeError:
        return None
    pattern = re.compile(rf"^{framework}\s*(\[[^\]]*\])?\s*(?P<spec>[<>=!~].*)?$", re.IGNORECASE)
    found = [match["spec"] or "any" for item in project.get("dependencies", []) if (match := pattern.match(item))]
    return str(project.get("requires-python", "")), ", ".join(found)


def version_changes(project: Path, framework: str) -> list[str]:
    """Lines that name the Python and framework versions the update moved the project to, from `requires-python`
    and the framework's requirement in pyproject.toml, in the last commit and as the update left it."""
    show = subprocess.run(
        ["git", "show", "HEAD:./pyproject.toml"], cwd=project, capture_output=True, text=True, check=False
    )
    path = project / "pyproject.toml"
    if show.returncode != 0 or not path.is_file():
        return []
    before, after = pyproject_versions(show.stdout, framework), pyproject_versions(path.read_text(), framework)
    if not before or not after:
        return []
    lines = []
    if before[0] != after[0] and after[0]:
        lines.append(
            f"Python: the project now needs {after[0]} (was {before[0] or 'unset'}): use such a Python wherever it"
            " runs (your machine, CI, the image); `uv sync` picks one."
        )
    if before[1] != after[1] and after[1]:
        label = framework.capitalize()
        lines.append(
            f"{label}: now {after[1]} (was {before[1] or 'unset'}): read {label}'s release notes for the versions"
            " between, for what your own code must change."
        )
    return lines


def upgrade_notes(version_from: str, changelog: Path = CHANGELOG) -> list[str]:
    """The template's notes for a project that comes from `version_from` (a PEP 440 version): every
    `### Upgrading from X.Y.Z` subsection of CHANGELOG.md in [Unreleased] or in a release after `version_from`, where
    `version_from` is X.Y.Z or older. Returns each subsection's heading, as `[section] Upgrading from X.Y.Z:`, then
    its lines; [] when there is none, or `version_from` is no version."""
    try:
        start = Version(version_from)
    except InvalidVersion:
        return []
    if not changelog.is_file():
        return []
    section, notes, applies = "", [], False
    for line in changelog.read_text().splitlines():
        if line.startswith("## "):
            release = re.match(r"## \[(?P<name>[^\]]+)\]", line)
            name = release["name"] if release else ""
            if name != "Unreleased" and (not name or not re.fullmatch(r"\d+(\.\d+)*", name) or Version(name) <= start):
                break  # the project has this release already, and every older one
            section, applies = name, False
        elif line.startswith("### "):
            heading = re.fullmatch(r"### Upgrading from v?(?P<version>\d+(\.\d+)*)", line.strip())
            applies = bool(section and heading and start <= Version(heading["version"]))
            if applies:
                notes.append(f"[{section}] {line.removeprefix('### ')}:")
        elif applies and line.strip():
            notes.append(line)
    return notes


def print_list(heading: str, lines: list[str]) -> None:
    """Print `heading` indented two spaces, then each of `lines` indented four."""
    print(f"  {heading}")
    print("".join(f"    {line}\n" for line in lines), end="")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=sorted(COMMANDS), required=True)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--version-to", default="", help="the template version updated to (Copier's _commit)")
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument(
        "--version-from", default="", help="the version updated from, PEP 440 (Copier's _version_pep440_from)"
    )
    args = parser.parse_args(argv)

    project = Path.cwd()
    changed = changed_files(project)
    conflicts = conflicted_files(project, changed)
    print("\nAfter-update check" + (f": updated to {release_note(args.version_to)}" if args.version_to else ""))
    if conflicts:
        print_list(f"The update left {len(conflicts)} file(s) with conflicts:", conflicts)
        print(
            "  In each, keep the right lines between `<<<<<<< before updating` (yours) and `>>>>>>> after updating`"
            " (the template's) and delete the markers; for a .rej file, apply its hunks by hand and delete it.\n"
            "  Then check that none is left: `git diff --check HEAD` prints nothing (before or after `git add`)."
        )
    else:
        print("  No conflicts: every edit of yours merged cleanly.")
    for line in add_missing_variables(project):
        print(f"  {line}")
    for line in version_changes(project, args.framework):
        print(f"  {line}")
    notes = upgrade_notes(args.version_from)
    if notes:
        print_list("Upgrade notes for this project, from the template's CHANGELOG.md:", notes)
    switch = database_switch(project, args.answers_file)
    steps = next_steps(project, args.framework, args.slug, changed, switch)
    if steps:
        print_list("Then run, in this order:", [f"# {why}\n    {command}" for why, command in steps])
    if switch:
        print("".join(f"  {line}\n" for line in database_steps(project, args.framework, switch)[1]), end="")
    added = git_lines(project, "ls-files", "--others", "--exclude-standard")
    if added:
        print_list(f"The update added {len(added)} file(s) that git does not track yet:", added)
    print(
        "  Then stage everything, these new files and those the commands above write included, with `git add -A`;"
        " review with `git diff --cached`, run the tests, and commit."
    )
    return 1 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main())
