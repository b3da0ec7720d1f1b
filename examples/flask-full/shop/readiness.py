"""Readiness: /ready answers 200 while the database answers and has every migration applied, else
503 with the reason. Redis, which the app serves without, never makes it unready: while Redis does
not answer, /ready says 200 and names it, `{"status": "degraded", "degraded": {"redis": reason}}`
(the cache misses, counts of words wait to be queued, rate limits count in each process).

Liveness (/health) says whether to restart the process; readiness says whether to send it traffic.
A database outage, or a deploy whose `flask db upgrade` has not run yet, must keep the app out of
the load balancer, not restart every process, so the database is checked here and never in
/health.
"""

import logging

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app
from redis import Redis, RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db, migrate

logger = logging.getLogger(__name__)
bp = Blueprint("readiness", __name__)
# The databases found with every migration applied: they stay so for the life of the process.
_migrated: set[str] = set()
# Seconds /ready waits for Redis to accept a connection, and then to answer: about 1 s at most.
REDIS_TIMEOUT = 0.5
# What /ready says while Redis does not answer.
REDIS_DOWN = (
    "Redis does not answer: pages are served without the cache; tasks are queued once it is back"
)


@bp.get("/ready")
def ready() -> tuple[dict[str, object], int]:
    """`{"status": "ok"}` with 200 after `SELECT 1` succeeds, the database's Alembic revision is
    the head of migrations/ and Redis answers PING; `{"status": "degraded", "degraded":
    {"redis": REDIS_DOWN}}` with 200 when all but Redis do; else `{"status": "unavailable",
    "reason": ...}` with 503. Errors themselves go to the log, not to the client."""
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
    if not redis_answers():
        return {"status": "degraded", "degraded": {"redis": REDIS_DOWN}}, 200
    return {"status": "ok"}, 200


def redis_answers() -> bool:
    """Whether Redis, at `REDIS_URL`, answers PING within REDIS_TIMEOUT twice over; logs why not."""
    client = Redis.from_url(
        current_app.config["REDIS_URL"],
        socket_connect_timeout=REDIS_TIMEOUT,
        socket_timeout=REDIS_TIMEOUT,
    )
    try:
        return client.ping()
    except RedisError:
        logger.warning("Degraded: Redis does not answer", exc_info=True)
        return False
    finally:
        client.close()
