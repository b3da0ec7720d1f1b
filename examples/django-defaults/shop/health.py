"""Liveness: /health answers 200 while the process can serve requests, and touches nothing else."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class HealthInFront:
    """Middleware, first in `MIDDLEWARE`: GET or HEAD /health is answered here, before any other.

    So liveness probes skip every per-request hook after it (the HTTPS redirect, sessions, CSRF,
    authentication, and the Content-Security-Policy, which django-csp builds anew for every
    response), and the host check: a probe may address the container by an IP address that
    ALLOWED_HOSTS does not list.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/health" and request.method in ("GET", "HEAD"):
            return JsonResponse({"status": "ok"})
        return self.get_response(request)
