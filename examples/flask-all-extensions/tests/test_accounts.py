"""Sign-up with a confirmation mail, sign-in by email, sign-out, password change and reset, CSRF,
`flask create-admin`; answers that do not tell whether an email has an account; strong passwords;
sessions that end."""

import logging
import re
import secrets
import socket
from datetime import UTC, datetime, timedelta

import pytest
from accounts_fixtures import PASSWORD
from conftest import TEST_CONFIG
from database_fixtures import CSRF_TOKEN
from flask_security import verify_password

from shop import create_app
from shop.accounts import ADMIN_ROLE, create_admin, mail, user_datastore
from shop.extensions import db


def signed_in(client) -> bool:
    return "Log out" in client.get("/").text


def test_login_and_logout(client, make_user, login, csrf_token):
    make_user("ada@example.com")
    assert not signed_in(client)
    assert login("ada@example.com").status_code == 302
    assert signed_in(client)

    assert client.get("/logout").status_code == 405  # a link or an image cannot sign anyone out
    response = client.post("/logout", data={"csrf_token": csrf_token("/")})
    assert response.status_code == 302
    assert not signed_in(client)


def test_login_fails_with_a_wrong_password_or_an_inactive_account(app, client, make_user, login):
    make_user("ada@example.com")
    assert login("ada@example.com", "wrong password").status_code == 200
    assert not signed_in(client)
    with app.app_context():
        user_datastore.deactivate_user(user_datastore.find_user(email="ada@example.com"))
        user_datastore.commit()
    login("ada@example.com")
    assert not signed_in(client)


def test_login_without_the_csrf_token_is_refused(client, make_user):
    make_user("ada@example.com")
    response = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert not signed_in(client)


def register(client, csrf_token, email: str, password: str = PASSWORD):
    return client.post(
        "/register",
        data={
            "email": email,
            "password": password,
            "password_confirm": password,
            "csrf_token": csrf_token("/register"),
        },
    )


def test_register_mails_a_link_that_confirms_the_account(app, client, csrf_token, login):
    with mail.record_messages() as outbox:
        response = register(client, csrf_token, "grace@example.com")
    assert response.status_code == 302
    assert not signed_in(client)
    login("grace@example.com")
    assert not signed_in(client), "not before the address is confirmed"
    (message,) = outbox
    assert message.recipients == ["grace@example.com"]
    link = re.search(r"http://localhost(/confirm/[^\s\"]+)", message.body).group(1)
    assert client.get(link).status_code == 302
    login("grace@example.com")
    assert signed_in(client)
    with app.app_context():
        user = user_datastore.find_user(email="grace@example.com")
        assert user.active and user.confirmed_at
        assert user.password.startswith("$argon2")


def test_with_debug_on_mail_is_logged_with_its_link_not_sent(caplog):
    app = create_app({**TEST_CONFIG, "DEBUG": True})
    with app.app_context():
        db.create_all()
    client = app.test_client()

    def csrf_token(path: str) -> str:
        return CSRF_TOKEN.search(client.get(path).text).group(1)

    with mail.record_messages() as outbox, caplog.at_level(logging.INFO):
        response = register(client, csrf_token, "grace@example.com")
    assert response.status_code == 302
    assert app.extensions["mail"].suppress
    (message,) = outbox
    link = re.search(r"http://localhost/confirm/[^\s\"]+", message.body).group(0)
    logged = f"Mail not sent (MAIL_SUPPRESS_SEND) to grace@example.com: {message.subject}\n"
    assert logged in caplog.text
    assert link in caplog.text
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def test_register_answers_a_taken_email_as_a_new_one_and_mails_its_owner(
    app, client, make_user, csrf_token
):
    make_user("ada@example.com")
    with mail.record_messages() as outbox:
        new = register(client, csrf_token, "grace@example.com")
        taken = register(client, csrf_token, "ada@example.com")
    assert taken.status_code == new.status_code == 302
    assert taken.headers["Location"] == new.headers["Location"]
    owners = [message.recipients for message in outbox]
    assert owners == [["grace@example.com"], ["ada@example.com"]]
    assert "already" in outbox[1].body


@pytest.mark.parametrize(
    "password", ["password", "12345678901234567890", "shortpassword", "aaaaaaaaaaaaaaaaaaaa"]
)
def test_register_refuses_a_short_or_guessable_password(app, client, csrf_token, password):
    response = register(client, csrf_token, "grace@example.com", password)
    assert response.status_code == 200
    assert 'class="fs-error-msg"' in response.text
    with app.app_context():
        assert user_datastore.find_user(email="grace@example.com") is None


def test_login_answers_an_unknown_email_as_a_wrong_password(client, make_user, login):
    make_user("ada@example.com")
    wrong_password = login("ada@example.com", "not the password at all")
    unknown_email = login("nobody@example.com", "not the password at all")
    assert wrong_password.status_code == unknown_email.status_code == 200
    message = "Authentication failed - identity or password/passcode invalid"
    assert message in wrong_password.text
    assert message in unknown_email.text


def test_reset_answers_an_unknown_email_as_a_known_one(client, make_user, csrf_token):
    make_user("ada@example.com")
    with mail.record_messages() as outbox:
        answers = [
            client.post("/reset", data={"email": email, "csrf_token": csrf_token("/reset")})
            for email in ("ada@example.com", "nobody@example.com")
        ]
    assert [answer.status_code for answer in answers] == [200, 200]
    notice = "Instructions to reset your password have been sent"
    assert all(notice in answer.text for answer in answers)
    assert [message.recipients for message in outbox] == [["ada@example.com"]]


@pytest.mark.parametrize("path", ["/login", "/register", "/reset"])
def test_account_pages_are_not_cached(client, path):
    assert client.get(path).headers["Cache-Control"] == "private, no-store"


def test_a_session_cookie_and_a_remember_cookie_kept_before_logout_no_longer_sign_in(
    app, client, make_user, csrf_token
):
    make_user("ada@example.com")
    form = {"email": "ada@example.com", "password": PASSWORD, "remember": "y"}
    client.post("/login", data={**form, "csrf_token": csrf_token("/login")})
    kept = {name: client.get_cookie(name).value for name in ("session", "remember_token")}
    assert signed_in(client)
    client.post("/logout", data={"csrf_token": csrf_token("/")})
    for names in (["session"], ["remember_token"], ["session", "remember_token"]):
        replay = app.test_client()
        for name in names:
            replay.set_cookie(name, kept[name])
        assert not signed_in(replay), names


def test_the_remember_cookie_lasts_7_days(client, clock, make_user, csrf_token):
    make_user("ada@example.com")
    form = {"email": "ada@example.com", "password": PASSWORD, "remember": "y"}
    client.post("/login", data={**form, "csrf_token": csrf_token("/login")})
    cookie = client.get_cookie("remember_token")
    assert cookie.expires - datetime.now(UTC) == timedelta(days=7)


def test_a_password_change_ends_the_other_sessions(app, client, make_user, login, csrf_token):
    make_user("ada@example.com")
    other = app.test_client()
    token = CSRF_TOKEN.search(other.get("/login").text).group(1)
    form = {"email": "ada@example.com", "password": PASSWORD, "csrf_token": token}
    other.post("/login", data=form)
    assert signed_in(other)
    login("ada@example.com")
    new_password = "a new and longer passphrase"
    client.post(
        "/change",
        data={
            "password": PASSWORD,
            "new_password": new_password,
            "new_password_confirm": new_password,
            "csrf_token": csrf_token("/change"),
        },
    )
    assert signed_in(client)
    assert not signed_in(other)


def test_register_can_be_switched_off(app):
    config = {**app.config, "SECURITY_REGISTERABLE": False}
    assert create_app(config).test_client().get("/register").status_code == 404


def test_change_password(app, client, make_user, login, csrf_token):
    make_user("ada@example.com")
    login("ada@example.com")
    new_password = "a new and longer passphrase"
    response = client.post(
        "/change",
        data={
            "password": PASSWORD,
            "new_password": new_password,
            "new_password_confirm": new_password,
            "csrf_token": csrf_token("/change"),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = user_datastore.find_user(email="ada@example.com")
        assert verify_password(new_password, user.password)


def test_create_admin_makes_an_active_admin_who_can_sign_in(app, client, login):
    result = app.test_cli_runner().invoke(
        create_admin, ["boss@example.com", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = user_datastore.find_user(email="boss@example.com")
        assert user.active
        assert user.has_role(ADMIN_ROLE)
        assert user.password != PASSWORD
    login("boss@example.com")
    assert signed_in(client)


def test_create_admin_prompts_for_the_password_and_reuses_the_role(app):
    runner = app.test_cli_runner()
    first = runner.invoke(create_admin, ["one@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert first.exit_code == 0, first.output
    second = runner.invoke(create_admin, ["two@example.com", "--password", PASSWORD])
    assert second.exit_code == 0, second.output
    with app.app_context():
        role = user_datastore.find_role(ADMIN_ROLE)
        assert {user.email for user in role.users} == {"one@example.com", "two@example.com"}


def test_create_admin_refuses_a_bad_email_a_short_password_or_a_taken_email(app, make_user):
    make_user("taken@example.com")
    runner = app.test_cli_runner()
    for arguments in (
        ["not-an-email", "--password", PASSWORD],
        ["short@example.com", "--password", "short"],
        ["taken@example.com", "--password", PASSWORD],
    ):
        result = runner.invoke(create_admin, arguments)
        assert result.exit_code == 2, result.output


def test_password_reset_mails_a_link_that_sets_a_new_password(app, client, make_user, csrf_token):
    make_user("ada@example.com")
    with mail.record_messages() as outbox:
        response = client.post(
            "/reset", data={"email": "ada@example.com", "csrf_token": csrf_token("/reset")}
        )
    assert response.status_code == 200
    (message,) = outbox
    assert message.recipients == ["ada@example.com"]
    link = re.search(r"http://localhost(/reset/[^\s\"]+)", message.body).group(1)
    new_password = "a brand new passphrase"
    response = client.post(
        link,
        data={
            "password": new_password,
            "password_confirm": new_password,
            "csrf_token": csrf_token(link),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = user_datastore.find_user(email="ada@example.com")
        assert verify_password(new_password, user.password)


def test_a_reset_requested_for_another_host_is_400_and_mails_nothing(
    app, client, make_user, csrf_token
):
    """The link would name the host of the request's Host header, which an attacker chooses."""
    app.config["TRUSTED_HOSTS"] = ["localhost"]
    make_user("ada@example.com")
    token = csrf_token("/reset")
    with mail.record_messages() as outbox:
        response = client.post(
            "/reset",
            data={"email": "ada@example.com", "csrf_token": token},
            headers={"Host": "evil.example"},
        )
    assert response.status_code == 400
    assert outbox == []


def test_links_in_mail_name_the_server_name_not_the_host_of_the_request(
    app, client, make_user, csrf_token
):
    app.config.update(TRUSTED_HOSTS=["localhost", "www.example.com"], SERVER_NAME="www.example.com")
    make_user("ada@example.com")
    token = csrf_token("/reset", base_url="http://localhost")
    with mail.record_messages() as outbox:
        response = client.post(
            "/reset",
            data={"email": "ada@example.com", "csrf_token": token},
            base_url="http://localhost",
        )
    assert response.status_code == 200
    (message,) = outbox
    assert re.search(r"http://www\.example\.com/reset/\S+", message.body), message.body
    assert "localhost" not in message.body


def test_production_refuses_to_start_without_a_server_name(app):
    config = {
        **app.config,
        "TESTING": False,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TRUSTED_HOSTS": ["example.com"],
        "SERVER_NAME": None,
    }
    with pytest.raises(RuntimeError, match="FLASK_SERVER_NAME is not set"):
        create_app(config)


def test_a_reset_mail_that_cannot_be_sent_is_logged_and_the_user_sees_no_error(
    app, client, make_user, csrf_token, caplog
):
    with socket.socket() as closed:  # a port that nothing listens on: the connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    mail.init_app(app)  # Flask-Mail reads its settings when it is bound
    make_user("ada@example.com")
    with caplog.at_level(logging.ERROR):
        response = client.post(
            "/reset", data={"email": "ada@example.com", "csrf_token": csrf_token("/reset")}
        )
    assert response.status_code == 200
    assert "Instructions to reset your password have been sent" in response.text
    (record,) = [record for record in caplog.records if record.exc_info]
    assert record.getMessage().startswith("Could not send the email")
    assert "reset_instructions" in record.getMessage()
    assert issubclass(record.exc_info[0], OSError)
