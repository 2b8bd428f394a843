"""Peak memory of a process tree, for the benchmark scripts.

Memory is the sum of the proportional set sizes (PSS) of the process and its children: forked workers
share their parent's pages, and summing their RSS would count those pages once per worker. Where Linux
does not tell the PSS, the RSS is taken.
"""

from __future__ import annotations

import contextlib
import os
import threading

import psutil


def _resident(p: psutil.Process) -> int:
    try:
        return p.memory_full_info().pss
    except (AttributeError, psutil.AccessDenied):
        return p.memory_info().rss


class PeakSampler:
    """The largest PSS sum of the tree of process ``pid`` (default: this one), sampled every ``interval``
    seconds in a thread until the context ends or the process is gone. ``phase`` (set by the caller) files
    each sample under a phase too: ``by_phase`` holds each phase's peak."""

    def __init__(self, pid: int | None = None, interval: float = 0.2) -> None:
        self.pid = os.getpid() if pid is None else pid
        self.interval = interval
        self.peak = 0
        self.phase = 0
        self.by_phase: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
            while not self._stop.is_set() and root.is_running() and root.status() != psutil.STATUS_ZOMBIE:
                total = 0
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += _resident(p)
                self.peak = max(self.peak, total)
                self.by_phase[self.phase] = max(self.by_phase.get(self.phase, 0), total)
                self._stop.wait(self.interval)
        except psutil.Error:  # the process ended
            pass

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
