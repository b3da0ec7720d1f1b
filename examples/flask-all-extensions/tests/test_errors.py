"""Error responses (errors.py): JSON under /api/ and for clients that prefer it, a page otherwise,
with the error's headers; a 500 logs its traceback and shows none."""

import logging

import pytest
from flask import abort, request

from shop.extensions import csrf

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def aborting(app):
    """The app with GET /abort/<code> and GET /api/abort/<code>, which abort with that status."""

    @app.get("/abort/<int:code>", endpoint="abort_page")
    @app.get("/api/abort/<int:code>", endpoint="abort_api")
    def abort_with(code: int):
        abort(code)

    return app


def assert_error(response, code: int, status: str) -> dict:
    """Assert that `response` is the JSON error shape for `code`; return its body."""
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "status", "message"}
    assert (body["code"], body["status"]) == (code, status)
    assert body["message"]
    return body


@pytest.mark.parametrize(
    ("code", "name"),
    [(400, "Bad Request"), (403, "Forbidden"), (404, "Not Found"), (422, "Unprocessable Entity")],
)
def test_errors_are_json_under_the_api_and_for_json_clients_else_a_page(aborting, code, name):
    client = aborting.test_client()
    for path, headers in [(f"/api/abort/{code}", HTML), (f"/abort/{code}", JSON)]:
        assert_error(client.get(path, headers=headers), code, name)
    page = client.get(f"/abort/{code}", headers=HTML)
    assert page.status_code == code
    assert page.mimetype == "text/html"
    assert f"<h1>{code} {name}</h1>" in page.text
    assert "/static/style.css" in page.text


def test_an_unknown_path_is_a_page_for_browsers_and_json_for_the_api(client):
    page = client.get("/no-such-page", headers=HTML)
    assert page.status_code == 404
    assert "<h1>404 Not Found</h1>" in page.text
    assert_error(client.get("/api/no-such-thing"), 404, "Not Found")


def test_a_method_not_allowed_keeps_its_allow_header(aborting):
    client = aborting.test_client()
    response = client.delete("/api/abort/400")
    assert_error(response, 405, "Method Not Allowed")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    page = client.delete("/abort/400", headers=HTML)
    assert page.status_code == 405
    assert "<h1>405 Method Not Allowed</h1>" in page.text
    assert set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_body_over_max_content_length_is_refused_with_413(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024

    @app.post("/api/echo-size")
    def echo_size():
        return {"size": len(request.get_data())}

    csrf.exempt(echo_size)  # the size is under test here, not the token

    client = app.test_client()
    assert client.post("/api/echo-size", data=b"x" * 1024).get_json() == {"size": 1024}
    response = client.post("/api/echo-size", data=b"x" * (1024 * 1024 + 1))
    assert_error(response, 413, "Request Entity Too Large")


def test_a_csrf_failure_is_json_under_the_api(app):
    @app.post("/api/ping")
    def ping():
        return {"pong": True}

    response = app.test_client().post("/api/ping", json={})
    assert assert_error(response, 400, "Bad Request")["message"] == "The CSRF token is missing."


def test_a_view_that_raises_is_logged_and_answered_without_its_traceback(app, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING re-raises otherwise

    @app.get("/boom")
    @app.get("/api/boom", endpoint="api_boom")
    def boom():
        raise RuntimeError("secret detail")

    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        api = client.get("/api/boom")
        page = client.get("/boom", headers=HTML)
    assert_error(api, 500, "Internal Server Error")
    assert page.status_code == 500
    assert "<h1>500 Internal Server Error</h1>" in page.text
    for response in (api, page):
        assert "secret detail" not in response.text
    failures = [record for record in caplog.records if record.exc_info]
    assert [record.getMessage() for record in failures] == [
        "Exception on /api/boom [GET]",
        "Exception on /boom [GET]",
    ]
    assert all(record.exc_info[0] is RuntimeError for record in failures)
