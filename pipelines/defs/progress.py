"""Stage progress for the terminal (``sozialmonitor run``); the UI has Dagster's own event log.

Each stage end is also a crash point (``after:<stage>``) for the crash tests.
"""

import logging
import time
from contextlib import contextmanager

from pipelines.lib import faults
from pipelines.lib.write_errors import WriteFailed, write_problem

log = logging.getLogger("sozialmonitor")


@contextmanager
def step(name: str):
    log.info("%-22s started", name)
    started = time.monotonic()
    try:
        yield log
    except Exception as exc:
        log.warning("%-22s FAILED after %.1f s", name, time.monotonic() - started)
        problem = write_problem(exc)
        if problem and not isinstance(exc, WriteFailed):
            raise WriteFailed(problem) from exc  # a full disk says so in German, in the UI and the status
        raise
    log.info("%-22s done in %.1f s", name, time.monotonic() - started)
    faults.point(f"after:{name}")
