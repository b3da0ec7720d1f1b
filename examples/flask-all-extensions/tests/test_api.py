"""The API as a whole, whatever its operations: an unknown path gets the error shape, and the
docs, served from the site's own files, are open only to those who should read them."""

import pytest
from api_fixtures import assert_docs_served, assert_error


def test_an_unknown_path_is_404(client):
    assert_error(client.get("/api/nothing-here"), 404)


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_docs_and_schema_are_for_admins(client, make_user, login, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    make_user("ada@example.com")
    login("ada@example.com")
    assert_error(client.get(path), 403)


def test_admins_read_the_docs_from_the_sites_own_files(client, make_user, login):
    make_user("staff@example.com", "admin")
    login("staff@example.com")
    response = assert_docs_served(client)
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]


def test_docs_are_open_while_debugging(debug_client):
    assert debug_client.get("/api/docs").status_code == 200
