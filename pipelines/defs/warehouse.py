"""Warehouse: aggregate counts bottom-up along the district hierarchy with the SQL models."""


import dagster as dg

from pipelines.defs.ingest import raw_inputs
from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib.stages import warehouse


@dg.asset(group_name="warehouse", kinds={"duckdb", "sql"}, deps=[raw_inputs],
          description="Indicator cells of every district at every level (private).")
def core_indicator_cells(sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    with step("aggregate hierarchy"):
        summary = warehouse.run(sozialmonitor.workspace)
    return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in summary.row_counts.items()})


@dg.asset_check(asset=core_indicator_cells, blocking=False,
                description="Jeder Planungsraum hat Daten für jeden Indikator und jedes Jahr.")
def districts_covered(sozialmonitor: WorkspaceResource) -> dg.AssetCheckResult:
    gaps = warehouse.coverage_gaps(sozialmonitor.workspace)
    return dg.AssetCheckResult(
        passed=gaps.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"gaps": len(gaps), "examples": dg.MetadataValue.md(gaps.head(20).to_markdown(index=False))
                  if len(gaps) else "keine"},
    )


@dg.asset_check(asset=core_indicator_cells, blocking=True,
                description="Alle Quoten liegen im plausiblen Bereich ihrer Einheit.")
def values_plausible(sozialmonitor: WorkspaceResource) -> dg.AssetCheckResult:
    bad = warehouse.implausible_values(sozialmonitor.workspace)
    # Counts stay private: only keys are shown, never the values.
    keys = bad[["indicator_id", "year", "district_id"]].head(20)
    return dg.AssetCheckResult(
        passed=bad.empty,
        metadata={"implausible_cells": len(bad),
                  "examples": dg.MetadataValue.md(keys.to_markdown(index=False)) if len(bad) else "keine"},
    )
