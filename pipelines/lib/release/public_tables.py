"""Public inputs passed into the candidate mart by the protection stage: offers and population.

* ``offers`` are public (locations of services) and published as they are.
* ``population`` by age band is published for the smallest districts only, and for a district-year
  only when the district has at least ``min_population`` inhabitants and no age band holds 1 to k−1
  persons — all bands or none. No band is published for a larger district, so no band of an
  unpublished district can be found as a difference (parent minus published children).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.lib.config import Protection
from pipelines.lib.duck import connect
from pipelines.lib.warehouse.models import read_sql

POPULATION_COLUMNS = ["district_id", "year", "age_band", "population"]


def read_public_inputs(warehouse: Path) -> tuple[pd.DataFrame, pd.DataFrame | None, set[str]]:
    """Population by age band, offers (or None) and the ids of the smallest districts."""
    with connect(warehouse, read_only=True) as con:
        population = con.execute(f"select {', '.join(POPULATION_COLUMNS)} from stg_population").df()
        has_offers = con.execute(
            "select count(*) from duckdb_tables() where table_name = 'raw_offers'"
        ).fetchone()[0]
        offers = (
            con.execute(
                "select offer_id, name, category, age_band, st_aswkb(geometry) as wkb from raw_offers"
            ).df()
            if has_offers
            else None
        )
        leaves = {
            r[0]
            for r in con.execute(
                "select district_id from stg_districts where district_id not in "
                "(select parent_id from stg_districts where parent_id is not null)"
            ).fetchall()
        }
    return population, offers, leaves


def publishable_population(population: pd.DataFrame, leaves: set[str], protection: Protection) -> pd.DataFrame:
    """The age bands that may be published (see the module docstring)."""
    pop = population[population["district_id"].isin(leaves)].copy()
    if pop.empty:
        return pd.DataFrame(columns=POPULATION_COLUMNS)
    k = protection.k
    n = pop["population"].astype("Int64")
    small_band = (n >= 1) & (n <= k - 1)
    pop["_small"] = small_band.fillna(True).astype(bool) | n.isna().to_numpy()
    grouped = pop.groupby(["district_id", "year"])
    ok = (grouped["population"].transform("sum") >= protection.min_population) & ~grouped["_small"].transform("any")
    out = pop.loc[ok, POPULATION_COLUMNS]
    return out.sort_values(["district_id", "year", "age_band"]).reset_index(drop=True)


def write_public_tables(mart: Path, run_id: str, population: pd.DataFrame, offers: pd.DataFrame | None) -> dict:
    """Create ``offers`` and ``population`` in the candidate mart (``offers``: offer_id, name, category,
    age_band, wkb)."""
    con = connect(mart)
    try:
        con.execute(read_sql("release/public_tables.sql"))
        con.register("pop", population[POPULATION_COLUMNS])
        con.execute("insert into population select district_id, year, age_band, population, ? from pop", [run_id])
        if offers is not None and len(offers):
            con.register("off", offers.sort_values("offer_id"))
            con.execute(
                "insert into offers select offer_id, name, category, age_band, st_geomfromwkb(wkb), ? from off",
                [run_id],
            )
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("offers", "population")}
        con.execute("checkpoint")
    finally:
        con.close()
    return counts
