"""Serving: each generated app and its bare twin under gunicorn with the same settings, loaded by wrk on loopback,
page by page: the home page (a template), the notes list (20 rows from the database, in a template), the API's list
and, for Flask, the sign-in page."""

from __future__ import annotations

import json
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from apps import NOTES, App
from common import Figure, log, run

# The pages measured, by the name the figures use: two pages and the API's list, 20 notes as JSON, for both; for
# Flask also the sign-in page, as a visitor who is not signed in sees it (the form and its CSRF token, which starts a
# session), against bare Flask rendering the same form with Flask-WTF.
PAGES = {"home": "/", "notes": "/notes/", "api": "/api/notes?page_size=20"}
FRAMEWORK_PAGES = {"flask": {**PAGES, "signin": "/login"}, "django": PAGES}
# Pages requested without the reader's credentials.
ANONYMOUS = {"signin"}
# The page requested with the reader's bearer token, as a script calls it; the other pages send the reader's cookies.
TOKEN_PAGES = {"api"}
# Every request comes as through a proxy that terminated TLS (see apps.PRODUCTION_ENV).
HEADERS = {"X-Forwarded-Proto": "https"}
# The same server for both sides: one worker with 4 threads (gthread), as the generated gunicorn.conf.py runs each
# worker, no access log, and no configuration file (--config /dev/null: the generated one binds every interface
# and logs each request); wrk keeps one connection per thread busy.
WORKERS, THREADS, CONNECTIONS = 1, 4, 4


def request_headers(page: str, app: App) -> dict[str, str]:
    """The headers of each request for `page`: a visitor's (no credentials) for ANONYMOUS pages, the reader's bearer
    token alone for the API, as a script sends it, and the reader's cookies (the session) for the other pages."""
    if page in ANONYMOUS:
        return HEADERS
    credential = "Authorization" if page in TOKEN_PAGES else "Cookie"
    return {**HEADERS, credential: app.headers[credential]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def check_page(url: str, page: str, headers: dict[str, str]) -> None:
    """Raise RuntimeError unless `url` answers 200 with HTML (JSON for the API), and for the notes list and the API,
    every note's title; for the sign-in page, a password field.

    wrk counts 3xx answers as successes, so a redirect (to HTTPS, to a login page) would be measured unnoticed.
    """
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # urllib follows redirects: compare the URL
        body = response.read().decode()
        kind = "json" if page == "api" else "html"
        if response.status != 200 or response.url != url or kind not in response.headers.get("Content-Type", ""):
            raise RuntimeError(f"{url} answered {response.status} at {response.url}, not the {kind} wanted")
    if page == "notes":
        missing = [number for number in range(1, NOTES + 1) if f"Note {number}<" not in body]
    elif page == "api":
        listed = json.loads(body)
        titles = {item["title"] for item in listed["items"]}
        missing = [number for number in range(1, NOTES + 1) if f"Note {number}" not in titles]
        if listed["count"] != NOTES:
            raise RuntimeError(f"{url} counts {listed['count']} notes, not {NOTES}")
    elif page == "signin" and 'name="password"' not in body:
        raise RuntimeError(f"{url} shows no password field")
    else:
        missing = []
    if missing:
        raise RuntimeError(f"{url} does not list notes {missing}")


def wrk(url: str, seconds: int, headers: dict[str, str]) -> tuple[float, float]:
    """Load `url` for `seconds`, sending `headers`; return (requests per second, p99 latency in ms). Raises on any
    non-2xx answer."""
    options = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    output = run("wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", *options, url)
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise RuntimeError(f"{url} answered errors under load:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rps, _milliseconds(re.search(r"99%\s+([\d.]+\w+)", output).group(1))


def serve_and_load(app: App, pages: dict[str, str], seconds: int) -> dict[str, float]:
    """Start gunicorn for `app`, check then load each of `pages` ({name: path}; 1 s of warm-up, `seconds`
    measured); return
    {`{page}_rps`, `{page}_p99_ms`, `rss_mib`: the worker's resident memory after the load}."""
    port = free_port()
    command = [app.gunicorn, "--config", "/dev/null", "--workers", WORKERS, "--threads", THREADS]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", app.wsgi]
    # A file, not a pipe: a pipe nobody reads blocks the server once it holds 64 KiB.
    with tempfile.TemporaryFile("w+") as errors:
        server = subprocess.Popen(
            [str(part) for part in command], cwd=app.cwd, env=app.env, stdout=subprocess.DEVNULL, stderr=errors
        )
        try:
            wait_for(port, time.monotonic() + 30)
            result = {}
            for page, path in pages.items():
                headers = request_headers(page, app)
                url = f"http://127.0.0.1:{port}{path}"
                check_page(url, page, headers)
                wrk(url, 1, headers)
                result[f"{page}_rps"], result[f"{page}_p99_ms"] = wrk(url, seconds, headers)
            workers = run("pgrep", "-P", str(server.pid)).split()
            result["rss_mib"] = statistics.mean(_rss_mib(int(pid)) for pid in workers)
            return result
        except Exception:
            errors.seek(0)
            log(f"{app.wsgi} in {app.cwd} failed; the end of its log:\n{errors.read()[-4000:]}")
            raise
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


def measure_serving(apps: dict[str, dict[str, App]], rounds: int, seconds: int) -> dict[str, Figure]:
    """`rounds` rounds per framework; in each, every served side serves its pages in turn, the order reversed every
    other round, so that a busy spell hits every side. Keys: `{framework}_{side}_{page}_rps`, `..._{page}_p99_ms`, `{framework}_{side}_rss_mib`."""
    units = {"rps": "req/s", "ms": "ms", "mib": "MiB"}
    figures = {}
    for name, sides in apps.items():
        samples: dict[str, list[float]] = {}
        served = [side for side, app in sides.items() if app.wsgi]
        for index in range(rounds):
            for side in served if index % 2 == 0 else reversed(served):
                app = sides[side]
                pages = {
                    page: path for page, path in FRAMEWORK_PAGES[name].items() if app.pages is None or page in app.pages
                }
                for metric, value in serve_and_load(app, pages, seconds).items():
                    samples.setdefault(f"{name}_{side}_{metric}", []).append(value)
        for key, values in samples.items():
            figures[key] = Figure.of(values, units[key.rsplit("_", 1)[1]])
    return figures
