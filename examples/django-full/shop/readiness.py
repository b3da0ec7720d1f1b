"""Readiness with Redis: /ready asks Redis too, and names it as degraded while it does not answer.

The database's readiness is views.ready's; config/urls.py routes /ready here instead.
"""

import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from . import views

logger = logging.getLogger(__name__)

# Seconds that /ready waits for Redis to connect, then to answer its ping.
REDIS_PING_TIMEOUT = 0.5
REDIS_DOWN = (
    "Redis does not answer: requests are served without the cache; tasks are queued once it is back"
)


@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: whether to send this process traffic. The answers, JSON:

    - 200 `{"status": "ok"}`: the database answers `SELECT 1` and has every migration applied,
      and Redis answers a ping.
    - 200 `{"status": "degraded", "degraded": {"redis": "<reason>"}}`: the database is ready but
      Redis does not answer within REDIS_PING_TIMEOUT (twice, to connect and to answer). The app
      still serves, slower; each part it serves without is a key of "degraded", its value a
      sentence for people.
    - 503 `{"status": "unavailable", "reason": "<reason>"}`: the database does not answer, or
      has migrations to apply.

    Liveness (/health) says whether to restart the process; readiness says whether to send it
    traffic. A database outage, or a deploy whose `migrate` has not run yet, must keep the app out
    of the load balancer, not restart every process; a Redis outage must not, since the app serves
    without it. The errors themselves go to the log, not to the client.
    """
    response = views.ready(request)
    if response.status_code != 200:
        return response
    # Imported here rather than with the module: the development server imports the URLconf, and
    # so this module, from two threads at once, and redis's own circular imports can then fail
    # with a deadlock (_DeadlockError) in one of them.
    import redis

    try:
        with redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=REDIS_PING_TIMEOUT,
            socket_timeout=REDIS_PING_TIMEOUT,
        ) as client:
            client.ping()
    except redis.RedisError:
        logger.warning("Degraded: Redis does not answer", exc_info=True)
        return JsonResponse({"status": "degraded", "degraded": {"redis": REDIS_DOWN}})
    return response
