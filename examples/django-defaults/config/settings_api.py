"""Settings of the REST API (config/api.py), which config/settings.py imports at its end.

Django Ninja's app (INSTALLED_APPS) serves the docs' Swagger UI from this site's static files:
without it, the docs page would load it from a CDN. The API's JSON errors and rate limits are
middleware (MIDDLEWARE), before the request-body limit and the site's rate limits, so that their
error responses under /api/ become JSON too.
"""

import environ

env = environ.Env()

# API tokens expire this many days after they are issued.
API_TOKEN_DAYS = env.int("DJANGO_API_TOKEN_DAYS", default=90)
# Hours an Idempotency-Key is remembered, with its answer, from the request that first sent it
# (shop/api/idempotency.py): a retry within them creates nothing twice.
API_IDEMPOTENCY_HOURS = env.int("DJANGO_API_IDEMPOTENCY_HOURS", default=24)
# API requests, per client address and, apart, per token or signed-in user: see
# shop/api/limits.py.
API_RATE = env.str("DJANGO_API_RATE", default="60/m")
