"""The cached notes list (the page's fragment, the API's pages): served from the cache, renewed
by every committed write, each user's apart.

The tests put the cache in this process's memory (`CACHE_TYPE` in database_fixtures.py);
production puts it on Redis.
"""

import re

import pytest
from accounts_fixtures import PASSWORD
from database_fixtures import CSRF_TOKEN
from sqlalchemy import event

from shop import create_app
from shop.accounts import user_datastore
from shop.extensions import db
from shop.models import Note

# The cached lists.
LISTS = [
    "/notes/",
    "/api/notes",
]
# The user signed in for every test, whose notes add_note() stores.
USER = "ada@example.com"


@pytest.fixture(params=LISTS)
def notes_list(request) -> str:
    return request.param


@pytest.fixture
def note_reads(app):
    """The statements that read the `note` table, as they run."""
    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        if re.search(r"\bFROM note\b", statement):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture(autouse=True)
def signed_in(make_user, login):
    """Every test reads the list of a signed-in user: only users have notes."""
    make_user(USER)
    login(USER)


def add_note(app, title: str, owner: str = USER) -> int:
    """Store a note of the user `owner` (an email); return its id."""
    with app.app_context():
        note = Note(title=title, body="x", owner=user_datastore.find_user(email=owner))
        db.session.add(note)
        db.session.commit()
        return note.id


def test_the_list_is_served_from_the_cache(app, client, note_reads, notes_list):
    add_note(app, "Cached")
    first = client.get(notes_list).text
    assert "Cached" in first and note_reads
    note_reads.clear()
    again = client.get(notes_list).text
    # The same list; a signed-in page's CSRF tokens carry the second they were made in.
    assert CSRF_TOKEN.sub("", again) == CSRF_TOKEN.sub("", first) and note_reads == []


def test_each_page_is_cached_apart(app, client, notes_list):
    with app.app_context():
        user = user_datastore.find_user(email=USER)
        db.session.add_all(
            Note(title=f"Note {number}", body="", owner=user) for number in range(25)
        )
        db.session.commit()
    assert "Note 24" in client.get(notes_list).text
    second = client.get(f"{notes_list}?page=2").text
    assert "Note 0" in second and "Note 24" not in second


def test_a_new_note_shows_at_once(app, client, notes_list):
    add_note(app, "Old")
    assert "Old" in client.get(notes_list).text
    add_note(app, "New")
    assert "New" in client.get(notes_list).text


def test_a_deleted_note_leaves_the_list_at_once(app, client, notes_list):
    note_id = add_note(app, "Doomed")
    assert "Doomed" in client.get(notes_list).text
    with app.app_context():
        db.session.delete(db.session.get(Note, note_id))
        db.session.commit()
    assert "Doomed" not in client.get(notes_list).text


def test_each_user_has_their_own_cached_list(app, client, make_user, notes_list):
    add_note(app, "Ada's secret")
    assert "secret" in client.get(notes_list).text  # now cached, for Ada
    add_note(app, "Eve's own", owner=make_user("eve@example.com"))
    assert "Eve" not in client.get(notes_list).text
    eve = app.test_client()
    token = CSRF_TOKEN.search(eve.get("/login").text).group(1)
    data = {"email": "eve@example.com", "password": PASSWORD, "csrf_token": token}
    assert eve.post("/login", data=data).status_code == 302
    listing = eve.get(notes_list).text
    assert "Eve" in listing and "secret" not in listing


def test_a_rolled_back_write_keeps_the_cached_list(app, client, note_reads, notes_list):
    add_note(app, "Kept")
    client.get(notes_list)
    with app.app_context():
        db.session.add(Note(title="Undone", body="x"))
        db.session.flush()
        db.session.rollback()
    note_reads.clear()
    assert "Undone" not in client.get(notes_list).text and note_reads == []


def test_redis_holds_the_cache_and_the_rate_limits(app, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://redis.example:6379/2")
    overrides = ("CACHE_TYPE", "CACHE_REDIS_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI")
    config = {key: value for key, value in app.config.items() if key not in overrides}
    production = create_app(config)
    cache_type = production.config["CACHE_TYPE"]
    assert cache_type == "shop.caching.RedisCacheOrMiss"
    assert production.config["CACHE_REDIS_URL"] == "redis://redis.example:6379/2"
    assert production.config["RATELIMIT_STORAGE_URI"] == "redis://redis.example:6379/2"
    assert production.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
