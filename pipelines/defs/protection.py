"""Protection: primary and secondary suppression; writes the candidate mart with protected figures."""


import dagster as dg

from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.defs.warehouse import core_indicator_cells
from pipelines.lib.stages import protection
from pipelines.lib.ui_labels import ui_metadata


@dg.asset(group_name="geheimhaltung", kinds={"python", "duckdb"}, deps=[core_indicator_cells],
          description="Geheimhaltung: kleine Fallzahlen und alles, woraus sie sich errechnen ließen, werden "
                      "verborgen; die geschützten Werte kommen in die neue Freigabe "
                      "(data_marts/releases/<Lauf>/).")
def protected_mart(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    candidate = sozialmonitor.candidate(context.run.run_id)
    with step("protect (suppression)"):
        outcome = protection.run(sozialmonitor.workspace, sozialmonitor.config(), candidate)
    return dg.MaterializeResult(
        metadata=ui_metadata({
            "release": candidate.run_id,
            **{f"rows_{k}": v for k, v in outcome.mart_rows.items()},
            # how many cells each rule hid stays private: only the total is shown here
            "hidden_cells": sum(outcome.hidden_by_rule.values()),
            # indicator-years left out: an earlier release published them on districts that no longer exist
            "withheld_indicator_years": outcome.withheld,
        }),
    )
