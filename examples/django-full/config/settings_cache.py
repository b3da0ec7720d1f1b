"""The cache, on Redis, which replaces config/settings.py's CACHES: config/settings.py imports this
module at its end.

One cache for every process, so that what one caches or invalidates holds for all. It keeps the
notes list's fragment, the sessions (below), and the rate limits of sign-in, sign-up and password
reset, whose counters Redis increments atomically: the rate holds exactly, however many workers and
machines serve the requests.

While Redis is down, a cache call is a miss at once; while it hangs, within a second
(django-redis's IGNORE_EXCEPTIONS, and socket timeouts in seconds, to connect and to answer): the
site serves from the database, slower, and uses Redis again as soon as it answers. The outage is
logged (logger "django_redis.cache", in LOGGING), once a minute at most however many calls fail.
"""

from config.settings_redis import REDIS_URL

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.25,
            "SOCKET_TIMEOUT": 0.25,
        },
    },
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Sessions are read from the cache and written through to the database: a Redis restart, an
# outage or an eviction signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
RATELIMIT_USE_CACHE = "default"
# While Redis is down the rate limits cannot count, and let every request through rather than
# refuse them all (django-ratelimit would answer 429). Sign-in guessing stays bounded: django-axes
# counts failures in the database (AXES_FAILURE_LIMIT).
RATELIMIT_FAIL_OPEN = True
