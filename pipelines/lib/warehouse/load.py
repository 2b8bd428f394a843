"""Load validated inputs into the private warehouse and aggregate them along the hierarchy.

The warehouse is rebuilt from the inputs on every run, in a temporary file that replaces the previous
one only when complete: a failed run never leaves a half-built warehouse behind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import shapely

from pipelines.lib.config import Config
from pipelines.lib.duck import connect
from pipelines.lib.warehouse.models import run_models


@dataclass(frozen=True)
class WarehouseSummary:
    path: Path
    row_counts: dict[str, int]


def _levels_frame(config: Config) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": [lv.id for lv in config.levels],
            "level_rank": list(range(len(config.levels))),
            "level_label": [lv.label for lv in config.levels],
        }
    )


def _indicators_frame(config: Config) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": [i.id for i in config.indicators],
            "unit": [i.unit for i in config.indicators],
            "multiplier": [i.multiplier for i in config.indicators],
            "range_min": [i.plausible_range[0] for i in config.indicators],
            "range_max": [i.plausible_range[1] for i in config.indicators],
        }
    )


def _districts_frame(districts) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district_id": districts["district_id"].astype(str).to_numpy(),
            "name": districts["name"].astype(str).to_numpy(),
            "level": districts["level"].astype(str).to_numpy(),
            "parent_id": districts["parent_id"].astype(object).where(districts["parent_id"].notna(), None).to_numpy(),
            "wkb": shapely.to_wkb(districts.geometry.to_numpy()),
        }
    )


def build_warehouse(inputs, config: Config, path: Path) -> WarehouseSummary:
    """Write raw tables from ``inputs`` (see ``pipelines.lib.ingest.Inputs``) and run the SQL models."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = connect(tmp)
    try:
        levels = _levels_frame(config)  # noqa: F841 (registered by name below)
        indicators = _indicators_frame(config)  # noqa: F841
        districts = _districts_frame(inputs.districts)  # noqa: F841
        counts = inputs.counts  # noqa: F841
        population = inputs.population  # noqa: F841
        con.execute("create table raw_levels as select * from levels")
        con.execute("create table raw_indicators as select * from indicators")
        con.execute(
            "create table raw_districts as select district_id, name, level, parent_id, "
            "st_geomfromwkb(wkb) as geometry from districts"
        )
        con.execute(
            "create table raw_counts as select district_id, year, indicator_id, numerator, denominator, "
            "numerator_flag, denominator_flag, source_id, source_file, source_row from counts"
        )
        con.execute("create table raw_population as select district_id, year, age_band, population from population")
        if inputs.offers is not None and len(inputs.offers):
            offers = pd.DataFrame(  # noqa: F841
                {
                    "offer_id": inputs.offers["offer_id"].astype(str).to_numpy(),
                    "name": inputs.offers["name"].astype(str).to_numpy(),
                    "category": inputs.offers["category"].astype(str).to_numpy(),
                    "age_band": inputs.offers["age_band"].astype(str).to_numpy(),
                    "wkb": shapely.to_wkb(inputs.offers.geometry.to_numpy()),
                }
            )
            con.execute(
                "create table raw_offers as select offer_id, name, category, age_band, "
                "st_geomfromwkb(wkb) as geometry from offers"
            )
        files = pd.DataFrame(  # noqa: F841
            [(str(f.path), int(f.size), f.sha256) for f in inputs.files], columns=["path", "size", "sha256"]
        )
        con.execute("create table input_files as select * from files")
        row_counts = run_models(con)
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, path)
    return WarehouseSummary(path=path, row_counts=row_counts)
