"""gunicorn settings: `gunicorn` reads this file from the working directory.

What differs between machines comes from the environment:
- `PORT`: the port to listen on, on every interface (default 8000). To listen elsewhere,
  `GUNICORN_CMD_ARGS="--bind 127.0.0.1:8000"` overrides it.
- `WEB_CONCURRENCY`: the number of worker processes (default: 2 per CPU, plus 1). Set it in a
  container with a CPU limit: the CPU count seen inside is the host's.
- `METRICS_PORT`: the port of the Prometheus metrics, on every interface (default 9000), served
  by gunicorn's master process at /metrics; `PORT` does not serve them. Let only the scraper reach
  it.
- `PROMETHEUS_MULTIPROC_DIR`: where the workers write their counts, emptied at each start
  (default: a new temporary folder).
Reference: https://docs.gunicorn.org/en/stable/settings.html
"""

import os
import tempfile
from pathlib import Path

wsgi_app = "config.wsgi"
bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
# Threads make each worker a gthread worker, which parks idle connections instead of waiting on
# them: a sync worker blocks on a connection that sends nothing (browsers open such speculative
# connections) until `timeout` kills it, when no buffering proxy stands in front, as in
# compose.yaml. Each thread may hold a database connection: workers x threads of them at most.
# `GUNICORN_CMD_ARGS="--threads 1"` goes back to sync workers.
threads = 4

# No access log: the app writes a line for each request itself, with its request id, in the
# app's log format (JSON in production). gunicorn's own messages go to stderr, where the
# platform collects them.
accesslog = None
errorlog = "-"

# A worker silent for 30 s is killed and replaced. On SIGTERM, workers get 25 s to finish their
# requests: less than the 30 s that Kubernetes waits before it sends SIGKILL (compose.yaml gives
# Docker the same 30 s; its default is 10 s).
timeout = 30
graceful_timeout = 25

# Prometheus metrics of several processes: each worker writes its counts to files in this folder,
# which the workers inherit, and the master serves their sum
# (https://prometheus.github.io/client_python/multiprocess/). Set before prometheus_client is
# first imported, which reads it then. Files left by an earlier run would add its counts to this
# one's: the folder starts empty.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()
else:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="prometheus-")


def when_ready(server):
    """Serve the workers' metrics, summed, at :METRICS_PORT/metrics, from this master process."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    start_http_server(int(os.environ.get("METRICS_PORT", "9000")), registry=registry)


def child_exit(server, worker):
    """Drop the live-process gauges of a worker that has exited; its counts stay in the sum."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
