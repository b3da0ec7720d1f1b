"""Traces (config/tracing.py): the spans a request makes, kept by an in-memory exporter in place of
OTLP's; init() itself records nothing without OTEL_EXPORTER_OTLP_ENDPOINT."""

import pytest
from django.db import connection
from django.http import JsonResponse
from django.urls import path
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from config import tracing
from config.urls import urlpatterns as project_urlpatterns
from shop.notes.models import Note

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def count_after(request, pk: int):
    """A view that runs one SQL query: how many notes came after note `pk`."""
    return JsonResponse({"notes": Note.objects.filter(pk__gt=pk).count()})


urlpatterns = [path("count-after/<int:pk>", count_after), *project_urlpatterns]


@pytest.fixture
def spans():
    """The spans finished during the test, with the project's instrumentation on."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.instrument(provider)
    # The test database's connection was opened before: trace it as it is.
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        PsycopgInstrumentor.instrument_connection(raw, tracer_provider=provider)
    else:
        connection.connection = SQLite3Instrumentor.instrument_connection(
            raw, tracer_provider=provider
        )
    yield exporter
    if connection.vendor == "postgresql":
        PsycopgInstrumentor.uninstrument_connection(raw)
    connection.connection = raw
    DjangoInstrumentor().uninstrument()
    PsycopgInstrumentor().uninstrument()
    SQLite3Instrumentor().uninstrument()
    CeleryInstrumentor().uninstrument()


def test_a_request_is_a_server_span_named_after_its_route_with_its_sql_under_it(client, spans):
    assert client.get("/count-after/2").status_code == 200
    finished = spans.get_finished_spans()
    (server,) = [span for span in finished if span.kind == SpanKind.SERVER]
    assert server.name == "GET count-after/<int:pk>"
    assert server.attributes["http.route"] == "count-after/<int:pk>"
    queries = [span for span in finished if span.kind == SpanKind.CLIENT]
    assert queries, [span.name for span in finished]
    for query in queries:
        assert query.context.trace_id == server.context.trace_id
        assert query.parent.span_id == server.context.span_id
    assert any("SELECT COUNT(*)" in query.attributes.get("db.statement", "") for query in queries)


def test_a_request_span_has_the_request_id(client, spans):
    response = client.get("/count-after/2", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 200
    (server,) = [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER]
    assert server.attributes["request_id"] == "abc-123"


def test_the_probes_are_not_traced(client, spans):
    assert client.get("/health").status_code == 200
    assert client.get("/ready").status_code == 200
    assert [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER] == []


def test_nothing_is_recorded_without_an_endpoint(settings, monkeypatch):
    settings.OTEL_EXPORTER_OTLP_ENDPOINT = ""
    monkeypatch.setattr(tracing, "instrument", lambda provider: pytest.fail("instrumented"))
    tracing.init()
