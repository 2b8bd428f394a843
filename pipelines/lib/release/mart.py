"""Write the published mart of a candidate release: protected figures only.

The protection stage is the only caller that holds private data; what it passes here is already
protected (numerators and denominators only where published). Every table carries the run id.
"""

from __future__ import annotations

import importlib.metadata
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.lib.config import Config
from pipelines.lib.duck import connect
from pipelines.lib.release.schema import (
    GROUPS,
    SCHEMA_VERSION,
    IndicatorColumn,
    create_statements,
    dictionary_rows,
)
from pipelines.lib.release.schema.core import STATUSES

__all__ = ["SCHEMA_VERSION", "STATUSES", "catalogue_frame", "software_version", "write_mart"]


def software_version() -> str:
    try:
        return importlib.metadata.version("sozialmonitor")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def catalogue_frame(config: Config, run_id: str) -> pd.DataFrame:
    rows = [
        {
            "indicator_id": i.id,
            "label": i.label,
            "denominator_label": i.denominator_label,
            "domain": i.domain,
            "life_phase": i.life_phase,
            "direction": i.direction,
            "unit": i.unit,
            "unit_label": i.unit_label,
            "denominator_public": i.denominator_public,
            "source": i.source,
            "data_owner": i.data_owner or None,
            "weight": float(i.weight),
            "run_id": run_id,
        }
        for i in sorted(config.indicators, key=lambda i: i.id)
    ]
    return pd.DataFrame(rows)


def write_mart(path: Path, config: Config, run_id: str, districts: pd.DataFrame,
               values: pd.DataFrame | pa.Table) -> dict:
    """Create the mart at ``path`` from protected ``values`` and public ``districts``.

    ``districts``: district_id, name, level, level_label, level_rank, parent_id, population, area_km2, wkb.
    ``values``: district_id, year, indicator_id, numerator, denominator, status (protected), and optionally
    the protection's ``rate`` (kept where the denominator is private; the analysis stage computes the rest)
    and ``is_derived`` (the numerator derived, not counted; false where absent).
    An Arrow table is taken as it is: at national scale a data frame's text columns, scanned by DuckDB or
    sorted by pandas, took gigabytes; DuckDB sorts the Arrow table into the key order of the mart.
    """
    vals = values if isinstance(values, pa.Table) else pa.Table.from_pandas(values, preserve_index=False)
    if "rate" not in vals.column_names:
        vals = vals.append_column("rate", pa.nulls(len(vals), pa.float64()))
    if "is_derived" not in vals.column_names:  # counted, unless the cells say otherwise
        vals = vals.append_column("is_derived", pa.array([False] * len(vals), pa.bool_()))
    status = vals["status"]
    unknown = {s for s in pc.unique(status).to_pylist() if s not in STATUSES}
    if unknown:
        raise ValueError(f"unknown status values {sorted(map(str, unknown))}")
    hidden = pc.fill_null(pc.not_equal(status, "veröffentlicht"), True)
    carries = pc.or_(pc.is_valid(vals["numerator"]), pc.is_valid(vals["rate"]))
    leaked = pc.sum(pc.and_(hidden, carries)).as_py() or 0
    if leaked:
        raise ValueError(f"{leaked} hidden cells carry a numerator or rate: refusing to publish")
    info = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "created_at": datetime.now(UTC),
                "software_version": software_version(),
                "schema_version": SCHEMA_VERSION,
                "city_name": config.city_name,
                "data_date": config.data_date,
                "crs": config.crs,
            }
        ]
    )
    con = connect(path)
    try:
        con.register("info", info)
        con.register("catalogue", catalogue_frame(config, run_id))
        con.register("dist", districts.sort_values(["level_rank", "district_id"]))
        con.register("vals", vals)
        indicators = [IndicatorColumn(i.id, i.label, i.unit_label) for i in sorted(config.indicators, key=lambda i: i.id)]
        con.register("dictionary", pd.DataFrame(dictionary_rows(indicators, run_id)))
        con.execute(create_statements(GROUPS["core"] + GROUPS["views"], indicators))
        con.execute("insert into data_dictionary by name select * from dictionary")
        con.execute("insert into run_info by name select * from info")
        con.execute(
            "insert into districts select district_id, name, level, level_label, level_rank, parent_id, "
            "population, area_km2, st_geomfromwkb(wkb), ? from dist",
            [run_id],
        )
        con.execute("insert into indicators by name select * from catalogue")
        con.execute(
            "insert into indicator_values (district_id, year, indicator_id, numerator, denominator, rate, status, "
            "is_derived, run_id) select district_id, year, indicator_id, numerator, denominator, rate, status, "
            "coalesce(is_derived, false), ? from vals "
            "order by indicator_id, year, district_id",
            [run_id],
        )
        counts = {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("districts", "indicators", "indicator_values", "data_dictionary")
        }
        con.execute("checkpoint")
    finally:
        con.close()
    return counts
