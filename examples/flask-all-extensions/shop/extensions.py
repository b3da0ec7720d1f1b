"""The database and form extensions: Flask-SQLAlchemy, Flask-Migrate (`flask db`) and CSRF."""

import os
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

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

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate(directory=str(MIGRATIONS))
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Bind the extensions to `app`.

    The database is `SQLALCHEMY_DATABASE_URI` when configured, else `DATABASE_URL` from the
    environment, else a SQLite file in the instance folder.
    """
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url(app))
    db.init_app(app)
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
