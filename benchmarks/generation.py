"""What a user waits for before any code runs: `copier copy`, against a static template of the same files, and the
time to a green project (generate, `uv sync`, `uv run pytest`)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from common import (
    COPIER,
    PROJECTS,
    CommandFailed,
    Figure,
    clean_env,
    copier_copy_command,
    generate,
    hyperfine,
    log,
    run,
    snapshot,
)


def static_template_from(project: Path, work: Path) -> Path:
    """A Copier template that holds `project`'s files verbatim: no questions, no Jinja, no tasks. Returns its path."""
    staging = work / f"{project.name}-static-staging"
    shutil.copytree(project, staging, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.pyc", ".env"))
    (staging / "copier.yml").write_text('_templates_suffix: ".jinja"\n')  # no file ends so: all are copied verbatim
    run("git", "init", "-q", cwd=staging)
    run("git", "add", "-A", cwd=staging)
    run("git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-qm", "static", cwd=staging)
    return snapshot(staging, work / f"{project.name}-static")


def measure_generation(template: Path, work: Path, rounds: int) -> dict[str, Figure]:
    """`copier copy` of the template and of its static floor, alternating, `rounds` timed runs each.

    Keys: `import_copier_s`, `{framework}_generation_s`, `{framework}_static_generation_s`.
    """
    env = clean_env()
    figures = {"import_copier_s": hyperfine({"import": [COPIER[0], "-c", "import copier"]}, 1, rounds, env)["import"]}
    for name, answers in PROJECTS.items():
        static = static_template_from(generate(template, answers, work / f"gen-{name}"), work)
        dst = work / f"out-{name}"
        timed = hyperfine(
            {"template": copier_copy_command(template, dst, answers), "static": copier_copy_command(static, dst, {})},
            rounds,
            1,
            env,
            prepare=f"rm -rf {dst}",
        )
        figures[f"{name}_generation_s"] = timed["template"]
        figures[f"{name}_static_generation_s"] = timed["static"]
    return figures


def measure_time_to_green(template: Path, work: Path, rounds: int, problems: dict[str, str]) -> dict[str, Figure]:
    """What a user does first: generate, `uv sync`, `uv run pytest`, as the post-copy message says.

    The uv cache is warm (every run after the first installs from it; uv still asks the index whether the
    dependencies have newer releases, so the network is part of the figure). `uv sync` is run as users run it,
    without --compile-bytecode: the first test run writes the bytecode, as it would for them.
    Keys: `{framework}_green_s`. A project whose tests fail is never green: it gets no figure, and `problems`
    gets the figure's key with the reason.
    """
    samples: dict[str, list[float]] = {name: [] for name in PROJECTS}
    for index in range(rounds):
        for name in PROJECTS:  # alternated, so that drift hits both alike
            if f"{name}_green_s" in problems:
                continue
            dst = work / f"green-{name}-{index}"
            started = time.perf_counter()
            generate(template, PROJECTS[name], dst)
            run("uv", "sync", "--quiet", cwd=dst, env=clean_env())
            try:
                run("uv", "run", "--quiet", "pytest", "-q", "-p", "no:cacheprovider", cwd=dst, env=clean_env())
            except CommandFailed as failure:
                log(f"{name}: the generated project's tests fail, so it has no time to green:\n{failure}")
                problems[f"{name}_green_s"] = "the generated project's tests fail"
                continue
            samples[name].append(time.perf_counter() - started)
            shutil.rmtree(dst)
    return {f"{name}_green_s": Figure.of(times, "s") for name, times in samples.items() if times}
