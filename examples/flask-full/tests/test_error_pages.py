"""Error pages (error_pages.py, templates/error.html): a browser gets a page for an error, never a
traceback; a request for a host the site does not serve gets werkzeug's plain page instead."""

import pytest
from conftest import ERRORS

from shop import create_app

HTML = {"Accept": "text/html"}


@pytest.mark.parametrize(("code", "name"), ERRORS)
def test_errors_are_pages_for_browsers(aborting, code, name):
    page = aborting.test_client().get(f"/abort/{code}", headers=HTML)
    assert page.status_code == code
    assert page.mimetype == "text/html"
    assert f"<h1>{code} {name}</h1>" in page.text
    assert "/static/style.css" in page.text


def test_an_unknown_path_is_a_page_for_browsers(client):
    page = client.get("/no-such-page", headers=HTML)
    assert page.status_code == 404
    assert "<h1>404 Not Found</h1>" in page.text


def test_a_method_not_allowed_page_keeps_its_allow_header(aborting):
    page = aborting.test_client().delete("/abort/400", headers=HTML)
    assert page.status_code == 405
    assert "<h1>405 Method Not Allowed</h1>" in page.text
    assert set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_view_that_raises_is_a_page_without_its_traceback(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING re-raises otherwise

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    page = app.test_client().get("/boom", headers=HTML)
    assert page.status_code == 500
    assert "<h1>500 Internal Server Error</h1>" in page.text
    assert "secret detail" not in page.text


@pytest.mark.parametrize("path", ["/health", "/no-such-page"])
def test_a_request_for_another_host_gets_a_page_that_links_nowhere(production_config, path):
    client = create_app(production_config).test_client()
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Bad Request" in response.text and "href" not in response.text  # werkzeug's page
