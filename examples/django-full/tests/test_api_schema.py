"""The API against its own OpenAPI schema: the schema is valid, and schemathesis, calling every
operation in-process with generated data (valid and not), finds no 500 and no response that the
schema does not describe."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from config.api import api
from shop.api.models import IdempotencyKey, Token
from shop.notes.models import Note

# The schema as a client downloads it (JSON keys are strings), without the staff-only view.
SCHEMA = json.loads(json.dumps(api.get_openapi_schema()))

schema = schemathesis.openapi.from_dict(SCHEMA)
schema.app = get_wsgi_application()  # requests go to the app in-process, as from_wsgi() does
# The client's address, which a WSGI server gives each request and the API's rate limits count by:
# werkzeug's test client, which schemathesis calls the app with, gives none.
CLIENT = {"REMOTE_ADDR": "127.0.0.1"}


def test_the_schema_is_valid_openapi():
    validate(SCHEMA)
    assert SCHEMA["openapi"].startswith("3.1")


def test_the_schema_documents_both_ways_to_sign_in():
    schemes = SCHEMA["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}


@pytest.fixture
def in_test_transaction():
    """Keep the test's database connection across the app's requests, as Django's test client does:
    the app closes connections at each request's start and end, and on PostgreSQL that would close
    the one that holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_user(django_user_model):
    return django_user_model.objects.create_user(email="api@example.com")


@pytest.fixture
def bearer(api_user) -> dict[str, str]:
    _, secret = Token.objects.issue(api_user, "schemathesis")
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.django_db
@schema.parametrize()
# Few examples per operation, so that the suite stays fast, and the same ones every run, so that it
# passes or fails alike in CI: raise max_examples and drop derandomize to search further.
@settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_to_the_schema(case, api_user, bearer, in_test_transaction, settings):
    # Hundreds of requests a minute, from one client: the rate limits have tests of their own.
    settings.API_RATE = "10000/m"
    note, _ = Note.objects.get_or_create(
        pk=1, defaults={"owner": api_user, "title": "A note", "body": "To find."}
    )
    # Each example is a first request: a key that an earlier one sent with another body is 422.
    IdempotencyKey.objects.all().delete()
    # A random id names no note: aim the well-formed ones at one that exists.
    if isinstance(case.path_parameters and case.path_parameters.get("note_id"), int):
        case.path_parameters["note_id"] = note.pk
    case.call_and_validate(headers=bearer, environ_base=CLIENT)
