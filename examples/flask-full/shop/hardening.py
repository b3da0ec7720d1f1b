"""Production hardening: the secret key, trusted hosts, cookie flags, security headers and trusted
proxies.

No maintained Flask extension sets security headers (flask-talisman's last release was in 2023),
hence this small module.

In production, which here means neither DEBUG nor TESTING is on:
- the application refuses to start with a weak `SECRET_KEY`: shorter than 32 characters, made of
  fewer than 5 distinct characters, or an obvious placeholder;
- it refuses to start without `TRUSTED_HOSTS`, the host names it answers to (Flask's own
  setting): a request for any other host gets 400, so that no page, redirect or link in mail
  is built from a Host header an attacker chose;
- the session and remember-me cookies are Secure (sent over HTTPS only);
- responses carry Strict-Transport-Security for `HSTS_SECONDS` (default 3600; 0 turns it off).

Always, also in development:
- the session and remember-me cookies are HttpOnly and SameSite=Lax;
- every response carries Content-Security-Policy, X-Content-Type-Options, Referrer-Policy,
  X-Frame-Options and Cross-Origin-Opener-Policy;
- a query string or form with a NUL character is refused with 400: no page needs one, and a
  database such as PostgreSQL refuses to store it.

Behind `TRUSTED_PROXIES` reverse proxies (default 0), werkzeug's ProxyFix takes the client's
address and scheme from the X-Forwarded-For and X-Forwarded-Proto headers they set.
"""

from flask import Flask, Response, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

MIN_SECRET_KEY_LENGTH = 32
# Found in keys copied from an example or a tutorial rather than generated.
PLACEHOLDERS = ("change", "example", "insecure", "placeholder", "replace", "secret-key", "secret_")
# Only this site's own scripts, styles, images and fonts; no plugins, frames or inline scripts.
# Extensions' pages load their assets from the application's static files, not from a CDN.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
COOKIES = ("SESSION_COOKIE", "REMEMBER_COOKIE")


def init_app(app: Flask) -> None:
    """Check the secret key, set the cookie flags and headers, and trust the configured proxies.

    A cookie setting given in the configuration, other than Flask's default, is kept.

    Raises:
        RuntimeError: in production, `SECRET_KEY` is weak or `TRUSTED_HOSTS` is not set (see the
            module's docstring).
    """
    production = not (app.debug or app.testing)
    if production:
        check_secret_key(app.config.get("SECRET_KEY") or "")
        # Flask trusts every host when the list is None or empty.
        if not app.config["TRUSTED_HOSTS"]:
            raise RuntimeError(
                "FLASK_TRUSTED_HOSTS is not set. In production, list the host names the site "
                """answers to, as JSON: FLASK_TRUSTED_HOSTS='["example.com"]'."""
            )
    for cookie in COOKIES:
        flags = {"SECURE": production, "HTTPONLY": True, "SAMESITE": "Lax"}
        for flag, value in flags.items():
            key = f"{cookie}_{flag}"
            if app.config.get(key) == app.default_config.get(key):
                app.config[key] = value

    headers = dict(HEADERS)
    hsts_seconds = int(app.config.get("HSTS_SECONDS", 3600 if production else 0))
    if production and hsts_seconds:
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains; preload"

    app.before_request(refuse_nul_characters)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def refuse_nul_characters() -> None:
    """Abort with 400 when a name or value of the query string or form holds a NUL character."""
    for fields in (request.args, request.form):
        for name, value in fields.items(multi=True):
            if "\x00" in name or "\x00" in value:
                abort(400, description="NUL characters are not allowed.")


def check_secret_key(key: str) -> None:
    """Raise RuntimeError, saying why, unless `key` looks generated."""
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        problem = f"shorter than {MIN_SECRET_KEY_LENGTH} characters or too repetitive"
    elif any(word in key.lower() for word in PLACEHOLDERS):
        problem = "a placeholder"
    else:
        return
    raise RuntimeError(
        f"FLASK_SECRET_KEY is {problem}. In production, generate one: "
        'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
