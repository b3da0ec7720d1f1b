"""Benchmarks: generation speed, time to a green project, and what a generated app costs over its bare framework.

Usage (from the template's root):  uv run python benchmarks/run.py [--runs N] [--wrk-seconds S] [--quick]

Every figure is the median of at least 5 runs (default 5 rounds; startup takes 3 runs per round), reported with its
min and max. Each comparison is a ratio of two medians measured side by side in this one run, interleaved round by
round, so that the machine's drift hits both alike. Results go to stdout as a Markdown table and, unless --quick,
to benchmarks/results.json.

What it measures (issue 7):
1. Generation: `copier copy --trust --defaults` of this template (Flask with every extension; Django), beside two
   floors: `python -c "import copier"`, and `copier copy` of a static template built here from the generated
   project (the same output files, no Jinja logic, no tasks).
2. Time to green: generate, `uv sync` (warm uv cache), `uv run pytest`.
3. The generated app against a bare app of the same framework, in the generated project's own environment:
   startup (import plus app creation in a fresh process; for Django also the URLconf, which Django imports at the
   first request and Flask's factory registers up front), /health throughput and p99 latency from wrk on loopback
   under gunicorn with the same settings (one sync worker, no access log), and RSS per worker after the load.

The template measured is the committed HEAD, cloned as a user downloads it (uncommitted changes are left out).
Tools: hyperfine and wrk from Debian (installed with apt-get when missing and running as root), uv, gunicorn from
the generated project. Nothing here is a test: no time is asserted anywhere; the table says which target is met.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
COPIER = [sys.executable, "-m", "copier"]
SLUG = "bench"  # the project_slug that project_name "Bench" gives
PROJECTS = {
    "flask": {"project_name": "Bench", "framework": "flask", "flask_extensions": "[sqlalchemy, admin, security]"},
    "django": {"project_name": "Bench", "framework": "django"},
}
# Production-like settings for serving; the secrets are throwaway values for loopback benchmarking.
SECRET = "benchmark-only-" + "x" * 50
APP_ENV = {
    "flask": {"FLASK_SECRET_KEY": SECRET, "FLASK_SECURITY_PASSWORD_SALT": SECRET, "FLASK_DEBUG": "false"},
    "django": {
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    },
}
TARGETS = {
    # figure key: (comparison, target, what the issue measured for a naive stack)
    "flask_startup_ratio": ("<=", 2.5, "4.9x (606 ms vs 124 ms)"),
    "flask_rps_ratio": (">=", 0.90, "0.71x"),
    "django_startup_ratio": ("<=", 1.1, "1.0x"),
    "django_rps_ratio": (">=", 0.95, "0.94x"),
    "flask_generation_ratio": ("<=", 1.3, "n/a"),
    "django_generation_ratio": ("<=", 1.3, "n/a"),
    "flask_generation_s": ("<=", 1.5, "~0.8 s for a 41-file template"),
    "django_generation_s": ("<=", 1.5, "~0.8 s for a 41-file template"),
    "flask_green_s": ("<=", 20.0, "n/a"),
    "django_green_s": ("<=", 25.0, "n/a"),
}

BARE_FLASK = """\
from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health():
    return {"status": "ok"}
"""

# The packages the generated Flask app imports at startup, imported alone: the floor no app code can go below.
FLASK_LIBRARIES = (
    "import flask, flask_sqlalchemy, flask_wtf.csrf, flask_security, flask_security.models.fsqla_v3,"
    " flask_admin.contrib.sqla"
)

BARE_DJANGO_URLS = """\
from django.http import JsonResponse
from django.urls import path


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health", health)]
"""


@dataclass
class Figure:
    """A median of several runs, with its spread. `unit` is "s", "req/s", "ms" or "MiB"."""

    median: float
    low: float
    high: float
    unit: str
    runs: int

    @classmethod
    def of(cls, samples: list[float], unit: str) -> Figure:
        return cls(statistics.median(samples), min(samples), max(samples), unit, len(samples))

    def __str__(self) -> str:
        digits = 3 if self.unit == "s" else 1
        return f"{self.median:.{digits}f} {self.unit} ({self.low:.{digits}f} to {self.high:.{digits}f})"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command to completion; return its stdout. Raises CalledProcessError with the output on failure."""
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise subprocess.CalledProcessError(result.returncode, command, result.stdout, result.stderr)
    return result.stdout


def clean_env(**extra: str) -> dict[str, str]:
    """Our environment for a measured process: without this virtualenv, and with Python writing bytecode.

    PYTHONDONTWRITEBYTECODE (set in some sandboxes and CI images) makes every import compile its module from source
    when no .pyc exists yet, again at each start: startup and generation would measure the compiler, not what users
    see. Production installs compile bytecode (uv sync --compile-bytecode, as the generated Dockerfile does, or
    Python writes it at the first run), so it is dropped here, and the projects served are installed compiled.
    """
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(extra)
    return env


def ensure_tools() -> None:
    """Install hyperfine and wrk from Debian when they are missing (needs root)."""
    missing = [tool for tool in ("hyperfine", "wrk") if not shutil.which(tool)]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"benchmarks need {', '.join(missing)}: install them (Debian: apt-get install {' '.join(missing)})")
    log(f"installing {', '.join(missing)} with apt-get")
    run("apt-get", "update", "-qq")
    run("apt-get", "install", "-y", "-qq", *missing)


def copier_copy_command(src: Path | str, dst: Path, answers: dict[str, str]) -> list[str]:
    data = [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
    return [*COPIER, "copy", "--quiet", "--trust", "--defaults", "--vcs-ref", "HEAD", *data, str(src), str(dst)]


def hyperfine(
    commands: dict[str, list[str]], rounds: int, runs_per_round: int, env: dict[str, str], prepare: str = ""
) -> dict[str, Figure]:
    """Time each command with hyperfine; return {name: Figure in seconds over all rounds}.

    Each round runs every command once untimed (warm-up: caches, bytecode), then `runs_per_round` timed runs of
    each; rounds alternate the commands, so that a busy spell on the machine hits all of them. Commands run
    without a shell (hyperfine -N), so no shell start is timed; to run one elsewhere, start it with `env -C DIR`.
    """
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        with tempfile.NamedTemporaryFile(suffix=".json") as export:
            args = ["hyperfine", "--style", "none", "-N", "--warmup", "1", "--runs", str(runs_per_round)]
            args += ["--export-json", export.name]
            if prepare:
                args += ["--prepare", prepare]
            for name, command in commands.items():
                args += ["--command-name", name, shlex.join(command)]
            run(*args, env=env)
            for result in json.loads(Path(export.name).read_text())["results"]:
                samples[result["command"]].extend(result["times"])
    return {name: Figure.of(times, "s") for name, times in samples.items()}


def snapshot(repository: Path, dst: Path) -> Path:
    """A packed clone of `repository`'s committed HEAD, as a user's download of a template is. Returns its path.

    Copier clones a local template with `git clone`, which hardlinks every loose object of the source: timing the
    working copy would measure how long ago its owner ran `git gc`, not the template.
    """
    run("git", "clone", "--quiet", "--no-local", repository, dst)
    return dst


def static_template_from(project: Path, work: Path) -> Path:
    """A Copier template that holds `project`'s files verbatim: no questions, no Jinja, no tasks. Returns its path."""
    staging = work / f"{project.name}-static-staging"
    shutil.copytree(project, staging, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.pyc", ".env"))
    (staging / "copier.yml").write_text('_templates_suffix: ".jinja"\n')  # no file ends so: all are copied verbatim
    run("git", "init", "-q", cwd=staging)
    run("git", "add", "-A", cwd=staging)
    run("git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-qm", "static", cwd=staging)
    return snapshot(staging, work / f"{project.name}-static")


def generate(template: Path, name: str, dst: Path) -> Path:
    run(*copier_copy_command(template, dst, PROJECTS[name]), env=clean_env())
    return dst


def measure_generation(template: Path, work: Path, runs: int) -> dict[str, Figure]:
    figures = {}
    floor_env = clean_env()
    import_floor = hyperfine({"import copier": [*COPIER[:1], "-c", "import copier"]}, 1, runs, floor_env)
    figures["import_copier_s"] = import_floor["import copier"]
    for name, answers in PROJECTS.items():
        project = generate(template, name, work / f"gen-{name}")
        static = static_template_from(project, work)
        dst = work / f"out-{name}"
        timed = hyperfine(
            {
                "template": copier_copy_command(template, dst, answers),
                "static": copier_copy_command(static, dst, {}),
            },
            runs,
            1,
            floor_env,
            prepare=f"rm -rf {dst}",
        )
        figures[f"{name}_generation_s"] = timed["template"]
        figures[f"{name}_static_generation_s"] = timed["static"]
    return figures


def measure_time_to_green(template: Path, work: Path, runs: int) -> dict[str, Figure]:
    """What a user does first: generate, `uv sync`, `uv run pytest`, as the post-copy message says.

    The uv cache is warm (every run after the first installs from it; uv still asks the index whether the
    dependencies have newer releases, so the network is part of the figure). `uv sync` is run as users run it,
    without --compile-bytecode: the first test run writes the bytecode, as it would for them.
    """
    samples: dict[str, list[float]] = {name: [] for name in PROJECTS}
    for index in range(runs):
        for name in PROJECTS:  # alternated, so that drift hits both alike
            dst = work / f"green-{name}-{index}"
            started = time.perf_counter()
            generate(template, name, dst)
            run("uv", "sync", "--quiet", cwd=dst, env=clean_env())
            run("uv", "run", "--quiet", "pytest", "-q", "-p", "no:cacheprovider", cwd=dst, env=clean_env())
            samples[name].append(time.perf_counter() - started)
            shutil.rmtree(dst)
    return {f"{name}_green_s": Figure.of(times, "s") for name, times in samples.items()}


def prepare_apps(template: Path, work: Path) -> dict[str, dict]:
    """Generate and install both projects and build their bare twins. Returns, per framework, how to start each.

    Each project is installed as in production, with compiled bytecode (the generated Dockerfile sets
    UV_COMPILE_BYTECODE); the bare app runs in the same environment, so that only the app differs. Per kind
    ("app", "bare", and for Flask "libraries": importing the extensions' packages, no app), a spec gives the
    working directory, the gunicorn target, the extra environment, and the startup command.
    """
    apps = {}
    for name in PROJECTS:
        project = generate(template, name, work / f"app-{name}")
        run("uv", "sync", "--quiet", "--compile-bytecode", cwd=project, env=clean_env())
        python = project / ".venv" / "bin" / "python"
        gunicorn = project / ".venv" / "bin" / "gunicorn"
        if not gunicorn.exists():
            sys.exit(f"{project.name}: gunicorn is not among the generated project's dependencies")
        env = clean_env(**APP_ENV[name], DATABASE_URL=f"sqlite:///{project / 'bench.sqlite3'}")
        bare = work / f"bare-{name}"
        bare.mkdir()
        if name == "flask":
            run(python, "-m", "flask", "--app", SLUG, "db", "upgrade", cwd=project, env=env)
            (bare / "app.py").write_text(BARE_FLASK)
            kinds = {
                "app": {
                    "cwd": project,
                    "target": f"{SLUG}:create_app()",
                    "env": {},
                    "code": f"from {SLUG} import create_app; create_app()",
                },
                "bare": {"cwd": bare, "target": "app:app", "env": {}, "code": "import app"},
                "libraries": {"cwd": bare, "env": {}, "code": FLASK_LIBRARIES},
            }
        else:
            run(python, "manage.py", "migrate", "--noinput", cwd=project, env=env)
            run(python, "manage.py", "collectstatic", "--noinput", cwd=project, env=env)
            run(project / ".venv" / "bin" / "django-admin", "startproject", "bare", str(bare), env=env)
            settings = bare / "bare" / "settings.py"
            text = settings.read_text().replace("DEBUG = True", "DEBUG = False")
            settings.write_text(text.replace("ALLOWED_HOSTS = []", 'ALLOWED_HOSTS = ["127.0.0.1", "localhost"]'))
            (bare / "bare" / "urls.py").write_text(BARE_DJANGO_URLS)
            # Django imports the URLconf (and with it every view module) at the first request, where Flask's
            # application factory registers every route up front: load it here too, for both, so that startup
            # is what a worker does before it can answer.
            startup = (
                "from {0}.wsgi import application; from django.urls import get_resolver; get_resolver().url_patterns"
            )
            kinds = {
                "app": {
                    "cwd": project,
                    "target": "config.wsgi",
                    "env": {"DJANGO_SETTINGS_MODULE": "config.settings"},
                    "code": startup.format("config"),
                },
                "bare": {
                    "cwd": bare,
                    "target": "bare.wsgi",
                    "env": {"DJANGO_SETTINGS_MODULE": "bare.settings"},
                    "code": startup.format("bare"),
                },
            }
        # Our own modules, compiled too (the venv's are, by uv): nothing is compiled while it is timed.
        run(python, "-m", "compileall", "-q", "-x", r"/\.venv/", project, bare, env=env)
        for spec in kinds.values():
            spec["startup"] = [
                "env",
                "-C",
                str(spec["cwd"]),
                *(f"{k}={v}" for k, v in spec["env"].items()),
                str(python),
                "-c",
                spec["code"],
            ]
        apps[name] = {"kinds": kinds, "env": env, "gunicorn": gunicorn}
    return apps


def measure_startup(apps: dict, runs: int) -> dict[str, Figure]:
    """Startup of each kind in a fresh process: `runs` rounds of 3 runs each, the kinds alternating per round."""
    figures = {}
    for name, spec in apps.items():
        commands = {kind: kind_spec["startup"] for kind, kind_spec in spec["kinds"].items()}
        for kind, figure in hyperfine(commands, runs, 3, spec["env"]).items():
            figures[f"{name}_{kind}_startup_s"] = figure
    return figures


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url_port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", url_port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{url_port}")


def serve_and_load(spec: dict, kind: str, seconds: int) -> tuple[float, float, float]:
    """Start gunicorn (1 sync worker) for `kind`, load /health with wrk; return (req/s, p99 ms, worker RSS MiB)."""
    target = spec["kinds"][kind]
    env = {**spec["env"], **target["env"]}
    port = free_port()
    # The same server settings for both apps: one sync worker, no access log, so that only the app differs.
    server = subprocess.Popen(
        [
            str(spec["gunicorn"]),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--config",
            "/dev/null",
            target["target"],
        ],
        cwd=target["cwd"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(port, time.monotonic() + 30)
        url = f"http://127.0.0.1:{port}/health"
        run("wrk", "-t1", "-c4", "-d2s", url)  # warm-up
        output = run("wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", url)
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        p99 = _milliseconds(re.search(r"99%\s+([\d.]+\w+)", output).group(1))
        if re.search(r"Non-2xx or 3xx responses", output):
            raise RuntimeError(f"{kind}: /health answered errors under load:\n{output}")
        workers = run("pgrep", "-P", str(server.pid)).split()
        rss = statistics.mean(_rss_mib(int(pid)) for pid in workers)
        return rps, p99, rss
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def _milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def measure_serving(apps: dict, runs: int, seconds: int) -> dict[str, Figure]:
    figures = {}
    for name, spec in apps.items():
        samples = {kind: {"rps": [], "p99": [], "rss": []} for kind in ("app", "bare")}
        for _ in range(runs):
            for kind in ("bare", "app"):  # interleaved, so that drift hits both alike
                rps, p99, rss = serve_and_load(spec, kind, seconds)
                samples[kind]["rps"].append(rps)
                samples[kind]["p99"].append(p99)
                samples[kind]["rss"].append(rss)
        for kind, values in samples.items():
            figures[f"{name}_{kind}_rps"] = Figure.of(values["rps"], "req/s")
            figures[f"{name}_{kind}_p99_ms"] = Figure.of(values["p99"], "ms")
            figures[f"{name}_{kind}_rss_mib"] = Figure.of(values["rss"], "MiB")
    return figures


def ratios(figures: dict[str, Figure]) -> dict[str, float]:
    result = {}
    for name in PROJECTS:
        pairs = {
            f"{name}_startup_ratio": (f"{name}_app_startup_s", f"{name}_bare_startup_s"),
            f"{name}_rps_ratio": (f"{name}_app_rps", f"{name}_bare_rps"),
            f"{name}_p99_ratio": (f"{name}_app_p99_ms", f"{name}_bare_p99_ms"),
            f"{name}_rss_ratio": (f"{name}_app_rss_mib", f"{name}_bare_rss_mib"),
            f"{name}_generation_ratio": (f"{name}_generation_s", f"{name}_static_generation_s"),
        }
        for key, (top, bottom) in pairs.items():
            if top in figures and bottom in figures:
                result[key] = figures[top].median / figures[bottom].median
    return result


def verdict(key: str, value: float) -> str:
    comparison, target, _ = TARGETS[key]
    met = value <= target if comparison == "<=" else value >= target
    return "met" if met else "NOT met"


def table(figures: dict[str, Figure], derived: dict[str, float]) -> str:
    rows = ["| figure | measured (median, min to max) | target | naive stack | verdict |", "|---|---|---|---|---|"]
    labels = {
        "flask_startup_ratio": (
            "Flask (all extensions) startup / bare Flask",
            "flask_app_startup_s",
            "flask_bare_startup_s",
        ),
        "flask_rps_ratio": ("Flask (all extensions) /health req/s / bare", "flask_app_rps", "flask_bare_rps"),
        "django_startup_ratio": ("Django startup / bare startproject", "django_app_startup_s", "django_bare_startup_s"),
        "django_rps_ratio": ("Django /health req/s / bare", "django_app_rps", "django_bare_rps"),
        "flask_generation_ratio": (
            "Flask generation / static-template floor",
            "flask_generation_s",
            "flask_static_generation_s",
        ),
        "django_generation_ratio": (
            "Django generation / static-template floor",
            "django_generation_s",
            "django_static_generation_s",
        ),
    }
    for key, (label, top, bottom) in labels.items():
        if key in derived:
            comparison, target, naive = TARGETS[key]
            measured = f"{derived[key]:.2f}x ({figures[top]} vs {figures[bottom]})"
            rows.append(f"| {label} | {measured} | {comparison} {target}x | {naive} | {verdict(key, derived[key])} |")
    for key, label in {
        "flask_generation_s": "Flask generation, absolute",
        "django_generation_s": "Django generation, absolute",
        "flask_green_s": "time to green, Flask all extensions",
        "django_green_s": "time to green, Django",
    }.items():
        if key in figures:
            comparison, target, naive = TARGETS[key]
            rows.append(
                f"| {label} | {figures[key]} | {comparison} {target} s | {naive} | "
                f"{verdict(key, figures[key].median)} |"
            )
    rows.append("")
    rows.append("| also measured | Flask (all extensions) | bare Flask | Django | bare startproject |")
    rows.append("|---|---|---|---|---|")
    for metric, label in (("p99_ms", "/health p99 latency"), ("rss_mib", "RSS per worker")):
        cells = [str(figures.get(f"{name}_{kind}_{metric}", "n/a")) for name in PROJECTS for kind in ("app", "bare")]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    if "flask_libraries_startup_s" in figures:
        rows.append(
            f"| startup: the Flask extensions' packages imported alone, no app | "
            f"{figures['flask_libraries_startup_s']} | | | |"
        )
    if "import_copier_s" in figures:
        rows.append(f'| `python -c "import copier"` | {figures["import_copier_s"]} | | | |')
    return "\n".join(rows)


def tool_version(tool: str) -> str:
    """The first line of `tool --version` (wrk prints it and exits with status 1)."""
    result = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).splitlines()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds per figure (at least 5 unless --quick)")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="seconds of wrk load per run")
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
    with tempfile.TemporaryDirectory(prefix="crossroads-bench-") as tmp:
        work = Path(tmp)
        template = snapshot(TEMPLATE_ROOT, work / "template")
        log("generation")
        figures.update(measure_generation(template, work, runs))
        log("time to green")
        figures.update(measure_time_to_green(template, work, runs))
        log("apps against their bare frameworks")
        apps = prepare_apps(template, work)
        figures.update(measure_startup(apps, runs))
        figures.update(measure_serving(apps, runs, seconds))
    derived = ratios(figures)
    report = table(figures, derived)
    print(report)
    results = {
        "date": datetime.date.today().isoformat(),
        "template_commit": run("git", "rev-parse", "HEAD", cwd=TEMPLATE_ROOT).strip(),
        "command": "uv run python benchmarks/run.py"
        + ("" if runs == 5 and seconds == 10 else f" --runs {runs} --wrk-seconds {seconds}"),
        "duration_s": round(time.monotonic() - started),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
            # The 1-, 5- and 15-minute load averages before and after: how busy the machine was meanwhile.
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in os.getloadavg()],
        },
        "tools": {tool: tool_version(tool) for tool in ("hyperfine", "wrk", "uv")},
        "runs": runs,
        "wrk_seconds": seconds,
        "figures": {key: asdict(value) for key, value in figures.items()},
        "ratios": derived,
        "verdicts": {
            key: verdict(key, value)
            for key, value in {**derived, **{k: f.median for k, f in figures.items()}}.items()
            if key in TARGETS
        },
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
