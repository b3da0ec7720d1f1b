"""Traces (config/tracing.py): config/settings.py imports this module at its end.

With OTEL_EXPORTER_OTLP_ENDPOINT set, each web and worker process sends them over OTLP to this
collector's URL; unset, as in development and the tests, nothing is recorded. The exporter reads
it, and the other OTEL_* variables, from the environment (where .env's are now).
"""

import environ

env = environ.Env()

OTEL_EXPORTER_OTLP_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="")
