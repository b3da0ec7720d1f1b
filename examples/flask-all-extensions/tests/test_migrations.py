"""The shipped migrations build exactly the schema of the models."""

from flask_migrate import check, downgrade, upgrade

from shop import create_app
from shop.extensions import database_url, db


def test_upgrade_then_check_finds_no_difference_and_downgrade_undoes_it(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
            "SECURITY_PASSWORD_SALT": "test",
        }
    )
    with app.app_context():
        upgrade()
        check()  # exits non-zero when autogenerate would write a migration
        downgrade(revision="base")
        db.engine.dispose()


def test_database_url_comes_from_the_environment(app, monkeypatch, tmp_path):
    app.instance_path = str(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgres://user:secret@db.example:5432/shop")
    assert database_url(app) == "postgresql://user:secret@db.example:5432/shop"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url(app) == f"sqlite:///{tmp_path / 'app.sqlite3'}"
