"""Prometheus metrics of the app's requests, from prometheus-flask-exporter
(https://github.com/rycus86/prometheus_flask_exporter): each request is timed and counted by
route (its view's endpoint, such as "health.health"), method and status.

gunicorn's master process serves them, summed over the workers, on METRICS_PORT (see
gunicorn.conf.py). The app itself has no /metrics route (`path=None`): the public port does not
serve them.

- flask_http_request_duration_seconds: a histogram of the time to respond, in seconds, labelled
  method, endpoint and status; its `_count` is the number of requests.
- flask_http_request_total: the number of requests, labelled method and status.
- flask_http_request_exceptions_total: requests whose view raised, labelled method and status.
"""

from flask import Flask
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics


def init_app(app: Flask) -> None:
    """Time and count every request of `app`, in `app.extensions["metrics"].registry`.

    Each app has a registry of its own: the exporter instruments only the first app of a registry,
    and the tests create many. Under gunicorn, each worker's counts also go to the files that the
    master sums (PROMETHEUS_MULTIPROC_DIR), whatever the registry.
    """
    app.extensions["metrics"] = PrometheusMetrics(
        app, path=None, group_by="endpoint", registry=CollectorRegistry()
    )
