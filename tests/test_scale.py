"""When one machine is not enough: a generated project as several processes on loopback, as it would run on several
machines. Two gunicorn instances of the project on one PostgreSQL database, a Celery worker, Redis, and HAProxy in
front, round-robin; Chromium and plain HTTP clients go through HAProxy (or straight to one instance, to prove what the
instances share).

The harness, for each flavour that scales (a `ScaleFlavour`):
- `Stack(project, flavour, database_url, folder)` starts redis-server, the instances (`start_web(i)`), the worker
  (`start_worker()`, `stop_worker()`) and HAProxy (`proxy_port`, `url`); `close()` stops them all.
  helpers.LoggedProcess, helpers.redis_server and helpers.haproxy_round_robin do the process work.
- `plain_visitor(port)`: one visitor over plain HTTP (helpers.Visitor), with cookies and the CSRF token of the forms.
The module runs the whole stack once per flavour (`stack` fixture, module scope); its tests go in file order, and the
one that kills an instance comes last. Every loop is bounded in time.

The rest is cheap: a plain copy needs no Redis, worker or server; the manifests validate offline. Each answer
combination's own checks run in tests/test_design.py (a covering design) and tests/test_answer_space.py (all of them).
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from helpers import (
    FLASK_LOOPBACK_HOSTS,
    LOAD_API_RATE,
    LoggedProcess,
    Project,
    Visitor,
    answer_sets,
    free_port,
    haproxy_round_robin,
    project_env,
    psql_rows,
    redis_server,
    sign_up_confirmation_link,
    wait_for_health,
    wait_until,
)
from kubernetes_names import kubernetes_name_errors

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent  # kubernetes-validate and check-jsonschema of the template's own environment
ADMIN_EMAIL, ADMIN_PASSWORD = "boss@example.com", "a long enough passphrase"
LOCKED_EMAIL, LOCKED_PASSWORD = "target@example.com", "the target's own passphrase"
MEMBER_EMAIL, MEMBER_PASSWORD = "member@example.com", "another long passphrase 77"
SECRET_KEY = "scale-test-" + secrets.token_urlsafe(40)  # one for every instance: a session signed by A opens B


# --- Flavours -----------------------------------------------------------------------------------------------------


class ScaleFlavour:
    """What differs between flavours: answers, commands, settings, pages. Paths are relative to the site's root."""

    answer_set: str
    celery_app: str
    signup_path: str
    login_path: str
    new_note_path: str
    lockout_status: int  # what a locked-out sign-in answers

    def env(self, database_url: str, redis_url: str) -> dict[str, str]:
        """Production settings on plain HTTP on loopback, shared by every process of the stack."""
        raise NotImplementedError

    def prepare(self, project: Project, env: dict[str, str]) -> None:
        """Migrate the database; create the accounts ADMIN_EMAIL and LOCKED_EMAIL."""
        raise NotImplementedError

    def fill_signup(self, page, email: str, password: str) -> None:
        raise NotImplementedError

    def after_signup(self, page, base: str, email: str, password: str) -> None:
        """Whatever a new account needs, after the sign-up form, to be signed in."""

    def fill_login(self, page, email: str, password: str) -> None:
        raise NotImplementedError

    def login_form(self, email: str, password: str) -> dict[str, str]:
        raise NotImplementedError

    def note_form(self, title: str, body: str) -> dict[str, str]:
        raise NotImplementedError

    def open_note(self, page, title: str) -> None:
        """From the page that a new note's form leads to, go where the note's word count shows."""
        raise NotImplementedError

    def counted(self, page, title: str) -> int | None:
        """The word count that the page shows for the note `title`, or None while there is none."""
        raise NotImplementedError

    # The rows of the notes: a SQL query that returns id, title and word count (NULL until counted).
    notes_sql: str
    # A line the worker logs when the task has counted a note, with `{id}` for the note's id.
    worker_line: str


class Django(ScaleFlavour):
    answer_set = "django-scale"
    celery_app = "config.celery_app"
    signup_path = "/accounts/sign-up/"
    login_path = "/accounts/login/"
    new_note_path = "/notes/new/"
    lockout_status = 429
    notes_sql = "SELECT id, title, word_count FROM notes_note ORDER BY id"
    worker_line = "Note {id} has "

    def env(self, database_url, redis_url):
        return project_env(
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=SECRET_KEY,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            # Plain HTTP on loopback; Chromium treats 127.0.0.1 as secure, so Secure cookies still work.
            DJANGO_SECURE_SSL_REDIRECT="false",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            WEB_CONCURRENCY="1",
            DJANGO_API_RATE=LOAD_API_RATE["django"],
        )

    def prepare(self, project, env):
        project.uv_run("python", "manage.py", "migrate", "--no-input", env=env)
        project.uv_run("python", "manage.py", "collectstatic", "--no-input", env=env)
        for email, password in ((ADMIN_EMAIL, ADMIN_PASSWORD), (LOCKED_EMAIL, LOCKED_PASSWORD)):
            superuser = {"DJANGO_SUPERUSER_EMAIL": email, "DJANGO_SUPERUSER_PASSWORD": password}
            project.uv_run("python", "manage.py", "createsuperuser", "--no-input", env={**env, **superuser})
        self.project, self.env = project, env  # for after_signup

    def fill_signup(self, page, email, password):
        page.fill("input[name=email]", email)
        page.fill("input[name=password1]", password)
        page.fill("input[name=password2]", password)
        page.click("main button[type=submit]")

    def after_signup(self, page, base, email, password):
        # A new account opens, and signs in, through the link that its confirmation mail carries.
        page.goto(sign_up_confirmation_link(self.project, self.env, base, email))

    def fill_login(self, page, email, password):
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")

    def login_form(self, email, password):
        return {"username": email, "password": password}

    def note_form(self, title, body):
        return {"title": title, "body": body}

    def open_note(self, page, title):
        page.get_by_role("link", name=title).click()

    def counted(self, page, title):
        match = re.search(r"(\d+) words?\b", page.locator("main").inner_text())
        return int(match.group(1)) if match else None


class Flask(ScaleFlavour):
    answer_set = "flask-scale"
    celery_app = "make_celery"
    signup_path = "/register"
    login_path = "/login"
    new_note_path = "/notes/"
    lockout_status = 429
    notes_sql = "SELECT id, title, word_count FROM note ORDER BY id"
    worker_line = "Note {id} has "

    def env(self, database_url, redis_url):
        return project_env(
            FLASK_DEBUG="false",
            FLASK_SECRET_KEY=SECRET_KEY,
            FLASK_SECURITY_PASSWORD_SALT="scale-test-salt-" + "s" * 40,
            **FLASK_LOOPBACK_HOSTS,
            FLASK_API_RATE=LOAD_API_RATE["flask"],
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            WEB_CONCURRENCY="1",
        )

    def prepare(self, project, env):
        project.uv_run("flask", "--app", "shop", "db", "upgrade", env=env)
        for email, password in ((ADMIN_EMAIL, ADMIN_PASSWORD), (LOCKED_EMAIL, LOCKED_PASSWORD)):
            project.uv_run("flask", "--app", "shop", "create-admin", email, "--password", password, env=env)
        self.project, self.env = project, env  # for after_signup

    def fill_signup(self, page, email, password):
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.fill("input[name=password_confirm]", password)
        page.click("main input[type=submit]")

    def after_signup(self, page, base, email, password):
        # A new account signs in once its address is confirmed: follow the link its confirmation mail carries.
        page.goto(sign_up_confirmation_link(self.project, self.env, base, email))
        page.goto(base + self.login_path)
        self.fill_login(page, email, password)

    def fill_login(self, page, email, password):
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("main input[type=submit]")

    def login_form(self, email, password):
        return {"email": email, "password": password}

    def note_form(self, title, body):
        return {"title": title, "body": body}

    def open_note(self, page, title):
        pass  # the list, where the form leads, shows each note whole

    def counted(self, page, title):
        match = re.search(r"(\d+) words?\b", page.locator("article", has_text=title).inner_text())
        return int(match.group(1)) if match else None


FLAVOURS = {"django-scale": Django(), "flask-scale": Flask()}


# --- The stack ----------------------------------------------------------------------------------------------------


def plain_visitor(port: int) -> Visitor:
    """One visitor over plain HTTP, as the stack serves it: with cookies and the CSRF token of either flavour's forms."""
    return Visitor(port, csrf_field=None, proxied=False)


@dataclass
class Stack:
    """The processes of one flavour's project on loopback: Redis, two gunicorn instances, a worker, HAProxy."""

    project: Project
    flavour: ScaleFlavour
    database_url: str
    folder: Path
    env: dict[str, str] = field(init=False)
    redis: LoggedProcess = field(init=False)
    web: list[LoggedProcess | None] = field(init=False, default_factory=lambda: [None, None])
    web_ports: list[int] = field(init=False, default_factory=list)
    worker: LoggedProcess | None = field(init=False, default=None)
    worker_logs: list[Path] = field(init=False, default_factory=list)
    proxy: LoggedProcess | None = field(init=False, default=None)
    proxy_port: int = field(init=False, default=0)

    def start(self) -> Stack:
        self.redis, redis_url = redis_server(self.folder / "redis.log")
        self.env = self.flavour.env(self.database_url, redis_url)
        self.flavour.prepare(self.project, self.env)
        self.web_ports = [free_port(), free_port()]
        for number in range(2):
            self.start_web(number)
        self.start_worker()
        self.proxy, self.proxy_port = haproxy_round_robin(self.web_ports, self.folder)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def web_log(self, number: int) -> Path:
        return self.folder / f"web{number}.log"

    def start_web(self, number: int) -> None:
        port = self.web_ports[number]
        server = LoggedProcess(
            ["uv", "run", "--quiet", "gunicorn"],
            self.web_log(number),
            cwd=self.project.path,
            env={**self.env, "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}"},
        )
        wait_for_health(server.process, port, timeout=120, log=self.web_log(number))
        self.web[number] = server

    def start_worker(self) -> None:
        """A worker with a log of its own (worker0.log, worker1.log, ...), once it has said it is ready."""
        log = self.folder / f"worker{len(self.worker_logs)}.log"
        self.worker_logs.append(log)
        command = ["uv", "run", "--quiet", "celery", "--app", self.flavour.celery_app, "worker"]
        self.worker = LoggedProcess(
            [*command, "--loglevel", "INFO", "--pool", "solo", "--without-mingle", "--without-gossip"],
            log,
            cwd=self.project.path,
            env=self.env,
        )
        self.worker.wait_for_output(" ready.", timeout=90)

    def stop_worker(self) -> None:
        self.worker.stop()
        assert "Warm shutdown" in self.worker.output() or not self.worker.running()

    def notes(self) -> list[tuple[int, str, int | None]]:
        """Every note in the database: (id, title, word count or None)."""
        rows = psql_rows(self.database_url, self.flavour.notes_sql)
        return [(int(number), title, int(words) if words else None) for number, title, words in rows]

    def close(self) -> None:
        for process in [self.proxy, self.worker, *self.web, self.redis]:
            if process is not None:
                process.stop()


@pytest.fixture(scope="module", params=answer_sets(*FLAVOURS))
def stack(request, generate, postgres_server, tmp_path_factory):
    flavour = FLAVOURS[request.param]
    project = generate(flavour.answer_set).sync()
    database_url = postgres_server.create_database(f"{request.param.replace('-', '_')}_multi")
    folder = tmp_path_factory.mktemp("scale")
    running = Stack(project, flavour, database_url, folder)
    try:
        yield running.start()
    finally:
        running.close()
        # The logs, for a failure's report.
        for log in sorted(folder.glob("*.log")):
            print(f"--- {log.name}: {len(log.read_text().splitlines())} lines")


# --- Real processes -----------------------------------------------------------------------------------------------


@pytest.mark.multiprocess
@pytest.mark.browser
def test_a_browser_stays_signed_in_across_instances_and_the_worker_counts_the_note(stack, browser):
    """Chromium through HAProxy: sign up, sign out, sign in, create a note. Requests alternate between the two
    instances (each response names its server) and every page stays signed in. The note's word count shows within
    seconds, counted by the worker: its log has the line, the instances' logs do not."""
    flavour, base = stack.flavour, stack.url
    context = browser.new_context()
    context.set_default_timeout(60_000)
    page = context.new_page()
    served_by = []
    page.on("response", lambda response: served_by.append(response.headers.get("x-served-by")))
    try:
        page.goto(base + flavour.signup_path)
        flavour.fill_signup(page, MEMBER_EMAIL, MEMBER_PASSWORD)
        flavour.after_signup(page, base, MEMBER_EMAIL, MEMBER_PASSWORD)
        assert MEMBER_EMAIL in page.locator("header").inner_text()
        page.locator("header button", has_text="Log out").click()
        page.goto(base + flavour.login_path)
        flavour.fill_login(page, MEMBER_EMAIL, MEMBER_PASSWORD)
        signed_in_by = []
        for _ in range(6):
            response = page.goto(base + "/notes/")
            signed_in_by.append(response.headers["x-served-by"])
            assert MEMBER_EMAIL in page.locator("header").inner_text(), f"signed out on {signed_in_by[-1]}"
            if signed_in_by[-2:] == [signed_in_by[-1]] * 2:
                # A page and its stylesheet, two requests, can land every page on one instance: one more request
                # moves the round-robin on.
                page.request.get(base + "/health")
        assert set(signed_in_by) == {"s0", "s1"}, signed_in_by

        title = f"Counted by the worker {time.monotonic_ns()}"
        page.goto(base + flavour.new_note_path)
        page.fill("input[name=title]", title)
        page.fill("textarea[name=body]", "one two three four five six seven")
        page.click("main button[type=submit]")
        flavour.open_note(page, title)

        def count() -> int | None:
            page.reload()
            return flavour.counted(page, title)

        assert wait_until(count, timeout=60) == 7
    finally:
        context.close()
    (note_id,) = [number for number, note_title, _ in stack.notes() if note_title == title]
    line = flavour.worker_line.format(id=note_id)
    assert stack.worker.output().count(line) == 1
    assert all(line not in stack.web_log(number).read_text() for number in range(2))
    assert {"s0", "s1"} <= set(served_by)


@pytest.mark.multiprocess
def test_tasks_queued_while_the_worker_is_down_each_run_once_when_it_is_back(stack):
    client = plain_visitor(stack.proxy_port)
    status, _, _ = client.submit(stack.flavour.login_path, stack.flavour.login_form(ADMIN_EMAIL, ADMIN_PASSWORD))
    assert status == 302
    stack.stop_worker()
    titles = [f"Queued {number} {time.monotonic_ns()}" for number in range(5)]
    for number, title in enumerate(titles):
        status, _, _ = client.submit(
            stack.flavour.new_note_path, stack.flavour.note_form(title, "word " * (number + 1))
        )
        assert status == 302
    time.sleep(1)
    queued = {number: words for number, title, words in stack.notes() if title in titles}
    assert len(queued) == 5 and set(queued.values()) == {None}, "nobody counts while the worker is down"

    stack.start_worker()

    def all_counted():
        counts = {number: words for number, title, words in stack.notes() if title in titles}
        return counts if None not in counts.values() else None

    counts = wait_until(all_counted, timeout=120)
    assert counts, stack.worker.output()
    assert sorted(counts.values()) == [1, 2, 3, 4, 5]
    time.sleep(1)  # a duplicate delivery would show by now
    log = stack.worker.output()
    assert [log.count(stack.flavour.worker_line.format(id=number)) for number in sorted(counts)] == [1] * 5


@pytest.mark.multiprocess
def test_a_lockout_from_one_instance_holds_on_the_other(stack):
    """Six wrong passwords straight to instance 0 (the fifth locks sign-in, the sixth is refused), then the right one
    straight to instance 1: refused."""
    flavour = stack.flavour
    client = plain_visitor(stack.web_ports[0])
    statuses = []
    for attempt in range(6):
        form = flavour.login_form(LOCKED_EMAIL, f"wrong guess {attempt}")
        statuses.append(client.submit(flavour.login_path, form, port=stack.web_ports[0])[0])
    assert statuses[-1] == flavour.lockout_status, statuses
    other = plain_visitor(stack.web_ports[1])
    status, _, page = other.submit(flavour.login_path, flavour.login_form(LOCKED_EMAIL, LOCKED_PASSWORD))
    assert status == flavour.lockout_status, page[:2000]


@pytest.mark.multiprocess
def test_killing_an_instance_loses_no_acknowledged_write(stack):
    """Three writers through HAProxy, 15 notes each; instance 0 dies (SIGKILL, with its workers) a few writes in.
    Every write that was acknowledged (a redirect) is in the database; the failures are counted and printed."""
    flavour = stack.flavour
    acknowledged: list[str] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    first_writes = threading.Event()

    def writer(number: int) -> None:
        client = plain_visitor(stack.proxy_port)
        for _ in range(3):  # signing in may meet the dying instance too
            try:
                if client.submit(flavour.login_path, flavour.login_form(ADMIN_EMAIL, ADMIN_PASSWORD))[0] == 302:
                    break
            except (OSError, AssertionError):
                continue
        deadline = time.monotonic() + 60
        for index in range(15):
            if time.monotonic() > deadline:
                break
            title = f"Writer {number} note {index} {time.monotonic_ns()}"
            try:
                status = client.submit(flavour.new_note_path, flavour.note_form(title, "Written under fire."))[0]
                outcome = "acknowledged" if status == 302 else f"status {status}"
            except AssertionError as error:  # the form's page was not served: its status is the message's start
                outcome = f"failed: {str(error).partition(chr(10))[0]}"
            except OSError as error:
                outcome = f"failed: {type(error).__name__}"
            with lock:
                outcomes[outcome] += 1
                if outcome == "acknowledged":
                    acknowledged.append(title)
                    if len(acknowledged) >= 6:
                        first_writes.set()

    writers = [threading.Thread(target=writer, args=(number,)) for number in range(3)]
    for thread in writers:
        thread.start()
    assert first_writes.wait(timeout=60), dict(outcomes)
    stack.web[0].kill()
    killed_after = len(acknowledged)
    for thread in writers:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in writers)

    print(f"\nwrites through HAProxy, instance 0 killed after {killed_after} acknowledged: {dict(outcomes)}")
    stored = {title for _, title, _ in stack.notes()}
    assert set(acknowledged) <= stored, f"lost: {sorted(set(acknowledged) - stored)}"
    assert len(acknowledged) > killed_after, "the other instance went on serving"
    assert outcomes["acknowledged"] >= 45 - 5, dict(outcomes)
    status, headers, _ = plain_visitor(stack.proxy_port).request("GET", "/health")
    assert (status, headers["X-Served-By"]) == (200, "s1")


# --- Files --------------------------------------------------------------------------------------------------------


# Each flavour's plain copy with a database: the files that would name Celery or Redis, and where a task would be.
PLAIN = {
    "django": (["config/settings.py"], ["config/celery_app.py", "shop/notes/tasks.py"]),
    "flask-all": (["shop/__init__.py"], ["make_celery.py", "shop/tasks.py", "shop/caching.py"]),
}


@pytest.mark.parametrize("name", answer_sets(*PLAIN))
def test_a_plain_copy_needs_no_redis_worker_or_server(generate, name):
    project = generate(name)
    settings, absent = PLAIN[name]
    for path in ("pyproject.toml", ".env.example", "README.md", "compose.yaml", *settings):
        text = (project.path / path).read_text()
        assert "celery" not in text.lower() and "REDIS_URL" not in text, path
    assert "redis>" not in (project.path / "pyproject.toml").read_text()
    services = yaml.safe_load((project.path / "compose.yaml").read_text())["services"]
    assert set(services) <= {"web", "migrate", "db", "mailpit"} and "redis" not in services
    assert not (project.path / "deploy").exists()
    assert not [path for path in absent if (project.path / path).exists()]


@pytest.mark.parametrize("name", answer_sets(*FLAVOURS))
def test_the_deploy_files_validate_offline(generate, name):
    project = generate(name)
    manifests = sorted((project.path / "deploy" / "kubernetes").glob("*.yaml"))
    assert [path.name for path in manifests] == [
        "autoscaler.yaml",
        "beat.yaml",
        "migrate.yaml",
        "service.yaml",
        "web.yaml",
        "worker.yaml",
    ]
    result = subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", *map(str, manifests)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    kinds = {yaml.safe_load(path.read_text())["kind"] for path in manifests}
    assert kinds == {"Deployment", "Service", "Job", "HorizontalPodAutoscaler"}
    web = yaml.safe_load((project.path / "deploy" / "kubernetes" / "web.yaml").read_text())
    (container,) = web["spec"]["template"]["spec"]["containers"]
    assert web["spec"]["replicas"] == 2
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["envFrom"] == [{"secretRef": {"name": "shop"}}]

    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml"],
        cwd=project.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    compose = yaml.safe_load((project.path / "compose.yaml").read_text())["services"]
    assert compose["web"]["deploy"]["replicas"] == 2
    assert compose["worker"]["command"][:3] == ["celery", "--app", FLAVOURS[name].celery_app]
    assert {"web", "worker", "redis", "db", "migrate", "proxy"} <= set(compose)
    assert all("healthcheck" in compose[name] for name in ("web", "worker", "redis", "db"))
    result = subprocess.run(
        ["haproxy", "-c", "-f", "deploy/haproxy.cfg"], cwd=project.path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", answer_sets(*FLAVOURS))
def test_every_kubernetes_name_of_a_multi_word_project_is_valid(generate, name):
    """The schemas that kubernetes-validate checks leave names unchecked: a name with an underscore passes there and
    is refused by the API server."""
    project = generate(name, project_name="Clinic Portal")
    assert project.path.joinpath("clinic_portal").is_dir()
    errors = []
    for path in sorted((project.path / "deploy" / "kubernetes").glob("*.yaml")):
        manifest = yaml.safe_load(path.read_text())
        assert manifest["metadata"]["name"].startswith("clinic-portal-"), path.name
        assert manifest["metadata"]["labels"]["app.kubernetes.io/name"] == "clinic-portal", path.name
        errors += [f"{path.name}: {error}" for error in kubernetes_name_errors(manifest)]
    assert errors == []
    web = yaml.safe_load((project.path / "deploy" / "kubernetes" / "web.yaml").read_text())
    assert web["spec"]["template"]["spec"]["containers"][0]["envFrom"] == [{"secretRef": {"name": "clinic-portal"}}]
    guide = (project.path / "docs" / "deploy.md").read_text()
    assert "kubectl create secret generic clinic-portal " in guide and "job/clinic-portal-migrate" in guide
