"""What a reader of a workspace sees as published, checked for consistency (crash, lock and disk tests)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pipelines.lib.duck import connect
from pipelines.lib.release.candidate import Candidate, complete_releases
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace

MART_TABLES = ("districts", "indicators", "indicator_values", "run_info")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_bytes(ws: Path) -> dict[str, str]:
    """Bytes of everything a reader sees as 'current'."""
    w = Workspace(ws)
    return {"mart": digest(w.mart), "index": digest(w.dashboards / "index.html"),
            "current": (w.data_marts / "CURRENT").read_text()}


def mart_run_ids(mart: Path) -> set[str]:
    """Run ids found in the published tables of a mart (it must open read-only)."""
    with connect(mart, read_only=True) as con:
        return {r[0] for t in MART_TABLES for r in con.execute(f"select distinct run_id from {t}").fetchall()}


def index_release(ws: Path) -> str | None:
    """The release that dashboards/index.html sends browsers to."""
    text = (Workspace(ws).dashboards / "index.html").read_text(encoding="utf-8")
    m = re.search(r'<base href="releases/([^/"]+)/">', text)
    return m.group(1) if m else None


def published_release(ws: Path, *, settled: bool = True) -> str:
    """The one complete release the mart holds; with ``settled``, CURRENT and the index name it too.

    Not settled (just after a kill inside the switch) the mart, CURRENT and the index may each still
    name the previous release or already the new one, but every one of them is a complete release and
    the mart is never a mix.
    """
    w = Workspace(ws)
    ids = mart_run_ids(w.mart)
    assert len(ids) == 1, f"mart mixes releases: {ids}"
    run_id = ids.pop()
    complete = {c.run_id for c in complete_releases(w)}
    assert run_id in complete, f"mart holds {run_id}, which is not a complete release"
    assert digest(w.mart) == digest(Candidate(w, run_id).mart), "mart differs from its release folder"
    current, index = current_run_id(w), index_release(ws)
    if settled:
        assert current == run_id == index, f"mart {run_id}, CURRENT {current}, index.html {index}"
    else:
        assert current in complete and index in complete, (current, index, complete)
    return run_id
