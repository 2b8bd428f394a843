"""Decide when new input files should start a run: the logic behind the ``data_raw/`` sensor.

Only names, sizes and modification times are looked at (never contents), temporary files such as
Excel's ``~$*.xlsx`` lock files are ignored, and a run is requested only once the folder has stopped
changing for ``settle_seconds``: a planner copying a large export must not trigger a run on half a file.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

IGNORED_PATTERNS = ("~$*", ".~lock.*", "*.tmp", "*.part", "*.crdownload", "*.partial", ".*", "~*", "Thumbs.db")
IGNORED_NAMES = ("README.md",)


def is_ignored(name: str) -> bool:
    return name in IGNORED_NAMES or any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED_PATTERNS)


def snapshot(folder: Path) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime in ns) of every relevant file below ``folder``, sorted."""
    entries = []
    if folder.exists():
        for path in folder.rglob("*"):
            rel = path.relative_to(folder)
            if any(is_ignored(part) for part in rel.parts) or not path.is_file():
                continue
            stat = path.stat()
            entries.append((rel.as_posix(), stat.st_size, stat.st_mtime_ns))
    return sorted(entries)


def fingerprint(entries: list[tuple[str, int, int]]) -> str:
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class WatchState:
    """What the sensor remembers between evaluations (stored as its cursor)."""

    last_run: str | None = None  # fingerprint a run was requested for
    pending: str | None = None  # fingerprint seen changing or waiting to settle
    pending_since: float | None = None

    def dumps(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def loads(cls, text: str | None) -> WatchState:
        return cls(**json.loads(text)) if text else cls()


@dataclass(frozen=True)
class Decision:
    run: bool
    reason: str
    state: WatchState
    run_key: str | None = None


def decide(state: WatchState, entries: list[tuple[str, int, int]], now: float, settle_seconds: float) -> Decision:
    """Request a run when the files differ from the last run's and have been stable long enough."""
    if not entries:
        return Decision(False, "no input files", state)
    fp = fingerprint(entries)
    if fp == state.last_run:
        return Decision(False, "inputs unchanged since the last run", WatchState(last_run=state.last_run))
    if fp != state.pending:
        return Decision(
            False, "inputs changed; waiting until they stop changing", WatchState(state.last_run, fp, now)
        )
    waited = now - (now if state.pending_since is None else state.pending_since)
    if waited < settle_seconds:
        return Decision(False, f"inputs stable for {waited:.0f} s of {settle_seconds:.0f} s", state)
    return Decision(True, "inputs changed and stable", WatchState(last_run=fp), run_key=fp)
