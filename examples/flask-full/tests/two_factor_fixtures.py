"""Two-factor sign-in in the tests: the codes of an authenticator app."""

import re
import time
from datetime import UTC, datetime

import pytest
import time_machine
from accounts_fixtures import PASSWORD
from conftest import PRODUCTION_ENV, TEST_CONFIG
from passlib.totp import TOTP

TEST_CONFIG["TOTP_SECRET_KEY"] = "test"
PRODUCTION_ENV["FLASK_TOTP_SECRET_KEY"] = "key"

# The authenticator app's key, as /tf-setup shows it for typing in by hand: XXXX-XXXX-...
TOTP_KEY = re.compile(r"<div>([A-Z2-7]{4}(?:-[A-Z2-7]{4})+)</div>")


def totp_code(key: str, at: float | None = None) -> str:
    """The code an authenticator app shows for `key` (as /tf-setup writes it) at Unix time `at`."""
    return TOTP(key.replace("-", ""), format="base32").generate(at).token


@pytest.fixture
def login(client, csrf_token):
    """`login(email, password=PASSWORD)`: sign in through the login form; return the response.

    Where two-factor sign-in is due, complete it as an authenticator app would: enrol at
    /tf-setup when asked to, then send the code. `login.keys` holds each user's key.
    A code is accepted once: when this user has signed in in this 30-second step already, the
    code is the next step's, which the app takes too (it allows for a phone's clock that runs
    ahead).
    """

    def _login(email: str, password: str = PASSWORD):
        token = csrf_token("/login")
        response = client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        if response.headers.get("Location") == "/tf-setup":
            token = csrf_token("/tf-setup")
            setup = client.post("/tf-setup", data={"setup": "authenticator", "csrf_token": token})
            _login.keys[email] = TOTP_KEY.search(setup.text).group(1)
        elif response.headers.get("Location", "").startswith("/tf-validate"):
            token = csrf_token("/tf-validate")
        else:
            return response
        # The code of this second, sent in this second: the clock stands still for the request.
        with time_machine.travel(datetime.now(UTC), tick=False):
            step = max(int(time.time()) // 30, _login.steps.get(email, -1) + 1)
            _login.steps[email] = step
            code = totp_code(_login.keys[email], step * 30)
            return client.post("/tf-validate", data={"code": code, "csrf_token": token})

    _login.keys = {}
    _login.steps = {}
    return _login
