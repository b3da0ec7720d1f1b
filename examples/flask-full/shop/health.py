"""Liveness: /health answers 200 while the process can serve requests, and touches nothing else.

It asks no database or other service: their outage must not make the platform restart every
process.
"""

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> dict[str, str]:
    """`{"status": "ok"}`, always."""
    return {"status": "ok"}
