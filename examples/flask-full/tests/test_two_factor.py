"""Two-factor sign-in: required for admins, offered to everyone; a wrong code is refused, a code
is accepted once, wrong codes lock the step out, a recovery code works once."""

import logging
import re
import time

from accounts_fixtures import PASSWORD
from database_fixtures import CSRF_TOKEN
from two_factor_fixtures import TOTP_KEY, totp_code

from shop import lockout
from shop.accounts import ADMIN_ROLE, user_datastore
from shop.extensions import db


def signed_in(client) -> bool:
    """Whether `client` is signed in: the password change page is for signed-in users only."""
    return client.get("/change").status_code == 200


def password_step(client, email: str):
    token = CSRF_TOKEN.search(client.get("/login").text).group(1)
    return client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})


def send_code(client, code: str):
    token = CSRF_TOKEN.search(client.get("/tf-validate").text).group(1)
    return client.post("/tf-validate", data={"code": code, "csrf_token": token})


def test_an_admin_must_set_up_an_authenticator_app_before_signing_in(client, make_user):
    make_user("boss@example.com", ADMIN_ROLE)
    response = password_step(client, "boss@example.com")
    assert response.headers["Location"] == "/tf-setup"
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_a_user_made_admin_while_signed_in_gets_no_admin_page_before_setting_up_two_factor(
    app, client, make_user, login
):
    make_user("ada@example.com")
    login("ada@example.com")  # with the password alone: no two-factor for users yet
    with app.app_context():
        user = user_datastore.find_user(email="ada@example.com")
        user_datastore.add_role_to_user(user, user_datastore.find_or_create_role(ADMIN_ROLE))
        db.session.commit()
    assert signed_in(client)
    assert client.get("/admin/").headers["Location"] == "/tf-setup"


def wrong(code: str) -> str:
    """Another code than `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_code_of_the_enrolled_key_signs_in_and_a_wrong_one_is_refused(
    app, clock, make_user, login
):
    make_user("boss@example.com", ADMIN_ROLE)
    login("boss@example.com")  # enrols, as the admin's first sign-in must
    key = login.keys["boss@example.com"]
    clock.shift(30)  # the enrolment used this step's code
    client = app.test_client()
    assert password_step(client, "boss@example.com").headers["Location"].startswith("/tf-validate")
    right = totp_code(key)
    assert send_code(client, wrong(right)).status_code == 200
    assert not signed_in(client)
    assert send_code(client, right).status_code == 302
    assert signed_in(client)
    assert client.get("/admin/").status_code == 200


def test_a_code_is_accepted_once_and_no_older_one_after_it(app, clock, make_user, login):
    make_user("boss@example.com", ADMIN_ROLE)
    login("boss@example.com")
    key = login.keys["boss@example.com"]
    clock.shift(60)
    earlier, code = totp_code(key, time.time() - 30), totp_code(key)
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        password_step(client, "boss@example.com")
    assert send_code(first, code).status_code == 302
    clock.shift(5)  # the same window: the code is still current
    for replayed in (code, earlier):
        response = send_code(second, replayed)
        assert response.status_code == 200
        assert "Invalid code" in response.text
        assert not signed_in(second)
    clock.shift(30)
    assert send_code(second, totp_code(key)).status_code == 302


def test_the_sixth_code_after_five_wrong_ones_is_refused_unchecked_until_the_cool_off(
    app, clock, make_user, login, caplog
):
    make_user("boss@example.com", ADMIN_ROLE)
    login("boss@example.com")
    key = login.keys["boss@example.com"]
    clock.shift(30)
    client = app.test_client()
    password_step(client, "boss@example.com")
    for _ in range(5):
        assert send_code(client, wrong(totp_code(key))).status_code == 200
    with caplog.at_level(logging.WARNING, logger=lockout.logger.name):
        for code in (wrong(totp_code(key)), totp_code(key)):
            response = send_code(client, code)
            assert response.status_code == 429
            assert "Too many wrong codes for this account." in response.text
            assert "Try again in 15 minute(s)." in response.text
            assert response.headers["Retry-After"] == "900"
    assert "Sign-in refused: boss@example.com from 127.0.0.1 is locked out for 900 s (code)" in (
        caplog.text
    )
    assert not signed_in(client)
    # The right password does not unlock the code, nor does another address.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    password_step(other, "boss@example.com")
    assert send_code(other, totp_code(key)).status_code == 429

    clock.shift(app.config["SIGN_IN_COOLOFF_SECONDS"])
    password_step(client, "boss@example.com")
    assert send_code(client, totp_code(key)).status_code == 302
    assert signed_in(client)


def test_a_user_without_two_factor_signs_in_with_the_password_and_may_set_it_up(client, make_user):
    make_user("ada@example.com")
    assert password_step(client, "ada@example.com").headers["Location"] == "/"
    assert signed_in(client)
    page = client.get("/tf-setup")
    assert page.status_code == 200
    assert 'value="authenticator"' in page.text
    token = CSRF_TOKEN.search(page.text).group(1)
    setup = client.post("/tf-setup", data={"setup": "authenticator", "csrf_token": token})
    assert TOTP_KEY.search(setup.text)
    assert "img-src 'self' data:" in setup.headers["Content-Security-Policy"]


def test_a_recovery_code_signs_in_once(app, make_user, login, csrf_token, client):
    make_user("boss@example.com", ADMIN_ROLE)
    login("boss@example.com")
    token = csrf_token("/mf-recovery-codes")
    client.post("/mf-recovery-codes", data={"generate_new_codes": "y", "csrf_token": token})
    page = client.get("/mf-recovery-codes?show_codes=Show")
    codes = re.findall(r">([0-9a-f]{4}(?:-[0-9a-f]{4})+)</li>", page.text)
    assert len(codes) == 5
    for expected in (302, 200):
        other = app.test_client()
        password_step(other, "boss@example.com")
        token = CSRF_TOKEN.search(other.get("/mf-recovery").text).group(1)
        response = other.post("/mf-recovery", data={"code": codes[0], "csrf_token": token})
        assert response.status_code == expected
