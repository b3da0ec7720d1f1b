"""Readiness: /ready answers 200 while the database answers, else 503 with the reason.

Liveness (/health) says whether to restart the process; readiness says whether to send it traffic.
A database outage must take the app out of the load balancer, not restart every process, so the
database is checked here and never in /health.
"""

import logging

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

logger = logging.getLogger(__name__)
bp = Blueprint("readiness", __name__)


@bp.get("/ready")
def ready() -> tuple[dict[str, str], int]:
    """`{"status": "ok"}` with 200 after `SELECT 1` succeeds, else `{"status": "unavailable",
    "reason": ...}` with 503; the error itself goes to the log, not to the client."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.warning("Not ready: the database does not answer", exc_info=True)
        return {"status": "unavailable", "reason": "the database does not answer"}, 503
    return {"status": "ok"}, 200
