"""Ingest stage: read and validate every input, report all findings, load raw tables privately."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.lib import unchanged
from pipelines.lib.config import Config
from pipelines.lib.findings import Finding, errors_of, write_report
from pipelines.lib.ingest.load import load_inputs
from pipelines.lib.release.switch import recover
from pipelines.lib.warehouse.load import load_raw
from pipelines.lib.workspace import Workspace


@dataclass
class IngestOutcome:
    findings: list[Finding]
    report: Path
    row_counts: dict[str, int] = field(default_factory=dict)
    files: int = 0  # input files read and checked

    @property
    def errors(self) -> list[Finding]:
        return errors_of(self.findings)

    @property
    def ok(self) -> bool:
        return not self.errors


def run(ws: Workspace, config: Config, *, load: bool = True) -> IngestOutcome:
    """Validate all inputs; when they hold no error (and ``load``), write them to the next warehouse.

    Also finishes a release switch that an earlier crash interrupted (the caller holds the run lock).
    """
    ws.ensure()
    recover(ws)
    if load:
        unchanged.note_ingest(ws)  # what this run reads, for the no-change check of later runs
    inputs = load_inputs(config)
    report = write_report(inputs.findings, ws.validation_report)
    outcome = IngestOutcome(findings=list(inputs.findings), report=report, files=len(inputs.files))
    if outcome.ok and load:
        outcome.row_counts = load_raw(inputs, config, ws.warehouse)
    return outcome
