"""Request ids, and a log line for each request.

Every request gets an id: the one in its `X-Request-ID` header when that is sane (up to 200
letters, digits, ".", "_" or "-"; a proxy or a calling service may have set it, so that one id
follows the request across services), else a new random one. The response carries it back in
`X-Request-ID`, errors included, and every log record written while the request is handled
has it as `request_id` (RequestIdFilter, in configure_logging). Search the logs for an id to
find everything its request did.

When a request ends, this module's logger writes its line: method, path (never the query
string, which may hold a token), status and duration in milliseconds. A module that knows more
about the request adds to the line before it is written: it sets `g.logged_path` (the path to
log instead, with a secret in it hidden) and fields in `g.log_fields` (a dict).
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from flask import Flask, Response, g, request

# The id of the request being handled (or of the request that queued the running task); None
# outside both.
current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# An incoming id that does not match (too long, or with a line break that would forge log lines)
# is replaced, never echoed.
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")

logger = logging.getLogger(__name__)


class RequestIdFilter(logging.Filter):
    """Give every record the `request_id` of its request, None outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


def init_app(app: Flask) -> None:
    """Register the hooks; before any other hook, so that every line of a request has its id."""
    app.before_request(start)
    app.after_request(finish)
    app.teardown_request(forget)


def start() -> None:
    """Take the request's id from its X-Request-ID header when sane, else make one."""
    incoming = request.headers.get("X-Request-ID", "")
    current_request_id.set(incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex)
    g.request_started = time.perf_counter()


def finish(response: Response) -> Response:
    """Send the id back in X-Request-ID, and log the request's line."""
    if current_request_id.get() is None:  # a hook that ran before start() failed
        start()
    response.headers["X-Request-ID"] = current_request_id.get()
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    path = g.get("logged_path", request.path)
    logger.info(
        "%s %s %s %s ms",
        request.method,
        path,
        response.status_code,
        duration_ms,
        extra={
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            **g.get("log_fields", {}),
        },
    )
    return response


def forget(error: BaseException | None) -> None:
    """Lines written after the request, in this thread, have no id."""
    current_request_id.set(None)
