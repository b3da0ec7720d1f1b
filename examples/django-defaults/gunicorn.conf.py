"""gunicorn settings: `gunicorn` reads this file from the working directory.

What differs between machines comes from the environment:
- `PORT`: the port to listen on, on every interface (default 8000). To listen elsewhere,
  `GUNICORN_CMD_ARGS="--bind 127.0.0.1:8000"` overrides it.
- `WEB_CONCURRENCY`: the number of worker processes (default: 2 per CPU, plus 1). Set it in a
  container with a CPU limit: the CPU count seen inside is the host's.
Reference: https://docs.gunicorn.org/en/stable/settings.html
"""

import os

wsgi_app = "config.wsgi"
bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
# SQLite serves these workers from one file, on one machine: in write-ahead-log mode readers never
# wait, and each write waits its turn (up to the busy timeout in the settings) instead of failing,
# as writes take milliseconds. More machines, or heavy writing, need PostgreSQL.
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
