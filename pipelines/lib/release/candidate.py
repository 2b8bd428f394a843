"""The folders of one candidate release. A release is immutable once it is complete."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines.lib.workspace import Workspace

MART_NAME = "sozialmonitor.duckdb"
MARKER_NAME = "RELEASE.json"


class ReleaseClosed(RuntimeError):
    """A write into a release that is complete, live, or was not started by the writing run."""


@dataclass(frozen=True)
class Candidate:
    workspace: Workspace
    run_id: str

    @property
    def mart_dir(self) -> Path:
        return self.workspace.mart_releases / self.run_id

    @property
    def mart(self) -> Path:
        return self.mart_dir / MART_NAME

    @property
    def exports(self) -> Path:
        return self.mart_dir / "exports"

    @property
    def site(self) -> Path:
        return self.workspace.dashboard_releases / self.run_id

    @property
    def marker(self) -> Path:
        return self.mart_dir / MARKER_NAME

    @property
    def is_complete(self) -> bool:
        return self.marker.exists()

    @property
    def is_live(self) -> bool:
        """The release analysts and committees see now (``data_marts/CURRENT`` names it)."""
        current = self.workspace.data_marts / "CURRENT"
        return current.exists() and current.read_text(encoding="utf-8").strip() == self.run_id

    def ensure_writable(self) -> None:
        """Refuse a write into this release unless it is a candidate its own run started and that is neither
        complete nor live (a complete release is immutable; the live mart is a hard link into it)."""
        if self.is_complete or self.is_live:
            raise ReleaseClosed(
                f"Die Freigabe {self.run_id} ist abgeschlossen und wird nicht mehr verändert. Eine neue "
                "Freigabe entsteht nur in einem vollständigen Lauf (Job „refresh“ oder „sozialmonitor run“).")
        if not self.mart.exists():
            raise ReleaseClosed(
                f"Der Lauf {self.run_id} hat keine Kandidaten-Freigabe: diese Stufe schreibt nur in die Freigabe "
                "ihres eigenen Laufs, die der Schutz („protected_mart“) im selben Lauf anlegt. Bitte die ganze "
                "Pipeline ausführen (Job „refresh“ oder „sozialmonitor run“), nicht einzelne Stufen.")

    def start(self) -> None:
        """Begin a fresh candidate: remove anything an earlier attempt of this run left."""
        if self.is_complete or self.is_live:
            raise ReleaseClosed(f"release {self.run_id} is already complete and immutable")
        for folder in (self.mart_dir, self.site):
            if folder.exists():
                shutil.rmtree(folder)
        self.mart_dir.mkdir(parents=True)

    def mark_complete(self, audit_summary: dict) -> None:
        """Record that the candidate passed its audit; only complete releases are ever switched on."""
        payload = {
            "run_id": self.run_id,
            "completed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "audit": audit_summary,
        }
        tmp = self.marker.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(self.marker)


def complete_releases(workspace: Workspace) -> list[Candidate]:
    """Complete releases, oldest first (by completion time recorded in their marker)."""
    found = []
    if workspace.mart_releases.exists():
        for folder in workspace.mart_releases.iterdir():
            cand = Candidate(workspace, folder.name)
            if folder.is_dir() and cand.is_complete:
                completed = json.loads(cand.marker.read_text(encoding="utf-8"))["completed_at"]
                found.append((completed, folder.name, cand))
    return [c for _, _, c in sorted(found)]
