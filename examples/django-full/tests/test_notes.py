"""The sample notes app: signed-in people read and write their own notes, and no one else's."""

import pytest
from django.urls import reverse

from shop.notes.models import Note

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_user(django_user_model, password):
    return django_user_model.objects.create_user(email="bob@example.com", password=password)


def test_list_shows_the_newest_first(client, user):
    Note.objects.create(owner=user, title="First", body="One.")
    Note.objects.create(owner=user, title="Second", body="Two.")
    client.force_login(user)
    response = client.get(reverse("notes:list"))
    assert response.status_code == 200
    assert response.text.index("Second") < response.text.index("First")


def test_list_shows_the_users_own_notes_only(client, user, other_user):
    Note.objects.create(owner=user, title="Note by Ada", body="One.")
    Note.objects.create(owner=other_user, title="Note by Bob", body="Two.")
    Note.objects.create(owner=None, title="From before owners", body="Three.")
    client.force_login(other_user)
    text = client.get(reverse("notes:list")).text
    assert "Note by Bob" in text
    assert "Note by Ada" not in text and "From before owners" not in text
    assert text.count('class="note"') == 1


def test_list_escapes_what_people_write(client, user):
    Note.objects.create(owner=user, title="<script>alert(1)</script>", body="x")
    client.force_login(user)
    assert "<script>alert" not in client.get(reverse("notes:list")).text


@pytest.mark.parametrize("name", ["notes:list", "notes:create"])
def test_notes_need_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_note_page_needs_login(client, user):
    note = Note.objects.create(owner=user, title="Private", body="Mine.")
    response = client.get(reverse("notes:detail", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_signed_in_people_can_add_a_note(client, user):
    client.force_login(user)
    assert client.get(reverse("notes:create")).status_code == 200
    response = client.post(reverse("notes:create"), {"title": "Hello", "body": "First note."})
    assert response["Location"] == reverse("notes:list")
    note = Note.objects.get()
    assert (note.owner, note.title, note.body) == (user, "Hello", "First note.")


def test_the_form_cannot_set_another_owner(client, user, other_user):
    client.force_login(user)
    form = {"title": "Hello", "body": "Mine.", "owner": other_user.pk}
    client.post(reverse("notes:create"), form)
    assert Note.objects.get().owner == user


def test_a_note_needs_a_title(client, user):
    client.force_login(user)
    response = client.post(reverse("notes:create"), {"title": "", "body": "No title."})
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert not Note.objects.exists()


def test_the_list_is_paginated(client, user):
    Note.objects.bulk_create(
        Note(owner=user, title=f"Note {number}", body="x") for number in range(25)
    )
    client.force_login(user)
    first = client.get(reverse("notes:list"))
    assert first.text.count('class="note"') == 20
    assert "Page 1 of 2" in first.text and 'href="?page=2"' in first.text
    second = client.get(reverse("notes:list"), {"page": 2})
    assert second.status_code == 200
    assert second.text.count('class="note"') == 5
    # Past the end, or not a number: the last page, or the first, never an error.
    assert "Page 2 of 2" in client.get(reverse("notes:list"), {"page": 10**30}).text
    assert "Page 1 of 2" in client.get(reverse("notes:list"), {"page": "x\x00"}).text


def test_a_note_has_its_own_page(client, user):
    note = Note.objects.create(owner=user, title="Alone", body="On its own page.")
    client.force_login(user)
    response = client.get(reverse("notes:detail", args=[note.pk]))
    assert response.status_code == 200
    assert "On its own page." in response.text


def test_another_users_note_is_404(client, user, other_user):
    note = Note.objects.create(owner=user, title="Note by Ada", body="Private.")
    client.force_login(other_user)
    response = client.get(reverse("notes:detail", args=[note.pk]))
    assert response.status_code == 404
    assert "Private." not in response.text


@pytest.mark.parametrize("pk", [404, 2**31, 2**63, 10**30])
def test_a_missing_note_is_404_however_large_its_id(client, user, pk):
    client.force_login(user)
    assert client.get(f"/notes/{pk}/").status_code == 404


def test_a_note_body_is_limited(client, user):
    client.force_login(user)
    response = client.post(reverse("notes:create"), {"title": "Long", "body": "x" * 10_001})
    assert response.status_code == 200
    assert "at most 10000 characters" in response.text
    assert not Note.objects.exists()


def test_nul_bytes_in_a_note_are_a_form_error(client, user):
    client.force_login(user)
    response = client.post(reverse("notes:create"), {"title": "a\x00b", "body": "c"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.text
    assert not Note.objects.exists()
