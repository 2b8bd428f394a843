"""One run at a time per workspace: a lock shared by command-line runs and Dagster daemon runs."""

from __future__ import annotations

import json
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class RunLocked(Exception):
    """Another run holds the workspace lock."""


def _holder(info_path: Path) -> str:
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        return f"PID {info['pid']} auf {info['host']}, gestartet {info['started']}"
    except (OSError, ValueError, KeyError):
        return "unbekannter Prozess"


@contextmanager
def run_lock(lock_file: Path, *, wait_seconds: float = 0.0):
    """Hold the workspace's run lock; raise :class:`RunLocked` (German message) if it stays busy.

    The lock is an OS-level file lock: it is released when the holding process dies, so a killed run
    never leaves a stale lock behind.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    info_path = lock_file.with_suffix(".info")
    lock = FileLock(str(lock_file))
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise RunLocked(
            "Ein anderer Lauf arbeitet gerade in diesem Arbeitsbereich "
            f"({_holder(info_path)}). Bitte warten, bis er fertig ist, und dann erneut starten."
        ) from None
    try:
        info_path.write_text(
            json.dumps(
                {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
            ),
            encoding="utf-8",
        )
        yield
    finally:
        lock.release()
