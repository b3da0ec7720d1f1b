"""Benchmarks: generation, time to a green project, and what a generated app costs over a bare app of its framework.

Usage (from the template's root):  uv run python benchmarks/run.py [--runs N] [--wrk-seconds S] [--quick]

Every figure is the median of at least 5 runs (default 5 rounds; startup takes 3 runs per round), reported with its
min and max. Each comparison is a ratio of two medians measured side by side in this one run, interleaved round by
round, so that the machine's drift hits both alike. Results go to stdout as a Markdown table and, unless --quick,
to benchmarks/results.json. The targets are in report.py, one `Target` per figure.

What it measures, module by module:
- generation.py: `copier copy --trust --defaults` of this template (Flask with every extension; Django) against a
  static template of the same files, and the time to green: generate, `uv sync` (warm uv cache), `uv run pytest`.
- apps.py and bare/: each generated project installed as in production, and a bare app of its framework doing the
  same work (the home page from a template; the notes list, 20 rows from the database), in the project's own
  environment, on the same 20 notes.
- startup.py: import plus app creation in a fresh process (Django: with the URLconf).
- serving.py: throughput and p99 latency of both pages from wrk on loopback, under gunicorn with the same settings
  for both sides, and the worker's RSS after the load.

The template measured is the committed HEAD, cloned as a user downloads it (uncommitted changes are left out).
Generated projects run on Python 3.12+ (found under pyenv, or CROSSROADS_PYTHON), handed to uv as UV_PYTHON.
Tools: hyperfine and wrk from Debian (installed with apt-get when missing and running as root), uv, gunicorn from
the generated project. Nothing here is a test: no time is asserted anywhere; the table says which target is met.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from apps import prepare_apps
from common import PROJECT_PYTHON, TEMPLATE_ROOT, Figure, ensure_tools, log, run, snapshot, tool_version
from generation import measure_generation, measure_time_to_green
from report import TARGETS, evaluate, table
from serving import CONNECTIONS, THREADS, WORKERS, measure_serving
from startup import measure_startup

RESULTS = Path(__file__).resolve().parent / "results.json"
DEFAULT_RUNS, DEFAULT_SECONDS = 5, 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="rounds per figure (at least 5 unless --quick)")
    parser.add_argument("--wrk-seconds", type=int, default=DEFAULT_SECONDS, help="seconds of wrk load per page and run")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2 rounds and 3 s of load, results.json left alone: to try the script, not to report",
    )
    args = parser.parse_args()
    runs, seconds = (2, 3) if args.quick else (max(args.runs, 5), args.wrk_seconds)

    ensure_tools()
    # results.json is this script's own output, not part of what it measures.
    if run(
        "git", "status", "--porcelain", "--", ".", f":!{RESULTS.relative_to(TEMPLATE_ROOT)}", cwd=TEMPLATE_ROOT
    ).strip():
        log("the work tree has uncommitted changes: they are not measured, only the committed HEAD is")
    started, load_before = time.monotonic(), os.getloadavg()
    figures: dict[str, Figure] = {}
    problems: dict[str, str] = {}  # figure key: why it could not be measured
    with tempfile.TemporaryDirectory(prefix="crossroads-bench-") as tmp:
        work = Path(tmp)
        template = snapshot(TEMPLATE_ROOT, work / "template")
        log("generation")
        figures.update(measure_generation(template, work, runs))
        log("time to green")
        figures.update(measure_time_to_green(template, work, runs, problems))
        log("apps against bare apps of their framework: preparing")
        apps = prepare_apps(template, work)
        log("startup")
        figures.update(measure_startup(apps, runs))
        log("serving")
        figures.update(measure_serving(apps, runs, seconds))
    report = table(figures, problems)
    print(report)
    results = {
        "date": datetime.date.today().isoformat(),
        "template_commit": run("git", "rev-parse", "HEAD", cwd=TEMPLATE_ROOT).strip(),
        "command": "uv run python benchmarks/run.py"
        + ("" if (runs, seconds) == (DEFAULT_RUNS, DEFAULT_SECONDS) else f" --runs {runs} --wrk-seconds {seconds}"),
        "duration_s": round(time.monotonic() - started),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "project_python": run(PROJECT_PYTHON, "-c", "import platform; print(platform.python_version())").strip(),
            "system": platform.platform(),
            # The 1-, 5- and 15-minute load averages before and after: how busy the machine was meanwhile.
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in os.getloadavg()],
        },
        "tools": {tool: tool_version(tool) for tool in ("hyperfine", "wrk", "uv")},
        "runs": runs,
        "wrk_seconds": seconds,
        "gunicorn": {"workers": WORKERS, "threads": THREADS, "wrk_connections": CONNECTIONS},
        "figures": {key: asdict(value) for key, value in figures.items()},
        "targets": {
            target.key: {
                "label": target.label,
                "measured": target.measured,
                "baseline": target.baseline,
                "target": target.comparison,
                "value": value,
                "verdict": verdict,
            }
            for target in TARGETS
            for value, verdict in [evaluate(figures).get(target.key, (None, "not measured"))]
        },
        "not_measured": problems,
        "table": report,
    }
    log(
        f"done in {results['duration_s']} s; load average before {results['machine']['load_average_before']}, "
        f"after {results['machine']['load_average_after']}"
    )
    if not args.quick:
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        log(f"wrote {RESULTS.relative_to(TEMPLATE_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
