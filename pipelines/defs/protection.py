"""Protection: primary and secondary suppression; writes the candidate mart with protected figures."""


import dagster as dg

from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.defs.warehouse import core_indicator_cells
from pipelines.lib.stages import protection


@dg.asset(group_name="protection", kinds={"python", "duckdb"}, deps=[core_indicator_cells],
          description="Protected indicator values in the new candidate release of this run (data_marts/releases/<run_id>/).")
def protected_mart(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    candidate = sozialmonitor.candidate(context.run.run_id)
    with step("protect (suppression)"):
        outcome = protection.run(sozialmonitor.workspace, sozialmonitor.config(), candidate)
    return dg.MaterializeResult(
        metadata={
            "release": candidate.run_id,
            **{f"rows_{k}": v for k, v in outcome.mart_rows.items()},
            # how many cells each rule hid stays private: only the total is shown here
            "hidden_cells": sum(outcome.hidden_by_rule.values()),
            # indicator-years left out: an earlier release published them on districts that no longer exist
            "withheld_indicator_years": outcome.withheld,
        },
    )
