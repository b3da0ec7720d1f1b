"""Accounts in the tests: users, signing in, and a clock the test controls."""

from datetime import UTC, datetime

import pytest
from conftest import PRODUCTION_ENV, TEST_CONFIG
from flask_security import hash_password

from shop.accounts import user_datastore
from shop.extensions import db

PASSWORD = "correct horse battery staple"

TEST_CONFIG.update(
    {
        "SECURITY_PASSWORD_SALT": "test",
        # Cheap hashes keep the tests fast; production keeps argon2's defaults.
        "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {
            "argon2__rounds": 1,
            "argon2__memory_cost": 512,
        },
        "RATELIMIT_STORAGE_URI": "memory://",
    }
)
PRODUCTION_ENV.update({"FLASK_SERVER_NAME": "example.com", "FLASK_SECURITY_PASSWORD_SALT": "salt"})

# Flask-Login 0.6.3, its latest release, sets the remember-me cookie's expiry with
# datetime.utcnow(), deprecated since Python 3.12. As a mark (see pytest_collection_modifyitems),
# unlike in the filterwarnings setting of pyproject.toml, the filter holds under `pytest -W error`.
FLASK_LOGIN_UTCNOW = pytest.mark.filterwarnings(
    "ignore:datetime.datetime.utcnow:DeprecationWarning:flask_login"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test ignores FLASK_LOGIN_UTCNOW."""
    for item in items:
        item.add_marker(FLASK_LOGIN_UTCNOW)


@pytest.fixture
def clock(time_machine):
    """The clock of the test (time-machine), stopped at the current second: `time.time()` and
    `datetime.now()` move only when the test moves them, `clock.shift(seconds)`. Cool-offs, rate
    windows, token and cookie lifetimes and authenticator codes then take no real time, so no
    test depends on how fast the machine is."""
    time_machine.move_to(datetime.now(UTC).replace(microsecond=0), tick=False)
    return time_machine


@pytest.fixture
def make_user(app):
    """`make_user(email, *roles)`: an active, confirmed user with the password PASSWORD."""

    def _make_user(email: str, *roles: str):
        with app.app_context():
            user = user_datastore.create_user(
                email=email,
                password=hash_password(PASSWORD),
                active=True,
                confirmed_at=app.extensions["security"].datetime_factory(),
                roles=[user_datastore.find_or_create_role(role) for role in roles],
            )
            db.session.commit()
            return user.email

    return _make_user


@pytest.fixture
def login(client, csrf_token):
    """`login(email, password=PASSWORD)`: sign in through the login form; return the response."""

    def _login(email: str, password: str = PASSWORD):
        token = csrf_token("/login")
        return client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    return _login
