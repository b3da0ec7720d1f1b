"""Notes: each user's own, listed newest first a page at a time, created through the form by
signed-in users, bounded in size; pages out of range are 404s."""

import pytest
from database_fixtures import CSRF_TOKEN

from shop.accounts import user_datastore
from shop.extensions import db
from shop.models import Note
from shop.notes import NOTES_PER_PAGE

# The user signed in for every test here (but the anonymous one), whose notes add_notes() stores.
USER = "ada@example.com"


@pytest.fixture(autouse=True)
def signed_in(make_user, login):
    """Every test here but the anonymous one is signed in: only users have notes."""
    make_user(USER)
    login(USER)


def add_note(client, csrf_token, **fields):
    return client.post("/notes/", data={"csrf_token": csrf_token("/notes/"), **fields})


def titles(app) -> list[str]:
    """The titles of the stored notes, oldest first."""
    with app.app_context():
        return list(db.session.scalars(db.select(Note.title).order_by(Note.id)))


def add_notes(app, count: int, owner: str = USER) -> None:
    """Store `count` notes of the user `owner` (an email), "Note 0" first."""
    with app.app_context():
        user = user_datastore.find_user(email=owner)
        db.session.add_all(
            Note(title=f"Note {number}", body="", owner=user) for number in range(count)
        )
        db.session.commit()


def test_lists_no_notes_at_first(client):
    response = client.get("/notes/")
    assert response.status_code == 200
    assert "No notes yet." in response.text


def test_creates_a_note_and_lists_it_newest_first(app, client, csrf_token):
    assert add_note(client, csrf_token, title="First", body="one").status_code == 302
    response = add_note(client, csrf_token, title="Second", body="two")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notes/"

    page = client.get("/notes/").text
    assert page.index("Second") < page.index("First")
    assert titles(app) == ["First", "Second"]


def test_a_note_needs_a_title_of_at_most_200_and_a_body_of_at_most_10000_characters(
    app, client, csrf_token
):
    assert add_note(client, csrf_token, title="", body="no title").status_code == 422
    assert add_note(client, csrf_token, title="x" * 201).status_code == 422
    response = add_note(client, csrf_token, title="Long", body="x" * 10_001)
    assert response.status_code == 422
    assert "Field cannot be longer than 10000 characters." in response.text
    assert titles(app) == []
    assert add_note(client, csrf_token, title="x" * 200, body="x" * 10_000).status_code == 302


def test_a_nul_character_in_the_form_is_refused_with_400(app, client, csrf_token):
    response = add_note(client, csrf_token, title="a\x00b")
    assert response.status_code == 400
    assert titles(app) == []


def test_a_post_without_the_csrf_token_is_refused(app, client):
    response = client.post("/notes/", data={"title": "Forged"})
    assert response.status_code == 400
    assert titles(app) == []


def test_anonymous_visitors_are_sent_to_sign_in_to_read_or_add_notes(app):
    add_notes(app, 1)
    anonymous = app.test_client()
    page = anonymous.get("/notes/")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login?next=")
    token = CSRF_TOKEN.search(anonymous.get("/login").text).group(1)  # this visitor's own
    response = anonymous.post("/notes/", data={"csrf_token": token, "title": "Anonymous"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert titles(app) == ["Note 0"]


def test_each_user_lists_and_adds_their_own_notes_only(app, client, csrf_token, make_user):
    add_notes(app, 1, owner=make_user("eve@example.com"))
    with app.app_context():
        db.session.add(Note(title="Written before notes had owners", body=""))
        db.session.commit()
    assert add_note(client, csrf_token, title="By Ada", body="").status_code == 302
    page = client.get("/notes/").text
    assert page.count('class="note"') == 1 and "By Ada" in page
    with app.app_context():
        note = db.session.scalars(db.select(Note).filter_by(title="By Ada")).one()
        assert note.owner.email == USER


def test_the_list_is_paginated(app, client):
    add_notes(app, NOTES_PER_PAGE + 5)
    first = client.get("/notes/").text
    assert first.count('class="note"') == NOTES_PER_PAGE
    assert "Page 1 of 2" in first
    second = client.get("/notes/?page=2")
    assert second.status_code == 200
    assert second.text.count('class="note"') == 5
    assert "Page 2 of 2" in second.text
    assert "Note 0<" in second.text  # the oldest, last


@pytest.mark.parametrize("page", ["0", "-1", "3", "99999999999999999999", str(2**63)])
def test_a_page_out_of_range_is_404(app, client, page):
    add_notes(app, NOTES_PER_PAGE + 5)
    assert client.get(f"/notes/?page={page}").status_code == 404
