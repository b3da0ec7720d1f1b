"""The shipped migrations build exactly the schema of the models, and keep the rows already
there; the database settings."""

from conftest import TEST_CONFIG
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import text

from shop import create_app
from shop.extensions import csrf, database_url, db
from shop.models import Note


def fresh_app(tmp_path):
    """An app on an empty SQLite database, for the migrations to build."""
    return create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    )


def test_upgrade_then_check_finds_no_difference_and_downgrade_undoes_it(tmp_path):
    app = fresh_app(tmp_path)
    with app.app_context():
        upgrade()
        check()  # exits non-zero when autogenerate would write a migration
        downgrade(revision="base")
        db.engine.dispose()


def test_notes_written_before_notes_had_owners_are_kept_without_one(tmp_path):
    app = fresh_app(tmp_path)
    with app.app_context():
        upgrade(revision="0008_note_owner-1")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO note (title, body) VALUES ('Old', 'Kept.')"))
        upgrade()
        note = db.session.scalars(db.select(Note)).one()
        assert (note.title, note.body, note.owner) == ("Old", "Kept.", None)
        db.session.remove()
        db.engine.dispose()


def test_database_url_comes_from_the_environment(app, monkeypatch, tmp_path):
    app.instance_path = str(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgres://user:secret@db.example:5432/shop")
    assert database_url(app) == "postgresql://user:secret@db.example:5432/shop"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url(app) == f"sqlite:///{tmp_path / 'app.sqlite3'}"


def test_sqlite_runs_in_write_ahead_log_mode_with_a_busy_timeout(app_config, tmp_path):
    # The tests' configuration on a SQLite file, whatever database the other tests use.
    app = create_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    )
    with app.app_context():
        # No check before each use: a SQLite file has no server whose restart closes connections.
        assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 20_000
        db.engine.dispose()


def test_a_request_that_may_write_takes_sqlites_write_lock_at_its_first_statement(
    app_config, tmp_path
):
    # The tests' configuration on a SQLite file, whatever database the other tests use.
    app = create_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    )
    begun = []

    @app.route("/transaction", methods=["GET", "POST"])
    def transaction():
        db.session.execute(text("SELECT 1"))
        # While a write lock is held, a second connection cannot take it without waiting.
        raw = db.engine.raw_connection()
        try:
            raw.execute("PRAGMA busy_timeout=0")
            try:
                raw.execute("BEGIN IMMEDIATE")
                raw.execute("ROLLBACK")
                begun.append("free")
            except Exception:  # sqlite3.OperationalError: database is locked
                begun.append("locked")
        finally:
            raw.close()
        return ""

    csrf.exempt(transaction)
    client = app.test_client()
    client.get("/transaction")
    client.post("/transaction")
    assert begun == ["free", "locked"]
    with app.app_context():
        db.engine.dispose()
