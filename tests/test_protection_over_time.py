"""Releases over time: the next release must not give an earlier one's hidden cells away (issue 19).

Each case is two successive deliveries of one small table. The attack works on the second release as the
counts alone would protect it (each release on its own passes its audit); the earlier release's hidden
cell follows from both together. After ``protect_linked`` with the ledger's patterns the releases pass
together (:func:`audit_over_time`).
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_protection_attacks import IND, make_cells

from pipelines.lib.audit import audit
from pipelines.lib.audit.over_time import audit_over_time, new_release, releases_together
from pipelines.lib.config import Protection
from pipelines.lib.protection import protect
from pipelines.lib.stages.linked import protect_together

DEFAULT = Protection()
FIRST = {"C": {"A": (2, 40), "B": (30, 50), "D": (18, 60), "E": (25, 70)}}


def release(cells: pd.DataFrame, patterns=None):
    result = protect_together(cells, IND, DEFAULT, lambda _published: [], patterns=patterns)
    assert audit(result.published, result.log, DEFAULT, true_values=cells, indicators=IND).passed
    return result, new_release(result.published, cells)


def second_delivery(case: str) -> pd.DataFrame:
    if case == "rows missing":  # A's rows are missing from the next delivery; the total is the rest's
        cells = make_cells({"C": {"A": (0, 40), "B": (30, 50), "D": (18, 60), "E": (25, 70)}})
        cells.loc[cells["district_id"] == "A", ["numerator", "denominator"]] = pd.NA
        return cells
    if case == "revision":  # the source corrected A (now not small) and so the total; B, D, E unchanged
        return make_cells({"C": {"A": (12, 40), "B": (30, 50), "D": (18, 60), "E": (25, 70)}})
    if case == "added district":  # a new Planungsraum F; A unchanged
        return make_cells({"C": {"A": (2, 40), "B": (30, 50), "D": (18, 60), "E": (25, 70), "F": (9, 30)}})
    raise ValueError(case)


@pytest.mark.parametrize("case", ["rows missing", "revision", "added district"])
def test_second_release_does_not_give_the_first_away(case):
    first_cells = make_cells(FIRST)
    first, first_table = release(first_cells)
    hidden_first = set(first.log["district_id"])
    assert "A" in hidden_first and len(hidden_first) >= 2  # A (P1) and a complement
    patterns = {"run-1": first_table}

    cells = second_delivery(case)
    alone = protect(cells, IND, DEFAULT)  # the second release on its own: passes its own audit ...
    assert audit(alone.published, alone.log, DEFAULT, true_values=cells, indicators=IND).passed
    together = audit_over_time(new_release(alone.published, cells), patterns, DEFAULT, IND)
    if case != "added district":  # ... but together with the first one, the first's A is pinned
        found = together[(together["release"] == "run-1") & (together["district_id"] == "A")]
        assert len(found) == 1 and found.iloc[0]["upper"] < DEFAULT.k, together
        assert found.iloc[0]["alone_upper"] >= DEFAULT.k  # which the first release alone does not allow

    second, second_table = release(cells, patterns)
    assert audit_over_time(second_table, patterns, DEFAULT, IND).empty
    kept = set(second.log.loc[second.log["rule"] == "earlier", "district_id"])
    if case == "rows missing":
        assert kept and kept <= hidden_first - {"A"}  # the unchanged complement stays hidden
    assert second.counts["unresolved"] == 0


def test_added_year_and_unchanged_release_add_nothing():
    first_cells = make_cells(FIRST)
    _, first_table = release(first_cells)
    patterns = {"run-1": first_table}
    _, same_table = release(first_cells, patterns)  # a nightly refresh with the same figures
    assert audit_over_time(same_table, patterns, DEFAULT, IND).empty
    later = make_cells({"C": {"A": (7, 40), "B": (1, 50), "D": (18, 60), "E": (25, 70)}}, year=2025)
    both = pd.concat([first_cells, later], ignore_index=True)
    result, table = release(both, patterns)  # 2024 as before, and a new year
    assert audit_over_time(table, patterns, DEFAULT, IND).empty
    earlier = set(result.log.loc[(result.log["rule"] == "earlier"), "year"])
    assert earlier <= {2024}


def _growing_area(revised: bool) -> pd.DataFrame:
    """A grew from 200 to 800 inhabitants: "zu wenige Einwohner" in 2020 by its population (its group of 40
    is not small), published in 2024. The second delivery revises B's 2020 figure (and so the total)."""
    b = (33, 50) if revised else (30, 50)
    early = make_cells({"C": {"A": (10, 40), "B": b, "D": (18, 60), "E": (25, 70)}}, year=2020)
    early.loc[early["district_id"] == "A", "population"] = 200
    late = make_cells({"C": {"A": (12, 44), "B": (31, 50), "D": (17, 60), "E": (26, 70)}}, year=2024, pop=800)
    return pd.concat([early, late], ignore_index=True)


def _within(joint, rows) -> None:
    """Every row's true count and denominator lie within the releases' joint bounds."""
    x = rows["true_numerator"].to_numpy(dtype=float)
    n = rows["true_denominator"].to_numpy(dtype=float)
    known = ~pd.isna(x)
    assert ((joint.lo[known] <= x[known]) & (x[known] <= joint.hi[known])).all()
    n_lo, n_hi = joint.n_lo[joint.dvar], joint.n_hi[joint.dvar]
    known = ~pd.isna(n)
    assert ((n_lo[known] <= n[known]) & (n[known] <= n_hi[known])).all()


def test_a_growing_area_is_judged_by_each_years_own_population():
    first_cells = _growing_area(revised=False)
    first, first_table = release(first_cells)
    a_2020 = (first.published["district_id"] == "A") & (first.published["year"] == 2020)
    assert (first.published.loc[a_2020, "status"] == "zu wenige Einwohner").all()
    cells = _growing_area(revised=True)
    _, second_table = release(cells, {"run-1": first_table})
    joint = releases_together(second_table, {"run-1": first_table}, DEFAULT, IND)
    assert joint is not None  # 2020 differs (the revision): both releases' 2020 are looked at together
    _within(joint, joint.rows)
    assert audit_over_time(second_table, {"run-1": first_table}, DEFAULT, IND).empty
    # the districts table's population (the latest year's, 800) beside A's 2020 would say that its group,
    # not its population, was too small (n ≤ 19): a contradiction with the parent's 40 that no truth explains
    latest = first_table.assign(population=first_table["population"].where(first_table["district_id"] != "A", 800))
    wrong = audit_over_time(second_table, {"run-1": latest}, DEFAULT, IND)
    assert wrong["reason"].str.contains("widersprüchliche Freigaben").any(), wrong


def test_the_new_release_takes_each_years_population_from_its_published_bands():
    cells = _growing_area(revised=False)
    result = protect_together(cells, IND, DEFAULT, lambda _published: [])
    bands = pd.DataFrame({"district_id": ["A", "A", "B", "B", "D"], "year": [2024, 2024, 2024, 2024, 2024],
                          "age_band": ["0-17", "18+", "0-17", "18+", "0-17"], "population": [300, 500, 200, 600, 90]})
    table = new_release(result.published.drop(columns="population"), cells, bands)
    population = table.set_index(["district_id", "year"])["population"]
    assert population[("A", 2024)] == 800 and population[("B", 2024)] == 800
    assert pd.isna(population[("A", 2020)])  # no bands published for 2020
    assert pd.isna(population[("D", 2024)])  # not all bands: not a population


def test_a_revised_total_over_small_areas_is_withheld_where_nothing_else_can_be_hidden():
    """All areas under C are "zu wenige Einwohner" but one, whose figures are zeros; the second delivery
    revises one small area from 0 to 1, and with it the totals. Beside the first release (totals 0, the
    unchanged areas linked to it), the new totals pin the revised area; nothing of the new release is left to
    hide, so the indicator-year is withheld, and the releases together pass the exact program."""
    from test_protection_over_time_properties import INDICATORS, PROT, cells, check

    leaves = {"R0": ["R0L0", "R0L1"], "R1": ["R1L0", "R1L1", "R1L2"], "R2": ["R2L0", "R2L1", "R2L2"]}
    den = {"R0L0": 1, "R0L1": 1, "R1L0": 1, "R1L1": 1, "R1L2": 1, "R2L0": 1, "R2L1": 2, "R2L2": 25}
    pop = {a: 400 if a == "R2L2" else 150 for a in den}
    first_counts = {(i, a): 0 for i in INDICATORS for a in den}
    one = cells(leaves, den, pop, first_counts)
    first = protect_together(one, INDICATORS, PROT, lambda _p: [])
    first_table = new_release(first.published, one)
    two = cells(leaves, den, pop, {**first_counts, ("a", "R2L0"): 1})
    second = protect_together(two, INDICATORS, PROT, lambda _p: [], patterns={"r1": first_table})
    second_table = new_release(second.published, two)
    withheld = second.withheld
    assert set(map(tuple, withheld.loc[withheld["reason"] == "earlier_release", ["indicator_id", "year"]]
                   .to_numpy().tolist())) >= {("a", 2024)}
    assert not ((second.published["indicator_id"] == "a") & (second.published["year"] == 2024)).any()
    assert audit_over_time(second_table, {"r1": first_table}, PROT, INDICATORS).empty
    assert check([first_table, second_table]) == []
