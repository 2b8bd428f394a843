"""The rates step on a mart: the same rates and intervals as ``compute_rates`` where the denominator is
published, the protection's rate untouched where it is private, over several batches; and the Poisson
interval, which computes the exact and Byar's limits only where each is used, element by element as before."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import demo_config

from pipelines.lib.analysis import stage
from pipelines.lib.analysis.intervals import byar, poisson_exact, poisson_interval
from pipelines.lib.analysis.published import indicator_batches
from pipelines.lib.analysis.rates import compute_rates
from pipelines.lib.duck import connect


def random_values(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for ind in ("kinderarmut", "hilfen_zur_erziehung", "kita_u3", "unbekannt"):  # share, per 1,000, not configured
        for year in (2022, 2023):
            for d in range(60):
                n = int(rng.choice([0, 1, 7, 90, 400, 20000]))
                x = int(rng.integers(0, n + 1)) if n else int(rng.integers(0, 3))
                kind = rng.choice(["published", "hidden", "private", "few"], p=[0.7, 0.1, 0.1, 0.1])
                if kind == "published":
                    rows.append((f"D{d:02d}", year, ind, x, n, None, "veröffentlicht"))
                elif kind == "hidden":
                    rows.append((f"D{d:02d}", year, ind, None, None, None, "geheimgehalten"))
                elif kind == "private":  # the protection's rate, no denominator
                    rows.append((f"D{d:02d}", year, ind, x, None, round(float(rng.random() * 40), 4), "veröffentlicht"))
                else:  # a status other than published with counts (not expected, but not published either)
                    rows.append((f"D{d:02d}", year, ind, x, n, None, "zu wenige Einwohner"))
    frame = pd.DataFrame(rows, columns=["district_id", "year", "indicator_id", "numerator", "denominator", "rate",
                                        "status"])
    for col in ("numerator", "denominator"):
        frame[col] = pd.array(frame[col], dtype="Int64")
    frame["rate"] = pd.array(frame["rate"], dtype="Float64")
    frame["ci_low"] = pd.array([None] * len(frame), dtype="Float64")
    frame["ci_high"] = frame["ci_low"].copy()
    frame["is_derived"] = rng.random(len(frame)) < 0.15  # numerators from a share × denominator: no interval
    return frame


@pytest.mark.parametrize("batch_rows", [100, 1_000_000])
def test_rates_in_the_mart_as_compute_rates(tmp_path, monkeypatch, batch_rows):
    config = demo_config()
    values = random_values(batch_rows)
    mart = tmp_path / "mart.duckdb"
    with connect(mart, spatial=False) as con:
        con.execute("create table indicator_values (district_id varchar, year integer, indicator_id varchar, "
                    "numerator bigint, denominator bigint, rate double, ci_low double, ci_high double, "
                    "status varchar not null, is_derived boolean not null, primary key (district_id, year, indicator_id))")
        con.register("_values", values)
        con.execute("insert into indicator_values by name select * from _values")
    monkeypatch.setattr(stage, "indicator_batches", lambda con: indicator_batches(con, rows=batch_rows))

    result = stage.analyse_rates(mart, config)

    expected = compute_rates(values, config)
    private = values["denominator"].isna()
    for col in ("rate", "ci_low", "ci_high"):  # a private denominator: what the protection published stays
        expected[col] = expected[col].where(~private, values[col])
    with connect(mart, read_only=True, spatial=False) as con:
        got = con.execute("select * from indicator_values").df()
    key = ["indicator_id", "year", "district_id"]
    got = got.sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    assert len(got) == len(expected) and result["values_with_rate"] == int(expected["rate"].notna().sum())
    for col in ("rate", "ci_low", "ci_high"):
        want = expected[col].to_numpy(float, na_value=np.nan)
        assert np.array_equal(got[col].to_numpy(float), want, equal_nan=True), col  # bit for bit
    assert expected.loc[expected["indicator_id"] == "hilfen_zur_erziehung", "ci_low"].notna().sum() > 50
    assert expected.loc[expected["indicator_id"] == "unbekannt", "rate"].notna().sum() > 0  # private ones stay
    derived = got["is_derived"].to_numpy(bool) & got["denominator"].notna().to_numpy()
    assert got.loc[derived, "rate"].notna().sum() > 20  # a derived numerator keeps its rate ...
    assert got.loc[derived, ["ci_low", "ci_high"]].isna().all().all()  # ... but gets no interval
    assert got.loc[~got["is_derived"] & got["denominator"].notna(), "ci_low"].notna().sum() > 100


def test_poisson_interval_is_exact_below_byar_from_and_byar_from_there_on_elementwise():
    x = np.array([0.0, 1.0, 99.0, 100.0, 250.0, np.nan, 5.0, 1e5])
    n = np.array([10.0, 0.0, 2000.0, 2000.0, np.nan, 10.0, 1.0, 1e6])
    lo, hi = poisson_interval(x, n, 0.9)
    e_lo, e_hi = poisson_exact(x, n, 0.9)
    b_lo, b_hi = byar(x, n, 0.9)
    large = x >= 100
    assert np.array_equal(lo, np.where(large, b_lo, e_lo), equal_nan=True)
    assert np.array_equal(hi, np.where(large, b_hi, e_hi), equal_nan=True)
    s_lo, s_hi = poisson_interval(5.0, 10.0)  # scalars and broadcasting as before
    assert s_lo.shape == () and s_lo == poisson_exact(5.0, 10.0)[0] and s_hi == poisson_exact(5.0, 10.0)[1]
    m_lo, _ = poisson_interval([[5.0, 200.0]], 10.0)
    assert m_lo.shape == (1, 2) and m_lo[0, 1] == byar(200.0, 10.0)[0]
