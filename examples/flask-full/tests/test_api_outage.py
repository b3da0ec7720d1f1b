"""While Redis does not answer, the API's notes list is served from the database."""

import pytest

from shop.accounts import user_datastore
from shop.extensions import db
from shop.models import Note

pytestmark = pytest.mark.redis_down


def test_the_api_list_works(app, client, make_user, login):
    make_user("ada@example.com")
    login("ada@example.com")
    with app.app_context():
        owner = user_datastore.find_user(email="ada@example.com")
        db.session.add(Note(title="Listed", body="", owner=owner))
        db.session.commit()
    for _ in range(2):
        response = client.get("/api/notes")
        assert response.status_code == 200
        assert [item["title"] for item in response.get_json()["items"]] == ["Listed"]
