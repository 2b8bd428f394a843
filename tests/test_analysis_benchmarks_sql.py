"""Benchmarks in DuckDB: the joins to the city, the parent and the base year by hand, and the whole table
against the earlier pandas implementation (kept below as the reference) on random published values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import demo_config

from pipelines.lib.analysis.benchmarks import (
    COLUMNS,
    FLOATS,
    BenchmarkSettings,
    benchmark,
    benchmark_batch,
    load_values,
)
from pipelines.lib.analysis.intervals import mover_difference, poisson_interval, wilson
from pipelines.lib.analysis.rates import compute_rates
from pipelines.lib.duck import connect

PUBLISHED = "veröffentlicht"
LEVELS = {0: "stadt", 1: "bezirk", 2: "planungsraum"}


def frame(rows) -> pd.DataFrame:
    """``(district_id, parent_id, level_rank, indicator_id, year, x, n, rate, status)``; ``rate`` None: computed
    from ``x`` and ``n``; a rate given with ``n`` None is a private denominator (the protection's rate)."""
    out = pd.DataFrame(rows, columns=["district_id", "parent_id", "level_rank", "indicator_id", "year",
                                      "numerator", "denominator", "given_rate", "status"])
    out["level"] = out["level_rank"].map(LEVELS)
    for col in ("numerator", "denominator"):
        out[col] = pd.array(out[col], dtype="Int64")
    out = compute_rates(out, demo_config())
    given = pd.array(out.pop("given_rate"), dtype="Float64")
    out["rate"] = out["rate"].where(given.isna(), given)
    return out


def by_key(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index(["indicator_id", "year", "district_id"])


def test_joins_to_city_parent_and_base_year_by_hand():
    p, h = PUBLISHED, "geheimgehalten"
    rows = []
    for ind, scale in (("kinderarmut", 1), ("kita_u3", 2)):  # the same keys, other numbers: joins stay apart
        for year in (2021, 2022, 2023, 2024):
            rows += [
                ("C", None, 0, ind, year, 200 * scale, 1000, None, p),
                ("B1", "C", 1, ind, year, 10 * scale, 100, None, p),
                ("B2", "C", 1, ind, year, None, None, None, h) if year == 2024 else
                ("B2", "C", 1, ind, year, 30 * scale, 100, None, p),
                ("A1", "B1", 2, ind, year, 5 * scale + year - 2021, 50, None, p),
                ("A2", "B2", 2, ind, year, 4 * scale, 40, None, p),
            ]
    # 2022 of A2 in kinderarmut: the denominator is private, the protection's rate stays: no base for 2024
    rows = [(*r[:5], r[5], None, 9.5, p) if r[:5] == ("A2", "B2", 2, "kinderarmut", 2022) else r for r in rows]
    values = frame(rows)
    out = by_key(benchmark(values, demo_config(), BenchmarkSettings()))
    assert list(out.reset_index()[["indicator_id", "year", "district_id"]].itertuples(index=False)) == sorted(
        (i, y, d) for i, y, d in out.index)  # by indicator, year, district
    assert len(out) == 2 * 4 * 5 - 2  # B2 hidden in 2024, twice

    a1 = out.loc[("kinderarmut", 2024, "A1")]
    assert a1["rate"] == 16.0 and a1["city_rate"] == 20.0 and a1["parent_rate"] == 10.0  # 8/50, 200/1000, 10/100
    assert (a1["base_year"], a1["base_rate"]) == (2022, 12.0)  # 6/50 two years before
    assert a1["change"] == 4.0
    assert out.loc[("kita_u3", 2024, "A1"), "parent_rate"] == 20.0  # the parent's rate of the same indicator
    assert out.loc[("kinderarmut", 2023, "A1"), "parent_rate"] == 10.0
    assert out.loc[("kinderarmut", 2023, "A1"), "base_rate"] == 10.0  # 5/50 in 2021

    a2 = out.loc[("kinderarmut", 2024, "A2")]  # its parent is hidden in 2024: no parent comparison
    assert pd.isna(a2["parent_rate"]) and pd.isna(a2["vs_parent"]) and a2["vs_city"] == "ähnlich"
    assert pd.isna(a2["base_year"]) and pd.isna(a2["base_rate"]) and pd.isna(a2["change"])  # private n in 2022
    assert pd.isna(a2["change_label"])
    assert out.loc[("kinderarmut", 2022, "A2"), "rate"] == 9.5 and pd.isna(out.loc[("kinderarmut", 2022, "A2"),
                                                                                   "ci_low"])
    assert pd.isna(out.loc[("kinderarmut", 2022, "A2"), "vs_city"])  # no interval: no comparison
    assert out.loc[("kinderarmut", 2023, "A2"), "parent_rate"] == 30.0
    assert out.loc[("kita_u3", 2024, "A2"), "base_year"] == 2022

    c = out.loc[("kinderarmut", 2024, "C")]
    assert c["city_rate"] == 20.0 and pd.isna(c["vs_city"]) and pd.isna(c["parent_rate"]) and pd.isna(c["vs_parent"])
    for year in (2021, 2022):  # no published value two years before
        assert out.loc[("kinderarmut", year, "C"), ["base_year", "base_rate", "change", "change_label"]].isna().all()

    one = by_key(benchmark(values, demo_config(), BenchmarkSettings(years_back=1)))
    assert (one.loc[("kinderarmut", 2024, "A1"), "base_year"], one.loc[("kinderarmut", 2024, "A1"), "base_rate"]) \
        == (2023, 14.0)
    assert pd.isna(one.loc[("kinderarmut", 2023, "A2"), "base_year"])  # 2022 has a private denominator
    assert one.loc[("kinderarmut", 2024, "A2"), "base_year"] == 2023


# --- the reference: the pandas implementation these tables were computed with before they moved to DuckDB ---

def _compare(lo, hi, reference, direction):
    lo, hi, reference = (np.asarray(a, dtype=float) for a in (lo, hi, reference))
    higher, lower = lo > reference, hi < reference
    wih, wil = direction == "higher_is_worse", direction == "lower_is_worse"
    label = np.where(higher, "höher", np.where(lower, "niedriger", "ähnlich")).astype(object)
    label = np.where(wih & higher, "schlechter", label)
    label = np.where(wih & lower, "besser", label)
    label = np.where(wil & higher, "besser", label)
    label = np.where(wil & lower, "schlechter", label)
    return np.where(np.isnan(lo) | np.isnan(hi) | np.isnan(reference), None, label)


def _change_label(lo, hi, direction):
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    up, down = lo > 0, hi < 0
    label = np.where(up, "gestiegen", np.where(down, "gesunken", "keine klare Veränderung")).astype(object)
    label = np.where((direction == "higher_is_worse") & up, "verschlechtert", label)
    label = np.where((direction == "higher_is_worse") & down, "verbessert", label)
    label = np.where((direction == "lower_is_worse") & up, "verbessert", label)
    label = np.where((direction == "lower_is_worse") & down, "verschlechtert", label)
    return np.where(np.isnan(lo) | np.isnan(hi), None, label)


def _intervals(x, n, units, confidence):
    lo, hi = np.full(len(x), np.nan), np.full(len(x), np.nan)
    share = units == "share"
    lo[share], hi[share] = wilson(x[share], n[share], confidence)
    lo[~share], hi[~share] = poisson_interval(x[~share], n[~share], confidence)
    return lo, hi


def _num(series):
    return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def reference_benchmark(values, config, settings):
    v = values[(values["status"] == PUBLISHED) & values["rate"].notna()].copy()
    direction = v["indicator_id"].map({i.id: i.direction for i in config.indicators}).to_numpy(dtype=object)
    units = v["indicator_id"].map({i.id: i.unit for i in config.indicators}).to_numpy(dtype=object)
    mult = v["indicator_id"].map({i.id: i.multiplier for i in config.indicators}).to_numpy(dtype=float)
    rate_of = v.set_index(["indicator_id", "year", "district_id"])["rate"]
    city = v[v["level_rank"] == 0].set_index(["indicator_id", "year"])["rate"]
    v["city_rate"] = _num(city.reindex(pd.MultiIndex.from_frame(v[["indicator_id", "year"]])).reset_index(drop=True))
    v["parent_rate"] = _num(
        rate_of.reindex(pd.MultiIndex.from_frame(v[["indicator_id", "year", "parent_id"]])).reset_index(drop=True))
    lo, hi = _num(v["ci_low"]), _num(v["ci_high"])
    is_city = (v["level_rank"] == 0).to_numpy()
    v["vs_city"] = np.where(is_city, None, _compare(lo, hi, v["city_rate"].to_numpy(), direction))
    v["vs_parent"] = _compare(lo, hi, v["parent_rate"].to_numpy(), direction)
    base = v[["indicator_id", "year", "district_id", "numerator", "denominator", "rate"]].copy()
    base["year"] = base["year"] + settings.years_back
    base = base.rename(columns={"numerator": "x0", "denominator": "n0", "rate": "base_rate"})
    v = v.merge(base, on=["indicator_id", "year", "district_id"], how="left")
    x1, n1, x0, n0 = (_num(v[c]) for c in ("numerator", "denominator", "x0", "n0"))
    lo1, hi1 = _intervals(x1, n1, units, settings.confidence)
    lo0, hi0 = _intervals(x0, n0, units, settings.confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_lo, d_hi = mover_difference(x1 / n1, lo1, hi1, x0 / n0, lo0, hi0)
        change = x1 / n1 - x0 / n0
    has_base = ~np.isnan(x0) & ~np.isnan(n0) & (np.nan_to_num(n0) > 0)
    v["base_year"] = np.where(has_base, v["year"] - settings.years_back, np.nan)
    v["change"] = np.where(has_base, np.round(change * mult, 4), np.nan)
    v["change_ci_low"] = np.where(has_base, np.round(d_lo * mult, 4), np.nan)
    v["change_ci_high"] = np.where(has_base, np.round(d_hi * mult, 4), np.nan)
    v["change_label"] = _change_label(v["change_ci_low"], v["change_ci_high"], direction)
    v["base_rate"] = v["base_rate"].where(has_base)
    out = v[COLUMNS].copy()
    out["base_year"] = out["base_year"].astype("Int64")
    for col in FLOATS:
        out[col] = out[col].astype("Float64")
    return out.sort_values(["indicator_id", "year", "district_id"]).reset_index(drop=True)


def random_values(seed: int) -> pd.DataFrame:
    """A city, 6 parents, 40 districts; shares and rates per 1,000, all three directions and an indicator
    missing from the catalogue; small and large counts, hidden cells, private denominators, gaps in years."""
    rng = np.random.default_rng(seed)
    parents = [f"B{i}" for i in range(6)]
    districts = [("C", None, 0)] + [(b, "C", 1) for b in parents] + [
        (f"A{i:02d}", parents[int(rng.integers(6))], 2) for i in range(40)]
    rows = []
    for ind in ("kinderarmut", "kita_u3", "hilfen_zur_erziehung", "sprachdefizit", "unbekannt"):
        for year in (2016, 2017, 2018, 2019, 2021, 2022):
            for district, parent, rank in districts:
                n = int(rng.choice([0, 3, 20, 80, 400, 5000, 60000]))
                x = int(rng.integers(0, n + 1)) if n else 0
                roll = rng.random()
                if roll < 0.1:
                    rows.append((district, parent, rank, ind, year, None, None, None, "geheimgehalten"))
                elif roll < 0.15:  # private denominator: the protection's rate, no interval
                    rows.append((district, parent, rank, ind, year, x, None, round(float(rng.random() * 50), 4),
                                 PUBLISHED))
                elif roll < 0.17:
                    continue  # no value at all
                else:
                    rows.append((district, parent, rank, ind, year, x, n, None, PUBLISHED))
    values = frame(rows)
    return values.sample(frac=1, random_state=seed).reset_index(drop=True)  # no order to rely on


@pytest.mark.parametrize(("seed", "settings"), [
    (1, BenchmarkSettings()),
    (2, BenchmarkSettings(years_back=1, confidence=0.9)),
    (3, BenchmarkSettings(years_back=3, confidence=0.99)),
])
def test_same_table_as_the_pandas_reference(seed, settings):
    config = demo_config()
    object.__setattr__(config.indicator("sprachdefizit"), "direction", "none")
    values = random_values(seed)
    out = benchmark(values, config, settings)
    expected = reference_benchmark(values, config, settings)
    assert len(out) > 800 and out["change"].notna().sum() > 200 and out["vs_parent"].nunique() >= 5
    assert set(out["change_label"].dropna()) >= {"verbessert", "verschlechtert", "gestiegen", "gesunken",
                                                 "keine klare Veränderung"}
    for col in COLUMNS:
        got, want = out[col], expected[col]
        if col in FLOATS:  # bit for bit, nulls in the same places
            assert got.isna().tolist() == want.isna().tolist(), col
            assert np.array_equal(got.dropna().to_numpy(float), want.dropna().to_numpy(float)), col
        else:
            assert got.astype(object).where(got.notna(), None).tolist() == \
                want.astype(object).where(want.notna(), None).tolist(), col


def test_mart_batches_read_only_their_indicators():
    config = demo_config()
    values = random_values(4)
    with connect(spatial=False) as con:
        load_values(con, values)
        with benchmark_batch(con, ["kita_u3", "unbekannt"], config, BenchmarkSettings()) as view:
            part = con.execute(f"select * from {view}").df()
        assert not con.execute("select * from duckdb_tables() where temporary").fetchall()  # nothing left
    keys = list(zip(part["district_id"], part["year"], part["indicator_id"], strict=True))
    assert keys == sorted(keys)  # in the order of the primary key
    part = part.sort_values(["indicator_id", "year", "district_id"]).reset_index(drop=True)
    whole = benchmark(values, config, BenchmarkSettings())
    assert set(part["indicator_id"]) == {"kita_u3", "unbekannt"}
    expected = whole[whole["indicator_id"].isin(["kita_u3", "unbekannt"])].reset_index(drop=True)
    assert part.columns.tolist() == COLUMNS
    pd.testing.assert_frame_equal(part.astype(object).where(part.notna(), None),
                                  expected.astype(object).where(expected.notna(), None), check_dtype=False)
