"""Liveness: /health answers 200 while the process can serve requests, and touches nothing else.

It is served by a bare Flask app placed in front of the application, so that liveness probes
skip every per-request hook the application adds (security headers, CSRF checks, database session
teardown, loading the user's identity).
"""

from flask import Blueprint, Flask

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> dict[str, str]:
    """`{"status": "ok"}`, always."""
    return {"status": "ok"}


class HealthInFront:
    """WSGI middleware: GET /health goes to a bare Flask app, everything else to `app`."""

    def __init__(self, app) -> None:
        self.app = app
        self.probe = Flask(__name__)
        self.probe.register_blueprint(bp)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/health":
            return self.probe(environ, start_response)
        return self.app(environ, start_response)
