"""Warehouse stage: aggregate counts along the district hierarchy (SQL models in ``sql/``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.lib.duck import connect
from pipelines.lib.findings import Finding, write_report
from pipelines.lib.warehouse.consistency import consistency_findings
from pipelines.lib.warehouse.load import WarehouseSummary, build_models
from pipelines.lib.workspace import Workspace


def run(ws: Workspace) -> WarehouseSummary:
    return build_models(ws.warehouse)


def coverage_gaps(ws: Workspace) -> pd.DataFrame:
    """Smallest districts lacking rows for an indicator-year that other districts have."""
    with connect(ws.warehouse, read_only=True) as con:
        return con.execute("select * from int_coverage_gaps").df()


def consistency(ws: Workspace) -> tuple[list[Finding], Path]:
    """Implausible rates and contradictions to declared relations, written as a validation report."""
    findings = consistency_findings(ws.warehouse)
    return findings, write_report(findings, ws.consistency_report)
