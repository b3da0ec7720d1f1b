"""Sign-in lockout and rate limits (lockout.py): the 6th sign-in after 5 failures is refused
unchecked until the cool-off ends, for any email address; sign-up and reset are rate-limited."""

import logging

import pytest
from accounts_fixtures import PASSWORD
from database_fixtures import CSRF_TOKEN

from shop import lockout
from shop.accounts import User
from shop.lockout import FailedSignIn

WRONG = "not the password at all"


@pytest.fixture
def wrong_five_times(clock, make_user, login):
    """Five failed sign-ins for ada@example.com, all at the second the `clock` stands at."""
    make_user("ada@example.com")
    for _ in range(5):
        assert login("ada@example.com", WRONG).status_code == 200


def test_after_five_failures_even_the_right_password_is_refused_unchecked(
    client, wrong_five_times, login, monkeypatch, caplog
):
    checked = []
    monkeypatch.setattr(User, "verify_and_update_password", checked.append)
    with caplog.at_level(logging.WARNING, logger=lockout.logger.name):
        for password in (WRONG, PASSWORD):
            response = login("ada@example.com", password)
            assert response.status_code == 429
            assert "Too many failed sign-ins" in response.text
            assert "Try again in 15 minute(s)." in response.text
            assert response.headers["Retry-After"] == "900"
    assert checked == []
    assert "Sign-in refused: ada@example.com from 127.0.0.1 is locked out for 900 s" in caplog.text
    assert "Log out" not in client.get("/").text


def test_the_lockout_ends_with_the_cool_off(app, wrong_five_times, clock, login):
    clock.shift(app.config["SIGN_IN_COOLOFF_SECONDS"] - 1)
    response = login("ada@example.com")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    clock.shift(1)
    assert login("ada@example.com").status_code == 302


def test_the_lockout_is_kept_in_the_database_and_logged_when_it_starts(
    app, make_user, login, caplog
):
    make_user("ada@example.com")
    with caplog.at_level(logging.WARNING, logger=lockout.logger.name):
        for _ in range(5):
            login("ADA@example.com", WRONG)
    assert "Sign-in locked: ada@example.com from 127.0.0.1" in caplog.text
    with app.app_context():
        assert FailedSignIn.query.filter_by(email="ada@example.com").count() == 5


def test_an_unknown_email_is_locked_out_alike(login):
    statuses = [login("nobody@example.com", WRONG).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_another_client_address_is_not_locked_out(app, wrong_five_times, csrf_token):
    other = app.test_client()
    address = {"REMOTE_ADDR": "203.0.113.9"}
    page = other.get("/login", environ_base=address).text
    token = CSRF_TOKEN.search(page).group(1)
    form = {"email": "ada@example.com", "password": PASSWORD, "csrf_token": token}
    assert other.post("/login", data=form, environ_base=address).status_code == 302


def test_a_success_forgets_the_failures(app, make_user, login, csrf_token, client):
    make_user("ada@example.com")
    for _ in range(4):
        login("ada@example.com", WRONG)
    assert login("ada@example.com").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token("/")})
    for _ in range(4):
        assert login("ada@example.com", WRONG).status_code == 200
    assert login("ada@example.com").status_code == 302


@pytest.mark.parametrize(
    ("path", "setting", "fields"),
    [
        ("/register", "SIGN_UP_RATE", {"password": "x"}),
        ("/reset", "PASSWORD_RESET_RATE", {}),
        ("/login", "SIGN_IN_RATE", {"password": "x"}),
    ],
)
def test_posts_past_the_rate_get_429(app, clock, path, setting, fields):
    # All within the rate's window, however long they take: the clock stands still.
    limit = int(app.config[setting].split()[0])  # "10 per hour": 10
    client = app.test_client()
    token = CSRF_TOKEN.search(client.get(path).text).group(1)
    statuses = [
        # A new email address each time, so that no lockout steps in before the rate limit.
        client.post(path, data={"email": f"x{n}@example.com", "csrf_token": token, **fields})
        for n in range(limit + 1)
    ]
    assert 429 not in [response.status_code for response in statuses[:limit]]
    assert statuses[limit].status_code == 429
    assert client.get(path).status_code == 200  # reading the form is not limited
