"""Stage progress for the terminal (``sozialmonitor run``); the UI has Dagster's own event log.

Each stage end is also a crash point (``after:<stage>``) for the crash tests. A stage that fails
unexpectedly fails its Dagster step with one German sentence as the failure's description (the error
itself stays attached as its cause, with the technical details as metadata): the run page, the status
file and the e-mail say the same.
"""

import logging
import time
import traceback
from contextlib import contextmanager

import dagster as dg

from pipelines.lib import faults
from pipelines.lib.release.ledger import LedgerUnsafe
from pipelines.lib.run_failure import unexpected_text
from pipelines.lib.write_errors import WriteFailed, write_problem

log = logging.getLogger("sozialmonitor")


def _run_id() -> str | None:
    try:
        return dg.OpExecutionContext.get().run_id
    except Exception:  # outside a Dagster step (a plain call in a test)
        return None


@contextmanager
def step(name: str):
    log.info("%-22s started", name)
    started = time.monotonic()
    try:
        yield log
    except dg.Failure:
        log.warning("%-22s FAILED after %.1f s", name, time.monotonic() - started)
        raise
    except LedgerUnsafe as exc:  # fails closed: an unsafe release, said in German, not a crash
        log.warning("%-22s FAILED after %.1f s", name, time.monotonic() - started)
        raise dg.Failure(description=str(exc), metadata={"Fehlerart": "LedgerUnsafe"}, allow_retries=False) from exc
    except Exception as exc:
        log.warning("%-22s FAILED after %.1f s", name, time.monotonic() - started)
        problem = write_problem(exc)
        if problem and not isinstance(exc, WriteFailed):
            exc = WriteFailed(problem)  # a full disk says so in German, in the UI and the status
        message = str(exc)
        cls = "WriteFailed" if isinstance(exc, WriteFailed) else type(exc).__name__
        raise dg.Failure(
            description=unexpected_text(name, cls, message.strip().rstrip("."), _run_id()),
            metadata={"Fehlerart": cls, "Technische Details": dg.MetadataValue.text(traceback.format_exc())},
        ) from exc
    log.info("%-22s done in %.1f s", name, time.monotonic() - started)
    faults.point(f"after:{name}")
