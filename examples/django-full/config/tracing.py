"""Traces over OpenTelemetry, when the environment sets OTEL_EXPORTER_OTLP_ENDPOINT; without it
nothing is recorded or sent.

Each request is a server span named after its method and URL pattern ("GET notes/<int:pk>/"),
with a child span for each SQL query and for each task it queues. The worker's span of the
task's run joins the request's trace, whose context travels in the task message's headers.
/health and /ready are not traced: the probes would drown the rest.

Spans are sent in batches (every 5 s) over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (a collector's
base URL, such as http://collector:4318; the exporter adds /v1/traces), named after the service
OTEL_SERVICE_NAME (default "shop").
The exporter reads the other standard OTEL_* variables itself:
https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/

init() runs where a process starts serving, after any fork, as the exporter's thread does not
survive one (https://opentelemetry-python.readthedocs.io/en/latest/examples/fork-process-model/):
in wsgi.py, which each gunicorn worker imports once forked (gunicorn.conf.py does not preload the
app), and in each worker process of Celery (celery_app.py).
"""

import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span

# Regular expressions searched in each request's URL (without its query string): not traced.
EXCLUDED_URLS = r"/health$,/ready$"


def init() -> None:
    """Send this process's spans to the OTEL_EXPORTER_OTLP_ENDPOINT setting, if it is set (see
    the module's docstring); else do nothing. Call it once per process, before Django serves a
    request."""
    if not settings.OTEL_EXPORTER_OTLP_ENDPOINT:
        return
    service = os.environ.get("OTEL_SERVICE_NAME") or "shop"
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    instrument(provider)


def instrument(provider: TracerProvider) -> None:
    """Record the spans of requests, SQL queries and tasks through `provider`. Django's
    middleware is read when the first request is handled: call this before."""
    DjangoInstrumentor().instrument(
        tracer_provider=provider, excluded_urls=EXCLUDED_URLS, response_hook=tag_request_id
    )
    # Without the SQL comment that would tell the database the trace: queries stay as written.
    PsycopgInstrumentor().instrument(tracer_provider=provider, enable_commenter=False)
    # SQLite too: the tests' database, and the one without DATABASE_URL.
    SQLite3Instrumentor().instrument(tracer_provider=provider)
    CeleryInstrumentor().instrument(tracer_provider=provider)


def tag_request_id(span: Span, request: HttpRequest, response: HttpResponse) -> None:
    """Give a request's span the `request_id` attribute: the id in the response's X-Request-ID
    (shop/request_id.py), the one its log lines carry,
    so that a request found in the logs is found in the traces, and back. The instrumentation's
    middleware comes first, so the response it sees has the header."""
    if request_id := response.get("X-Request-ID"):
        span.set_attribute("request_id", request_id)
