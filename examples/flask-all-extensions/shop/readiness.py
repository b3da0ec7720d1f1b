"""Readiness: /ready answers 200 while the database answers and has every migration applied, else
503 with the reason.

Liveness (/health) says whether to restart the process; readiness says whether to send it traffic.
A database outage, or a deploy whose `flask db upgrade` has not run yet, must keep the app out of
the load balancer, not restart every process, so the database is checked here and never in
/health.
"""

import logging

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db, migrate

logger = logging.getLogger(__name__)
bp = Blueprint("readiness", __name__)
# The databases found with every migration applied: they stay so for the life of the process.
_migrated: set[str] = set()


@bp.get("/ready")
def ready() -> tuple[dict[str, str], int]:
    """`{"status": "ok"}` with 200 after `SELECT 1` succeeds and the database's Alembic revision
    is the head of migrations/, else `{"status": "unavailable", "reason": ...}` with 503; the
    error itself goes to the log, not to the client."""
    database = str(db.engine.url)
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            if database not in _migrated:
                applied = set(MigrationContext.configure(connection).get_current_heads())
                heads = set(ScriptDirectory.from_config(migrate.get_config()).get_heads())
                if applied == heads:
                    _migrated.add(database)
    except SQLAlchemyError:
        logger.warning("Not ready: the database does not answer", exc_info=True)
        return {"status": "unavailable", "reason": "the database does not answer"}, 503
    if database not in _migrated:
        logger.warning("Not ready: the database has migrations to apply")
        return {"status": "unavailable", "reason": "the database has migrations to apply"}, 503
    return {"status": "ok"}, 200
