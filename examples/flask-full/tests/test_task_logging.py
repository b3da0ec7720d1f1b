"""Tasks log the id of the request that queued them (request_id.py, tasks.py)."""

from shop.extensions import db
from shop.models import Note
from shop.tasks import count_words


def test_a_task_logs_the_id_of_the_request_that_queued_it(app, log_records):
    @app.get("/count/<int:note_id>")
    def count(note_id: int):
        count_words.delay(note_id)
        return "", 204

    with app.app_context():
        note = Note(title="Counted", body="three short words")
        db.session.add(note)
        db.session.commit()
        note_id = note.id
    app.test_client().get(f"/count/{note_id}", headers={"X-Request-ID": "abc-123"})
    counted = [r for r in log_records() if r["message"] == f"Note {note_id} has 3 words"]
    # Queued by the commit, outside a request; then by the request.
    assert [r["request_id"] for r in counted] == [None, "abc-123"]
