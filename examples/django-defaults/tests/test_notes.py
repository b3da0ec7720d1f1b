"""The sample notes app: anyone can read, signed-in people can write."""

import pytest
from django.urls import reverse

from shop.notes.models import Note

pytestmark = pytest.mark.django_db


def test_list_shows_the_newest_first(client):
    Note.objects.create(title="First", body="One.")
    Note.objects.create(title="Second", body="Two.")
    response = client.get(reverse("notes:list"))
    assert response.status_code == 200
    assert response.text.index("Second") < response.text.index("First")


def test_list_escapes_what_people_write(client):
    Note.objects.create(title="<script>alert(1)</script>", body="x")
    assert "<script>alert" not in client.get(reverse("notes:list")).text


def test_adding_needs_login(client):
    response = client.get(reverse("notes:create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_signed_in_people_can_add_a_note(client, user):
    client.force_login(user)
    assert client.get(reverse("notes:create")).status_code == 200
    response = client.post(reverse("notes:create"), {"title": "Hello", "body": "First note."})
    assert response["Location"] == reverse("notes:list")
    note = Note.objects.get()
    assert (note.title, note.body) == ("Hello", "First note.")


def test_a_note_needs_a_title(client, user):
    client.force_login(user)
    response = client.post(reverse("notes:create"), {"title": "", "body": "No title."})
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert not Note.objects.exists()


def test_the_list_is_paginated(client):
    Note.objects.bulk_create(Note(title=f"Note {number}", body="x") for number in range(25))
    first = client.get(reverse("notes:list"))
    assert first.text.count('class="note"') == 20
    assert "Page 1 of 2" in first.text and 'href="?page=2"' in first.text
    second = client.get(reverse("notes:list"), {"page": 2})
    assert second.status_code == 200
    assert second.text.count('class="note"') == 5
    # Past the end, or not a number: the last page, or the first, never an error.
    assert "Page 2 of 2" in client.get(reverse("notes:list"), {"page": 10**30}).text
    assert "Page 1 of 2" in client.get(reverse("notes:list"), {"page": "x\x00"}).text


def test_a_note_has_its_own_page(client):
    note = Note.objects.create(title="Alone", body="On its own page.")
    response = client.get(reverse("notes:detail", args=[note.pk]))
    assert response.status_code == 200
    assert "On its own page." in response.text


@pytest.mark.parametrize("pk", [404, 2**31, 2**63, 10**30])
def test_a_missing_note_is_404_however_large_its_id(client, pk):
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
