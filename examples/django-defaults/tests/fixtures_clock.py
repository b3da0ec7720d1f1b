"""The tests' clock (a pytest plugin, named in conftest.py's pytest_plugins)."""

from datetime import UTC, datetime

import pytest


@pytest.fixture
def clock(time_machine):
    """The test's clock (time-machine), stopped at the current second: `time.time()` and
    `timezone.now()` move only when the test moves them, `clock.shift(seconds)`. Rate windows,
    token lifetimes, authenticator codes and their throttling then take no real time, so no test
    depends on how fast the machine is."""
    time_machine.move_to(datetime.now(UTC).replace(microsecond=0), tick=False)
    return time_machine
