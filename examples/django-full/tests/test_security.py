"""Production hardening (the test settings are the production settings, DEBUG off): the HTTPS
redirect (not for the probes), the proxy's HTTPS header, security headers and cookie flags."""

import pytest
from django.urls import reverse


@pytest.fixture
def https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True


def test_plain_http_pages_redirect_to_https(https_redirect, client):
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_probes_answer_plain_http(https_redirect, client, path):
    response = client.get(path)
    assert response.status_code == 200


def test_behind_a_tls_proxy_the_redirect_does_not_loop(https_redirect, client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/").status_code == 301


def test_https_pages_carry_the_security_headers(client):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=3600; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_login_sets_secure_httponly_lax_session_and_csrf_cookies(
    client, user, password, login_form
):
    client.get(reverse("login"), secure=True)
    response = client.post(reverse("login"), login_form(user.email, password), secure=True)
    assert response.status_code == 302
    session, csrf = response.cookies["sessionid"], response.cookies["csrftoken"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    # The CSRF cookie is not HttpOnly, Django's default: that would protect nothing, as the
    # token is in every form anyway (Django's CSRF_COOKIE_HTTPONLY documentation).
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def content_security_policy(response) -> dict[str, set[str]]:
    """The response's Content-Security-Policy header as {directive: its sources}."""
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: set(sources) for name, *sources in directives if name}


@pytest.mark.django_db  # a login page may save a session
@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_pages_carry_a_content_security_policy_that_keeps_out_injected_code_and_framing(
    client, path
):
    """What SECURE_CSP must keep however it is tuned (a source added for a CDN, say): a fallback
    for every fetch directive, no inline code or eval (an injected script does not run), no
    plugins, and no page of another site framing this one."""
    policy = content_security_policy(client.get(path))
    assert "default-src" in policy and "base-uri" in policy
    assert not set().union(*policy.values()) & {"'unsafe-inline'", "'unsafe-eval'", "*"}
    assert policy["object-src"] == {"'none'"}
    assert policy["frame-ancestors"] == {"'none'"}
