"""Error responses (errors.py): the JSON error shape, with the error's headers, under /api/ and for
clients that prefer JSON; a 500 logs its traceback and shows none."""

import logging

import pytest
from conftest import ERRORS, assert_error
from flask import request

from shop.extensions import csrf

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


@pytest.mark.parametrize(("code", "name"), ERRORS)
def test_errors_are_json_under_the_api_and_for_json_clients(aborting, code, name):
    client = aborting.test_client()
    for path, headers in [(f"/api/abort/{code}", HTML), (f"/abort/{code}", JSON)]:
        assert_error(client.get(path, headers=headers), code, name)


def test_an_unknown_path_under_the_api_is_json(client):
    assert_error(client.get("/api/no-such-thing"), 404, "Not Found")


def test_a_method_not_allowed_keeps_its_allow_header(aborting):
    response = aborting.test_client().delete("/api/abort/400")
    assert_error(response, 405, "Method Not Allowed")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


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


def test_a_view_that_raises_is_logged_and_answered_without_its_traceback(app, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING re-raises otherwise

    @app.get("/boom")
    @app.get("/api/boom", endpoint="api_boom")
    def boom():
        raise RuntimeError("secret detail")

    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        api = client.get("/api/boom")
        other = client.get("/boom", headers=JSON)
    for response in (api, other):
        assert_error(response, 500, "Internal Server Error")
        assert "secret detail" not in response.text
    failures = [record for record in caplog.records if record.exc_info]
    assert [record.getMessage() for record in failures] == [
        "Exception on /api/boom [GET]",
        "Exception on /boom [GET]",
    ]
    assert all(record.exc_info[0] is RuntimeError for record in failures)
