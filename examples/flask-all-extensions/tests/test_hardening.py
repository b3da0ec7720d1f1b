"""Production hardening (hardening.py): the secret key check, trusted hosts, cookie flags, security
headers, and the client's scheme and address from a trusted proxy, no NUL character in a query or
form."""

import pytest
from conftest import cookies
from flask import request, session

from shop import create_app
from shop.extensions import csrf

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=3600; includeSubDomains; preload"


@pytest.mark.parametrize(
    "key",
    ["too-short", "a" * 40, "change-me-before-going-to-production", "insecure-" + "x1y2z3" * 5],
)
def test_production_refuses_a_weak_secret_key(production_config, key):
    with pytest.raises(RuntimeError, match="FLASK_SECRET_KEY is"):
        create_app({**production_config, "SECRET_KEY": key})


def test_debug_mode_accepts_a_short_key(production_config):
    create_app({**production_config, "DEBUG": True, "SECRET_KEY": "dev"})


@pytest.mark.parametrize("hosts", [None, []])
def test_production_refuses_to_start_without_trusted_hosts(production_config, hosts):
    with pytest.raises(RuntimeError, match="FLASK_TRUSTED_HOSTS is not set"):
        create_app({**production_config, "TRUSTED_HOSTS": hosts})


@pytest.mark.parametrize("path", ["/", "/health", "/no-such-page"])
def test_a_request_for_another_host_is_400(production_config, path):
    client = create_app(production_config).test_client()
    assert client.get(path).status_code != 400
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.headers["X-Frame-Options"] == "DENY"
    response = client.get(path, headers={"Host": "evil.example", "Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["code"] == 400


def content_security_policy(response) -> dict[str, set[str]]:
    """The response's Content-Security-Policy header as {directive: its sources}."""
    directives = (part.split() for part in response.headers["Content-Security-Policy"].split(";"))
    return {name: set(sources) for name, *sources in directives if name}


def test_production_responses_carry_the_security_headers(production_config):
    client = create_app(production_config).test_client()
    for response in (client.get("/"), client.get("/no-such-page"), client.get("/health")):
        for name, value in {**SECURITY_HEADERS, "Strict-Transport-Security": HSTS}.items():
            assert response.headers.get(name) == value, (response.request.path, name)
        # What the policy must keep however it is tuned (a source added for a CDN, say): a
        # fallback for every fetch directive, no inline code or eval (an injected script does not
        # run), no plugins, and no page of another site framing this one.
        policy = content_security_policy(response)
        assert "default-src" in policy and "base-uri" in policy
        assert not set().union(*policy.values()) & {"'unsafe-inline'", "'unsafe-eval'", "*"}
        assert policy["object-src"] == {"'none'"}
        assert policy["frame-ancestors"] == {"'none'"}


def test_hsts_only_in_production(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers


def test_production_session_cookie_is_secure_httponly_and_lax(production_config):
    app = create_app(production_config)

    @app.get("/visit")
    def visit():
        session["visited"] = True
        return ""

    cookie = cookies(app.test_client().get("/visit", base_url="https://localhost"))["session"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.parametrize("query", ["/?q=a%00b", "/?a%00=b", "/no-such-page?q=%00"])
def test_a_nul_character_in_the_query_string_is_refused_with_400(client, query):
    response = client.get(query, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert "NUL characters are not allowed." in response.text


def test_a_nul_character_in_a_form_is_refused_with_400(app):
    @app.post("/api/echo")
    def echo():
        return {"name": "unreachable"}

    csrf.exempt(echo)  # the NUL character is under test here, not the token

    client = app.test_client()
    assert client.post("/api/echo", data={"name": "plain"}).status_code == 200
    response = client.post("/api/echo", data={"name": "a\x00b"})
    assert response.status_code == 400
    assert response.get_json()["message"] == "NUL characters are not allowed."


@pytest.mark.parametrize(("proxies", "expected"), [(0, "http 127.0.0.1"), (1, "https 203.0.113.7")])
def test_trusted_proxies_give_the_scheme_and_client_address(production_config, proxies, expected):
    app = create_app({**production_config, "TRUSTED_PROXIES": proxies})

    @app.get("/whoami")
    def whoami():
        return f"{request.scheme} {request.remote_addr}"

    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    assert app.test_client().get("/whoami", headers=forwarded).text == expected
