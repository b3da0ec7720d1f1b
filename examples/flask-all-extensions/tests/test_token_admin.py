"""API tokens in the admin: staff issue one for a user and see its secret once."""

import re

from api_notes_fixtures import NOTES

from shop.accounts import user_datastore


def test_staff_issue_a_token_in_the_admin_and_see_its_secret_once(
    app, client, make_user, login, csrf_token
):
    make_user("staff@example.com", "admin")
    login("staff@example.com")
    with app.app_context():
        user_id = user_datastore.find_user(email="staff@example.com").id
    form = {"user": str(user_id), "name": "admin", "csrf_token": csrf_token("/admin/token/new/")}
    response = client.post("/admin/token/new/", data=form, follow_redirects=True)
    secret = re.search(r"shown only this once: ([\w-]+)", response.text).group(1)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.post(NOTES, json={"title": "T", "body": "B"}, headers=bearer).status_code == 201
    assert secret not in client.get("/admin/token/").text
