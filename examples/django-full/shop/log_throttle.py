"""A logging filter for failures that repeat on every request, such as a Redis outage: one line
per interval says it goes on, instead of thousands."""

import logging
import time


class OncePerInterval(logging.Filter):
    """Let through one record per logger every `seconds` seconds, and drop the others.

    The first record of a logger passes; the next passes once `seconds` have gone by since (on the
    clock of time.time()), and so on. Each process counts apart. Attach it to the loggers whose
    records it should thin out (LOGGING in config/settings.py).
    """

    def __init__(self, seconds: float = 60) -> None:
        super().__init__()
        self.seconds = seconds
        # Logger name: when its last record passed.
        self._passed_at: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.time()
        last = self._passed_at.get(record.name)
        # A clock set back (now < last) lets the record through, rather than silence the logger.
        if last is not None and 0 <= now - last < self.seconds:
            return False
        self._passed_at[record.name] = now
        return True
