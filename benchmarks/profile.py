"""Where a request's time goes: cProfile over the pages the benchmarks serve, in each generated app.

Usage (from the template's root):  uv run python benchmarks/profile.py [--requests N] [--top K]

Each project is generated, installed and seeded as for the serving benchmark (apps.prepare_apps: production
settings, 20 notes, a signed-in reader's cookie and token). Then, in the project's own Python, its WSGI application
answers each page of serving.FRAMEWORK_PAGES `--requests` times (after a warm-up of a tenth as many) with no server and no
network in between, under cProfile. The WSGI environ is built once per page, as gunicorn would build it for a request
through a TLS-terminating proxy, with the reader's headers.

Printed per project and page, as Markdown: the milliseconds per request spent in the app (the profiled calls' wall
time, divided by the requests; cProfile's own overhead included, so compare rows with each other, not with the
serving benchmark), then the packages (the top-level module of each function's file; `<project>` for the project's
own code, `<python>` for the standard library) by their own time per request, and the `--top` functions by their
own time, then by their cumulative time (each with both times and its calls, per request). Nothing is written to
disk; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from apps import prepare_apps
from common import TEMPLATE_ROOT, log, run, snapshot
from serving import FRAMEWORK_PAGES, request_headers

# Run by the project's Python, in the project's folder and environment: prints one JSON object.
PROFILER = r"""
import cProfile, io, json, pstats, sys, sysconfig, time

wsgi, path, headers, requests, top = json.loads(sys.argv[1])
module, _, attribute = wsgi.partition(":")
if attribute.endswith("()"):
    application = getattr(__import__(module, fromlist=["_"]), attribute[:-2])()
else:
    application = __import__(module, fromlist=["_"]).application
path_info, _, query = path.partition("?")
base = {
    "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path_info, "QUERY_STRING": query,
    "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
    "HTTP_HOST": "127.0.0.1", "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.multithread": True,
    "wsgi.multiprocess": False, "wsgi.run_once": False, "wsgi.errors": sys.stderr,
}
base.update({"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()})


def answer():
    environ = dict(base, **{"wsgi.input": io.BytesIO()})
    status = []
    body = application(environ, lambda code, response_headers, exc_info=None: status.append(code))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    if not status[0].startswith("200"):
        raise SystemExit(f"{path} answered {status[0]}")


for _ in range(max(1, requests // 10)):
    answer()
profiler = cProfile.Profile()
start = time.perf_counter()
profiler.enable()
for _ in range(requests):
    answer()
profiler.disable()
elapsed = time.perf_counter() - start

stdlib = sysconfig.get_paths()["stdlib"]
packages = {}
functions = []
for (filename, line, name), (calls, _, own, cumulative, _) in pstats.Stats(profiler).stats.items():
    if "site-packages/" in filename:
        package = filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    elif filename.startswith(stdlib) or filename.startswith("<frozen"):
        package = "<python>"
    elif filename.startswith("~") or filename.startswith("<"):
        package = "<builtins>"
    else:
        package = "<project>"
    packages[package] = packages.get(package, 0.0) + own
    where = filename.split("site-packages/", 1)[-1].replace(str(sys.prefix), "")
    functions.append((own, cumulative, calls, f"{where}:{line}({name})"))
by_own = sorted(functions, reverse=True)[:top]
by_cumulative = sorted(functions, key=lambda function: function[1], reverse=True)[:top]
print(json.dumps({
    "ms_per_request": elapsed * 1000 / requests,
    "packages": sorted(((own * 1000 / requests, name) for name, own in packages.items()), reverse=True),
    "functions": [
        (own * 1000 / requests, cumulative * 1000 / requests, calls / requests, name)
        for own, cumulative, calls, name in by_own + by_cumulative
    ],
}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="profiled requests per page (default 500)")
    parser.add_argument("--top", type=int, default=15, help="functions listed per page (default 15)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crossroads-profile-") as folder:
        work = Path(folder)
        apps = prepare_apps(snapshot(TEMPLATE_ROOT, work / "template"), work)
        for framework, sides in apps.items():
            app = sides["app"]
            print(f"\n## {framework}\n")
            for page, path in FRAMEWORK_PAGES[framework].items():
                log(f"profiling {framework} {page}")
                headers = request_headers(page, app)
                arguments = [app.wsgi, path, headers, options.requests, options.top]
                output = run(app.python, "-c", PROFILER, json.dumps(arguments), cwd=app.cwd, env=app.env)
                result = json.loads(output.splitlines()[-1])
                print(f"### {page} (`{path}`): {result['ms_per_request']:.2f} ms per request under cProfile\n")
                print("| package | own ms per request |\n|---|---:|")
                for milliseconds, package in result["packages"][:12]:
                    print(f"| {package} | {milliseconds:.3f} |")
                for order, functions in (
                    ("own", result["functions"][: options.top]),
                    ("cumulative", result["functions"][options.top :]),
                ):
                    print(f"\n| function, by {order} time | own ms | cumulative ms | calls |\n|---|---:|---:|---:|")
                    for own, cumulative, calls, name in functions:
                        print(f"| `{name}` | {own:.3f} | {cumulative:.3f} | {calls:g} |")
                print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
