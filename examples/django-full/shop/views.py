"""Site-wide views: the home page and the probes."""

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Once every migration has been applied, this process need not read them again.
_migrated = False


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The home page."""
    return render(request, "index.html")


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 while the process can serve requests. It touches nothing else, the database
    included, so that an outage restarts nothing.

    Like every view, it answers only to the host names in DJANGO_ALLOWED_HOSTS: a probe that
    addresses the container by its IP address must send one of them in its Host header.
    """
    return JsonResponse({"status": "ok"})


@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 while the database answers `SELECT 1` and has every migration applied, else
    503 with the reason.

    Liveness (/health) says whether to restart the process; readiness says whether to send it
    traffic. A database outage, or a deploy whose `migrate` has not run yet, must keep the app out
    of the load balancer, not restart every process. The error itself goes to the log, not to the
    client.
    """
    global _migrated
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated:
            executor = MigrationExecutor(connection)
            _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        logger.warning("Not ready: the database does not answer", exc_info=True)
        return JsonResponse(
            {"status": "unavailable", "reason": "the database does not answer"}, status=503
        )
    if not _migrated:
        logger.warning("Not ready: the database has migrations to apply")
        return JsonResponse(
            {"status": "unavailable", "reason": "the database has migrations to apply"}, status=503
        )
    return JsonResponse({"status": "ok"})


def too_many_requests(request: HttpRequest, exception: Exception) -> HttpResponse:
    """429 with templates/429.html: django-ratelimit's view (RATELIMIT_VIEW) for a view whose rate
    limit a client has used up."""
    logger.warning("Rate limit reached: %s %s", request.method, request.path)
    return render(request, "429.html", status=429)
