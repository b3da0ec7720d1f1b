"""Alembic's environment for `flask db`: the application's engine and models, from Flask-Migrate."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
# Alembic's own log lines; the application's loggers stay as they are.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate = current_app.extensions["migrate"]
# db.engine: Flask-Migrate's stock env.py calls db.get_engine(), deprecated in Flask-SQLAlchemy 3.
engine = migrate.db.engine
target_metadata = migrate.db.metadata


def skip_empty_revision(context, revision, directives) -> None:
    """`flask db migrate` with no model change writes no empty revision file."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    """`flask db upgrade --sql`: print the SQL instead of running it."""
    context.configure(
        url=engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a connection of the application's engine."""
    options = {"process_revision_directives": skip_empty_revision, **migrate.configure_args}
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
