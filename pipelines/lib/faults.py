"""Named points where crash tests can kill the pipeline, as a real crash (power cut, OOM killer) would.

Setting ``SOZIALMONITOR_CRASH_AT=<point>`` makes the process kill itself with SIGKILL when it reaches
that point: no cleanup handler runs, exactly like a real crash. Unset, a point costs one lookup.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "SOZIALMONITOR_CRASH_AT"


def point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
