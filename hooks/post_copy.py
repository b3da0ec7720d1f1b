"""Post-copy task: write the project's development `.env`, then put the project under git.

Copier runs this once, in the new project's folder, after `copier copy` (never on `copier update`, so that the
team's secrets are never replaced). It is not copied into the project.

`.env` is derived from the generated `.env.example`, which lists the project's variables for its answers, and the
`development` values of the template's decision/facts.yml, read with PyYAML (Copier's Python has it):
- every variable whose development value is "{random}" (the secrets the app needs: secret key, password salt, ...)
  gets a fresh random value from `secrets.token_urlsafe` (50 bytes, about 67 characters);
- every other variable with a development value gets it (the debug switch: on, because `.env` is for development);
- everything else, comments included, is kept as it is.

`copier update` needs the project in git, so when the folder is not inside a git work tree already, this runs
`git init` and, when a git identity is configured, commits the generated files (`.env` is git-ignored). Without an
identity it says how to make that commit. A git problem is reported, never fatal: Copier would delete the new
project if this task failed.

It also warns when the template was given as a relative path: Copier records that path in `.copier-answers.yml`,
and `copier update`, run from inside the project, would resolve it from there and not find the template.

The next steps are Copier's message after copy (copier.yml), printed after this task: the commands of
decision/facts.yml for the answers given.

Usage: post_copy.py --src-path TEMPLATE [--template-version REF]
Exit status: 0, or 1 with a message when `.env.example` is missing. An existing `.env` is never overwritten.
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

# The template's CHANGELOG.md and facts: Copier runs this file from its checkout of the template version it renders.
CHANGELOG = Path(__file__).resolve().parent.parent / "CHANGELOG.md"
FACTS = Path(__file__).resolve().parent.parent / "decision" / "facts.yml"
# The development value that stands for a fresh random secret.
RANDOM = "{random}"


def development_values(facts: Path = FACTS) -> dict[str, str]:
    """{variable name: its `development` value} for every variable of decision/facts.yml that has one, whatever the
    framework and answers: the value .env gets at copy ("{random}" for a fresh secret)."""
    variables = yaml.safe_load(facts.read_text())["variables"]
    return {entry["name"]: str(entry["development"]) for entry in variables if "development" in entry}


DEVELOPMENT = development_values()
# How Copier spells a template that is not a local path: a URL, an SSH address, or a gh:/gl: shortcut.
REMOTE_PREFIXES = ("gh:", "gl:", "git@", "git+")


def variable_name(line: str) -> str | None:
    """The variable that a line of an env file sets (`NAME=value`), or None for a comment or any other line."""
    name, separator, _ = line.partition("=")
    name = name.strip()
    return name if separator and name.isidentifier() and not line.startswith("#") else None


def development_line(line: str) -> str:
    """The line of a development `.env` for a line of `.env.example`: the variable's development value from
    decision/facts.yml (a fresh secret for "{random}"), else the line as it is."""
    name = variable_name(line)
    if name not in DEVELOPMENT:
        return line
    value = DEVELOPMENT[name]
    return f"{name}={secrets.token_urlsafe(50) if value == RANDOM else value}"


def development_env(example: str) -> str:
    """Return the text of a development `.env` made from the text of `.env.example`."""
    return "\n".join(development_line(line) for line in example.splitlines()) + "\n"


def release_note(ref: str, changelog: Path = CHANGELOG) -> str:
    """Name the template version `ref` (Copier's `_commit`: a tag, or a commit when the repository has no tags)
    and the section of the template's CHANGELOG.md that describes it, for a person who has no tags to look at.

    The section is the latest `## [X.Y.Z] - date` heading, or `[Unreleased]` after it when that has entries and
    `ref` is not the release's own tag `vX.Y.Z`.
    """
    if not changelog.is_file():
        return f"crossroads {ref}"
    headings = list(re.finditer(r"^## \[(?P<name>[^\]]+)\].*$", changelog.read_text(), re.MULTILINE))
    releases = [heading for heading in headings if heading["name"] != "Unreleased"]
    if not releases:
        return f"crossroads {ref}; CHANGELOG.md has no release yet, read its [Unreleased] section"
    latest = releases[0]
    unreleased = next((heading for heading in headings if heading["name"] == "Unreleased"), None)
    pending = unreleased and changelog.read_text()[unreleased.end() : latest.start()].strip()
    if pending and ref != f"v{latest['name']}":
        return f"crossroads {ref}; CHANGELOG.md: [Unreleased], after {latest[0].removeprefix('## ')}"
    return f"crossroads {ref}; CHANGELOG.md: {latest[0].removeprefix('## ')}"


def is_relative_local_path(src_path: str) -> bool:
    """True when `src_path` is a local template path that is not absolute (`~` counts as absolute)."""
    if "://" in src_path or src_path.startswith(REMOTE_PREFIXES):
        return False
    return not Path(src_path).expanduser().is_absolute()


def git(project: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `git ARGS` in `project`; return the CompletedProcess (text, output captured, never raises on failure)."""
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=False)


def has_git_identity(project: Path) -> bool:
    """True when git has an author name and email from its configuration or the environment, not guessed."""
    name = os.environ.get("GIT_AUTHOR_NAME") or git(project, "config", "user.name").stdout.strip()
    email = os.environ.get("GIT_AUTHOR_EMAIL") or git(project, "config", "user.email").stdout.strip()
    return bool(name and email)


def start_git_repository(project: Path, message: str) -> str:
    """Make `project` a git repository with a first commit, when it is not in one; return what was done."""
    if shutil.which("git") is None:
        return "git is not installed: install it, then run `git init` here; `copier update` needs a git project."
    if git(project, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true":
        return "the project is inside an existing git repository: review and commit the new files there."
    init = git(project, "init", "--quiet")
    if init.returncode != 0:
        return f"`git init` failed: {init.stderr.strip()}"
    git(project, "add", "--all")
    if not has_git_identity(project):
        return (
            "initialised a git repository, but made no commit because git has no identity. Set one, then commit:\n"
            '    git config --global user.name "Your Name"\n'
            '    git config --global user.email "you@example.com"\n'
            f'    git commit -m "{message}"'
        )
    commit = git(project, "commit", "--quiet", "--message", message)
    if commit.returncode != 0:
        return f"initialised a git repository; the first commit failed, so make it by hand:\n{commit.stderr.strip()}"
    return "initialised a git repository and committed the generated files."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src-path", required=True, help="the template as Copier recorded it (_src_path)")
    parser.add_argument("--template-version", default="", help="the template's git reference (_commit)")
    args = parser.parse_args(argv)

    project = Path.cwd()
    example, env = project / ".env.example", project / ".env"
    if not example.is_file():
        print(f"post-copy: {example} is missing; cannot write .env", file=sys.stderr)
        return 1
    if env.exists():
        print("post-copy: .env exists already; left as it is")
    else:
        env.write_text(development_env(example.read_text()))
        env.chmod(0o600)
        print("post-copy: wrote .env with fresh secrets (git-ignored)")

    version = f" {args.template_version}" if args.template_version else ""
    print(f"post-copy: {start_git_repository(project, f'Generate the project from crossroads{version}')}")

    if is_relative_local_path(args.src_path):
        print(
            f"post-copy: warning: the template was given as the relative path {args.src_path!r}, and Copier"
            " recorded it so in .copier-answers.yml; `copier update` would look for it from inside the project."
            " Set _src_path there to the template's absolute path or URL, and commit.",
            file=sys.stderr,
        )

    if args.template_version:
        print(f"Generated from {release_note(args.template_version)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
