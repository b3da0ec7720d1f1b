"""Traces (tracing.py in the package): the spans a request makes, kept by an in-memory exporter in
place of OTLP's; init() itself records nothing without OTEL_EXPORTER_OTLP_ENDPOINT."""

import pytest
from flask import Flask
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import func, select

from shop import tracing
from shop.extensions import db
from shop.models import Note


def add_view(app: Flask) -> None:
    """GET /count-after/<note_id> runs one SQL query: how many notes came after that one."""

    @app.get("/count-after/<int:note_id>")
    def count_after(note_id: int) -> dict[str, int]:
        return {"notes": db.session.scalar(select(func.count()).where(Note.id > note_id))}


@pytest.fixture
def spans(app):
    """The spans finished during the test, with the project's instrumentation on."""
    add_view(app)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.instrument(app, provider)
    yield exporter
    FlaskInstrumentor().uninstrument_app(app)
    SQLAlchemyInstrumentor().uninstrument()
    CeleryInstrumentor().uninstrument()


def test_a_request_is_a_server_span_named_after_its_rule_with_its_sql_under_it(client, spans):
    assert client.get("/count-after/2").status_code == 200
    finished = spans.get_finished_spans()
    (server,) = [span for span in finished if span.kind == SpanKind.SERVER]
    assert server.name == "GET /count-after/<int:note_id>"
    assert server.attributes["http.route"] == "/count-after/<int:note_id>"
    queries = [span for span in finished if span.kind == SpanKind.CLIENT]
    assert queries, [span.name for span in finished]
    for query in queries:
        assert query.context.trace_id == server.context.trace_id
        assert query.parent.span_id == server.context.span_id
    assert any("count(*)" in query.attributes.get("db.statement", "") for query in queries)


def test_a_request_span_has_the_request_id(client, spans):
    path = "/count-after/2"
    assert client.get(path, headers={"X-Request-ID": "abc-123"}).status_code == 200
    (server,) = [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER]
    assert server.attributes["request_id"] == "abc-123"


def test_the_probes_are_not_traced(client, spans):
    assert client.get("/health").status_code == 200
    client.get("/ready")  # 503 without the migrations run: traced or not alike
    assert [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER] == []


def test_nothing_is_recorded_without_an_endpoint(app, monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.setattr(tracing, "instrument", lambda app, provider: pytest.fail("instrumented"))
    tracing.init(app)
