"""Migration task: a file the template renders has moved; carry the project's edits of it to the new path.

`copier update` replays a project's edits as a diff against a rendering of the old template version. A file whose
path changed falls out of that diff: the new path gets the new template's text, and the old path, edits included,
is deleted with the rest of the old version's files. Run as an `after` migration of the release that moves the
file (see README.md, "Releases and migrations"), this puts the edits back with a three-way merge of:
- the project's last commit of the old path (update needs a clean project, so that is the team's version);
- the old template version's rendering of the old path, made again with Copier's API (the common base);
- the new path as the update left it (the new template's text).
A clash ends as inline conflict markers with Copier's own labels, as `copier update` leaves its own conflicts.

Copier runs migration tasks in the project folder with VERSION_FROM (the template version the project came from)
in the environment. Nothing happens when the project never had the old file, left it as the template made it,
or already had a file of its own at the new path (Copier merged that one itself).

Usage: moved_file.py --template PATH [--answers-file NAME] OLD NEW
    PATH is the checkout of the template that Copier is updating from (`{{ _copier_conf.src_path }}`);
    OLD and NEW are paths relative to the project.
Exit status: 0; 1 when the old version cannot be rendered or git fails, with the reason on stderr.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import copier
import yaml
from copier.errors import CopierError

# The labels Copier gives its own inline conflicts, so that a team sees one convention.
CONFLICT_LABELS = ("before updating", "last update", "after updating")


def committed_text(project: Path, path: str) -> str | None:
    """The text of `path` (relative to `project`) in the project's last commit, or None when it is not there."""
    show = subprocess.run(["git", "show", f"HEAD:./{path}"], cwd=project, capture_output=True, text=True, check=False)
    return show.stdout if show.returncode == 0 else None


def render_old_version(template: str, version: str, answers: dict, path: str) -> str:
    """The text the template at `version` renders at `path` for `answers` ("" when it renders none there)."""
    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    with tempfile.TemporaryDirectory(prefix="crossroads-migration.") as scratch:
        destination = Path(scratch) / "project"
        copier.run_copy(
            template,
            destination,
            data=data,
            vcs_ref=version,
            defaults=True,
            overwrite=True,
            skip_tasks=True,
            quiet=True,
            unsafe=True,
        )
        rendered = destination / path
        return rendered.read_text() if rendered.is_file() else ""


def merge(ours: str, base: str, theirs_path: Path) -> tuple[str, int]:
    """Three-way merge with `git merge-file`; return the merged text and the number of conflicts.

    `ours` is the project's version, `base` the old template's, `theirs_path` the file with the new template's.

    Raises:
        RuntimeError: git merge-file failed (not a conflict: it could not run).
    """
    with tempfile.TemporaryDirectory(prefix="crossroads-merge.") as scratch:
        ours_path, base_path = Path(scratch, "ours"), Path(scratch, "base")
        ours_path.write_text(ours)
        base_path.write_text(base)
        labels = [argument for label in CONFLICT_LABELS for argument in ("-L", label)]
        result = subprocess.run(
            ["git", "merge-file", *labels, str(ours_path), str(base_path), str(theirs_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode < 0 or result.returncode > 127:
            raise RuntimeError(f"git merge-file failed: {result.stderr.strip()}")
        return ours_path.read_text(), result.returncode


def carry_edits(project: Path, template: str, version_from: str, answers_file: str, old: str, new: str) -> str:
    """Carry the project's edits of `old` into `new`; return what was done, in one sentence."""
    ours = committed_text(project, old)
    if ours is None:
        return f"the project had no {old}; nothing to carry to {new}."
    if committed_text(project, new) is not None:
        return f"the project already had its own {new}; Copier merged it, {old} is left to you."
    target = project / new
    if not target.is_file():
        return f"the new template renders no {new} for these answers; {old} was: see `git show HEAD:./{old}`."
    answers = yaml.safe_load(committed_text(project, answers_file) or "{}")
    base = render_old_version(template, version_from, answers, old)
    if ours == base:
        return f"{old} had no edits of the project's own; {new} is the template's."
    merged, conflicts = merge(ours, base, target)
    target.write_text(merged)
    if conflicts:
        return f"carried the edits of {old} to {new} with {conflicts} conflict(s) marked inline: resolve them."
    return f"carried the edits of {old} to {new}."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", required=True, help="the template checkout Copier updates from")
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument("old")
    parser.add_argument("new")
    args = parser.parse_args(argv)

    version_from = os.environ.get("VERSION_FROM")
    if not version_from:
        print("moved-file migration: VERSION_FROM is not set; run it as a Copier migration", file=sys.stderr)
        return 1
    try:
        outcome = carry_edits(Path.cwd(), args.template, version_from, args.answers_file, args.old, args.new)
    except (RuntimeError, OSError, CopierError) as error:
        print(f"moved-file migration: {args.old} -> {args.new}: {error}", file=sys.stderr)
        return 1
    print(f"moved-file migration: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
