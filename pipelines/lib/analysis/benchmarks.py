"""Benchmarks of published indicator values: against the city and the parent district, and over time.

A district's 95 % interval is compared with the benchmark value (Fingertips): above it → "höher", below
→ "niedriger", overlapping → "ähnlich"; with a direction, "höher" becomes "schlechter" (higher is
worse) or "besser" (lower is worse). The change over the last ``years_back`` years is given in the
indicator's unit (percentage points for shares) with the MOVER interval of the difference — for
shares Newcombe's hybrid score interval (method 10), for rates the same combination of the exact /
Byar intervals; where it includes zero the change is "keine klare Veränderung". Every comparison
needs both of its inputs published, else it is empty; a derived numerator (``is_derived``) has no interval,
so its comparisons and the interval of its change are empty too (the rate and the change stay).

The joins to the city, the parent and the base year and the labels are DuckDB SQL over the mart, a batch
of indicators at a time; the intervals of the change are numpy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from pipelines.lib.analysis.intervals import mover_difference, poisson_interval, wilson
from pipelines.lib.analysis.published import PUBLISHED, indicator_catalogue
from pipelines.lib.config import Config
from pipelines.lib.duck import connect

SIMILAR = "ähnlich"
NO_CLEAR_CHANGE = "keine klare Veränderung"
COLUMNS = [
    "district_id", "year", "indicator_id", "level", "rate", "ci_low", "ci_high",
    "city_rate", "vs_city", "parent_rate", "vs_parent",
    "base_year", "base_rate", "change", "change_ci_low", "change_ci_high", "change_label",
]
FLOATS = ("rate", "ci_low", "ci_high", "city_rate", "parent_rate", "base_rate", "change", "change_ci_low",
          "change_ci_high")


@dataclass(frozen=True)
class BenchmarkSettings:
    """``[benchmarks]``: years_back (change over how many years, default 2), confidence (0.95)."""

    years_back: int = 2
    confidence: float = 0.95

    @classmethod
    def from_config(cls, config: Config) -> BenchmarkSettings:
        raw = config.section("benchmarks")
        return cls(years_back=int(raw.get("years_back", 2)), confidence=float(raw.get("confidence", 0.95)))


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def compare_sql(lo: str, hi: str, reference: str) -> str:
    """SQL: the label of each interval ``[lo, hi]`` against ``reference`` (null where anything is missing),
    by the row's ``direction``: above → "höher" ("schlechter" if higher is worse, "besser" if lower is
    worse), below → "niedriger" ("besser" / "schlechter"), overlapping → "ähnlich"."""
    above, below = f"{lo} > {reference}", f"{hi} < {reference}"
    similar = _sql_text(SIMILAR)
    return (
        f"case when {lo} is null or {hi} is null or {reference} is null then null "
        f"when direction = 'higher_is_worse' then case when {below} then 'besser' when {above} then 'schlechter' "
        f"else {similar} end "
        f"when direction = 'lower_is_worse' then case when {below} then 'schlechter' when {above} then 'besser' "
        f"else {similar} end "
        f"else case when {above} then 'höher' when {below} then 'niedriger' else {similar} end end"
    )


def change_label_sql(lo: str, hi: str) -> str:
    """SQL: "gestiegen"/"gesunken" (or "verbessert"/"verschlechtert" with a direction) where the interval
    ``[lo, hi]`` of a change excludes zero, else no clear change; null where it is missing."""
    up, down = f"{lo} > 0", f"{hi} < 0"
    unclear = _sql_text(NO_CLEAR_CHANGE)
    return (
        f"case when {lo} is null or {hi} is null then null "
        f"when direction = 'higher_is_worse' then case when {down} then 'verbessert' when {up} then 'verschlechtert' "
        f"else {unclear} end "
        f"when direction = 'lower_is_worse' then case when {down} then 'verschlechtert' when {up} then 'verbessert' "
        f"else {unclear} end "
        f"else case when {up} then 'gestiegen' when {down} then 'gesunken' else {unclear} end end"
    )


def _intervals(x, n, share, confidence) -> tuple[np.ndarray, np.ndarray]:
    lo = np.full(len(x), np.nan)
    hi = np.full(len(x), np.nan)
    lo[share], hi[share] = wilson(x[share], n[share], confidence)
    lo[~share], hi[~share] = poisson_interval(x[~share], n[~share], confidence)
    return lo, hi


# The published values with a rate of the given indicators, each with the rates of its city and its parent in
# the same year and its own published counts ``years_back`` years before: three joins of the published
# values with themselves, in the order of the primary key of ``indicator_benchmarks`` (its index takes
# sorted keys about twice as fast as keys in another order).
_INPUTS = """
with v as materialized (
    select v.district_id, v.year, v.indicator_id, v.numerator, v.denominator, v.rate, v.ci_low, v.ci_high,
           v.is_derived, d.parent_id, d.level, d.level_rank
    from indicator_values v join districts d using (district_id)
    where v.indicator_id in (select unnest($indicators::varchar[]))
      and v.status = $published and v.rate is not null
), joined as (
    select v.*, c.rate as city_rate, p.rate as parent_rate, k.direction, k.multiplier,
           coalesce(k.unit = 'share', false) as share,
           b.numerator as x0, b.denominator as n0, b.rate as base_rate, b.is_derived as base_derived,
           coalesce(b.numerator is not null and b.denominator is not null and b.denominator > 0, false) as has_base
    from v
    left join v as c on c.indicator_id = v.indicator_id and c.year = v.year and c.level_rank = 0
    left join v as p on p.indicator_id = v.indicator_id and p.year = v.year and p.district_id = v.parent_id
    left join v as b on b.indicator_id = v.indicator_id and b.year = v.year - $years_back
                    and b.district_id = v.district_id
    left join _catalogue as k on k.indicator_id = v.indicator_id
)
select district_id, year, indicator_id, level, rate, ci_low, ci_high, city_rate, parent_rate,
       level_rank = 0 as is_city, direction, share, multiplier, has_base,
       case when has_base then year - $years_back end as base_year,
       case when has_base then base_rate end as base_rate,
       numerator::double as x1, denominator::double as n1, x0::double as x0, n0::double as n0,
       coalesce(is_derived or base_derived, false) as any_derived
from joined
order by district_id, year, indicator_id
"""

# The rows of ``indicator_benchmarks`` (but ``run_id``): the inputs beside the changes numpy computed
# (a positional join: both in the same order), labelled.
_OUTPUT = f"""
select i.district_id, i.year, i.indicator_id, i.level, i.rate, i.ci_low, i.ci_high,
       i.city_rate, case when i.is_city then null else {compare_sql("i.ci_low", "i.ci_high", "i.city_rate")} end
           as vs_city,
       i.parent_rate, {compare_sql("i.ci_low", "i.ci_high", "i.parent_rate")} as vs_parent,
       i.base_year, i.base_rate, c.change, c.change_ci_low, c.change_ci_high,
       {change_label_sql("c.change_ci_low", "c.change_ci_high")} as change_label
from _benchmark_inputs as i positional join _benchmark_changes as c
"""
VIEW = "benchmark_batch"


def _changes(inputs: pa.Table, confidence: float) -> pa.Table:
    """The change and its interval in the indicator's unit, where the base year is published (elsewhere
    null: no need for its intervals), from the counts of both years; no interval where a numerator of either
    year is derived (the intervals are those of counted cases)."""
    has_base = inputs.column("has_base").to_numpy()
    derived = inputs.column("any_derived").to_numpy(zero_copy_only=False)[has_base]
    x1, n1, x0, n0, mult = (inputs.column(c).to_numpy()[has_base] for c in ("x1", "n1", "x0", "n0", "multiplier"))
    share = inputs.column("share").to_numpy()[has_base]
    lo1, hi1 = _intervals(x1, n1, share, confidence)
    lo0, hi0 = _intervals(x0, n0, share, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_lo, d_hi = mover_difference(x1 / n1, lo1, hi1, x0 / n0, lo0, hi0)
        change = x1 / n1 - x0 / n0
    d_lo, d_hi = np.where(derived, np.nan, d_lo), np.where(derived, np.nan, d_hi)
    columns = {}
    for name, values in (("change", change), ("change_ci_low", d_lo), ("change_ci_high", d_hi)):
        column = np.full(len(has_base), np.nan)
        column[has_base] = np.round(values * mult, 4)
        columns[name] = pa.array(column, from_pandas=True)  # NaN → null
    return pa.table(columns)


@contextmanager
def benchmark_batch(con, indicators: Sequence[str], config: Config, settings: BenchmarkSettings) -> Iterator[str]:
    """The benchmarks of the given ``indicators`` of the mart open as ``con`` (its ``indicator_values`` and
    ``districts``): one row per district × year × indicator with a published rate (see the module docstring),
    with the columns of ``indicator_benchmarks`` but ``run_id``, in the order of its primary key (district,
    year, indicator). Yields the name of a temporary view of them, valid inside the ``with`` block.

    The joins to the city, the parent and the base year run in DuckDB, as do the labels; only the intervals of
    the change are computed in numpy, from the counts of both years.
    """
    con.register("_catalogue", indicator_catalogue(config))
    try:
        con.execute(f"create or replace temp table _benchmark_inputs as {_INPUTS}",
                    {"indicators": list(indicators), "years_back": int(settings.years_back), "published": PUBLISHED})
    finally:
        con.unregister("_catalogue")
    try:
        numbers = con.execute("select has_base, share, multiplier, x1, n1, x0, n0, any_derived "
                              "from _benchmark_inputs").to_arrow_table()
        con.register("_benchmark_changes", _changes(numbers, settings.confidence))
        del numbers
        con.execute(f"create or replace temp view {VIEW} as {_OUTPUT}")
        yield VIEW
    finally:
        con.execute(f"drop view if exists {VIEW}")
        con.unregister("_benchmark_changes")
        con.execute("drop table if exists _benchmark_inputs")


def load_values(con, values: pd.DataFrame) -> None:
    """The mart's ``indicator_values`` and ``districts`` on ``con``, as far as :func:`benchmark_batch` reads
    them, from a frame of published values with each district's parent, level and rank."""
    con.register("_values", values if "is_derived" in values.columns else values.assign(is_derived=False))
    con.execute("create table indicator_values as select district_id, year, indicator_id, numerator, "
                "denominator, rate, ci_low, ci_high, status, is_derived from _values")
    con.execute("create table districts as select distinct district_id, parent_id, level, level_rank "
                "from _values")
    con.unregister("_values")


def benchmark(values: pd.DataFrame, config: Config, settings: BenchmarkSettings) -> pd.DataFrame:
    """:func:`benchmark_batch` of a frame: ``values`` are published indicator values with each district's
    ``parent_id``, ``level`` and ``level_rank``, as :func:`~pipelines.lib.analysis.published.published_values`
    gives them, with the rates the analysis stage computed (small tables: tests, examples); by indicator, year
    and district."""
    with connect(spatial=False) as con:
        load_values(con, values)
        with benchmark_batch(con, sorted(set(values["indicator_id"])), config, settings) as view:
            out = con.execute(f"select * from {view} order by indicator_id, year, district_id").df()
    out["base_year"] = out["base_year"].astype("Int64")
    for col in FLOATS:
        out[col] = out[col].astype("Float64")
    return out
