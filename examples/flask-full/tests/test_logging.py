"""Logs as production writes them (configure_logging, FLASK_DEBUG off): one JSON object per line,
each with the id of its request (request_id.py), which the response carries back."""

import re

import pytest
from conftest import request_line

NEW_ID = re.compile(r"[0-9a-f]{32}")


def test_a_request_keeps_its_id_in_the_response_and_every_line(client, log_records):
    response = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    line = request_line(log_records(), "/health")
    assert line["request_id"] == "abc-123"
    assert line["level"] == "INFO"
    assert (line["method"], line["status"]) == ("GET", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["message"] == f"GET /health 200 {line['duration_ms']} ms"


def test_a_request_without_an_id_gets_a_new_one(client, log_records):
    first = client.get("/health").headers["X-Request-ID"]
    second = client.get("/health").headers["X-Request-ID"]
    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second
    assert [r["request_id"] for r in log_records()] == [first, second]


@pytest.mark.parametrize("sent", ["a" * 10_000, "abc-123\nforged line", "abc 123", ""])
def test_an_insane_id_is_replaced_not_echoed(client, log_records, sent):
    # environ_overrides: the test client refuses a line break in a header; a server hands it on.
    response = client.get("/health", environ_overrides={"HTTP_X_REQUEST_ID": sent})
    assert NEW_ID.fullmatch(response.headers["X-Request-ID"])
    assert request_line(log_records(), "/health")["request_id"] == response.headers["X-Request-ID"]


def test_a_500_logs_its_traceback_in_one_record_with_the_id(app, log_records):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING re-raises otherwise

    @app.get("/boom")
    def boom():
        raise RuntimeError("something broke")

    response = app.test_client().get("/boom", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "abc-123"
    records = log_records()
    assert {r["request_id"] for r in records} == {"abc-123"}
    (failure,) = [r for r in records if r["level"] == "ERROR"]
    assert failure["message"] == "Exception on /boom [GET]"
    assert failure["traceback"].startswith("Traceback (most recent call last):")
    assert failure["traceback"].endswith("RuntimeError: something broke")
    assert request_line(records, "/boom")["status"] == 500
