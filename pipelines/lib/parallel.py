"""Work that falls apart by itself, on every core the run may use: the site's pages, protection by
indicator, the audit's independent checks (one of them, :class:`Background`, started before the others'
data is read).

Each item depends only on data read before the workers start, so forked workers share that data
(copy-on-write) and receive nothing but item numbers; each result is pickled back. Results come back in
the items' order, and each item's result depends only on the item, so the output is the same however many
workers produce it. Without ``fork`` (not Linux), with one core, with few items or inside a worker,
everything runs in the calling process. The caller must hold no open DuckDB connection while it forks.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

MIN_ITEMS = 24  # below this, starting workers costs more than it saves
MAX_WORKERS = 4

_task: Callable[[Any], Any] | None = None
_items: Sequence[Any] = ()
_background: Callable[[], Any] | None = None


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _default_signals() -> None:
    """Workers die quietly on SIGTERM and SIGINT: the handlers they inherit (Dagster's raise an error in
    the middle of the pool's machinery) belong to the parent, which decides about the run. The signals
    arrive blocked (see :func:`_start_pool`); one sent while the worker started is delivered now."""
    for number in _SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


def _start_pool(workers: int):
    """A pool of forked workers, forked with SIGTERM and SIGINT blocked: a worker signalled before it
    has reset the inherited handlers would otherwise run the parent's handler (and, if that handler
    returns, survive its pool and wait for work forever)."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        return multiprocessing.get_context("fork").Pool(workers, initializer=_default_signals)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _run(numbers: list[int]) -> list[Any]:
    assert _task is not None
    return [_task(_items[i]) for i in numbers]


def map_pages(task: Callable[[Any], Any], items: Sequence[Any], workers: int | None = None,
              min_items: int | None = None, parts: int | None = None) -> list[Any]:
    """``[task(item) for item in items]``, spread over ``workers`` forked processes (default: the usable
    cores, at most :data:`MAX_WORKERS`). ``task`` writes its page and returns something small.

    The items are dealt round robin into ``parts`` parts (default: four per worker); a worker that is done
    takes the next part, in order. ``parts=len(items)``: each item is a part of its own, handed out in the
    items' order (the longest first, and the short ones fill the gaps).

    Runs here, one item after the other, with fewer than ``min_items`` items (default :data:`MIN_ITEMS`)
    and inside a worker (workers start no workers of their own)."""
    global _task, _items
    workers = min(workers or usable_cores(), MAX_WORKERS, len(items))
    if (workers < 2 or len(items) < (MIN_ITEMS if min_items is None else min_items)
            or multiprocessing.current_process().daemon
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [task(item) for item in items]
    parts = min(len(items), parts or workers * 4)  # several per worker: a worker that is done takes the next
    chunks = [list(range(p, len(items), parts)) for p in range(parts)]  # round robin: similar loads
    _task, _items = task, items
    for stream in (sys.stdout, sys.stderr):  # else each worker would write the parent's buffered text again
        stream.flush()
    give_back_memory()  # what the caller freed: a worker would copy the pages of it that it reuses
    try:
        pool = _start_pool(workers)
        try:
            done = pool.map(_run, chunks, chunksize=1)
        except BaseException:
            pool.terminate()
            pool.join()
            raise
        pool.close()  # the workers end on their own: no signal is sent in a normal run
        pool.join()
    finally:
        _task, _items = None, ()
    results: list[Any] = [None] * len(items)
    for numbers, values in zip(chunks, done, strict=True):
        for i, value in zip(numbers, values, strict=True):
            results[i] = value
    return results


def _run_background() -> Any:
    assert _background is not None
    return _background()


class Background:
    """A job that needs nothing the caller is about to load, started now in a forked worker of its own:
    it runs while the caller prepares the rest. :meth:`result` waits for it; :meth:`cancel` ends it (call
    it if the caller fails first). Without ``fork``, with one core or inside a worker, the job runs in the
    calling process when its result is asked for."""

    def __init__(self, job: Callable[[], Any]) -> None:
        global _background
        self._job = job
        self._pool = None
        if (usable_cores() < 2 or multiprocessing.current_process().daemon
                or "fork" not in multiprocessing.get_all_start_methods()):
            return
        for stream in (sys.stdout, sys.stderr):  # else the worker would write the parent's buffered text again
            stream.flush()
        _background = job
        self._pool = _start_pool(1)
        self._pending = self._pool.apply_async(_run_background)

    def result(self) -> Any:
        global _background
        if self._pool is None:
            return self._job()
        try:
            value = self._pending.get()
        except BaseException:
            self.cancel()
            raise
        self._pool.close()
        self._pool.join()
        self._pool = _background = None
        return value

    def cancel(self) -> None:
        global _background
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = _background = None


def give_back_memory() -> None:
    """Return freed memory to the system before forking: Arrow's memory pool and glibc's heap keep what
    was freed for reuse, and a forked worker that reuses such a page copies it, so the page is counted
    twice. Does nothing where neither applies."""
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except ImportError:
        pass
    libc = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(libc), "malloc_trim", None) if libc else None
    if trim is not None:  # glibc
        trim(0)


def run_together(*jobs: Callable[[], Any]) -> list[Any]:
    """The results of independent ``jobs``, run side by side on the usable cores (in order). Each job goes
    to the next free worker in the order given: put the long ones first."""
    return map_pages(lambda job: job(), list(jobs), min_items=2, parts=len(jobs))
