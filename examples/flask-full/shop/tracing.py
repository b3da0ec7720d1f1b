"""Traces over OpenTelemetry, when the environment sets OTEL_EXPORTER_OTLP_ENDPOINT; without it
nothing is recorded or sent.

Each request is a server span named after its method and URL rule, as "GET /<path>" for a rule
of /<path> (not the URL itself, so that spans of one route group together), with a child span for
each SQL query and for each task it queues. The worker's span of the task's run joins the
request's trace, whose context travels in the task message's headers.
/health and /ready are not traced: the probes would drown the rest.

Spans are sent in batches (every 5 s) over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (a collector's
base URL, such as http://collector:4318; the exporter adds /v1/traces), named after the service
OTEL_SERVICE_NAME (default "shop").
The exporter reads the other standard OTEL_* variables itself:
https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/

create_app calls init() in each process that creates the app: each gunicorn worker, once forked
(gunicorn.conf.py does not preload the app), and the Celery worker (make_celery.py), whose forked
processes restart the exporter's thread, as the SDK does after a fork.
"""

import os

from flask import Flask
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span

from .extensions import db

# Regular expressions searched in each request's URL (without its query string): not traced.
EXCLUDED_URLS = r"/health$,/ready$"


def init(app: Flask) -> None:
    """Send the spans of `app`'s process to OTEL_EXPORTER_OTLP_ENDPOINT, if it is set (see the
    module's docstring); else do nothing. Call it once per process, with the app's extensions
    initialised."""
    if not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return
    service = os.environ.get("OTEL_SERVICE_NAME") or "shop"
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    instrument(app, provider)


def instrument(app: Flask, provider: TracerProvider) -> None:
    """Record the spans of `app`'s requests, its SQL queries and tasks through `provider`."""
    FlaskInstrumentor().instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls=EXCLUDED_URLS,
        response_hook=tag_request_id,
    )
    with app.app_context():
        # The instrumentation declares SQLAlchemy below 2.1, yet traces 2.1's queries.
        SQLAlchemyInstrumentor().instrument(
            engine=db.engine, tracer_provider=provider, skip_dep_check=True
        )
    CeleryInstrumentor().instrument(tracer_provider=provider)


def tag_request_id(span: Span, status: str, headers: list[tuple[str, str]]) -> None:
    """Give a request's span the `request_id` attribute: the id in the response's X-Request-ID
    (request_id.py), the one its log lines carry, so that a request found in the logs is found
    in the traces, and back."""
    for name, value in headers:
        if name.lower() == "x-request-id":
            span.set_attribute("request_id", value)
