"""Prometheus metrics (metrics.py in the package): each request is counted by route and status, and
the app itself does not serve the metrics (gunicorn serves them on METRICS_PORT)."""


def count(app, endpoint: str, status: str) -> float:
    """The number of GET requests to `endpoint` answered with `status`, so far."""
    labels = {"method": "GET", "endpoint": endpoint, "status": status}
    registry = app.extensions["metrics"].registry
    return registry.get_sample_value("flask_http_request_duration_seconds_count", labels) or 0.0


def test_a_request_is_counted_by_route_and_status(app, client):
    assert count(app, "health.health", "200") == 0
    assert client.get("/health").status_code == 200
    assert count(app, "health.health", "200") == 1
    assert count(app, "health.health", "500") == 0


def test_the_app_does_not_serve_the_metrics(app, client):
    assert client.get("/metrics").status_code == 404
    # Counted as a request that matched no route.
    assert count(app, "None", "404") == 1
