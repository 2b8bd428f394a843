"""Read the published figures of a candidate mart: the only inputs of every analysis."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import shapely

PUBLISHED = "veröffentlicht"


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


def indicator_ids(con) -> list[str]:
    """The indicators with values, in key order."""
    return [r[0] for r in con.execute("select distinct indicator_id from indicator_values order by 1").fetchall()]


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
