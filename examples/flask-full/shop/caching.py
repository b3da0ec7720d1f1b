"""The cache, on Redis (Flask-Caching): one for every process on every machine, so that what one
caches or invalidates holds for all.

It keeps the notes list, a page at a time: the page's fragment (templates/notes/index.html) where
there are pages, and the API's pages where there is an API. Each cache key carries a version of the
list that every committed write to a note replaces: no process serves a list older than the last
write. Pages of older versions are never read again, and expire.

SQLAlchemy's session events see every note written through `db.session`, whoever writes it. The
new version waits for the commit: before it, a process could cache the list without the write.
Statements that bypass the session's objects (`update()`, `delete()`, raw SQL) must call
`invalidate_list()` themselves.

A cache is an optimisation, so a Redis that does not answer costs speed, not service: each read
misses and each write is dropped (RedisCacheOrMiss), the pages are read from the database, and the
cache is used again as soon as Redis answers.
"""

import logging
import time
from typing import Any

from flask import Flask
from flask_caching import Cache
from flask_caching.backends import RedisCache
from redis import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from .extensions import db
from .models import Note

logger = logging.getLogger(__name__)
cache = Cache()

VERSION_KEY = "notes:list-version"
# The key of `session.info` that says the transaction wrote a note, kept until it ends.
LIST_CHANGED = "notes_list_changed"
# Seconds a page of the list stays cached if nothing changes.
FRAGMENT_TIMEOUT = 600
# Seconds to wait for Redis to accept a connection, and then for each answer: a cache that is
# slower than the database is no use.
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
# Seconds between two warnings that Redis does not answer, however many requests miss meanwhile.
OUTAGE_LOG_INTERVAL = 60


class RedisCacheOrMiss(RedisCache):
    """Flask-Caching's RedisCache, for which a Redis that does not answer (any `RedisError`) is a
    miss: get() returns None, has() and the writes (set, add, delete ...) False, with
    REDIS_TIMEOUTS. The first failure logs a warning, the next ones one every
    OUTAGE_LOG_INTERVAL seconds; the first success after them logs that Redis is back.

    Flask-Caching's RedisCache has no switch to ignore errors; `CACHE_TYPE` names this class by
    its import path.
    """

    @classmethod
    def factory(cls, app: Flask, config: dict, args: list, kwargs: dict) -> "RedisCacheOrMiss":
        config["CACHE_OPTIONS"] = {**REDIS_TIMEOUTS, **(config.get("CACHE_OPTIONS") or {})}
        return super().factory(app, config, args, kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # When the outage was last logged (time.time()); None while Redis answers.
        self.outage_logged_at: float | None = None

    def _or_miss(self, operation: str, miss: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except RedisError as error:
            now = time.time()
            if self.outage_logged_at is None or now - self.outage_logged_at >= OUTAGE_LOG_INTERVAL:
                self.outage_logged_at = now
                logger.warning("The cache misses: Redis does not answer (%s)", error)
            return miss
        if self.outage_logged_at is not None:
            self.outage_logged_at = None
            logger.info("The cache is back: Redis answers")
        return result

    def get(self, key: str) -> Any:
        return self._or_miss("get", None, key)

    def get_many(self, *keys: str) -> list[Any]:
        return self._or_miss("get_many", [None] * len(keys), *keys)

    def has(self, key: str) -> bool:
        return self._or_miss("has", False, key)

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        return self._or_miss("set", False, key, value, timeout)

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        return self._or_miss("add", False, key, value, timeout)

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> list[Any]:
        return self._or_miss("set_many", [], mapping, timeout)

    def delete(self, key: str) -> bool:
        return self._or_miss("delete", False, key)

    def delete_many(self, *keys: str) -> list[Any]:
        return self._or_miss("delete_many", [], *keys)


def init_app(app: Flask) -> None:
    """Bind the cache to `app`: Redis at `REDIS_URL` (RedisCacheOrMiss), unless `CACHE_TYPE` says
    otherwise (the tests use `SimpleCache`, in the process's memory). Templates get
    `notes_list_version()` and `notes_cache_timeout` for the cache tag of the fragment."""
    app.config.setdefault("CACHE_TYPE", f"{__name__}.RedisCacheOrMiss")
    app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
    cache.init_app(app)
    app.jinja_env.globals.update(
        notes_list_version=list_version, notes_cache_timeout=FRAGMENT_TIMEOUT
    )


# Set when this process could not read or replace the version: writes may have gone unrecorded.
_version_unsure = False


def list_version() -> str:
    """The current version of the list, set on first use: a nanosecond clock, as a string.

    While the cache does not answer, a new clock reading each time, so that nothing cached is
    read and every list comes from the database. The first version read after that is replaced
    first: notes written meanwhile did not replace it.
    """
    global _version_unsure
    if _version_unsure and cache.set(VERSION_KEY, str(time.time_ns()), timeout=0):
        _version_unsure = False
    version = cache.get(VERSION_KEY)
    if version is None:
        # add() sets the key only if it is still missing: processes that miss it together agree.
        cache.add(VERSION_KEY, str(time.time_ns()), timeout=0)
        version = cache.get(VERSION_KEY)
    if version is None:
        _version_unsure = True
        return str(time.time_ns())
    return version


def invalidate_list() -> None:
    """Give the list a new version: the nanosecond clock never repeats an old one, even after Redis
    has lost the key. When the cache does not answer, list_version() replaces the version once it
    does."""
    global _version_unsure
    if not cache.set(VERSION_KEY, str(time.time_ns()), timeout=0):
        _version_unsure = True


@event.listens_for(db.session, "after_flush")
def note_flushed(session: Session, flush_context: UOWTransaction) -> None:
    """Remember that the list has changed."""
    written = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(note, Note) for note in written):
        session.info[LIST_CHANGED] = True


@event.listens_for(db.session, "after_commit")
def transaction_committed(session: Session) -> None:
    """Give the cached list a new version."""
    if session.info.pop(LIST_CHANGED, False):
        invalidate_list()


@event.listens_for(db.session, "after_rollback")
def transaction_rolled_back(session: Session) -> None:
    """Forget the change: it did not happen."""
    session.info.pop(LIST_CHANGED, None)
