"""The API in the tests: its error shape, its docs, a client of the app while debugging, and the
options of schemathesis's calls."""

import re

import pytest

from shop import create_app


def assert_error(response, status: int) -> dict:
    """Assert that `response` is the API's error shape for `status`; return its JSON."""
    assert response.status_code == status, response.text
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["message"]
    assert set(body) - {"errors"} == {"code", "status", "message"}
    assert ("errors" in body) == (status == 422)
    return body


def assert_docs_served(client):
    """Assert that `client` gets the OpenAPI document and the interactive docs, the docs' scripts
    and styles from the site's own files and none inline; return the docs' response."""
    assert client.get("/api/openapi.json").get_json()["paths"]
    response = client.get("/api/docs")
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "<script>" not in response.text  # no inline script: the policy allows none
    for source in sources:
        with client.get(source) as file:
            assert file.status_code == 200, source
    return response


@pytest.fixture
def debug_client(app):
    """A client of an app like `app` but with DEBUG on, as under `flask run --debug`."""
    return create_app({**app.config, "DEBUG": True}).test_client()


@pytest.fixture(scope="module")
def call_options():
    """`call_options(case)`: the keyword arguments of schemathesis's call of `case`
    (tests/test_api_schema.py): none, but those that a later plugin's call_options adds."""
    return lambda case: {}
