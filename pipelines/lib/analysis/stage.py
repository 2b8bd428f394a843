"""The analysis stage: reads and extends the candidate mart, never the private warehouse.

Each ``analyse_*`` function computes one published table from the published figures of the candidate
mart and records the settings it used in ``analysis_parameters``. They run in this order (later ones
read earlier tables): rates → benchmarks, need index → hot spots, offer coverage, allocation.
:func:`analyse_candidate` runs them all.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa

from pipelines.lib.analysis import allocation as alloc
from pipelines.lib.analysis import benchmarks, hotspots, need_index, offers
from pipelines.lib.analysis.published import (
    PUBLISHED,
    indicator_batches,
    indicator_catalogue,
    published_districts,
    published_values,
    table_exists,
    value_districts,
)
from pipelines.lib.analysis.rates import rate_arrays
from pipelines.lib.audit import LinearConstraint
from pipelines.lib.config import Config
from pipelines.lib.duck import connect
from pipelines.lib.warehouse.models import read_sql

ANALYSIS_TABLES = (
    "analysis_parameters", "indicator_benchmarks", "need_index", "need_index_sensitivity", "hotspots",
    "offer_coverage", "allocation", "allocation_terms",
)


def _run_id(con) -> str:
    return con.execute("select run_id from run_info").fetchone()[0]


def _ensure_schema(con) -> None:
    if not table_exists(con, "analysis_parameters"):
        con.execute(read_sql("release/analysis_schema.sql"))


def _replace(con, table: str, frame: pd.DataFrame) -> int:
    """Replace the rows of one analysis table (idempotent when an asset is re-materialised)."""
    con.execute(f"delete from {table}")
    return _append(con, table, frame)


def _append(con, table: str, frame: pd.DataFrame) -> int:
    if len(frame):
        # as Arrow (mostly zero-copy): DuckDB scans it natively, a pandas frame of objects row by row
        data = pa.Table.from_pandas(frame.assign(run_id=_run_id(con)), preserve_index=False)
        con.register("_frame", data)
        con.execute(f"insert into {table} by name select * from _frame")
        con.unregister("_frame")
    return len(frame)


def _parameters(con, table: str, settings) -> None:
    rows = [
        {"analysis": table, "parameter": k, "value": json.dumps(v, ensure_ascii=False, sort_keys=True)}
        for k, v in sorted(dataclasses.asdict(settings).items())
    ]
    con.execute("delete from analysis_parameters where analysis = ?", [table])
    _replace_rows = pd.DataFrame(rows).assign(run_id=_run_id(con))
    con.register("_params", _replace_rows)
    con.execute("insert into analysis_parameters by name select * from _params")
    con.unregister("_params")


def _need(con) -> pd.DataFrame | None:
    return con.execute("select * exclude (run_id) from need_index").df() if table_exists(con, "need_index") else None


# The counts of each value of a batch of indicators whose denominator is published, with the unit of its indicator
# (a private denominator: the protection's rate stays, without an interval, as there is no n to use; a derived
# numerator gets its rate but no interval).
_RATE_INPUTS = """
select v.rowid as row_id, v.numerator::double as x, v.denominator::double as n,
       coalesce(v.status = $published, false) as published, coalesce(k.unit = 'share', false) as share,
       k.multiplier, coalesce(v.is_derived, false) as derived
from indicator_values as v left join _catalogue as k using (indicator_id)
where v.indicator_id in (select unnest($indicators::varchar[])) and v.denominator is not null
"""


def analyse_rates(mart: Path, config: Config) -> dict[str, int]:
    """Rates and confidence intervals of the published values in the candidate mart (where the denominator
    is private, the rate the protection published stays, without an interval)."""
    with connect(mart) as con:
        con.register("_catalogue", indicator_catalogue(config))
        for batch in indicator_batches(con):  # bounded memory at national scale
            counts = con.execute(_RATE_INPUTS, {"published": PUBLISHED, "indicators": batch}).to_arrow_table()
            rate, ci_low, ci_high = rate_arrays(
                *(counts.column(c).to_numpy() for c in ("x", "n", "published", "share", "multiplier", "derived")))
            rated = pa.table({"row_id": counts.column("row_id"), "rate": pa.array(rate, from_pandas=True),
                              "ci_low": pa.array(ci_low, from_pandas=True),
                              "ci_high": pa.array(ci_high, from_pandas=True)})  # NaN → null
            con.register("rated", rated)
            # by row id: nothing changes the table's rows between reading and writing them
            con.execute("update indicator_values set rate = r.rate, ci_low = r.ci_low, ci_high = r.ci_high "
                        "from rated as r where indicator_values.rowid = r.row_id")
            con.unregister("rated")
        con.unregister("_catalogue")
        with_rate = con.execute("select count(*) from indicator_values where rate is not null").fetchone()[0]
        _ensure_schema(con)
        con.execute("checkpoint")
    return {"values_with_rate": with_rate}


def analyse_benchmarks(mart: Path, config: Config) -> dict[str, int]:
    settings = benchmarks.BenchmarkSettings.from_config(config)
    with connect(mart) as con:
        _ensure_schema(con)
        con.execute("delete from indicator_benchmarks")
        run_id = _run_id(con)
        for batch in indicator_batches(con):  # indicators apart: bounded memory
            with benchmarks.benchmark_batch(con, batch, config, settings) as view:
                con.execute(f"insert into indicator_benchmarks by name select *, ? as run_id from {view}", [run_id])
        rows = con.execute("select count(*) from indicator_benchmarks").fetchone()[0]
        _parameters(con, "indicator_benchmarks", settings)
        con.execute("checkpoint")
    return {"indicator_benchmarks": rows}


def analyse_need_index(mart: Path, config: Config) -> dict[str, int]:
    settings = need_index.NeedIndexSettings.from_config(config)
    with connect(mart) as con:
        _ensure_schema(con)
        index, sens = need_index.need_index(published_values(con, settings.indicators), config, settings,
                                            districts=value_districts(con))
        rows = _replace(con, "need_index", index)
        _replace(con, "need_index_sensitivity", sens)
        _parameters(con, "need_index", dataclasses.replace(settings, domain_weights=dict(settings.domain_weights)))
        con.execute("checkpoint")
    return {"need_index": rows, "special_need": int(index["special_need"].sum()) if len(index) else 0}


def analyse_hotspots(mart: Path, config: Config) -> dict[str, int]:
    settings = hotspots.HotspotSettings.from_config(config)
    with connect(mart) as con:
        _ensure_schema(con)
        table = hotspots.hotspots(published_values(con, settings.indicators), published_districts(con, config.crs),
                                  _need(con), config, settings)
        rows = _replace(con, "hotspots", table)
        _parameters(con, "hotspots", settings)
        con.execute("checkpoint")
    return {"hotspots": rows, "significant": int(table["label"].isin(hotspots.QUADRANTS.values()).sum())}


def _offers(con, crs: str) -> gpd.GeoDataFrame | None:
    if not table_exists(con, "offers"):
        return None
    frame = con.execute("select offer_id, name, category, age_band, st_aswkb(geometry) as wkb from offers").df()
    return gpd.GeoDataFrame(frame.drop(columns="wkb"), geometry=gpd.GeoSeries.from_wkb(frame["wkb"].map(bytes)),
                            crs=crs)


def analyse_offers(mart: Path, config: Config) -> dict[str, int]:
    settings = offers.OfferSettings.from_config(config)
    with connect(mart) as con:
        _ensure_schema(con)
        population = (con.execute("select district_id, year, age_band, population from population").df()
                      if table_exists(con, "population") else pd.DataFrame(columns=["district_id", "year", "age_band",
                                                                                     "population"]))
        table = offers.offer_coverage(_offers(con, config.crs), population, published_districts(con, config.crs),
                                      _need(con), settings)
        rows = _replace(con, "offer_coverage", table)
        _parameters(con, "offer_coverage", settings)
        con.execute("checkpoint")
    return {"offer_coverage": rows, "supply_gaps": int(table["supply_gap"].sum()) if len(table) else 0}


def analyse_allocation(mart: Path, config: Config) -> dict[str, int]:
    settings = alloc.AllocationSettings.from_config(config)
    with connect(mart) as con:
        _ensure_schema(con)
        used = sorted({*settings.components, settings.reference_indicator})
        table, terms = alloc.allocate(published_values(con, used), published_districts(con), _need(con), settings)
        rows = _replace(con, "allocation", table)
        _replace(con, "allocation_terms", terms)
        _parameters(con, "allocation", settings)
        con.execute("checkpoint")
    return {"allocation": rows, "allocated": int(table["amount"].sum()) if len(table) else 0}


def analyse_candidate(mart: Path, config: Config) -> dict[str, int]:
    """Every analysis of the candidate mart, in dependency order."""
    result: dict[str, int] = {}
    for step in (analyse_rates, analyse_benchmarks, analyse_need_index, analyse_hotspots, analyse_offers,
                 analyse_allocation):
        result.update(step(mart, config))
    return result


def audit_constraints(mart: Path) -> list[LinearConstraint]:
    """The linear facts the published allocation adds for the release audit."""
    with connect(mart, read_only=True) as con:
        if not table_exists(con, "allocation_terms"):
            return []
        allocation = con.execute("select district_id, amount from allocation").df()
        terms = con.execute("select district_id, indicator_id, year, source_district_id, coefficient "
                            "from allocation_terms").df()
    return alloc.allocation_constraints(allocation, terms)
