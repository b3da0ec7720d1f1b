"""Prometheus metrics (django-prometheus's middleware in config/settings.py): each request is
counted by view and status, and no URL of the site serves the metrics (gunicorn serves them on
METRICS_PORT)."""

from prometheus_client import REGISTRY

RESPONSES = "django_http_responses_total_by_status_view_method_total"


def count(view: str, status: str) -> float:
    """The number of GET requests to the URL named `view` answered with `status`, so far (the
    registry lives as long as the test process)."""
    labels = {"method": "GET", "view": view, "status": status}
    return REGISTRY.get_sample_value(RESPONSES, labels) or 0.0


def test_a_request_is_counted_by_view_and_status(client):
    before = count("health", "200")
    assert client.get("/health").status_code == 200
    assert count("health", "200") == before + 1


def test_the_site_does_not_serve_the_metrics(client):
    assert client.get("/metrics").status_code == 404
