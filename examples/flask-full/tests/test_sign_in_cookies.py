"""In production, signing in sets the session and remember-me cookies secure, HttpOnly and
SameSite=Lax (hardening.py)."""

from accounts_fixtures import PASSWORD
from conftest import cookies
from database_fixtures import CSRF_TOKEN
from flask_security import hash_password

from shop import create_app
from shop.accounts import user_datastore
from shop.extensions import db


def test_production_login_sets_secure_httponly_lax_session_and_remember_cookies(production_config):
    app = create_app(production_config)
    with app.app_context():
        db.create_all()
        user_datastore.create_user(
            email="ada@example.com",
            password=hash_password(PASSWORD),
            active=True,
            confirmed_at=app.extensions["security"].datetime_factory(),
        )
        db.session.commit()
    client = app.test_client()
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
    token = CSRF_TOKEN.search(client.get("/login", **https).text).group(1)
    form = {"email": "ada@example.com", "password": PASSWORD, "remember": "y", "csrf_token": token}
    response = client.post("/login", data=form, **https)
    assert response.status_code == 302
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
    set_cookies = cookies(response)
    for name in ("session", "remember_token"):
        cookie = set_cookies[name]
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax", name
