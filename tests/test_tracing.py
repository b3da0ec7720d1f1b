"""Traces over OpenTelemetry, for real: each flavour's project with tracing on and Celery tasks, under gunicorn with its
production settings, a Celery worker and Redis on loopback, and OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local HTTP
endpoint that stands in for a collector and keeps what it is sent.

A request that writes a note (which queues the project's own task, count_words) arrives there as one trace, from the
service named after the project: the request's server span, named after its route, its SQL, the task's publish and
the task's run in the worker, with the task's own SQL under it. The probes (/health, /ready) are not traced. With
tracing off, nothing of OpenTelemetry is generated: no module, setting or dependency.

The view under test is in a module beside the project (not in it, which other tests lint). The bodies, OTLP's protobuf,
are decoded in the project's environment, which holds opentelemetry-proto (the exporter's dependency).
"""

import http.client
import json
import time
from pathlib import Path

import pytest
from helpers import (
    PostSink,
    answer_sets,
    assert_pack_is_off,
    production_env,
    redis_server,
    start_celery_worker,
    start_gunicorn,
)

pytestmark = pytest.mark.slow

FLASK_WSGI = """from shop import create_app
from shop.extensions import csrf, db
from shop.models import Note

app = create_app()


@app.post("/note")
@csrf.exempt
def note():
    note = Note(title="Traced", body="three words here")
    db.session.add(note)
    db.session.commit()
    return {"id": note.id}, 201
"""

DJANGO_SETTINGS = """from config.settings import *  # noqa: F403

ROOT_URLCONF = "traced_urls"
"""

DJANGO_URLS = """from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns
from shop.notes.models import Note


@csrf_exempt
@require_POST
def note(request):
    note = Note.objects.create(title="Traced", body="three words here")
    return JsonResponse({"id": note.pk}, status=201)


urlpatterns = [path("note", note), *urlpatterns]
"""

# Run in the project's environment: the spans of the request bodies whose files are its arguments, as JSON.
DECODE = """import json
import sys
from pathlib import Path

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


def value(any_value):
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(item) for item in any_value.array_value.values]
    return getattr(any_value, kind) if kind else None


spans = []
for path in sys.argv[1:]:
    request = ExportTraceServiceRequest.FromString(Path(path).read_bytes())
    for resource_spans in request.resource_spans:
        resource = {a.key: value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append(
                    {
                        "service": resource.get("service.name"),
                        "scope": scope_spans.scope.name,
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(),
                        "name": span.name,
                        "kind": span.kind,
                        "attributes": {a.key: value(a.value) for a in span.attributes},
                    }
                )
print(json.dumps(spans))
"""

REQUEST_ID = "trace-abc-123"
# opentelemetry.proto.trace.v1.Span.SpanKind
SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5


class CollectorStandIn(PostSink):
    """An OpenTelemetry collector's stand-in: a local endpoint that keeps what it is posted (helpers.PostSink)."""

    REPLY_TYPE = "application/x-protobuf"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def spans(project, collector: CollectorStandIn, folder: Path) -> list[dict]:
    """The spans received so far, each export posted to /v1/traces as OTLP's protobuf."""
    received = list(collector.received)
    assert {(path, content_type) for path, content_type, _ in received} <= {("/v1/traces", "application/x-protobuf")}
    files = []
    for number, (_, _, body) in enumerate(received):
        files.append(folder / f"export-{number}.bin")
        files[-1].write_bytes(body)
    if not files:
        return []
    (folder / "decode.py").write_text(DECODE)
    output = project.uv_run("python", str(folder / "decode.py"), *map(str, files)).stdout
    return json.loads(output.strip().splitlines()[-1])


def the_trace(all_spans: list[dict], route: str) -> list[dict] | None:
    """The spans of the trace of the server span named `route`, once it holds the task's UPDATE under its run."""
    servers = [span for span in all_spans if span["kind"] == SERVER and span["name"] == route]
    if not servers:
        return None
    trace = [span for span in all_spans if span["trace_id"] == servers[0]["trace_id"]]
    return trace if task_updates(trace) else None


def task_updates(trace: list[dict]) -> list[dict]:
    """The SQL UPDATEs in `trace` run by a task (under a consumer span)."""
    runs = {span["span_id"] for span in trace if span["kind"] == CONSUMER}
    return [span for span in trace if is_sql(span) and is_update(span) and span["parent_span_id"] in runs]


def post(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, body=b"", headers={"Content-Length": "0", "X-Request-ID": REQUEST_ID})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def is_sql(span: dict) -> bool:
    return span["kind"] == CLIENT and span["attributes"].get("db.system") == "sqlite"


def is_update(span: dict) -> bool:
    return span["attributes"].get("db.statement", "").startswith("UPDATE")


@pytest.mark.multiprocess
@pytest.mark.parametrize("name", answer_sets("flask-observed", "django-observed"))
def test_a_request_its_sql_and_its_task_reach_the_collector_as_one_trace(generate, tmp_path: Path, name):
    project = generate(name).sync()
    django = project.answers["framework"] == "django"
    redis, redis_url = redis_server(tmp_path / "redis.log")
    processes = [redis]
    with CollectorStandIn() as collector:
        try:
            tracing = {
                "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
                # Batches go out every 5 s by default: sooner, for a shorter test.
                "OTEL_BSP_SCHEDULE_DELAY": "500",
            }
            env = production_env(project, f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL=redis_url)
            if django:
                (tmp_path / "traced_settings.py").write_text(DJANGO_SETTINGS)
                (tmp_path / "traced_urls.py").write_text(DJANGO_URLS)
                web_env = {**env, "DJANGO_SETTINGS_MODULE": "traced_settings"}
                wsgi, route = [], "POST note"
            else:
                (tmp_path / "traced_wsgi.py").write_text(FLASK_WSGI)
                web_env = env
                wsgi, route = ["traced_wsgi:app"], "POST /note"

            # Celery's default pool, as in production: tracing starts in each forked worker process.
            worker = start_celery_worker(project, {**env, **tracing}, tmp_path / "worker.log", "--concurrency", "1")
            processes.append(worker)
            arguments = ["--pythonpath", str(tmp_path), *wsgi]
            web, port = start_gunicorn(project, {**web_env, **tracing}, tmp_path / "web.log", *arguments)
            processes.append(web)
            assert post(port, "/note") == 201

            deadline = time.monotonic() + 90
            while (trace := the_trace(spans(project, collector, tmp_path), route)) is None:
                assert time.monotonic() < deadline, (
                    f"no whole trace of {route} within 90 s: {spans(project, collector, tmp_path)}\n"
                    + worker.log.read_text()[-3000:]
                )
                time.sleep(1)
            # Stopped, each process sends what it still holds: a span of the probes would be there now.
            web.stop()
            worker.stop()
        finally:
            for process in reversed(processes):
                process.stop()

        everything = spans(project, collector, tmp_path)
    (server,) = [span for span in trace if span["kind"] == SERVER]
    assert server["name"] == route
    assert server["parent_span_id"] == ""
    # The request's id, as in its log lines.
    assert server["attributes"]["request_id"] == REQUEST_ID
    assert {span["service"] for span in everything} == {"shop"}
    # The request's SQL, the note's INSERT among it, and the task's publish, under the server span.
    inserts = [span for span in trace if is_sql(span) and "INSERT" in span["attributes"].get("db.statement", "")]
    assert inserts and all(span["parent_span_id"] == server["span_id"] for span in inserts), trace
    (publish,) = [span for span in trace if span["kind"] == PRODUCER and span["parent_span_id"] == server["span_id"]]
    runs = [span for span in trace if span["kind"] == CONSUMER and span["parent_span_id"] == publish["span_id"]]
    assert len(runs) == 1, trace
    # The task's own SQL, in the worker: the note's UPDATE, under the task's run (or a retry's: on SQLite, a task
    # may find the database locked, and a retry is published from the run, in the same trace).
    task = "shop.notes.tasks.count_words" if django else "shop.tasks.count_words"
    assert {span["name"] for span in trace if span["kind"] == PRODUCER} == {f"apply_async/{task}"}
    assert {span["name"] for span in trace if span["kind"] == CONSUMER} == {f"run/{task}"}
    assert task_updates(trace), trace
    # The probes, which wait_for_health asked many times, are not traced.
    assert [span["name"] for span in everything if span["kind"] == SERVER] == [route]


@pytest.mark.parametrize("name", answer_sets("flask-scale", "django-scale"))
def test_without_tracing_nothing_of_opentelemetry_is_generated(generate, name):
    # The default below high load, recorded in the answers file (which names the template's path).
    assert_pack_is_off(generate(name).path, "tracing: none", ("opentelemetry", "otel_", "tracing"))
