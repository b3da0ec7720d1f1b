"""Error reporting (config/sentry.py): config/settings.py imports this module at its end. With
SENTRY_DSN set, each unhandled exception goes to Sentry, without personal data; unset, as in
development and the tests, nothing is sent.
"""

import environ

from config import sentry

env = environ.Env()

SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
if SENTRY_DSN:
    sentry.init(SENTRY_DSN, SENTRY_ENVIRONMENT)
