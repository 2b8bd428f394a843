"""Read the published figures of a candidate mart: the only inputs of every analysis (with the configured
indicator catalogue as a table to join them with)."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

from pipelines.lib.config import Config
from pipelines.lib.vocabulary import PUBLISHED as PUBLISHED  # re-exported for the analyses


def published_values(con, indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """Indicator values with each district's place in the hierarchy (hidden cells have no numbers); of the
    given ``indicators`` only, where given (a national table has millions of values: each analysis reads
    what it uses)."""
    where = ""
    if indicators is not None:
        where = "where v.indicator_id in (select unnest(?::varchar[]))"
    return con.execute(
        f"""
        select v.district_id, v.year, v.indicator_id, v.numerator, v.denominator, v.rate, v.ci_low,
               v.ci_high, v.status, d.parent_id, d.level, d.level_rank, d.population
        from indicator_values v join districts d using (district_id)
        {where}
        order by v.indicator_id, v.year, d.level_rank, v.district_id
        """,
        [list(indicators)] if indicators is not None else [],
    ).df()


def value_districts(con) -> pd.DataFrame:
    """Each district with any indicator value, with its level: what ``published_values`` would list."""
    return con.execute(
        "select distinct v.district_id, d.level, d.level_rank from indicator_values v "
        "join districts d using (district_id) order by d.level_rank, v.district_id"
    ).df()


BATCH_ROWS = 1_000_000


def indicator_batches(con, rows: int = BATCH_ROWS) -> list[list[str]]:
    """The indicators with values, in key order, grouped so that each group has about ``rows`` values at most
    (one indicator alone may have more): analyses that treat indicators apart read one group at a time, a
    city in one go, a national table in bounded memory."""
    batches: list[list[str]] = []
    size = 0
    for indicator, n in con.execute("select indicator_id, count(*) from indicator_values group by 1 order by 1"
                                    ).fetchall():
        if not batches or size + n > rows:
            batches.append([])
            size = 0
        batches[-1].append(indicator)
        size += n
    return batches


def indicator_catalogue(config: Config) -> pa.Table:
    """Direction, unit and multiplier of each configured indicator: a table to join in SQL (register it)."""
    indicators = {i.id: i for i in config.indicators}.values()
    return pa.table({
        "indicator_id": pa.array([i.id for i in indicators], pa.string()),
        "direction": pa.array([i.direction for i in indicators], pa.string()),
        "unit": pa.array([i.unit for i in indicators], pa.string()),
        "multiplier": pa.array([i.multiplier for i in indicators], pa.float64()),
    })


def published_districts(con, crs: str | None = None) -> gpd.GeoDataFrame:
    """The published districts with their geometry."""
    frame = con.execute(
        "select district_id, name, level, level_rank, parent_id, population, area_km2, "
        "st_aswkb(geometry) as wkb from districts order by level_rank, district_id"
    ).df()
    geometry = shapely.from_wkb(frame.pop("wkb").map(bytes).to_numpy())
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


def table_exists(con, name: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where table_name = ?", [name]).fetchone()[0])


def levels_of(districts: pd.DataFrame) -> list[str]:
    """Level ids from the city down."""
    return list(districts.drop_duplicates("level").sort_values("level_rank")["level"])
