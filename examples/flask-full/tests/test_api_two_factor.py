"""Two-factor sign-in guards the API's documentation as it guards the admin's pages."""

from shop.accounts import ADMIN_ROLE, user_datastore
from shop.extensions import db


def test_a_user_made_admin_while_signed_in_gets_no_api_docs_before_setting_up_two_factor(
    app, client, make_user, login
):
    make_user("ada@example.com")
    login("ada@example.com")  # with the password alone: no two-factor for users yet
    with app.app_context():
        user = user_datastore.find_user(email="ada@example.com")
        user_datastore.add_role_to_user(user, user_datastore.find_or_create_role(ADMIN_ROLE))
        db.session.commit()
    assert client.get("/change").status_code == 200  # signed in
    assert client.get("/api/docs").status_code == 403
    assert client.get("/api/openapi.json").status_code == 403
