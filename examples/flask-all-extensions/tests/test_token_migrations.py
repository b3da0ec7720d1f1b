"""The migrations of the API's tokens keep the tokens already issued."""

from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import text

from shop import create_app
from shop.extensions import db


def test_tokens_issued_before_expiry_was_stored_expire_90_days_after_the_migration(
    app, clock, tmp_path
):
    app = create_app(
        {**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"}
    )
    with app.app_context():
        upgrade(revision="0006_token_expiry-1")
        db.session.execute(
            text(
                "INSERT INTO user (id, email, active, fs_uniquifier) "
                "VALUES (1, 'ada@example.com', true, 'ada')"
            )
        )
        db.session.execute(
            text("INSERT INTO api_token (user_id, name, digest) VALUES (1, 'old', 'digest')")
        )
        db.session.commit()
        upgrade(revision="0006_token_expiry")
        expires_at, last_used_at = db.session.execute(
            text("SELECT expires_at, last_used_at FROM api_token")
        ).one()
        # The session's connection back to the pool before the pool closes its connections: one
        # left out would be closed only when collected, a ResourceWarning in a later test.
        db.session.remove()
        db.engine.dispose()
    expected = datetime.now(UTC) + timedelta(days=90)
    assert datetime.fromisoformat(expires_at).replace(tzinfo=UTC) == expected
    assert last_used_at is None
