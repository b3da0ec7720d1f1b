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


@pytest.mark.parametrize(
    ("code", "name"),
    [(400, "Bad Request"), (403, "Forbidden"), (404, "Not Found"), (422, "Unprocessable Entity")],
)
def test_errors_are_json_under_the_api_and_for_json_clients_else_a_page(aborting, code, name):
    client = aborting.test_client()
    for path, headers in [(f"/api/abort/{code}", HTML), (f"/abort/{code}", JSON)]:
        response = client.get(path, headers=headers)
        assert response.status_code == code
        assert response.get_json()["error"] == name
        assert response.get_json()["description"]
    page = client.get(f"/abort/{code}", headers=HTML)
    assert page.status_code == code
    assert page.mimetype == "text/html"
    assert f"<h1>{code} {name}</h1>" in page.text
    assert "/static/style.css" in page.text


def test_an_unknown_path_is_a_page_for_browsers_and_json_for_the_api(client):
    page = client.get("/no-such-page", headers=HTML)
    assert page.status_code == 404
    assert "<h1>404 Not Found</h1>" in page.text
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404
    assert api.get_json()["error"] == "Not Found"


def test_a_method_not_allowed_keeps_its_allow_header(client):
    response = client.delete("/api/notes")
    assert response.status_code == 405
    assert response.get_json()["error"] == "Method Not Allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    page = client.delete("/", headers=HTML)
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
    assert response.status_code == 413
    assert response.get_json()["error"] == "Request Entity Too Large"


def test_a_csrf_failure_is_json_under_the_api(app):
    @app.post("/api/ping")
    def ping():
        return {"pong": True}

    response = app.test_client().post("/api/ping", json={})
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "Bad Request",
        "description": "The CSRF token is missing.",
    }


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
    assert api.status_code == 500
    assert api.get_json()["error"] == "Internal Server Error"
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
