"""Stage progress for the terminal (``sozialmonitor run``); the UI has Dagster's own event log.

Each stage end is also a crash point (``after:<stage>``) for the crash tests.
"""

import logging
import time
from contextlib import contextmanager

from pipelines.lib import faults

log = logging.getLogger("sozialmonitor")


@contextmanager
def step(name: str):
    log.info("%-22s started", name)
    started = time.monotonic()
    try:
        yield log
    except Exception:
        log.warning("%-22s FAILED after %.1f s", name, time.monotonic() - started)
        raise
    log.info("%-22s done in %.1f s", name, time.monotonic() - started)
    faults.point(f"after:{name}")
