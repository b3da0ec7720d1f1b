"""Sign-up, sign-in by email, sign-out, password change and reset, CSRF, `flask create-admin`."""

import logging
import re
import socket

from conftest import PASSWORD
from flask_security import verify_password

from shop import create_app
from shop.accounts import ADMIN_ROLE, create_admin, mail, user_datastore


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


def test_register_signs_the_new_user_in(app, client, csrf_token):
    response = client.post(
        "/register",
        data={
            "email": "grace@example.com",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "csrf_token": csrf_token("/register"),
        },
    )
    assert response.status_code == 302
    assert signed_in(client)
    with app.app_context():
        user = user_datastore.find_user(email="grace@example.com")
        assert user.active
        assert user.password.startswith("$argon2")


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
