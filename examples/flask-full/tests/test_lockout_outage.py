"""While Redis does not answer, the sign-in rate limits still hold: each process counts in its own
memory (Flask-Limiter's in-memory fallback) until Redis is back."""

import pytest

pytestmark = pytest.mark.redis_down

USER = "ada@example.com"


def test_rate_limits_still_hold_in_each_process(app, client, make_user, csrf_token, caplog):
    app.config["SIGN_IN_RATE"] = "2 per minute"
    make_user(USER)
    statuses = []
    for _ in range(3):
        data = {"email": USER, "password": "wrong", "csrf_token": csrf_token("/login")}
        statuses.append(client.post("/login", data=data).status_code)
    # Two wrong passwords answered, then the limit, counted in memory; the lockout needs 5.
    assert 429 not in statuses[:2] and statuses[2] == 429
    assert "falling back to in-memory storage" in caplog.text
