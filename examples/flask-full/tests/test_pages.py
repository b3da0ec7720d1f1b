"""The pages' layout (templates/base.html)."""


def test_index_renders_the_layout(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "<h1>" in response.text
    assert "/static/style.css" in response.text
