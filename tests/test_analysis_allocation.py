"""Allocation: largest-remainder rounding, the formula by hand, hidden inputs, and the audit's constraints."""

from __future__ import annotations

import pandas as pd

from pipelines.lib.analysis.allocation import (
    ESTIMATED,
    AllocationSettings,
    allocate,
    allocation_constraints,
    largest_remainder,
)
from pipelines.lib.audit import audit
from pipelines.lib.config import Protection


def test_largest_remainder_sums_exactly_and_breaks_ties_by_key():
    out = largest_remainder([100 / 3] * 3, ["b", "a", "c"], 100)
    assert out.tolist() == [33, 34, 33] and out.sum() == 100
    assert largest_remainder([2.6, 3.3, 4.1], ["x", "y", "z"], 10).tolist() == [3, 3, 4]
    assert largest_remainder([0.5, 0.5], ["2", "1"], 1).tolist() == [0, 1]


def hierarchy(hidden=()):
    """City S (population 1000) with districts A, B, D; counts of kinderarmut (x) and sprachdefizit (y)."""
    x = {"S": 100, "A": 60, "B": 25, "D": 15}
    y = {"S": 50, "A": 10, "B": 30, "D": 10}
    n = {"S": 1000, "A": 500, "B": 300, "D": 200}
    rows = []
    for ind, counts in (("kinderarmut", x), ("sprachdefizit", y)):
        for d, v in counts.items():
            secret = d in hidden
            rows.append({"indicator_id": ind, "year": 2024, "district_id": d, "parent_id": None if d == "S" else "S",
                         "level_rank": 0 if d == "S" else 1, "level": "stadt" if d == "S" else "bezirk",
                         "numerator": None if secret else v, "denominator": n[d],
                         "status": "geheimgehalten" if secret else "veröffentlicht", "population": 1000})
    values = pd.DataFrame(rows).astype({"numerator": "Int64", "denominator": "Int64"})
    districts = pd.DataFrame({"district_id": ["S", "A", "B", "D"], "parent_id": [None, "S", "S", "S"],
                              "level": ["stadt", "bezirk", "bezirk", "bezirk"], "level_rank": [0, 1, 1, 1],
                              "population": [10000, 5000, 3000, 2000]})
    return values, districts


SETTINGS = AllocationSettings(budget=10_001, level="bezirk")


def test_formula_amounts_by_hand():
    values, districts = hierarchy()
    table, terms = allocate(values, districts, None, SETTINGS)
    t = table.set_index("district_id")
    # A: 10001 (0.75·0.60 + 0.25·0.2) = 5000.5; B: 10001 (0.75·0.25 + 0.25·0.6) = 3375.3375;
    # D: 10001 (0.75·0.15 + 0.25·0.2) = 1625.1625 → floors 5000, 3375, 1625; 1 € left → A (0.5 largest)
    assert t["amount"].tolist() == [5001, 3375, 1625] and t["amount"].sum() == 10_001
    # per capita of children under 15 (the denominators 500, 300, 200): 5000.5, 3000.3, 2000.2 → 5001, 3000, 2000
    assert t["per_capita_amount"].tolist() == [5001, 3000, 2000]
    assert t["difference"].tolist() == [0, 375, -375]
    assert t["amount_per_child"].tolist() == [10.0, 11.25, 8.12]  # 1625 / 200 = 8.125, half to even
    assert (t["input_source"] == "veröffentlicht").all()
    assert set(terms["source_district_id"]) == {"A", "B", "D"}


def test_hidden_inputs_are_estimated_from_published_figures_only():
    values, districts = hierarchy(hidden=("B", "D"))
    table, terms = allocate(values, districts, None, SETTINGS)
    t = table.set_index("district_id")
    # B and D share S − A by population 3000 : 2000: x 24, 16; y 24, 16 (true values never used)
    assert t.loc[["B", "D"], "input_source"].tolist() == [ESTIMATED, ESTIMATED]
    # B: 10001 (0.75·0.24 + 0.25·0.48) = 3000.3, D: 10001 (0.75·0.16 + 0.25·0.32) = 2000.2
    assert t["amount"].tolist() == [5001, 3000, 2000]
    # the terms name published cells only: S and A
    assert set(terms.loc[terms["district_id"].isin(["B", "D"]), "source_district_id"]) == {"S", "A"}


def test_amounts_enter_the_audit_as_linear_constraints():
    values, districts = hierarchy(hidden=("B", "D"))
    table, terms = allocate(values, districts, None, SETTINGS)
    constraints = allocation_constraints(table, terms)
    assert len(constraints) == 3
    b = next(c for c in constraints if c.label == "allocation B 2024")
    assert b.lower < 3000.3 < b.upper and b.upper - b.lower < 2.0001
    log = pd.DataFrame({"indicator_id": ["kinderarmut"] * 2 + ["sprachdefizit"] * 2, "year": 2024,
                        "district_id": ["B", "D"] * 2, "rule": ["P1", "secondary"] * 2, "k": 3})
    assert audit(values, log, Protection(), constraints=constraints).passed
    # an amount that published figures cannot produce makes the release contradictory: blocked
    tampered = table.assign(amount=table["amount"] + [0, 7, -7])
    result = audit(values, log, Protection(), constraints=allocation_constraints(tampered, terms))
    assert not result.passed and result.cells["reason"].str.contains("widersprüchlich").any()
