"""Switch a complete release on, atomically, and prune old releases.

Readers see the old release or the new one, never a mix:
- analysts open ``data_marts/sozialmonitor.duckdb``: a hard link to the release's mart, put in place with
  ``os.replace`` (an open connection keeps reading the file it opened);
- browsers open ``dashboards/index.html``: the release's index with ``<base href="releases/<run_id>/">``,
  so every link of the page resolves into one immutable release folder.
``CURRENT`` names the release that is switched on. A crash between the steps is finished by
:func:`recover` at the start of the next run.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

from pipelines.lib import faults
from pipelines.lib.release.candidate import Candidate, complete_releases
from pipelines.lib.workspace import Workspace


def current_run_id(workspace: Workspace) -> str | None:
    path = workspace.data_marts / "CURRENT"
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def _staged(target: Path) -> Path:
    return target.with_name(f".{target.name}.tmp")


def _stage_text(target: Path, text: str) -> Path:
    tmp = _staged(target)
    tmp.write_text(text, encoding="utf-8")
    return tmp


def _stage_link(source: Path, target: Path) -> Path:
    tmp = _staged(target)
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
            raise
        shutil.copy2(source, tmp)  # no hard links on this file system
    return tmp


def _commit(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except PermissionError as exc:  # Windows: a reader holds the file open
        tmp.unlink(missing_ok=True)
        raise PermissionError(
            f"{target} kann nicht ersetzt werden, weil ein anderes Programm die Datei geöffnet hat. "
            "Die neue Freigabe liegt vollständig im Ordner releases/; sie wird beim nächsten Lauf "
            "aktiviert, sobald die Datei geschlossen ist."
        ) from exc


def entry_page(release_index: str, run_id: str) -> str:
    """The release's index page, made to resolve every relative link inside the release folder."""
    base = f'<base href="releases/{run_id}/">'
    text, n = re.subn(r"<head([^>]*)>", lambda m: f"<head{m.group(1)}>\n{base}", release_index, count=1)
    if n != 1:
        raise ValueError("release index.html has no <head> element")
    return text


def switch(candidate: Candidate) -> None:
    """Make a complete release the current one."""
    if not candidate.is_complete:
        raise RuntimeError(f"release {candidate.run_id} did not pass its audit and cannot be switched on")
    ws = candidate.workspace
    index = candidate.site / "index.html"
    # Every new file is written beside its target first, so that a full disk or a read-only file
    # system stops the switch before anything is replaced; then only renames follow.
    targets = [ws.mart] + ([ws.dashboards / "index.html"] if index.exists() else []) + [ws.data_marts / "CURRENT"]
    try:
        staged = [_stage_link(candidate.mart, ws.mart)]
        if index.exists():
            page = entry_page(index.read_text(encoding="utf-8"), candidate.run_id)
            staged.append(_stage_text(ws.dashboards / "index.html", page))
        staged.append(_stage_text(ws.data_marts / "CURRENT", candidate.run_id + "\n"))
    except OSError:
        for target in targets:
            _staged(target).unlink(missing_ok=True)
        raise
    faults.point("switch:start")
    _commit(staged[0], targets[0])
    faults.point("switch:mart")
    if index.exists():
        _commit(staged[1], targets[1])
    faults.point("switch:dashboards")
    _commit(staged[-1], targets[-1])


def recover(workspace: Workspace) -> str | None:
    """Finish a switch that a crash interrupted; remove candidates that never completed.

    Returns the run id of the release that is current afterwards.
    """
    releases = complete_releases(workspace)
    for root in (workspace.mart_releases, workspace.dashboard_releases):
        if root.exists():
            complete = {c.run_id for c in releases}
            for folder in root.iterdir():
                if folder.is_dir() and folder.name not in complete:
                    shutil.rmtree(folder, ignore_errors=True)
    if not releases:
        return None
    newest = releases[-1]
    if current_run_id(workspace) != newest.run_id or not workspace.mart.exists():
        switch(newest)
    return newest.run_id


def prune(workspace: Workspace, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` complete releases (never the current one)."""
    current = current_run_id(workspace)
    releases = complete_releases(workspace)
    doomed = [c for c in releases[: max(len(releases) - keep, 0)] if c.run_id != current]
    for cand in doomed:
        shutil.rmtree(cand.site, ignore_errors=True)
        shutil.rmtree(cand.mart_dir, ignore_errors=True)
    return [c.run_id for c in doomed]
