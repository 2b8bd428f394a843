"""Zeros beside small areas: a region whose only non-zero part is a "zu wenige Einwohner" area with a
tiny denominator, all other parts published zeros (the 18 unresolved cells of the Berlin-size benchmark).

With every zero published the region's status ("geheimgehalten", so ≥ 1) and its parts (zeros, and the
small area's count ≤ its denominator, which parent minus siblings gives away) pin the region and the
small area, whatever else is hidden. The rule: among the parts of a district with a "zu wenige
Einwohner" part a zero may be hidden as a complement, and a hidden cell there is only known to be ≥ 0.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_protection_attacks import IND, make_cells, primary_only

from pipelines.lib.audit import audit
from pipelines.lib.config import Protection
from pipelines.lib.protection import protect

# region R1: count 1, all in the small area P (1 child examined), beside zeros
FLAT = {"C": {"R1": {"P": (1, 1), "Z1": (0, 44), "Z2": (0, 30)}, "R2": {"A": (10, 50), "B": (12, 60)}}}
# two levels: B1 = R1 (count 1, all in P with 2 children), R0 all zeros; k = 5
DEEP = {"C": {"B1": {"R0": {"Y1": (0, 6), "Y2": (0, 41)}, "R1": {"P": (1, 2), "Z1": (0, 116), "Z2": (0, 59)}},
              "B2": {"R2": {"A": (10, 50), "B": (12, 60)}, "R3": {"D": (20, 70), "E": (9, 40)}}}}
CASES = [pytest.param(FLAT, {"R1": "P1", "P": "P3"}, Protection(), id="flat"),
         pytest.param(DEEP, {"B1": "P1", "R1": "P1", "P": "P3"}, Protection(k=5), id="two-levels-k5")]


def everything_but_zeros(cells: pd.DataFrame, primaries: dict[str, str]) -> dict[str, str]:
    """The strongest pattern that keeps every zero published: all non-zero cells hidden."""
    nonzero = cells.loc[cells["numerator"] > 0, "district_id"]
    return {d: primaries.get(d, "secondary") for d in nonzero}


@pytest.mark.parametrize(("tree", "primaries", "prot"), CASES)
def test_region_beside_zeros_is_pinned_unless_a_zero_is_hidden(tree, primaries, prot):
    cells = make_cells(tree)
    # the attack: with all zeros published, even hiding every other cell leaves the region at 1 ...
    pub, log = primary_only(cells, everything_but_zeros(cells, primaries), k=prot.k)
    pub.loc[pub["district_id"] == "P", "status"] = "zu wenige Einwohner"
    pub.loc[pub["district_id"] == "P", "denominator"] = pd.NA
    attacked = audit(pub, log, prot, true_values=cells).cells.set_index("district_id")
    n_small = cells.set_index("district_id").loc["P", "denominator"]  # parent minus siblings
    # ... between 1 and the small area's denominator (1 or 2 children), and so is the small area
    assert n_small < prot.k
    assert (attacked.loc["R1", "lower"], attacked.loc["R1", "upper"]) == (1, n_small)
    assert (attacked.loc["P", "lower"], attacked.loc["P", "upper"]) == (1, n_small)
    assert not attacked.loc[["R1", "P"], "passed"].any()

    # the defence: protect() hides a zero beside the small area; nothing is unresolved and the audit passes
    result = protect(cells, IND, prot)
    assert result.counts["unresolved"] == 0
    checked = audit(result.published, result.log, prot, true_values=cells, indicators=IND)
    assert checked.passed, checked.at_risk
    published = result.published.set_index("district_id")
    hidden_zeros = set(published.index[(published["status"] == "geheimgehalten")
                                       & cells.set_index("district_id")["numerator"].eq(0)])
    # a zero beside P is hidden, or (since the denominators are protected too) P's denominator no longer
    # follows from its siblings': one of theirs is withheld
    withheld = set(result.withheld_denominators["district_id"])
    assert (hidden_zeros or withheld & {"Z1", "Z2"}) and hidden_zeros <= {"Z1", "Z2"}  # only beside P
    bounds = checked.cells.set_index("district_id")
    assert bounds.loc["R1", "upper"] >= prot.k and bounds.loc["P", "upper"] - bounds.loc["P", "lower"] >= 1


def test_hidden_zero_elsewhere_breaks_the_audit():
    """The audit applies the rule on its own: a hidden zero not beside a small area contradicts P4."""
    cells = make_cells({"C": {"R1": {"A": (2, 40), "Z": (0, 30), "B": (7, 50)}, "R2": {"D": (10, 50), "E": (12, 60)}}})
    pub, log = primary_only(cells, {"A": "P1", "Z": "secondary", "B": "secondary"})
    result = audit(pub, log, Protection(), true_values=cells)
    assert "wahrer Wert außerhalb" in result.cells.set_index("district_id").loc["Z", "reason"]
    # the same pattern is sound once a sibling is "zu wenige Einwohner": there a hidden cell may be 0
    small = make_cells({"C": {"R1": {"A": (2, 40), "Z": (0, 30), "B": (7, 50), "S": (1, 5)},
                              "R2": {"D": (10, 50), "E": (12, 60)}}})
    pub, log = primary_only(small, {"A": "P1", "Z": "secondary", "B": "secondary", "S": "P3"})
    pub.loc[pub["district_id"] == "S", ["status", "denominator"]] = ["zu wenige Einwohner", pd.NA]
    bounds = audit(pub, log, Protection(), true_values=small).cells.set_index("district_id")
    assert bounds.loc["Z", "lower"] == 0 and bounds.loc["Z", "true_in_bounds"]


def test_an_uninhabited_area_has_nobody_to_protect():
    """An area with 0 inhabitants whose share the source leaves out (Berlin MSS 2021: -9999 beside EW 0): its
    denominator 0 follows from the parent's minus the siblings', so its count is known to be 0 — which says
    nothing about anyone. The audit must not hold that against the release (it blocked the example)."""
    cells = make_cells({"C": {"R": {"A": (0, 0), "B": (30, 50), "D": (18, 60)}, "S": {"E": (25, 70), "F": (9, 40)}}})
    empty = cells["district_id"] == "A"
    cells.loc[empty, ["numerator", "population"]] = [pd.NA, 0]
    cells.loc[empty, "is_upstream_hidden"] = True
    cells.loc[cells["district_id"].isin(["R", "C"]), "numerator"] = pd.NA  # a parent lacks a part's figures
    result = protect(cells, IND, Protection())
    status = result.published.set_index("district_id")["status"]
    assert status["A"] == "zu wenige Einwohner" and status["B"] == "veröffentlicht"
    assert result.published.set_index("district_id")["denominator"].notna()[["R", "B", "D"]].all()
    assert audit(result.published, result.log, Protection(), true_values=cells, indicators=IND).passed
