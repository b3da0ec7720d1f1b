"""Request ids, and a log line for each request.

Every request gets an id: the one in its `X-Request-ID` header when that is sane (up to 200
letters, digits, ".", "_" or "-"; a proxy or a calling service may have set it, so that one id
follows the request across services), else a new random one. The response carries it back in
`X-Request-ID`, errors included, and every log record written while the request is handled
has it as `request_id` (RequestIdFilter, in LOGGING). Search the logs for an id to find
everything its request did. Tasks log the id of the request that queued them
(config/celery_app.py).

When a request ends, this module's logger writes its line: method, path (never the query
string, which may hold a secret; a token in the path, as in a password reset link, shows as
"[secret]"), status, duration in milliseconds and the signed-in user's id.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

# The id of the request being handled (or of the request that queued the running task); None
# outside both.
current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# An incoming id that does not match (too long, or with a line break that would forge log lines)
# is replaced, never echoed.
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,200}")

logger = logging.getLogger(__name__)

SECRET_URL_KWARGS = {"token"}


class RequestIdFilter(logging.Filter):
    """Give every record the `request_id` of its request, None outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class RequestIdMiddleware:
    """Set the request's id for everything that handles it, send it back in X-Request-ID, and log
    the request's line. First in MIDDLEWARE but for the metrics' clock, so that every line and
    every response has the id: Django turns an exception raised further in into its error
    response before this sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Kept until the response is sent (forget, below): Django logs an error response's line
        # ("Not Found: /path") after the middleware has returned.
        current_request_id.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = logged_path(request)
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
                "user_id": signed_in_user_id(request),
            },
        )
        return response


def logged_path(request: HttpRequest) -> str:
    """The request's path, with the value of each URL argument named in SECRET_URL_KWARGS (the
    token of a reset or sign-up link, which acts for whoever has it) as "[secret]"."""
    path = request.path
    match = request.resolver_match
    for name, value in (match.kwargs if match else {}).items():
        if name in SECRET_URL_KWARGS:
            path = path.replace(str(value), "[secret]")
    return path


def signed_in_user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id; None for a visitor, before the authentication middleware, or when
    the user cannot be read: with the database down, the request's own error is already logged."""
    try:
        user = request.user
        return user.pk if user.is_authenticated else None
    except (AttributeError, DatabaseError):
        return None


@receiver(request_finished)
def forget(**kwargs: object) -> None:
    """Lines written after the response, in this thread, have no id."""
    current_request_id.set(None)
