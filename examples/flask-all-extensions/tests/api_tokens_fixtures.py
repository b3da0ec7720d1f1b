"""The API's bearer tokens in the tests: a user, OWNER, with a token, who reads the notes and owns
those the tests store, and whose token schemathesis's calls send."""

import pytest

from shop.accounts import user_datastore
from shop.api.idempotency import IdempotencyKey
from shop.api.tokens import issue
from shop.extensions import db
from shop.models import Note

# The user of the `bearer` token, whose notes add_notes() stores.
OWNER = "api@example.com"


def bearer_of(app, email: str) -> dict[str, str]:
    """The headers of a new bearer token of the user `email`."""
    with app.app_context():
        _, secret = issue(user_datastore.find_user(email=email), "tests")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def bearer(app, make_user) -> dict[str, str]:
    return bearer_of(app, make_user(OWNER))


@pytest.fixture
def reader(app, bearer):
    """A client that sends OWNER's bearer token with every request: only users read notes."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = bearer["Authorization"]
    return client


@pytest.fixture
def add_notes(app, add_notes, bearer):
    """`add_notes(*titles, owner=OWNER)`: store a note for each of `titles`, in order, owned by the
    user `owner` (an email; None for a note written before notes had owners); return their ids."""

    def _add_notes(*titles: str, owner: str | None = OWNER) -> list[int]:
        with app.app_context():
            user = user_datastore.find_user(email=owner) if owner else None
            owner_id = user.id if user else None
        return add_notes(*titles, owner_id=owner_id)

    return _add_notes


@pytest.fixture(scope="module")
def call_options(request, call_options):
    """As the notes API's call_options, the note owned by OWNER, whose bearer token each call sends;
    each call a first request, under a rate limit that the examples, coming fast, stay under."""
    app = request.module.app
    app.config["API_RATE"] = "10000 per minute"
    with app.app_context():
        user = user_datastore.create_user(email=OWNER, password=None, active=True)
        for note in db.session.scalars(db.select(Note)):
            note.owner = user
        db.session.commit()
        _, secret = issue(user, "schemathesis")

    def _call_options(case) -> dict:
        # A key that an earlier example sent with another body would be 422.
        with app.app_context():
            db.session.execute(db.delete(IdempotencyKey))
            db.session.commit()
        return {**call_options(case), "headers": {"Authorization": f"Bearer {secret}"}}

    return _call_options
