"""The cached notes list: the fragment of its page (templates/notes/note_list.html) and the API's
pages (api.py).

Each user's list is cached apart (their id is in its keys): no one is served another's notes. The
keys also carry a version that every saved or deleted note replaces, once the transaction commits:
no process, on any machine, serves a list older than the last write, whoever's list it is (a note
given another owner in the admin leaves one list and joins another). Entries of older
versions are never read again, and expire. Writes that send no signals (`bulk_create`, `update`,
raw SQL) must call invalidate_list() themselves.

While Redis is down nothing is cached, and a new version cannot be stored: the process that wrote
stores one at its next list_version() that reaches Redis, so that the lists cached before the
outage (Redis may keep them on disk) are not served after it.
"""

import time

from django.core.cache import cache

VERSION_KEY = "notes:list-version"
# Seconds a page of the list stays cached if nothing changes.
FRAGMENT_TIMEOUT = 600


# True while this process owes the list a new version that Redis did not take.
_invalidation_pending = False


def list_version() -> int:
    """The current version of the list: an integer, set on first use."""
    if _invalidation_pending:
        invalidate_list()
    return cache.get_or_set(VERSION_KEY, time.time_ns, timeout=None)


def invalidate_list() -> None:
    """Give the list a new version: a nanosecond clock, so that it never repeats an old one, even
    after Redis has lost the key. Never raises: while Redis is down, the new version is stored
    later (see above)."""
    global _invalidation_pending
    version = time.time_ns()
    cache.set(VERSION_KEY, version, timeout=None)
    # Read back: a cache that is down takes the write without an error. A newer version from
    # another process reads as a failure too, and costs one more new version.
    _invalidation_pending = cache.get(VERSION_KEY) != version
