"""Many municipalities as Dagster partitions, protected once at state level (see docs/scaling.md).

    SOZIALMONITOR_MUNICIPALITIES=/srv/sozialmonitor/land dagster dev -m pipelines.examples.partitions

Every sub-folder of ``$SOZIALMONITOR_MUNICIPALITIES`` that holds a ``sozialmonitor.toml`` is one
municipality workspace and one partition. Per partition, ``municipal_cells`` validates and loads the
inputs and aggregates them along the municipality's own hierarchy (privately, in its own warehouse).
``state_protected_cells`` then stacks the *unprotected* cells of all municipalities under one state
district and protects them as ONE table: separately protected municipal releases could be subtracted
from each other, so they are never merged after protection. Which executor or run launcher runs the
partitions (in-process, multiprocess, Celery, Kubernetes) is Dagster configuration, not code here.
"""

import os
from pathlib import Path

import dagster as dg
import pandas as pd

from pipelines.lib.config import load_config
from pipelines.lib.duck import connect
from pipelines.lib.protection import protect
from pipelines.lib.stages import ingest, warehouse
from pipelines.lib.stages.protection import CELLS_QUERY
from pipelines.lib.workspace import Workspace

ROOT_ENV = "SOZIALMONITOR_MUNICIPALITIES"
STATE_ID = "land"


def municipalities_root() -> Path:
    return Path(os.environ.get(ROOT_ENV, "municipalities")).resolve()


def municipalities(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "sozialmonitor.toml").exists())


municipality = dg.DynamicPartitionsDefinition(name="municipality")


@dg.asset(partitions_def=municipality, group_name="municipalities",
          description="Validated inputs aggregated along the municipality's hierarchy (private).")
def municipal_cells(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    ws = Workspace(municipalities_root() / context.partition_key)
    outcome = ingest.run(ws, load_config(ws.root))
    if not outcome.ok:
        raise dg.Failure(f"{context.partition_key}: {len(outcome.errors)} Fehler in den Eingabedaten "
                         f"(Bericht: {outcome.report})")
    summary = warehouse.run(ws)
    return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in summary.row_counts.items()})


def stack_under_state(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Cells of every municipality (keys as ``name:key``) below one state district (level 0), which sums the cities."""
    shifted = []
    for name, cells in parts.items():
        cells = cells.copy()
        # keys only need to be unique within a municipality: qualify them with the municipality
        cells["district_id"] = name + ":" + cells["district_id"].astype(str)
        cells["parent_id"] = cells["parent_id"].map(lambda p, n=name: None if p is None or p != p else f"{n}:{p}")
        cells["level_rank"] = cells["level_rank"] + 1
        cells.loc[cells["level_rank"] == 1, "parent_id"] = STATE_ID
        shifted.append(cells)
    cells = pd.concat(shifted, ignore_index=True)
    tops = cells[cells["level_rank"] == 1]
    state = tops.groupby(["indicator_id", "year"], as_index=False).agg(
        numerator=("numerator", lambda s: s.sum(min_count=len(s))),
        denominator=("denominator", lambda s: s.sum(min_count=len(s))),
        population=("population", "sum"), is_upstream_hidden=("is_upstream_hidden", "any"),
        **({"is_derived": ("is_derived", "any")} if "is_derived" in cells.columns else {}))
    state = state.assign(district_id=STATE_ID, parent_id=None, level_rank=0)
    return pd.concat([state[cells.columns], cells], ignore_index=True)


@dg.asset(deps=[municipal_cells], group_name="state",
          description="All municipalities protected together as one table (the state release's cells).")
def state_protected_cells(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    root = municipalities_root()
    names = municipalities(root)
    parts = {}
    for name in names:
        with connect(Workspace(root / name).warehouse, read_only=True) as con:
            parts[name] = con.execute(CELLS_QUERY).df()
    cells = stack_under_state(parts)
    config = load_config(root / names[0])  # one indicator catalogue and one protection policy for the state
    result = protect(cells, {i.id: i for i in config.indicators}, config.protection)
    out = root / "state_protected_cells.parquet"  # a real state release would build a candidate from this
    result.published.to_parquet(out, index=False)
    hidden = int((result.published["status"] == "geheimgehalten").sum())
    return dg.MaterializeResult(metadata={"municipalities": len(names), "cells": len(cells), "hidden": hidden})


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def municipality_folders(context: dg.SensorEvaluationContext):
    """Adds a partition for every new municipality workspace under the root folder."""
    known = set(context.instance.get_dynamic_partitions(municipality.name))
    new = [m for m in municipalities(municipalities_root()) if m not in known]
    if not new:
        return dg.SkipReason("keine neuen Gemeinden")
    return dg.SensorResult(dynamic_partitions_requests=[municipality.build_add_request(new)])


defs = dg.Definitions(assets=[municipal_cells, state_protected_cells], sensors=[municipality_folders])
