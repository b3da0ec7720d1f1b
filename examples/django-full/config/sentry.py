"""Error reporting to Sentry: settings_sentry.py calls init() when SENTRY_DSN is set.

Every unhandled exception of a view or a background task is sent once, with its traceback (and
five lines of source around each frame), the request's method, URL without its query string, and
User-Agent and X-Request-ID headers, the release and the environment, and a `request_id` tag: the
id of the request (request_id.py beside views.py), or of the request that queued the task.
The exception's message is sent as it is: keep personal data out of messages.

Nothing else about the request or the user: not the signed-in user, cookies, other headers, the
query string, the body, SQL parameters, task arguments nor local variables (DATA_COLLECTION).
Reference: https://docs.sentry.io/platforms/python/integrations/django/
"""

import tomllib
from pathlib import Path

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event, Hint

from shop.request_id import current_request_id

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


def init(dsn: str, environment: str) -> None:
    """Report to the Sentry project of `dsn` (https://KEY@HOST/PROJECT), events named with
    `environment` ("production", "staging" ...) and the release "<package>@<version>", the
    version in pyproject.toml."""
    version = tomllib.loads(PYPROJECT.read_text())["project"]["version"]
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=f"shop@{version}",
        integrations=[DjangoIntegration(), CeleryIntegration()],
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
