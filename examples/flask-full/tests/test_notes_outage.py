"""While Redis does not answer, the notes pages answer, and a note written there is saved in the
database."""

import pytest

from shop.extensions import db
from shop.models import Note

pytestmark = pytest.mark.redis_down


def test_sign_in_the_notes_pages_and_writes_work(app, client, make_user, login, csrf_token):
    make_user("ada@example.com")
    assert login("ada@example.com").status_code == 302
    assert client.get("/notes/").status_code == 200
    data = {"csrf_token": csrf_token("/notes/"), "title": "Saved", "body": "while Redis is down"}
    assert client.post("/notes/", data=data).status_code == 302
    page = client.get("/notes/")
    assert page.status_code == 200 and "Saved" in page.text
    assert "Words not counted yet." in page.text
    with app.app_context():
        assert db.session.scalars(db.select(Note.title)).all() == ["Saved"]
