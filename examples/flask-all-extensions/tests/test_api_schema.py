"""The API against its own OpenAPI document: the document is valid, and schemathesis, calling
every operation in-process with generated data (valid and not), finds no 500 and no response
that the document does not describe."""

import json

import schemathesis
from conftest import TEST_CONFIG
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from shop import create_app
from shop.api import api

# One app for every example (call_options readies it): the document of the API it serves, as a
# client downloads it.
app = create_app(TEST_CONFIG)
DOCUMENT = json.loads(json.dumps(api.spec.to_dict()))

schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = app  # requests go to the app in-process, as from_wsgi() does


def test_the_document_is_valid_openapi():
    validate(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.")


def test_the_document_describes_both_ways_to_sign_in():
    schemes = DOCUMENT["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}


@schema.parametrize()
# Few examples per operation, so that the suite stays fast, and the same ones every run, so that it
# passes or fails alike in CI: raise max_examples and drop derandomize to search further.
@settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_to_the_document(case, call_options):
    case.call_and_validate(**call_options(case))
