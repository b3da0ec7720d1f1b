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
