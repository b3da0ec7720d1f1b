"""The database and form extensions: Flask-SQLAlchemy, Flask-Migrate (`flask db`) and CSRF."""

import os
from pathlib import Path

from flask import Flask, has_request_context, request
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Connection, MetaData, event

# Named constraints, so that a migration can alter or drop them later on every database (SQLite and
# PostgreSQL would otherwise name them differently, or not at all).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# How long a SQLite write waits for another to finish before it fails with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 20_000

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate(directory=str(MIGRATIONS))
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Bind the extensions to `app`.

    The database is `SQLALCHEMY_DATABASE_URI` when configured, else `DATABASE_URL` from the
    environment, else a SQLite file in the instance folder. A pooled connection to a database
    server is checked before each use (`pool_pre_ping`), so that one a server restart closed is
    replaced, not used; a SQLite file has no server to restart, and no check.
    """
    url = app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url(app))
    if not url.startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", configure_sqlite)
            event.listen(db.engine, "begin", begin_sqlite)
    migrate.init_app(app, db)
    csrf.init_app(app)


def database_url(app: Flask) -> str:
    """`DATABASE_URL`, or `sqlite:///` a file in the instance folder (created if missing)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        # SQLAlchemy knows PostgreSQL only as postgresql://; some hosts still hand out postgres://.
        return url.replace("postgres://", "postgresql://", 1)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / 'app.sqlite3'}"


def configure_sqlite(connection, record) -> None:
    """Write-ahead-log mode, in which readers never wait for writers, and a busy timeout, in which
    a write waits for the one before it instead of failing. Transactions are begun by
    begin_sqlite, not by the driver."""
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def begin_sqlite(connection: Connection) -> None:
    """BEGIN IMMEDIATE in a request that may write (any but GET, HEAD and OPTIONS), else BEGIN.

    A transaction that read before it writes cannot wait for the write lock: SQLite fails it at
    once with "database is locked" when another wrote in between. Taking the lock at the start
    makes it wait its turn (up to the busy timeout); reads keep running alongside.
    """
    writes = has_request_context() and request.method not in {"GET", "HEAD", "OPTIONS"}
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
