def add_note(client, csrf_token, **fields):
    return client.post("/notes/", data={"csrf_token": csrf_token("/notes/"), **fields})


def test_lists_no_notes_at_first(client):
    response = client.get("/notes/")
    assert response.status_code == 200
    assert "No notes yet." in response.text
    assert client.get("/api/notes").get_json() == []


def test_creates_a_note_and_lists_it_newest_first(client, csrf_token):
    assert add_note(client, csrf_token, title="First", body="one").status_code == 302
    response = add_note(client, csrf_token, title="Second", body="two")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notes/"

    page = client.get("/notes/").text
    assert page.index("Second") < page.index("First")
    notes = client.get("/api/notes").get_json()
    assert [note["title"] for note in notes] == ["Second", "First"]
    assert notes[0]["body"] == "two"
    assert notes[0]["created_at"]
    assert client.get(f"/api/notes/{notes[0]['id']}").get_json() == notes[0]


def test_a_note_needs_a_title_of_at_most_200_characters(client, csrf_token):
    assert add_note(client, csrf_token, title="", body="no title").status_code == 422
    assert add_note(client, csrf_token, title="x" * 201).status_code == 422
    assert client.get("/api/notes").get_json() == []


def test_a_post_without_the_csrf_token_is_refused(client):
    response = client.post("/notes/", data={"title": "Forged"})
    assert response.status_code == 400
    assert client.get("/api/notes").get_json() == []


def test_a_missing_note_is_a_json_404(client):
    response = client.get("/api/notes/999")
    assert response.status_code == 404
    assert response.get_json()["error"] == "Not Found"
