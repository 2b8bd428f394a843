"""Where things live in a workspace: inputs, the private store, published marts and dashboards."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

WORKSPACE_ENV = "SOZIALMONITOR_WORKSPACE"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def at(cls, path: Path | str | None = None) -> Workspace:
        """The workspace at ``path``, else ``$SOZIALMONITOR_WORKSPACE``, else the current directory."""
        chosen = path or os.environ.get(WORKSPACE_ENV) or Path.cwd()
        return cls(Path(chosen).resolve())

    # inputs
    @property
    def data_raw(self) -> Path:
        return self.root / "data_raw"

    # private: never shared
    @property
    def data_private(self) -> Path:
        return self.root / "data_private"

    @property
    def warehouse(self) -> Path:
        return self.data_private / "warehouse.duckdb"

    @property
    def ledger(self) -> Path:
        return self.data_private / "ledger.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.data_private / "dagster"

    @property
    def lock_file(self) -> Path:
        return self.data_private / "run.lock"

    @property
    def validation_report(self) -> Path:
        return self.data_private / "reports" / "validierung.json"

    @property
    def consistency_report(self) -> Path:
        return self.data_private / "reports" / "konsistenz.json"

    @property
    def audit_dir(self) -> Path:
        return self.data_private / "audit"

    # published
    @property
    def data_marts(self) -> Path:
        return self.root / "data_marts"

    @property
    def mart(self) -> Path:
        return self.data_marts / "sozialmonitor.duckdb"

    @property
    def mart_releases(self) -> Path:
        return self.data_marts / "releases"

    @property
    def dashboards(self) -> Path:
        return self.root / "dashboards"

    @property
    def dashboard_releases(self) -> Path:
        return self.dashboards / "releases"

    @property
    def status_file(self) -> Path:
        return self.root / "STATUS.txt"

    @property
    def last_run_file(self) -> Path:
        """The last run's status and summary for ``sozialmonitor status`` (JSON, beside the run's reports)."""
        return self.data_private / "last_run.json"

    def ensure(self) -> None:
        for folder in (self.data_raw, self.data_private, self.data_marts, self.dashboards):
            folder.mkdir(parents=True, exist_ok=True)
