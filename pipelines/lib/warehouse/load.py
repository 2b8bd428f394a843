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

# DuckDB's working memory for the SQL models; beyond it, it spills to a file beside the warehouse.
# At national scale (ten million cells) this keeps the aggregation near 2 GB at a small cost in time.
MODELS_MEMORY = "2GB"


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


def _relations_frame(config: Config) -> pd.DataFrame:
    rows = [(n, r.kind, member, pos) for n, r in enumerate(config.relations)
            for pos, member in enumerate(r.members)]
    frame = pd.DataFrame(rows, columns=["relation_id", "kind", "indicator_id", "position"])
    return frame.astype({"relation_id": "int64", "kind": "str", "indicator_id": "str", "position": "int64"})


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


def _offers_frame(offers) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "offer_id": offers["offer_id"].astype(str).to_numpy(),
            "name": offers["name"].astype(str).to_numpy(),
            "category": offers["category"].astype(str).to_numpy(),
            "age_band": offers["age_band"].astype(str).to_numpy(),
            "wkb": shapely.to_wkb(offers.geometry.to_numpy()),
        }
    )


def _counts_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """The ingested counts; ``derived`` (numerator computed from a share or carried over by a crosswalk, not
    counted) is false where the rows do not say."""
    if "derived" not in counts.columns:
        return counts.assign(derived=False)
    return counts.assign(derived=counts["derived"].fillna(False).astype(bool))


def next_path(path: Path) -> Path:
    """Where the next warehouse is built before it replaces ``path``."""
    return path.with_name(path.name.replace(".duckdb", ".next.duckdb"))


def load_raw(inputs, config: Config, path: Path) -> dict[str, int]:
    """Write the raw tables of ``inputs`` (see ``pipelines.lib.ingest.Inputs``) into a new warehouse
    beside ``path``; :func:`build_models` turns it into the current warehouse."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = next_path(path)
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = connect(tmp)
    try:
        frames = {
            "levels": _levels_frame(config),
            "indicators": _indicators_frame(config),
            "relations": _relations_frame(config),
            "districts": _districts_frame(inputs.districts),
            "counts": _counts_frame(inputs.counts),
            "population": inputs.population,
            "files": pd.DataFrame(
                [(str(f.path), int(f.size), f.sha256) for f in inputs.files], columns=["path", "size", "sha256"]
            ),
        }
        if inputs.offers is not None and len(inputs.offers):
            frames["offers"] = _offers_frame(inputs.offers)
        for name, frame in frames.items():
            con.register(f"_{name}", frame)
        con.execute("create table raw_levels as select * from _levels")
        con.execute("create table raw_indicators as select * from _indicators")
        con.execute("create table raw_relations as select * from _relations")
        con.execute(
            "create table raw_districts as select district_id, name, level, parent_id, "
            "st_geomfromwkb(wkb) as geometry from _districts"
        )
        con.execute(
            "create table raw_counts as select district_id, year, indicator_id, numerator, denominator, "
            "numerator_flag, denominator_flag, source_id, source_file, source_row, derived from _counts"
        )
        con.execute("create table raw_population as select district_id, year, age_band, population from _population")
        if "offers" in frames:
            con.execute(
                "create table raw_offers as select offer_id, name, category, age_band, "
                "st_geomfromwkb(wkb) as geometry from _offers"
            )
        con.execute("create table input_files as select * from _files")
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def build_models(path: Path) -> WarehouseSummary:
    """Run the SQL models on the newly loaded warehouse and make it the current one."""
    tmp = next_path(path)
    if not tmp.exists():
        raise FileNotFoundError(f"no loaded inputs at {tmp}: run the ingest stage first")
    con = connect(tmp)
    try:
        con.execute(f"set memory_limit = '{MODELS_MEMORY}'")
        row_counts = run_models(con)
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, path)
    return WarehouseSummary(path=path, row_counts=row_counts)
