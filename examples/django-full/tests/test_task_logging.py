"""A background task's log records carry the id of the request that queued it."""

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path

from shop.notes.models import Note
from shop.notes.tasks import count_words


def count_view(request: HttpRequest, note_id: int) -> HttpResponse:
    count_words.delay(note_id)
    return HttpResponse(status=204)


# The URLconf of the tests marked @pytest.mark.urls(__name__).
urlpatterns = [
    path("count/<int:note_id>", count_view),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_task_logs_the_id_of_the_request_that_queued_it(client, log_records):
    note = Note.objects.create(title="Counted", body="three short words")
    client.get(f"/count/{note.pk}", headers={"X-Request-ID": "abc-123"})
    (counted,) = [r for r in log_records() if r["message"] == f"Note {note.pk} has 3 words"]
    assert counted["request_id"] == "abc-123"
