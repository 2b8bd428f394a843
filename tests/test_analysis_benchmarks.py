"""Benchmarks against the city and the parent, and the two-year change, on hand-computed tables."""

from __future__ import annotations

import pandas as pd
import pytest
from analysis_fixtures import demo_config, values_frame

from pipelines.lib.analysis.benchmarks import BenchmarkSettings, benchmark
from pipelines.lib.analysis.rates import compute_rates


def rated(rows):
    frame = values_frame(rows)
    config = demo_config()
    return compute_rates(frame, config).assign(**{c: frame[c] for c in ("parent_id", "level", "level_rank")}), config


def row(table, district, indicator, year=2024):
    return table.set_index(["district_id", "indicator_id", "year"]).loc[(district, indicator, year)]


def test_district_interval_against_city_and_parent_direction_aware():
    rows = []
    for ind in ("kinderarmut", "kita_u3"):  # higher_is_worse, lower_is_worse
        rows += [
            ("C", None, 0, ind, 2024, 200, 1000, None, None, None),  # city 20 %
            ("B", "C", 1, ind, 2024, 10, 100, None, None, None),  # parent 10 %
            ("A", "B", 2, ind, 2024, 5, 50, None, None, None),  # 10 %: Wilson 4.35–21.36 %
            ("D", "B", 2, ind, 2024, 40, 50, None, None, None),  # 80 %: Wilson 66.9–88.8 %
            ("E", "B", 2, ind, 2024, None, 50, None, None, None),  # hidden
        ]
    table, config = rated(rows)
    out = benchmark(table, config, BenchmarkSettings())
    a = row(out, "A", "kinderarmut")
    assert (round(a["ci_low"], 2), round(a["ci_high"], 2)) == (4.35, 21.36)  # Wilson 5/50: 0.0435–0.2136
    assert a["vs_city"] == "ähnlich" and a["vs_parent"] == "ähnlich"
    d = row(out, "D", "kinderarmut")
    assert d["vs_city"] == "schlechter" and d["vs_parent"] == "schlechter"
    assert row(out, "D", "kita_u3")["vs_city"] == "besser"
    assert row(out, "B", "kinderarmut")["vs_city"] == "besser"  # 10/100: 5.5–17.4 % < 20 %
    assert row(out, "B", "kita_u3")["vs_city"] == "schlechter"
    assert pd.isna(row(out, "C", "kinderarmut")["vs_city"])
    assert "E" not in set(out["district_id"])  # hidden: no row, no comparison


def test_indicator_without_direction_is_higher_or_lower():
    config = demo_config()
    rows = [("C", None, 0, "kinderarmut", 2024, 200, 1000, None, None, None),
            ("D", "C", 1, "kinderarmut", 2024, 40, 50, None, None, None)]
    table, _ = rated(rows)
    object.__setattr__(config.indicator("kinderarmut"), "direction", "none")
    out = benchmark(table, config, BenchmarkSettings())
    assert row(out, "D", "kinderarmut")["vs_city"] == "höher"


def test_change_over_two_years_with_newcombe_interval():
    rows = [
        ("C", None, 0, "kinderarmut", 2022, 48, 80, None, None, None),
        ("C", None, 0, "kinderarmut", 2024, 56, 70, None, None, None),
        ("A", "C", 1, "kinderarmut", 2022, 30, 100, None, None, None),
        ("A", "C", 1, "kinderarmut", 2024, 31, 100, None, None, None),
        ("B", "C", 1, "kinderarmut", 2022, None, 100, None, None, None),
        ("B", "C", 1, "kinderarmut", 2024, 25, 100, None, None, None),
        ("C", None, 0, "kita_u3", 2022, 48, 80, None, None, None),
        ("C", None, 0, "kita_u3", 2024, 56, 70, None, None, None),
    ]
    table, config = rated(rows)
    out = benchmark(table, config, BenchmarkSettings())
    c = row(out, "C", "kinderarmut")
    # 56/70 − 48/80 = 20 pp, Newcombe method 10: 5.24 to 33.39 pp
    assert c["change"] == pytest.approx(20.0) and c["base_year"] == 2022 and c["base_rate"] == 60.0
    assert round(c["change_ci_low"], 2) == 5.24 and round(c["change_ci_high"], 2) == 33.39
    assert c["change_label"] == "verschlechtert"
    assert row(out, "C", "kita_u3")["change_label"] == "verbessert"
    assert row(out, "A", "kinderarmut")["change_label"] == "keine klare Veränderung"
    b = row(out, "B", "kinderarmut")  # the earlier value is hidden: no change
    assert pd.isna(b["change"]) and pd.isna(b["change_label"]) and pd.isna(b["base_year"])
    assert pd.isna(row(out, "C", "kinderarmut", 2022)["change"])
