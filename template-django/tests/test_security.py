"""Production hardening: the HTTPS redirect (not for /health) and the Content-Security-Policy."""

import pytest


@pytest.fixture
def https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True


def test_plain_http_pages_redirect_to_https(https_redirect, client):
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_health_answers_plain_http(https_redirect, client):
    response = client.get("/health")
    assert response.status_code == 200


def test_pages_carry_a_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(directive.split(" ", 1) for directive in policy.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
