"""The cached notes list (the page's fragment, the API's pages): served from the cache, renewed
by every committed write, each user's apart.

The test settings put the cache in this process's memory; production puts it on Redis.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.notes.models import Note

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, user):
    """The list is each signed-in user's own: a client signed in as `user` (a session reads the
    API too)."""
    client.force_login(user)
    return client


@pytest.fixture(
    params=[
        "/notes/",
        "/api/notes",
    ]
)
def notes_list(request) -> str:
    """The path of each cached list."""
    return request.param


def notes_queries(client, path: str) -> tuple[str, int]:
    """GET the list at `path`; return its text and how many queries read the notes themselves."""
    with CaptureQueriesContext(connection) as queries:
        text = client.get(path).text
    reads = [q["sql"] for q in queries if "notes_note" in q["sql"] and "COUNT(" not in q["sql"]]
    return text, len(reads)


def test_the_list_is_served_from_the_cache(client, user, notes_list):
    Note.objects.create(owner=user, title="Cached", body="x")
    first, reads = notes_queries(client, notes_list)
    assert "Cached" in first and reads == 1
    # Not the same text: a signed-in page carries a new CSRF token each time.
    again, reads_again = notes_queries(client, notes_list)
    assert "Cached" in again and reads_again == 0


def test_each_page_is_cached_apart(client, user, notes_list):
    Note.objects.bulk_create(
        Note(owner=user, title=f"Note {number}", body="x") for number in range(25)
    )
    first = set(re.findall(r"Note \d+", client.get(notes_list).text))
    second = set(re.findall(r"Note \d+", client.get(notes_list, {"page": 2}).text))
    assert (len(first), len(second)) == (20, 5) and not first & second


def test_each_users_list_is_cached_apart(client, user, django_user_model, notes_list):
    Note.objects.create(owner=user, title="Note by Ada", body="x")
    assert "Note by Ada" in client.get(notes_list).text
    other = django_user_model.objects.create_user(email="bob@example.com")
    Note.objects.create(owner=other, title="Note by Bob", body="x")
    client.force_login(other)
    text, reads = notes_queries(client, notes_list)
    assert "Note by Bob" in text and "Note by Ada" not in text
    assert reads == 1, "read from the database, not from Ada's cached list"


def test_a_new_note_shows_at_once(client, user, notes_list, django_capture_on_commit_callbacks):
    Note.objects.create(owner=user, title="Old", body="x")
    assert "Old" in client.get(notes_list).text
    with django_capture_on_commit_callbacks(execute=True):
        Note.objects.create(owner=user, title="New", body="y")
    assert "New" in client.get(notes_list).text


def test_a_deleted_note_leaves_the_list_at_once(
    client, user, notes_list, django_capture_on_commit_callbacks
):
    note = Note.objects.create(owner=user, title="Doomed", body="x")
    assert "Doomed" in client.get(notes_list).text
    with django_capture_on_commit_callbacks(execute=True):
        note.delete()
    assert "Doomed" not in client.get(notes_list).text


def test_the_rate_limits_and_sessions_use_the_shared_cache(settings):
    assert settings.RATELIMIT_USE_CACHE == "default"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
