"""The request's log line and accounts (account_logging.py): the signed-in user by id only, and no
secret token of a link."""

import json

from conftest import request_line

from shop.accounts import user_datastore


def test_the_request_line_names_the_signed_in_user_by_id_only(
    app, client, make_user, login, log_records
):
    email = make_user("ada@example.com")
    login(email)
    client.get("/health", headers={"X-Request-ID": "abc-123"})
    with app.app_context():
        user_id = user_datastore.find_user(email=email).id
    records = log_records()
    line = request_line([r for r in records if r["request_id"] == "abc-123"], "/health")
    assert line["user_id"] == user_id
    assert "ada@example.com" not in json.dumps(records)
    anonymous = app.test_client().get("/health", headers={"X-Request-ID": "anonymous"})
    assert anonymous.status_code == 200
    records = [r for r in log_records() if r["request_id"] == "anonymous"]
    assert request_line(records, "/health")["user_id"] is None


def test_a_token_in_the_path_is_logged_as_secret(client, log_records):
    status = client.get("/reset/a-secret-token").status_code
    records = log_records()
    assert request_line(records, "/reset/[secret]")["status"] == status
    assert "a-secret-token" not in json.dumps(records)
