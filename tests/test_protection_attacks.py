"""Known attacks on suppressed tables: each works on the primary-only pattern and fails after protect()."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.lib.audit import audit
from pipelines.lib.config import Indicator, Protection
from pipelines.lib.protection import protect

IND = {
    "a": Indicator(id="a", label="A", domain="Soziales", life_phase="0-18", direction="none", unit="share")
}
PRIVATE_IND = {
    "a": Indicator(
        id="a",
        label="A",
        domain="Soziales",
        life_phase="0-18",
        direction="none",
        unit="share",
        denominator_public=False,
    )
}


def make_cells(tree: dict, year: int = 2024, indicator: str = "a", pop: int = 1000) -> pd.DataFrame:
    """``tree``: nested dict, leaves ``(numerator, denominator)``; inner sums computed."""
    rows: list[dict] = []

    def walk(name: str, node, parent: str | None, rank: int) -> tuple[int, int]:
        if isinstance(node, dict):
            x = n = 0
            for child, sub in node.items():
                cx, cn = walk(child, sub, name, rank + 1)
                x, n = x + cx, n + cn
        else:
            x, n = node
        rows.append(
            dict(
                indicator_id=indicator,
                year=year,
                district_id=name,
                parent_id=parent,
                level_rank=rank,
                numerator=x,
                denominator=n,
                population=pop,
                is_upstream_hidden=False,
            )
        )
        return x, n

    ((root, sub),) = tree.items()
    walk(root, sub, None, 0)
    return pd.DataFrame(rows).astype({"numerator": "Int64", "denominator": "Int64", "population": "Int64"})


def primary_only(cells: pd.DataFrame, hidden: dict[str, str], *, den_public: bool = True, k: int = 3):
    """A published table hiding exactly ``hidden`` (district -> rule), and its log."""
    pub = cells.drop(columns=["is_upstream_hidden"]).copy()
    is_hidden = pub["district_id"].isin(list(hidden))
    pub["status"] = "veröffentlicht"
    pub.loc[is_hidden, "status"] = "geheimgehalten"
    pub["numerator"] = pub["numerator"].mask(is_hidden)
    if not den_public:
        pub["denominator"] = pd.NA
    pub["denominator"] = pub["denominator"].astype("Int64")
    log = pub.loc[is_hidden, ["indicator_id", "year", "district_id"]].copy()
    log["rule"] = log["district_id"].map(hidden)
    log["k"] = k
    return pub, log


DEFAULT = Protection()


def assert_attack_then_defence(cells, hidden, protection=DEFAULT, *, indicators=IND, den_public=True):
    pub, log = primary_only(cells, hidden, den_public=den_public, k=protection.k)
    before = audit(pub, log, protection, true_values=cells, indicators=indicators)
    assert not before.passed, "the attack should work on the primary-only pattern"
    assert set(before.at_risk["district_id"]) & set(hidden)
    result = protect(cells, indicators, protection)
    after = audit(result.published, result.log, protection, true_values=cells, indicators=indicators)
    assert after.passed, after.at_risk
    assert (result.log["rule"] == "secondary").any()
    assert set(hidden) <= set(result.log["district_id"])
    return result, after


def test_lone_hidden_cell_in_a_sum():
    cells = make_cells({"C": {"A": (2, 40), "B": (10, 50), "D": (15, 60)}})
    _, after = assert_attack_then_defence(cells, {"A": "P1"})
    row = after.cells.set_index("district_id").loc["A"]
    assert row["upper"] >= 3 and row["upper"] - row["lower"] >= 2


def test_two_hidden_cells_whose_sum_is_small():
    cells = make_cells({"C": {"A": (2, 40), "B": (1, 50), "D": (20, 60), "E": (30, 70)}})
    pub, log = primary_only(cells, {"A": "P1", "B": "P1"})
    res = audit(pub, log, Protection(), true_values=cells).cells.set_index("district_id")
    assert res.loc["A", "upper"] == 2  # A + B = 3 and B >= 1
    assert_attack_then_defence(cells, {"A": "P1", "B": "P1"})


def test_region_total_recoverable_from_city_table():
    cells = make_cells({"C": {"R1": {"A": (1, 30), "B": (1, 40)}, "R2": {"D": (20, 50), "E": (30, 60)}}})
    pub, log = primary_only(cells, {"R1": "P1", "A": "P1", "B": "P1"})
    res = audit(pub, log, Protection(), true_values=cells).cells.set_index("district_id")
    assert res.loc["R1", "lower"] == res.loc["R1", "upper"] == 2  # city − R2
    result, _ = assert_attack_then_defence(cells, {"R1": "P1", "A": "P1", "B": "P1"})
    hidden = set(result.log["district_id"])
    assert "R2" in hidden and hidden & {"D", "E"}  # hiding R2 needs one of its children too


def test_complement_with_public_denominator():
    cells = make_cells({"C": {"A": (39, 40), "B": (10, 50), "D": (15, 60)}})
    pub, log = primary_only(cells, {"A": "P2"})
    res = audit(pub, log, Protection(), true_values=cells).cells.set_index("district_id")
    assert res.loc["A", "lower"] == 39
    result, after = assert_attack_then_defence(cells, {"A": "P2"})
    row = after.cells.set_index("district_id").loc["A"]
    assert row["lower"] <= 40 - 3
    assert result.log.set_index("district_id").loc["A", "rule"] == "P2"


def test_zeros_published_pin_hidden_cells():
    cells = make_cells({"C": {"A": (2, 40), "B": (1, 50), "D": (0, 60), "E": (0, 70)}})
    pub, log = primary_only(cells, {"A": "P1", "B": "P1"})
    zeros = Protection(publish_zeros=True)
    no_zeros = Protection(publish_zeros=False)
    assert not audit(pub, log, zeros, true_values=cells).passed  # A, B >= 1 and A + B = 3
    assert audit(pub, log, no_zeros, true_values=cells).passed  # without the floor A in [0, 3]
    result, _ = assert_attack_then_defence(cells, {"A": "P1", "B": "P1"}, zeros)
    published = result.published.set_index("district_id")
    assert (published.loc[["D", "E"], "status"] == "veröffentlicht").all()  # zeros never hidden


def test_cell_published_in_an_earlier_release():
    old = make_cells({"C": {"A": (5, 40), "B": (10, 50), "D": (15, 60)}})
    new = make_cells({"C": {"A": (2, 40), "B": (10, 50), "D": (15, 60), "E": (12, 30)}})
    # the earlier release of the same year published B (and D); now A is P1
    earlier = old[old["district_id"].isin(["B", "D"])][["indicator_id", "year", "district_id", "numerator"]]
    plain = protect(new, IND, Protection())
    assert "B" in set(plain.log["district_id"])  # cheapest complement is B …
    attacked = audit(plain.published, plain.log, Protection(), true_values=new, earlier_releases=earlier)
    assert not attacked.passed  # … which the earlier release gives away
    assert "A" in set(attacked.at_risk["district_id"])

    aware = protect(new, IND, Protection(), earlier_releases=earlier)
    assert not ({"B", "D"} & set(aware.log["district_id"]))
    checked = audit(aware.published, aware.log, Protection(), true_values=new, earlier_releases=earlier)
    assert checked.passed, checked.at_risk


def test_private_denominator_lone_cell():
    cells = make_cells({"C": {"A": (2, 40), "B": (10, 50), "D": (15, 60)}})
    result, _ = assert_attack_then_defence(cells, {"A": "P1"}, indicators=PRIVATE_IND, den_public=False)
    assert result.published["denominator"].isna().all()


@pytest.mark.parametrize("publish_zeros", [True, False])
def test_mutation_each_secondary_is_needed(publish_zeros):
    cells = make_cells(
        {
            "C": {
                "R1": {"A": (1, 30), "B": (12, 40), "F": (7, 35)},
                "R2": {"D": (2, 50), "E": (30, 60), "G": (0, 20)},
            }
        }
    )
    prot = Protection(publish_zeros=publish_zeros)
    result = protect(cells, IND, prot)
    assert audit(result.published, result.log, prot, true_values=cells).passed
    secondaries = result.log.loc[result.log["rule"] == "secondary", "district_id"].tolist()
    assert secondaries
    for cell in secondaries:
        pub = result.published.copy()
        at = pub["district_id"] == cell
        pub.loc[at, "numerator"] = cells.loc[cells["district_id"] == cell, "numerator"].to_numpy()
        pub.loc[at, "status"] = "veröffentlicht"
        log = result.log[result.log["district_id"] != cell]
        assert not audit(pub, log, prot, true_values=cells).passed, cell


def test_statuses_rates_and_denominators():
    cells = make_cells({"C": {"A": (2, 40), "B": (10, 50), "D": (15, 60), "S": (4, 10)}})
    cells.loc[cells["district_id"] == "C", "is_upstream_hidden"] = False
    result = protect(cells, IND, Protection())
    pub = result.published.set_index("district_id")
    assert pub.loc["S", "status"] == "zu wenige Einwohner"  # denominator 10 < 20
    assert pd.isna(pub.loc["S", "denominator"]) and pd.isna(pub.loc["S", "numerator"])
    assert pub.loc["A", "status"] == "geheimgehalten" and pub.loc["A", "denominator"] == 40
    hidden = pub["status"] != "veröffentlicht"
    assert pub.loc[hidden, "rate"].isna().all() and pub.loc[hidden, "numerator"].isna().all()
    assert pub.loc["D", "rate"] == pytest.approx(25.0)
    assert set(pub["status"]) <= {"veröffentlicht", "geheimgehalten", "zu wenige Einwohner", "keine Daten"}
    assert result.counts["P3"] == 1 and result.counts["P1"] == 1


@pytest.mark.parametrize("decimals", [0, 1, 3])
def test_rate_beside_the_denominator_of_a_hidden_cell(decimals):
    """A rate with d decimals and a published denominator is an interval on the numerator."""
    cells = make_cells({"C": {"A": (2, 40), "B": (10, 50), "D": (15, 60), "E": (20, 70)}})
    prot = Protection(rate_decimals=decimals)
    result = protect(cells, IND, prot)
    hidden = result.published["status"] != "veröffentlicht"
    assert set(result.published.loc[hidden, "district_id"]) >= {"A"}
    # unprotected: the counts are suppressed, but the rates of the hidden cells are shown beside their
    # denominators, rounded as published (a careless export)
    leaky = result.published.copy()
    true = cells.set_index("district_id")
    shown = leaky.loc[hidden, "district_id"]
    leaky.loc[hidden, "rate"] = (true.loc[shown, "numerator"] / true.loc[shown, "denominator"] * 100).round(
        decimals).to_numpy()
    attacked = audit(leaky, result.log, prot, true_values=cells, indicators=IND)
    assert not attacked.passed
    bounds = attacked.cells.set_index("district_id")
    assert bounds.loc["A", "lower"] == bounds.loc["A", "upper"] == 2  # 5 % of 40, even without decimals
    assert "Quote einer verborgenen Zelle veröffentlicht" in set(attacked.violations["reason"])
    # protected: no hidden cell carries a rate, so only the sums are left and the audit passes
    assert result.published.loc[hidden, "rate"].isna().all()
    checked = audit(result.published, result.log, prot, true_values=cells, indicators=IND)
    assert checked.passed, checked.at_risk
    assert checked.cells.set_index("district_id").loc["A", "upper"] >= 3


def test_an_unresolved_cell_stays_hidden_and_the_audit_blocks():
    """A primary cell that cannot be protected (published before) is still hidden, and flagged."""
    cells = make_cells({"C": {"A": (2, 40), "B": (10, 50), "D": (15, 60)}})
    earlier = cells.loc[cells["district_id"] == "A", ["indicator_id", "year", "district_id", "numerator"]]
    result = protect(cells, IND, DEFAULT, earlier_releases=earlier)
    assert result.counts["unresolved"] == 1 and result.unresolved["district_id"].tolist() == ["A"]
    shown = result.published.set_index("district_id").loc["A"]
    assert shown["status"] == "geheimgehalten" and pd.isna(shown["numerator"]) and pd.isna(shown["rate"])
    checked = audit(result.published, result.log, DEFAULT, true_values=cells, earlier_releases=earlier)
    assert not checked.passed
    assert "früher veröffentlicht" in checked.at_risk.set_index("district_id").loc["A", "reason"]
