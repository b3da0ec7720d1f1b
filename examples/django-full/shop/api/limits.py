"""The API's rate limits (django-ratelimit): API_RATE per client address and, counted apart, per
token or signed-in user; over either, 429 in the error shape, with Retry-After in seconds.

They count every request under /api/ before it is authenticated, so that a client sending unknown
tokens or bad requests meets them as one that behaves. The counts are kept in the cache of the
site's other rate limits (RATELIMIT_USE_CACHE), which every worker process shares.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage

from .errors import API_PREFIX, error_response
from .models import digest

logger = logging.getLogger(__name__)


def api_rate(group: str, request: HttpRequest) -> str:
    return settings.API_RATE


def credential(request: HttpRequest) -> str | None:
    """What the request signs in with, as a rate-limit key: the token in its Authorization header
    (hashed; valid or not), else its signed-in user; None for neither."""
    header = request.headers.get("Authorization", "").split()
    if header:
        return f"token:{digest(header[-1])}"
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return None


class ApiRateLimitMiddleware:
    """Answer 429 under /api/ to a client address, token or user past API_RATE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            keys = {"api:address": "ip"}
            if (client := credential(request)) is not None:
                keys["api:client"] = lambda group, request: client
            usages = [
                get_usage(request, group=group, key=key, rate=api_rate, increment=True)
                for group, key in keys.items()
            ]
            # Seconds until each exceeded limit's window has passed: django-ratelimit's windows
            # are fixed, and time_left is 0 in a window's last second.
            waits = [usage["time_left"] + 1 for usage in usages if usage and usage["should_limit"]]
            if waits:
                logger.warning("API rate limit reached: %s %s", request.method, request.path)
                response = error_response(429)
                response["Retry-After"] = str(max(1, *waits))
                return response
        return self.get_response(request)
