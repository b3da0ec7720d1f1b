"""The admin at /admin: only users with the `admin` role get in; the users view keeps secrets."""

import html
import re

import pytest
from accounts_fixtures import PASSWORD
from database_fixtures import CSRF_TOKEN
from flask_security import hash_password

from shop import admin, hardening
from shop.accounts import ADMIN_ROLE, user_datastore
from shop.extensions import db
from shop.models import Note

VIEWS = ["/admin/", "/admin/note/", "/admin/user/", "/admin/role/", "/admin/note/new/"]


@pytest.fixture
def admin_client(client, make_user, login):
    make_user("boss@example.com", ADMIN_ROLE)
    login("boss@example.com")
    return client


@pytest.fixture
def admin_get(admin_client):
    return admin_client.get


@pytest.mark.parametrize("path", VIEWS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", VIEWS)
def test_users_without_the_admin_role_are_forbidden(client, make_user, login, path):
    make_user("ada@example.com")
    login("ada@example.com")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", VIEWS)
def test_admins_get_in(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_an_admin_can_create_and_list_notes(app, admin_client, csrf_token):
    response = admin_client.post(
        "/admin/note/new/",
        data={
            "title": "From the admin",
            "body": "hello",
            "csrf_token": csrf_token("/admin/note/new/"),
        },
    )
    assert response.status_code == 302
    assert "From the admin" in admin_client.get("/admin/note/").text
    with app.app_context():
        note = db.session.scalars(db.select(Note).filter_by(title="From the admin")).one()
        assert note.body == "hello"
        assert note.owner.email == "boss@example.com"  # staff's own, when they name no owner


def test_an_admin_sees_every_users_notes_with_their_owners(app, admin_client, make_user):
    with app.app_context():
        for email in (make_user("ada@example.com"), make_user("eve@example.com")):
            owner = user_datastore.find_user(email=email)
            db.session.add(Note(title=f"Note of {email}", body="", owner=owner))
        db.session.add(Note(title="Written before notes had owners", body=""))
        db.session.commit()
    listing = admin_client.get("/admin/note/").text
    for email in ("ada@example.com", "eve@example.com"):
        assert f"Note of {email}" in listing
        assert listing.count(email) >= 2  # the title, and the owner's column
    assert "Written before notes had owners" in listing


def test_an_admin_gives_an_ownerless_note_an_owner(app, admin_client, make_user, csrf_token):
    make_user("ada@example.com")
    with app.app_context():
        note = Note(title="Ownerless", body="From before.")
        db.session.add(note)
        db.session.commit()
        note_id = note.id
        ada_id = user_datastore.find_user(email="ada@example.com").id
    path = f"/admin/note/edit/?id={note_id}"
    form = {"owner": str(ada_id), "title": "Ownerless", "body": "From before."}
    response = admin_client.post(path, data={**form, "csrf_token": csrf_token(path)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Note, note_id).owner.email == "ada@example.com"


def test_the_users_view_shows_no_secret(app, admin_client):
    with app.app_context():
        boss = user_datastore.find_user(email="boss@example.com")
        secrets = [boss.password, boss.fs_uniquifier]
    for path in ("/admin/user/", f"/admin/user/edit/?id={boss.id}"):
        page = admin_client.get(path).text
        assert "boss@example.com" in page
        for secret in secrets:
            assert secret not in page
        for column in ("fs_uniquifier", "tf_totp_secret", "us_totp_secrets", "mf_recovery_codes"):
            assert column not in page


def test_a_user_created_in_the_admin_gets_a_hashed_password_and_can_sign_in(
    app, admin_client, csrf_token, login
):
    response = admin_client.post(
        "/admin/user/new/",
        data={
            "email": "new@example.com",
            "active": "y",
            "new_password": "a long enough passphrase",
            "csrf_token": csrf_token("/admin/user/new/"),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = user_datastore.find_user(email="new@example.com")
        assert user.password.startswith("$argon2")
        assert user.fs_uniquifier
    admin_client.post("/logout", data={"csrf_token": csrf_token("/")})
    login("new@example.com", "a long enough passphrase")
    assert "Log out" in admin_client.get("/").text


def test_a_password_set_in_the_admin_ends_the_users_sessions(app, admin_client, csrf_token):
    with app.app_context():
        user = user_datastore.create_user(
            email="ada@example.com",
            password=hash_password(PASSWORD),
            active=True,
            confirmed_at=app.extensions["security"].datetime_factory(),
        )
        db.session.commit()
        user_id = user.id
    ada = app.test_client()
    token = CSRF_TOKEN.search(ada.get("/login").text).group(1)
    ada.post("/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": token})
    assert "Log out" in ada.get("/").text
    path = f"/admin/user/edit/?id={user_id}"
    response = admin_client.post(
        path,
        data={
            "email": "ada@example.com",
            "active": "y",
            "new_password": "a new and longer passphrase",
            "csrf_token": csrf_token(path),
        },
    )
    assert response.status_code == 302
    assert "Log out" not in ada.get("/").text


def test_a_user_created_in_the_admin_needs_a_password(app, admin_client, csrf_token):
    admin_client.post(
        "/admin/user/new/",
        data={"email": "new@example.com", "csrf_token": csrf_token("/admin/user/new/")},
    )
    with app.app_context():
        assert user_datastore.find_user(email="new@example.com") is None


@pytest.mark.parametrize(
    "path",
    [
        "/admin/note/?page=-1",
        f"/admin/note/?page={2**63}",
        "/admin/note/edit/?id=abc",
        f"/admin/note/edit/?id={2**31}",
        f"/admin/note/edit/?id={2**63}",
        "/admin/user/edit/?id=99999999999999999999",
    ],
)
def test_a_page_or_id_out_of_range_is_404(app, admin_get, path):
    """Not the database's error: PostgreSQL refuses a negative OFFSET and integers past its
    columns' range, SQLite an OFFSET past 64 bits."""
    with app.app_context():
        db.session.add(Note(title="Listed", body=""))
        db.session.commit()
        note_id = db.session.scalar(db.select(Note.id))
    assert admin_get(f"/admin/note/edit/?id={note_id}").status_code == 200
    assert admin_get(path).status_code == 404


def test_the_admin_policy_allows_exactly_the_inline_handlers_of_its_pages(app, admin_get):
    with app.app_context():
        db.session.add(Note(title="Listed", body="so that the list has a delete button"))
        db.session.commit()
    handlers = set()
    for path in VIEWS:
        response = admin_get(path)
        assert response.headers["Content-Security-Policy"] == admin.ADMIN_CONTENT_SECURITY_POLICY
        found = re.findall(r'\son[a-z]+="([^"]*)"', response.text)
        handlers.update(html.unescape(handler) for handler in found)
    assert handlers == set(admin.ADMIN_INLINE_HANDLERS)
    # Outside the admin, the site's policy allows no inline handler at all.
    assert admin_get("/").headers["Content-Security-Policy"] == hardening.CONTENT_SECURITY_POLICY
