"""Error reporting to Sentry, when the environment sets SENTRY_DSN; without it nothing is sent.

init() runs in create_app before the app exists, as Sentry's Flask guide has it
(https://docs.sentry.io/platforms/python/integrations/flask/): it reads the SDK's own variables,
SENTRY_DSN and SENTRY_ENVIRONMENT, not FLASK_ ones, since the app's configuration is not loaded yet.
The worker (make_celery.py) creates the app too, and reports its tasks' errors alike.

Every unhandled exception of a view or a background task is sent once, with its traceback (and
five lines of source around each frame), the request's method, URL without its query string, and
User-Agent and X-Request-ID headers, the release and the environment, and a `request_id` tag: the
id of the request (request_id.py), or of the request that queued the task. The exception's
message is sent as it is: keep personal data out of messages.

Nothing else about the request or the user: not the signed-in user, cookies, other headers, the
query string, the body, SQL parameters, task arguments nor local variables (DATA_COLLECTION).
"""

import os
import tomllib
from pathlib import Path

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.flask import FlaskIntegration
from sentry_sdk.types import Event, Hint

from .request_id import current_request_id

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

# What the SDK may collect besides the exception: as little as will still tell one request from
# another (https://docs.sentry.io/platforms/python/configuration/options/#data_collection).
DATA_COLLECTION = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "allowlist", "terms": ["user-agent", "x-request-id"]}},
    "http_bodies": [],
    "url_query_params": {"mode": "off"},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}


def init() -> None:
    """Report to the Sentry project of SENTRY_DSN (https://KEY@HOST/PROJECT), events named with
    SENTRY_ENVIRONMENT (default "production") and the release "<package>@<version>", the version
    in pyproject.toml. Does nothing when SENTRY_DSN is unset or empty."""
    dsn = os.environ.get("SENTRY_DSN")
    if not dsn:
        return
    version = tomllib.loads(PYPROJECT.read_text())["project"]["version"]
    sentry_sdk.init(
        dsn=dsn,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=f"shop@{version}",
        integrations=[FlaskIntegration(), CeleryIntegration()],
        data_collection=DATA_COLLECTION,
        before_send=tag_request_id,
    )


def tag_request_id(event: Event, hint: Hint) -> Event:
    """Tag `event` with `request_id` (see the module's docstring), unless it happened outside a
    request or task: search the logs for the id to see everything its request did."""
    request_id = current_request_id.get()
    if request_id is not None:
        event.setdefault("tags", {})["request_id"] = request_id
    return event
