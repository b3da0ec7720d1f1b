"""Reading the notes through the API: the list, newest first a page at a time within bounds, and
each note's detail; a note that is not there is 404."""

import re

import pytest
from api_fixtures import assert_error
from api_notes_fixtures import NOTES

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_list_is_paginated_newest_first(add_notes, reader):
    add_notes(*(f"Note {number}" for number in range(1, 6)))
    response = reader.get(NOTES, query_string={"page": 2, "page_size": 2})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["count"], body["page"], body["page_size"]) == (5, 2, 2)
    assert [note["title"] for note in body["items"]] == ["Note 3", "Note 2"]


def test_list_defaults_to_the_first_page_of_twenty(reader):
    assert reader.get(NOTES).get_json() == {"items": [], "count": 0, "page": 1, "page_size": 20}


def test_a_page_past_the_last_is_empty(add_notes, reader):
    add_notes("Only")
    response = reader.get(NOTES, query_string={"page": 10**30})
    assert response.status_code == 200
    assert response.get_json()["items"] == [] and response.get_json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [({"page": 0}, "page"), ({"page_size": 101}, "page_size"), ({"page": "x"}, "page")],
)
def test_pagination_limits(reader, query, field):
    body = assert_error(reader.get(NOTES, query_string=query), 422)
    assert body["errors"] == {"query": {field: body["errors"]["query"][field]}}


def test_detail(add_notes, reader):
    (note_id,) = add_notes("Hello")
    response = reader.get(f"{NOTES}/{note_id}")
    assert response.status_code == 200
    note = response.get_json()
    assert set(note) == {"id", "title", "body", "created_at"}
    assert (note["id"], note["title"], note["body"]) == (note_id, "Hello", "Text.")
    assert ISO_UTC.match(note["created_at"]), note["created_at"]


@pytest.mark.parametrize("note_id", ["999", "abc", "-1", "1.5", str(2**31), str(2**70)])
def test_missing_notes_are_404(reader, note_id):
    assert_error(reader.get(f"{NOTES}/{note_id}"), 404)
