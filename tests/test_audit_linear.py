"""The HiGHS path: extra linear facts (allocation amounts, cross-year sums) tighten the bounds."""

from __future__ import annotations

import pandas as pd

from pipelines.lib.audit import LinearConstraint, audit
from pipelines.lib.config import Protection


def table():
    pub = pd.DataFrame(
        {
            "indicator_id": "a",
            "year": 2024,
            "district_id": ["C", "A", "B", "D"],
            "parent_id": [None, "C", "C", "C"],
            "level_rank": [0, 1, 1, 1],
            "population": 1000,
            "numerator": pd.array([27, None, None, 15], dtype="Int64"),
            "denominator": pd.array([150, 40, 50, 60], dtype="Int64"),
            "status": ["veröffentlicht", "geheimgehalten", "geheimgehalten", "veröffentlicht"],
        }
    )
    log = pd.DataFrame(
        {"indicator_id": "a", "year": 2024, "district_id": ["A", "B"], "rule": ["P1", "secondary"], "k": 3}
    )
    truth = pub.assign(numerator=pd.array([27, 2, 10, 15], dtype="Int64"))
    return pub, log, truth


def test_allocation_amount_pins_a_hidden_cell():
    pub, log, truth = table()
    assert audit(pub, log, Protection(), true_values=truth).passed  # A + B = 12 alone is safe
    # a published allocation of 100 € per A-case and 50 € per B-case: 100 A + 50 B = 700
    money = LinearConstraint({("a", 2024, "A"): 100.0, ("a", 2024, "B"): 50.0}, 700.0, 700.0, "allocation")
    result = audit(pub, log, Protection(), true_values=truth, constraints=[money])
    assert not result.passed
    row = result.cells.set_index("district_id").loc["A"]
    assert row["lower"] == row["upper"] == 2


def test_integer_program_tightens_a_fractional_lp():
    pub, log, truth = table()
    # 2 A + 2 B ≥ 23 has no effect beyond A + B = 12, but 4 A ≤ 11 gives A ≤ 2.75 → A ≤ 2 (integers)
    cap = LinearConstraint({("a", 2024, "A"): 4.0}, upper=11.0, label="cap")
    result = audit(pub, log, Protection(), true_values=truth, constraints=[cap])
    row = result.cells.set_index("district_id").loc["A"]
    assert row["upper"] == 2 and not result.passed
    assert result.cells["true_in_bounds"].all()


def test_lp_method_equals_propagation_without_constraints():
    pub, log, truth = table()
    a = audit(pub, log, Protection(), true_values=truth, method="lp").cells
    b = audit(pub, log, Protection(), true_values=truth, method="propagation").cells
    pd.testing.assert_frame_equal(a[["lower", "upper"]], b[["lower", "upper"]])
