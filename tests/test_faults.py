"""When a part fails: a generated project that scales (PostgreSQL, the cache and Celery's broker on Redis) as real
processes on loopback, under a bounded load of reads and writes, while its parts fail one after the other. One scenario
per flavour, like tests/test_scale.py, and in the same xdist group as its flavour there, so that a worker generates each
project once.

The stack (`Stack`): gunicorn with 2 workers, a Celery worker (prefork), one Celery beat, Redis (helpers.redis_server)
and a PostgreSQL cluster of the test's own (helpers.private_postgres), which it may stop. The worker runs as
compose.yaml and Kubernetes run it, supervised: when it exits (Celery does on some broker failures), it is started
again, and the summary lists each exit. The load (`Load`): writers that POST notes to the API, each with an
`Idempotency-Key` that the note's body names too, and that retry a write with the same key after a 5xx, a 409 (its first
try still under way) or no answer, until it is answered 201; readers of the notes page, the API's list and the sign-in
page. The faults, in order, each a phase of its own, which ends by what happened (the part is back and every thread was
answered in the phase), not after a time: (a) Redis stopped for 10 s, then started again, empty; (b) PostgreSQL stopped
and started; (c) one gunicorn worker killed with SIGKILL.

What is counted, printed as a table and asserted: the 5xx of each phase (none, but while PostgreSQL is down), what
/ready answers while Redis is down (200, Redis named as degraded) and while PostgreSQL is down (503), writes lost (a 201
whose note is not in the database), tasks lost (a note whose words are never counted), and duplicates (two notes of one
key). `pytest -rP` shows the table of a passing run too.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import (
    CELERY_APPS,
    LOAD_API_RATE,
    LoggedProcess,
    Project,
    Visitor,
    answer_sets,
    private_postgres,
    production_env,
    psql_rows,
    redis_server,
    start_celery_worker,
    start_gunicorn,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.multiprocess]

EMAIL, PASSWORD = "writer@example.com", "a long enough passphrase"
WRITERS, READERS = 2, 3  # a few threads: the load is bounded, and the machine may have 2 cores
PAUSE = 0.05  # seconds each thread waits between its requests
WRITE_DEADLINE = 120  # seconds a writer keeps retrying one write before it gives up on it
REQUEST_TIMEOUT = 30  # seconds, as gunicorn's own worker timeout
READS = ("notes page", "API list", "sign-in page")


# --- Flavours -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flavour:
    """What differs between the flavours here: commands, pages, forms, tables."""

    answer_set: str
    login_path: str
    csrf_field: str
    login_fields: tuple[str, str]  # the sign-in form's fields for the email and the password
    notes_table: str
    api_rate: dict[str, str]  # the variable of the API's rate limit, far above this load
    create_user: tuple[str, ...]  # a command that creates EMAIL with PASSWORD, in which {email}, {password}
    issue_token: tuple[str, ...]  # a command that prints a new API token of EMAIL
    user_env: dict[str, str] = field(default_factory=dict)  # what `create_user` reads from the environment


FLAVOURS = {
    "django-scale": Flavour(
        answer_set="django-scale",
        login_path="/accounts/login/",
        csrf_field="csrfmiddlewaretoken",
        login_fields=("username", "password"),
        notes_table="notes_note",
        api_rate={"DJANGO_API_RATE": LOAD_API_RATE["django"]},
        create_user=("python", "manage.py", "createsuperuser", "--no-input"),
        issue_token=("python", "manage.py", "issue_token", EMAIL, "faults"),
        user_env={"DJANGO_SUPERUSER_EMAIL": EMAIL, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
    ),
    "flask-scale": Flavour(
        answer_set="flask-scale",
        login_path="/login",
        csrf_field="csrf_token",
        login_fields=("email", "password"),
        notes_table="note",
        api_rate={"FLASK_API_RATE": LOAD_API_RATE["flask"]},
        create_user=("flask", "--app", "shop", "create-admin", EMAIL, "--password", PASSWORD),
        issue_token=("flask", "--app", "shop", "issue-token", EMAIL, "faults"),
    ),
}


# --- HTTP -----------------------------------------------------------------------------------------------------------


def call(port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None):
    """One request to 127.0.0.1:`port`, with a TLS-terminating proxy's headers; return (status, text), status 0 when
    no answer came (the connection was refused or dropped, or REQUEST_TIMEOUT passed)."""
    host = f"127.0.0.1:{port}"
    headers = {"Host": host, "X-Forwarded-Proto": "https", **(headers or {})}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        return 0, f"{type(error).__name__}: {error}"
    finally:
        connection.close()


def ready(port: int) -> tuple[int, object]:
    """GET /ready: (status, the body as JSON, or as text when it is not JSON)."""
    status, text = call(port, "GET", "/ready")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


# --- The load -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    kind: str  # "write", or one of READS
    phase: str  # the phase in which the request was sent
    status: int  # 0: no answer
    until: str  # the phase in which its answer came (or the connection failed)


class Load:
    """WRITERS and READERS threads against gunicorn on `port`, each request labelled with the phase in which it was
    sent (`enter(phase)` starts one). Writers POST /api/notes with `token`, one Idempotency-Key per note, named in the
    note's body, and retry it after a 5xx, a 409 or no answer until it is answered, for WRITE_DEADLINE seconds at most; a
    write stops only between notes. Readers alternate between READS, the notes page with `cookies` (signed in)."""

    def __init__(self, port: int, token: str, cookies: dict[str, str], flavour: Flavour):
        self.port, self.token, self.cookies, self.flavour = port, token, cookies, flavour
        self.phase = "before"
        self.phases = ["before"]
        self.answers: list[Answer] = []
        self.created: dict[str, int] = {}  # key: the id of the note that a 201 returned
        self.given_up: dict[str, int] = {}  # key: the last status of a write that never got its 201
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.write, args=(n,)) for n in range(WRITERS)]
        self.threads += [threading.Thread(target=self.read, args=(n,)) for n in range(READERS)]

    def start(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def enter(self, phase: str) -> None:
        self.phase = phase
        self.phases.append(phase)

    def record(self, kind: str, phase: str, status: int) -> None:
        with self.lock:
            self.answers.append(Answer(kind, phase, status, self.phase))

    def spans(self, answer: Answer, phase: str) -> bool:
        """Whether `answer`'s request was under way at some time during `phase`: sent in it or before it, answered
        in it or after it."""
        return self.phases.index(answer.phase) <= self.phases.index(phase) <= self.phases.index(answer.until)

    def in_phase(self, phase: str | None = None) -> list[Answer]:
        phase = phase or self.phase
        with self.lock:
            return [answer for answer in self.answers if answer.phase == phase]

    def wait_for_every_thread(self, at_least: int = 2, timeout: float = 120) -> None:
        """Wait until at least `at_least` requests of each kind sent in this phase were answered (writes: any answer,
        reads: each of READS); a slow machine takes longer, not a failure. Raises AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            kinds = Counter(answer.kind for answer in self.in_phase())
            if all(kinds[kind] >= at_least for kind in ("write", *READS)):
                return
            assert time.monotonic() < deadline, f"{self.phase}: too few answers in {timeout} s: {dict(kinds)}"
            time.sleep(0.1)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=WRITE_DEADLINE + REQUEST_TIMEOUT + 10)
        assert not any(thread.is_alive() for thread in self.threads)

    def write(self, number: int) -> None:
        count = 0
        while not self.stopping.is_set():
            count += 1
            key = secrets.token_hex(16)
            body = json.dumps({"title": f"Writer {number} note {count}", "body": f"Written under faults, key {key}."})
            headers = {
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            }
            deadline = time.monotonic() + WRITE_DEADLINE
            while True:
                phase = self.phase
                status, text = call(self.port, "POST", "/api/notes", headers, body.encode())
                self.record("write", phase, status)
                if status == 201:
                    with self.lock:
                        self.created[key] = json.loads(text)["id"]
                    break
                # 409: the key's first request is still under way (the IETF draft's answer); try again later.
                if (status and status < 500 and status != 409) or time.monotonic() > deadline:
                    with self.lock:
                        self.given_up[key] = status
                    break
                time.sleep(0.2)
            time.sleep(PAUSE)

    def read(self, number: int) -> None:
        signed_in = Visitor(self.port, csrf_field=self.flavour.csrf_field)
        signed_in.cookies = dict(self.cookies)
        paths = {
            "notes page": lambda: signed_in.request("GET", "/notes/")[0],
            "API list": lambda: call(self.port, "GET", "/api/notes", {"Authorization": f"Bearer {self.token}"})[0],
            "sign-in page": lambda: call(self.port, "GET", self.flavour.login_path)[0],
        }
        count = number
        while not self.stopping.is_set():
            kind = READS[count % len(READS)]
            count += 1
            phase = self.phase
            try:
                status = paths[kind]()
            except (OSError, http.client.HTTPException):
                status = 0
            self.record(kind, phase, status)
            time.sleep(PAUSE)

    def table(self) -> str:
        """Per phase: requests, 5xx, no answer, writes answered 201, reads answered 200, the other statuses."""
        rows = [("phase", "requests", "5xx", "no answer", "writes 201", "reads 200", "other")]
        for phase in self.phases:
            answers = self.in_phase(phase)
            statuses = Counter(answer.status for answer in answers)
            writes = sum(answer.kind == "write" and answer.status == 201 for answer in answers)
            reads = sum(answer.kind != "write" and answer.status == 200 for answer in answers)
            other = Counter(
                f"{answer.kind} {answer.status}"
                for answer in answers
                if answer.status >= 300 and not (answer.kind == "write" and answer.status == 201)
            )
            rows.append(
                (
                    phase,
                    str(len(answers)),
                    str(sum(count for status, count in statuses.items() if status >= 500)),
                    str(statuses[0]),
                    str(writes),
                    str(reads),
                    ", ".join(f"{name}: {count}" for name, count in sorted(other.items())) or "-",
                )
            )
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
        return "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in rows
        )


# --- The stack ------------------------------------------------------------------------------------------------------


class Stack:
    """The project's processes on loopback, with its own PostgreSQL (`database_url`, `restart_postgres`)."""

    def __init__(self, project: Project, flavour: Flavour, folder: Path, database_url: str, restart_postgres):
        self.project, self.flavour, self.folder = project, flavour, folder
        self.database_url, self.restart_postgres = database_url, restart_postgres
        self.processes: list[LoggedProcess] = []
        self.closing = threading.Event()
        self.worker_exits: list[str] = []

    def start(self) -> Stack:
        self.redis, self.redis_url = redis_server(self.folder / "redis.log")
        self.redis_port = int(self.redis_url.rsplit(":", 1)[1].split("/")[0])
        self.env = production_env(self.project, self.database_url, REDIS_URL=self.redis_url, **self.flavour.api_rate)
        # Exactly one beat, as the README says. Each command below takes seconds to start the project's code: they
        # start side by side.
        app = CELERY_APPS[self.project.answers["framework"]]
        self.beat = LoggedProcess(
            ["uv", "run", "--quiet", "celery", "--app", app, "beat", "--loglevel", "INFO"]
            + ["--schedule", str(self.folder / "celerybeat-schedule")],
            self.folder / "beat.log",
            cwd=self.project.path,
            env=self.env,
        )
        self.processes.append(self.beat)
        options = ("--pool", "prefork", "--concurrency", "2", "--loglevel", "INFO")
        with ThreadPoolExecutor() as pool:
            web = pool.submit(start_gunicorn, self.project, self.env, self.folder / "web.log")
            worker = pool.submit(start_celery_worker, self.project, self.env, self.folder / "worker.log", *options)
            try:
                self.project.uv_run(*self.flavour.create_user, env={**self.env, **self.flavour.user_env})
                self.token = self.project.uv_run(*self.flavour.issue_token, env=self.env).stdout.split()[-1]
            finally:
                # What started is stopped by close() whatever failed; what did not start was killed already.
                for future in wait([web, worker]).done:
                    if future.exception() is None:
                        self.processes.append(future.result()[0] if future is web else future.result())
            self.web, self.port = web.result()
            self.worker = worker.result()
        self.beat.wait_for_output("beat: Starting", timeout=90)
        threading.Thread(target=self.supervise_worker, args=(options,), daemon=True).start()
        return self

    def supervise_worker(self, options: tuple[str, ...]) -> None:
        """Start the Celery worker again whenever it exits, as compose.yaml's `restart: unless-stopped` and
        Kubernetes do: Celery exits on some broker failures (Redis going away while the worker hands back the tasks
        it holds). Each exit is recorded in `worker_exits` (the last error line of its log)."""
        while not self.closing.is_set():
            if not self.worker.running() and not self.closing.is_set():
                lines = [line for line in self.worker.output().splitlines() if "CRITICAL" in line or "Error" in line]
                self.worker_exits.append(lines[-1][:300] if lines else "(no error line)")
                log = self.folder / f"worker-{len(self.worker_exits) + 1}.log"
                try:
                    self.worker = start_celery_worker(self.project, self.env, log, *options)
                    self.processes.append(self.worker)
                except Exception as error:  # noqa: BLE001 - a supervisor keeps trying, and the test reports it
                    self.worker_exits.append(f"could not start again: {error}")
            self.closing.wait(1)

    def sign_in(self) -> dict[str, str]:
        """The cookies of a session signed in as EMAIL, through the sign-in form."""
        visitor = Visitor(self.port, csrf_field=self.flavour.csrf_field)
        email, password = self.flavour.login_fields
        status, _, page = visitor.submit(self.flavour.login_path, {email: EMAIL, password: PASSWORD})
        assert status == 302, page[:2000]
        return visitor.cookies

    def stop_redis(self) -> None:
        self.redis.stop()

    def start_redis(self) -> None:
        self.redis, _ = redis_server(self.folder / "redis.log", port=self.redis_port)

    def web_workers(self) -> list[int]:
        """The pids of gunicorn's workers that are running, oldest first, as its log names them."""
        booted = [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", self.web.output())]
        return [pid for pid in booted if Path(f"/proc/{pid}").exists() and b"gunicorn" in self.cmdline(pid)]

    @staticmethod
    def cmdline(pid: int) -> bytes:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return b""

    def notes(self) -> list[tuple[int, str, int | None]]:
        """Every note: (id, body, word count or None)."""
        sql = f"SELECT id, body, word_count FROM {self.flavour.notes_table} ORDER BY id"
        rows = psql_rows(self.database_url, sql)
        return [(int(number), body, int(words) if words else None) for number, body, words in rows]

    def close(self) -> None:
        self.closing.set()
        for process in [*reversed(self.processes), self.redis]:
            process.stop()


KEY = re.compile(r"key ([0-9a-f]{32})\.")


@pytest.mark.parametrize("name", answer_sets(*FLAVOURS))
def test_redis_postgresql_and_a_web_worker_fail_under_load(generate, tmp_path, name):
    """The whole scenario, phase by phase; the table of what each phase answered is printed before any assertion."""
    flavour = FLAVOURS[name]
    project = generate(flavour.answer_set).sync()
    with private_postgres() as (database_url, restart_postgres):
        stack = Stack(project, flavour, tmp_path, database_url, restart_postgres)
        try:
            started = time.monotonic()
            stack.start()
            print(f"\nthe stack started in {time.monotonic() - started:.0f} s")
            scenario(stack)
        finally:
            stack.close()
            for log in sorted(tmp_path.glob("*.log")):
                print(f"--- {log.name}: {len(log.read_text().splitlines())} lines, {log}")


def scenario(stack: Stack) -> None:
    load = Load(stack.port, stack.token, stack.sign_in(), stack.flavour).start()
    ready_while_redis_down: list[tuple[int, object]] = []
    ready_while_postgres_down: list[tuple[int, object]] = []
    killed: list[int] = []
    started = time.monotonic()
    try:
        load.wait_for_every_thread()

        # (a) Redis, the cache and the broker, stopped for 10 s at least, and until every thread was answered.
        load.enter("redis down")
        stack.stop_redis()
        down_at = time.monotonic()
        while time.monotonic() < down_at + 10:
            ready_while_redis_down.append(ready(stack.port))
            time.sleep(1)
        load.wait_for_every_thread()
        ready_while_redis_down.append(ready(stack.port))
        stack.start_redis()
        load.enter("redis back")
        load.wait_for_every_thread()

        # (b) PostgreSQL stopped, and started once /ready said so and every thread was answered without it. The
        # phase starts as the shutdown does, and ends once the server accepts connections again.
        def while_postgres_is_down() -> None:
            ready_while_postgres_down.append(ready(stack.port))
            load.wait_for_every_thread(at_least=1)
            ready_while_postgres_down.append(ready(stack.port))

        load.enter("postgres down")
        stack.restart_postgres(while_down=while_postgres_is_down)
        load.enter("postgres back")
        load.wait_for_every_thread()

        # (c) One gunicorn worker killed at once; the phase ends once gunicorn has booted another.
        load.enter("web worker killed")
        before = stack.web_workers()
        assert len(before) == 2, stack.web.output()
        killed.append(before[-1])
        os.kill(killed[0], signal.SIGKILL)
        booted = wait_until(lambda: len(set(stack.web_workers()) - set(before)) == 1, timeout=60)
        assert booted, stack.web.output()
        load.wait_for_every_thread()
        load.enter("after")
        load.wait_for_every_thread()
    finally:
        load.stop()

    # Writes, tasks, duplicates, read from the database.
    def uncounted() -> list[int]:
        return [number for number, _, words in stack.notes() if words is None]

    faults_took = time.monotonic() - started
    tasks_done_at = time.monotonic()
    wait_until(lambda: not uncounted(), timeout=150, interval=1)
    left = uncounted()
    waited = time.monotonic() - tasks_done_at
    notes = stack.notes()
    keys = Counter(match.group(1) for _, body, _ in notes if (match := KEY.search(body)))
    stored = set(keys)
    lost = sorted(set(load.created) - stored)
    duplicates = {key: count for key, count in keys.items() if count > 1}
    miscounted = [(number, words) for number, body, words in notes if words not in (None, len(body.split()))]
    unanswered_at_kill = sum(a.status == 0 for a in load.answers if load.spans(a, "web worker killed"))
    summary = "\n".join(
        [
            f"{stack.flavour.answer_set}: what each phase answered (by the phase in which each request was sent)",
            load.table(),
            f"/ready while Redis was down: {dict(Counter(map(repr, ready_while_redis_down)))}",
            f"/ready while PostgreSQL was down: {dict(Counter(map(repr, ready_while_postgres_down)))}",
            f"web worker killed: pid {killed[0]}; requests under way then, never answered: {unanswered_at_kill}",
            f"Celery worker exits, each started again as its supervisor would: {stack.worker_exits or 'none'}",
            (
                f"writes answered 201: {len(load.created)}, given up: {len(load.given_up)}, notes: {len(notes)},"
                f" lost writes: {len(lost)}, duplicates: {len(duplicates)}"
                f" ({sum(duplicates.values()) - len(duplicates)} extra notes), lost tasks: {len(left)}"
                f" (polled {waited:.0f} s after the load, which took {faults_took:.0f} s), miscounted:"
                f" {len(miscounted)}"
            ),
        ]
    )
    print(f"\n{summary}")

    failures = []
    # A 5xx is allowed while PostgreSQL is down, for requests under way then; not in any other phase.
    for phase in load.phases:
        server_errors = Counter(
            f"{a.kind} {a.status}"
            for a in load.in_phase(phase)
            if a.status >= 500 and not load.spans(a, "postgres down")
        )
        if server_errors:
            failures.append(f"5xx among the requests sent in phase {phase!r}: {dict(server_errors)}")
    redis_down = Counter(f"{a.kind} {a.status}" for a in load.answers if load.spans(a, "redis down"))
    if set(redis_down) - {"write 201", *(f"{kind} 200" for kind in READS)}:
        failures.append(f"while Redis was down, not every write was answered 201 and every read 200: {redis_down}")
    for status, body in ready_while_redis_down:
        degraded = isinstance(body, dict) and body.get("status") == "degraded" and set(body) == {"status", "degraded"}
        if not (status == 200 and degraded and set(body["degraded"]) == {"redis"} and body["degraded"]["redis"]):
            failures.append(f"/ready while Redis was down: {status} {body!r}")
            break
    if not ready_while_postgres_down or {status for status, _ in ready_while_postgres_down} != {503}:
        failures.append(f"/ready while PostgreSQL was down: {ready_while_postgres_down}")
    if load.given_up:
        failures.append(f"writes never answered 201: {Counter(load.given_up.values())}")
    if lost:
        failures.append(f"lost writes (answered 201, not in the database): {lost}")
    if duplicates:
        failures.append(f"duplicates (notes of one Idempotency-Key): {duplicates}")
    for process, name in ((stack.beat, "Celery beat"), (stack.web, "gunicorn")):
        if not process.running():
            last = [line for line in process.output().splitlines() if "CRITICAL" in line or "Error" in line][-1:]
            failures.append(f"the {name} exited ({process.log}): {' '.join(last)[:500]}")
    if any(exit.startswith("could not start again") for exit in stack.worker_exits):
        failures.append(f"the Celery worker exited and could not start again: {stack.worker_exits}")
    if left:
        failures.append(f"lost tasks (notes never counted after {waited:.0f} s): {left}")
    if miscounted:
        failures.append(f"miscounted notes: {miscounted}")
    assert not failures, "\n".join([*failures, "", summary])
