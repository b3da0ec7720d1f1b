"""Redis, which every process on every machine shares: the cache and the task queue.
config/settings.py imports this module at its end.
"""

import environ

env = environ.Env()

REDIS_URL = env.str("REDIS_URL", default="redis://localhost:6379/0")
