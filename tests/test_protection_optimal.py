"""The optimal secondary suppression: the least cost of all valid patterns, audited, with the greedy fallback."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from random_trees import random_cells

from pipelines.lib.audit import audit
from pipelines.lib.config import Indicator, Protection
from pipelines.lib.protection import protect
from pipelines.lib.protection.forest import build_forest
from pipelines.lib.protection.optimal import STATUS_GREEDY, suppress_optimal
from pipelines.lib.protection.primary import classify
from pipelines.lib.protection.protect import counts_pattern, secondary_cost
from pipelines.lib.protection.secondary import evaluate, suppress

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
IND = {
    "a": Indicator(
        id="a",
        label="A",
        domain="Bildung",
        life_phase="3-6",
        direction="none",
        unit="share",
        denominator_public=True,
        data_owner="owner",
    )
}


@st.composite
def tables(draw, max_leaves: int = 40):
    """One or two years of a random city, two to four levels deep, with small counts."""
    depth = draw(st.integers(2, 4))
    prot = Protection(
        k=3,
        min_denominator=draw(st.sampled_from([5, 20])),
        publish_zeros=draw(st.booleans()),
        protection_interval=draw(st.sampled_from([1, 2, 3])),
        owner_k={"owner": draw(st.sampled_from([3, 5]))},
    )
    cells = random_cells(draw, depth, max_count=14, max_leaves=max_leaves)
    return cells, prot


def _counts(cells: pd.DataFrame, prot: Protection):
    frame = cells.reset_index(drop=True)
    forest = build_forest(frame)
    prim = classify(frame, IND, prot, forest)
    return frame, forest, counts_pattern(forest, prim, np.zeros(len(frame), dtype=bool))


def _brute_force(forest, pattern, cost) -> float:
    """The least cost of all valid patterns, by trying every set of complements."""
    cand = np.flatnonzero(pattern.hideable & ~pattern.primary)
    best = np.inf
    for size in range(len(cand) + 1):
        for chosen in itertools.combinations(cand, size):
            c = float(cost[list(chosen)].sum())
            if c >= best:
                continue
            hidden = pattern.primary.copy()
            hidden[list(chosen)] = True
            if not evaluate(forest, pattern, hidden)[1].any():
                best = c
    return best


@settings(SETTINGS, max_examples=60)
@given(tables(max_leaves=7), st.sampled_from(["cells", "values", "population"]))
def test_the_cost_equals_the_brute_force_optimum(table, kind):
    cells, prot = table
    frame, forest, pattern = _counts(cells, prot)
    greedy, unresolved = suppress(forest, pattern)
    assume(not unresolved.any())
    assume((pattern.hideable & ~pattern.primary).sum() <= 12)
    cost = secondary_cost(kind, pattern.x, frame)
    result = suppress_optimal(forest, pattern, budget=30.0, cost=cost)
    assert not (result.status == STATUS_GREEDY).any(), result.reason
    hidden = pattern.primary | result.secondary
    assert not evaluate(forest, pattern, hidden)[1].any()
    assert float(cost[result.secondary].sum()) == pytest.approx(_brute_force(forest, pattern, cost), abs=1e-9)
    assert float(cost[result.secondary].sum()) <= float(cost[greedy].sum()) + 1e-9


@SETTINGS
@given(tables(), st.sampled_from(["cells", "cells", "values", "population"]))
def test_optimal_patterns_pass_the_audit_and_hide_no_more_than_greedy(table, kind):
    cells, prot = table
    greedy = protect(cells, IND, prot)
    assume(greedy.counts["unresolved"] == 0)
    result = protect(cells, IND, dataclasses.replace(prot, secondary="optimal", cost=kind))
    assert result.counts["unresolved"] == 0
    checked = audit(result.published, result.log, prot, true_values=cells, indicators=IND)
    assert checked.passed, (checked.at_risk, checked.violations)
    assert checked.cells["true_in_bounds"].all()
    assert result.fallback_units.empty, result.fallback_units
    if kind == "cells":
        assert result.counts.get("secondary", 0) <= greedy.counts.get("secondary", 0)
    # the same primaries: only complements differ
    prim = result.log[result.log["rule"] != "secondary"].reset_index(drop=True)
    pd.testing.assert_frame_equal(prim, greedy.log[greedy.log["rule"] != "secondary"].reset_index(drop=True))


# district, parent, level, count, denominator, population: with k = 5 the greedy pattern hides two
# complements where one is enough (found by a search over random tables)
SMALL_CITY = [
    ("d1", "d0", 2, 6, 21, 900),
    ("d2", "d0", 2, 7, 34, 400),
    ("d0", "city", 1, 13, 55, 1300),
    ("d4", "d3", 2, 13, 51, 100),
    ("d5", "d3", 2, 12, 44, 100),
    ("d3", "city", 1, 25, 95, 200),
    ("d7", "d6", 2, 7, 43, 100),
    ("d8", "d6", 2, 9, 39, 400),
    ("d9", "d6", 2, 0, 16, 100),
    ("d10", "d6", 2, 10, 14, 400),
    ("d6", "city", 1, 26, 112, 1000),
    ("d12", "d11", 2, 8, 26, 900),
    ("d13", "d11", 2, 6, 20, 400),
    ("d14", "d11", 2, 1, 15, 900),
    ("d15", "d11", 2, 0, 7, 900),
    ("d11", "city", 1, 15, 68, 3100),
    ("city", None, 0, 79, 330, 5600),
]
SMALL_PROT = Protection(
    k=3, min_denominator=20, publish_zeros=True, protection_interval=2, owner_k={"owner": 5}
)


def _small_city() -> pd.DataFrame:
    cells = pd.DataFrame(
        SMALL_CITY,
        columns=["district_id", "parent_id", "level_rank", "numerator", "denominator", "population"],
    )
    cells.insert(0, "year", 2020)
    cells.insert(0, "indicator_id", "a")
    cells["is_upstream_hidden"] = False
    return cells.astype({"numerator": "Int64", "denominator": "Int64", "population": "Int64"})


def test_a_zero_budget_keeps_the_greedy_pattern_and_says_so():
    cells = _small_city()
    greedy = protect(cells, IND, SMALL_PROT)
    assert greedy.counts.get("secondary", 0) > 0
    result = protect(cells, IND, dataclasses.replace(SMALL_PROT, secondary="optimal", time_budget=0.0))
    units = result.units
    assert (
        len(units) == 1
        and units.loc[0, "method"] == STATUS_GREEDY
        and units.loc[0, "reason"] == "time budget"
    )
    assert len(result.fallback_units) == 1
    pd.testing.assert_frame_equal(result.log, greedy.log)
    assert audit(result.published, result.log, SMALL_PROT, true_values=cells, indicators=IND).passed


def test_the_optimal_pattern_hides_fewer_cells_where_greedy_is_wasteful():
    cells = _small_city()
    greedy = protect(cells, IND, SMALL_PROT)
    result = protect(cells, IND, dataclasses.replace(SMALL_PROT, secondary="optimal"))
    checked = audit(result.published, result.log, SMALL_PROT, true_values=cells, indicators=IND)
    assert checked.passed, (checked.at_risk, checked.violations)
    assert result.counts["unresolved"] == 0
    assert 0 < result.counts.get("secondary", 0) < greedy.counts.get("secondary", 0)
    assert result.units["method"].eq("optimal").all()
    assert (result.units["cost"] < result.units["greedy_cost"]).all()
    # and the complement it saves was needed by no requirement: publishing any complement breaks one
    _frame, forest, pattern = _counts(cells, SMALL_PROT)
    hidden = pattern.primary | suppress_optimal(forest, pattern).secondary
    for v in np.flatnonzero(hidden & ~pattern.primary):
        fewer = hidden.copy()
        fewer[v] = False
        assert evaluate(forest, pattern, fewer)[1].any()


def test_the_protection_report_names_the_units_that_fell_back(tmp_path):
    from pipelines.lib.release.protection_report import UNITS_FILE, _units_lines

    cells = _small_city()
    result = protect(cells, IND, dataclasses.replace(SMALL_PROT, secondary="optimal", time_budget=0.0))
    result.units.to_parquet(tmp_path / UNITS_FILE, index=False)
    lines = _units_lines(tmp_path / "schutzbericht.md")
    assert any("zurückgefallen: 1" in line for line in lines)
    assert any(line.strip() == "- zurückgefallen: a 2020 (time budget)" for line in lines)
    assert _units_lines(tmp_path / "elsewhere" / "schutzbericht.md") == [
        "- Verfahren der Sekundärsperrung: schrittweise (greedy)"
    ]


def test_the_configuration_chooses_the_method_and_refuses_unknown_ones():
    from analysis_fixtures import demo_config

    from pipelines.lib.findings import ConfigError

    assert demo_config().protection.secondary == "greedy"
    chosen = demo_config(
        protection={"secondary": "optimal", "cost": "population", "time_budget": 2.5}
    ).protection
    assert (chosen.secondary, chosen.cost, chosen.time_budget) == ("optimal", "population", 2.5)
    for bad in ({"secondary": "best"}, {"cost": "area"}, {"time_budget": -1}):
        with pytest.raises(ConfigError):
            demo_config(protection=bad)
