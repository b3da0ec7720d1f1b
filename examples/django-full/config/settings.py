"""Django settings for Shop.

Every value that differs between machines comes from the environment (in development, from
`.env`): see `.env.example`. The names follow the order of Django's settings reference; production
hardening is grouped at the end, and is on whenever DEBUG is off.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from pythonjsonlogger.core import RESERVED_ATTRS

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# .env is for development; variables already in the environment take precedence.
env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Put it in the environment or in .env; see .env.example."
    )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "shop.users",
    "shop.notes",
    "django_prometheus",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "ninja",
    "shop.api",
]

MIDDLEWARE = [
    # Prometheus metrics of each request (its view, method, status and latency): the first
    # middleware starts the clock, the last counts the response. gunicorn serves them on
    # METRICS_PORT (gunicorn.conf.py); no URL of this site does.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before the rest: every response, redirects and errors included, carries the request's id.
    "shop.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "shop.api.errors.JsonErrorsMiddleware",
    "shop.api.limits.ApiRateLimitMiddleware",
    "shop.middleware.RequestBodyLimitMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shop" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
# A kept connection may have died with a database restart: check it before each request reuses it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead logging lets readers go on while one connection writes; IMMEDIATE takes the write
    # lock when a transaction starts, so writers queue for up to `timeout` seconds instead of
    # failing with "database is locked" when a read inside a transaction turns into a write.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# The caches, unless a settings module imported below replaces them. Shared by every worker
# process: the rate limits of sign-in, sign-up and password reset count requests in a table of the
# database (`migrate` creates it). This cache's increment is not atomic, as django-ratelimit's
# documentation warns: a burst of concurrent requests may get a few past the rate, which slows
# abuse all the same; an exact count needs Redis or Memcached.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ratelimit_cache",
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_VIEW = "shop.views.too_many_requests"
# Requests per client address (and, for password reset, per email address): "10/h", "5/m", ...
SIGN_IN_RATE = env.str("DJANGO_SIGN_IN_RATE", default="20/m")
SIGN_UP_RATE = env.str("DJANGO_SIGN_UP_RATE", default="10/h")
PASSWORD_RESET_RATE = env.str("DJANGO_PASSWORD_RESET_RATE", default="5/h")

# Request bodies: 413 for one larger than this many bytes (its declared Content-Length), before any
# of it is read; see shop/middleware.py.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_MAX_REQUEST_BYTES", default=1024 * 1024)

# The admin's path, ending with a slash; a less obvious one keeps it out of casual scans.
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")

# People sign in with their email address: see shop/users/models.py.
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "profile"
LOGOUT_REDIRECT_URL = "index"

# Sign-in abuse: django-axes counts failed sign-ins (site and admin) per email address and client
# address, in the database, so that every worker shares the count and a restart keeps it. At the
# limit it answers 429 with templates/lockout.html, for the right password too, until the cool-off
# ends; each lockout is logged (logger "axes"). `manage.py axes_reset` lifts every lockout.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("DJANGO_AXES_COOLOFF_MINUTES", default=15))
# Per account and address: a wrong guess from elsewhere cannot lock the owner out. Not per address
# alone, at this limit: behind a proxy, or in an office, one address is many people, and five
# typos would lock them all out. One address trying many accounts (password spraying) meets
# SIGN_IN_RATE instead.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form's field, which holds the email address (axes would look for "email").
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# Log lines for failures and lockouts only (see LOGGING), with the email and client addresses
# masked: the admin's "Access attempts" shows them.
AXES_VERBOSE = False

# Passwords: at least 15 characters, as NIST SP 800-63B asks where a password alone signs in, and
# none that zxcvbn guesses in fewer than 10^8 tries (score 3 of 0-4): "passwordpassword",
# "aaaaaaaaaaaaaaaa", common passwords, words, dates, keyboard rows. Nor one too close to the email
# address or name. Django imports the validators at the first password it checks; the zxcvbn one is
# not in INSTALLED_APPS, whose loading would import zxcvbn's dictionaries (13 MiB) into every worker
# at start. Add "django_zxcvbn_password_validator" there for its translations of zxcvbn's advice
# when the site speaks more than English.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django_zxcvbn_password_validator.ZxcvbnPasswordValidator"},
]
PASSWORD_MINIMAL_STRENGTH = 3

# Email (password reset): printed to the console while DEBUG is on, sent over SMTP otherwise.
if DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env.str("DJANGO_EMAIL_HOST", default="localhost"),
                "port": env.int("DJANGO_EMAIL_PORT", default=587),
                "username": env.str("DJANGO_EMAIL_HOST_USER", default=""),
                "password": env.str("DJANGO_EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("DJANGO_EMAIL_USE_TLS", default=True),
                # Seconds: a mail server that hangs must not hold a worker until gunicorn kills it.
                "timeout": 10,
            },
        },
    }
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="maintainers@example.com")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: `collectstatic` gathers them into STATIC_ROOT as content-hashed, compressed copies,
# which WhiteNoise serves with far-future cache headers. Run it on every deploy.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "shop" / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content-Security-Policy: only this site's own scripts, styles and images. An inline script needs
# a nonce: add CSP.NONCE to "script-src" and the "csp" context processor to TEMPLATES.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Logging: a record per line on stdout, where the platform collects it: a JSON object in
# production, text while DEBUG is on. Django's own loggers go there too, instead of to Django's
# defaults (the console only while DEBUG is on, mail to ADMINS): so a view that raises leaves its
# traceback in the log, through the "django.request" logger, whether DEBUG is on or off.
# JSON keys: time (ISO 8601, UTC), level, logger, message, request_id (null outside a request;
# see request_id.py beside views.py), traceback when there is one, and the log call's `extra`
# fields, such as the request line's method, path, status, duration_ms and user_id.
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "shop.request_id.RequestIdFilter"},
        "once_a_minute": {
            "()": "shop.log_throttle.OncePerInterval",
            "seconds": 60,
        },
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{levelname}{name}{message}{request_id}",
            "style": "{",
            "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "traceback"},
            "timestamp": "time",
            # Django's loggers pass the request object along: its text would add the query
            # string, which may hold a secret.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
        "line": {"format": "%(asctime)s %(levelname)s [%(name)s] %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "line" if DEBUG else "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL},
        # Failed sign-ins and lockouts are warnings; successful ones need no line each.
        "axes": {"handlers": [], "level": "WARNING"},
        # A Redis outage fails every cache call of every request: one line a minute says so.
        "django_redis.cache": {"handlers": [], "filters": ["once_a_minute"]},
    },
}

# The REST API: its tokens' lifetime, idempotency window and rate limit.
from config.settings_api import *  # noqa: E402, F403

# The cache on Redis, instead of the caches above, with the sessions and rate limits on it.
from config.settings_cache import *  # noqa: E402, F403

# Redis's address.
from config.settings_redis import *  # noqa: E402, F403

# Error reporting to Sentry, when SENTRY_DSN is set.
from config.settings_sentry import *  # noqa: E402, F403

# Background tasks: Celery, with its queue on Redis.
from config.settings_tasks import *  # noqa: E402, F403

# Traces, sent over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
from config.settings_tracing import *  # noqa: E402, F403

# Two-factor sign-in: session length, and the throttling of wrong codes.
from config.settings_two_factor import *  # noqa: E402, F403

# Production hardening: on unless DEBUG is on; `manage.py check --deploy` verifies it.
# HTTPS only, except the probes, so that a load balancer can probe the app over plain HTTP.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^ready$"]
# Behind a proxy that terminates TLS, the request reaches Django over plain HTTP: without this, the
# redirect above would loop. Set it to the header and value the proxy sends for HTTPS, e.g.
# "HTTP_X_FORWARDED_PROTO,https", and only when the proxy always sets or strips that header.
SECURE_PROXY_SSL_HEADER = env.tuple("DJANGO_SECURE_PROXY_SSL_HEADER", default=None)
# Browsers remember HSTS: start with an hour, then raise DJANGO_SECURE_HSTS_SECONDS to a year
# (31536000) once every subdomain serves HTTPS.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
