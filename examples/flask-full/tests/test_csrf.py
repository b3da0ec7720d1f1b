"""A request without its CSRF token is refused with 400, in the JSON error shape under /api/."""

from conftest import assert_error


def test_a_csrf_failure_is_json_under_the_api(app):
    @app.post("/api/ping")
    def ping():
        return {"pong": True}

    response = app.test_client().post("/api/ping", json={})
    assert assert_error(response, 400, "Bad Request")["message"] == "The CSRF token is missing."
