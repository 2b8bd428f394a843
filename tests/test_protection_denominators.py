"""Denominators are the attacker's knowledge too: hierarchy sums, shared denominators, age bands, x ≤ n.

Each attack is judged by the audit from the published table alone (plus the published age bands); the
true values only say which cells need what. It works on the counts protected alone (``denominators=False``,
as before) and fails once the denominator table is protected with them (issue 19).
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_protection_attacks import IND, make_cells, primary_only

from pipelines.lib.audit import audit
from pipelines.lib.config import Indicator, Protection, load_config
from pipelines.lib.protection import protect
from pipelines.lib.release.public_tables import publishable_population, read_public_inputs
from pipelines.lib.stages.linked import protect_linked
from pipelines.lib.stages.protection import read_cells, without_district_years
from pipelines.lib.workspace import Workspace

DEFAULT = Protection()
KEY = ["indicator_id", "year", "district_id"]


def at(result, district: str, indicator: str = "a") -> pd.Series:
    cells = result.cells.astype({"indicator_id": str, "district_id": str})
    return cells.set_index(["indicator_id", "district_id"]).loc[(indicator, district)]


def test_tiny_denominator_is_parent_minus_siblings():
    """One child in a small area, with the finding: its denominator is 131 − 50 − 60 − 20 = 1, so x ≤ 1."""
    cells = make_cells({"C": {"A": (1, 1), "B": (10, 50), "D": (15, 60), "E": (5, 20)}})
    before = protect(cells, IND, DEFAULT, denominators=False)
    attacked = audit(before.published, before.log, DEFAULT, true_values=cells, indicators=IND)
    row = at(attacked, "A")
    assert row["status"] == "zu wenige Einwohner"
    assert row["denominator_upper"] == 1 and row["upper"] <= 1  # "at most the one child": it is a P1 case
    assert not row["passed"] and "Obergrenze" in row["reason"]

    after = protect(cells, IND, DEFAULT)
    checked = audit(after.published, after.log, DEFAULT, true_values=cells, indicators=IND)
    assert checked.passed, checked.at_risk
    assert at(checked, "A")["upper"] >= DEFAULT.k and at(checked, "A")["denominator_upper"] >= DEFAULT.k
    withheld = after.withheld_denominators
    assert len(withheld) and not set(withheld["district_id"]) & {"A", "C"}  # a sibling's denominator
    shown = after.published.set_index("district_id")
    for district in withheld["district_id"]:  # withheld with its rate; the count stays published
        assert pd.isna(shown.loc[district, "denominator"]) and pd.isna(shown.loc[district, "rate"])
        assert shown.loc[district, "status"] == "veröffentlicht"
    assert before.counts["P3"] == after.counts["P3"] and before.counts.get("P1") == after.counts.get("P1")


def test_complement_of_a_zero_in_a_group_of_two():
    """Neither of the 2 children of a small area has the finding: 0 is published-zero knowledge, but
    "none of the 2" is a complement of 2, a P2 case."""
    cells = make_cells({"C": {"A": (0, 2), "B": (10, 50), "D": (15, 60)}})
    before = protect(cells, IND, DEFAULT, denominators=False)
    attacked = audit(before.published, before.log, DEFAULT, true_values=cells, indicators=IND)
    row = at(attacked, "A")
    assert row["complement_upper"] == 2 and "Komplement" in row["reason"]
    after = protect(cells, IND, DEFAULT)
    checked = audit(after.published, after.log, DEFAULT, true_values=cells, indicators=IND)
    assert checked.passed, checked.at_risk
    assert at(checked, "A")["complement_upper"] >= DEFAULT.k


def _indicator(ident: str, label: str, public: bool = True) -> Indicator:
    return Indicator(id=ident, label=ident, domain="Soziales", life_phase="0-18", direction="none", unit="share",
                     denominator_label=label, denominator_public=public)


def test_shared_denominator_gives_another_indicators_denominator_away():
    """Indicator b shows no denominators; a, with the same denominator, does: b's small area has 1 child."""
    tree = {"C": {"A": (1, 1), "B": (10, 50), "D": (15, 60)}}
    a = make_cells({"C": {"A": (1, 1), "B": (20, 50), "D": (30, 60)}}, indicator="a")
    pub_a, log_a = primary_only(a, {"A": "P3"})
    pub_a.loc[pub_a["district_id"] == "A", ["status", "denominator"]] = ["zu wenige Einwohner", pd.NA]
    b = make_cells(tree, indicator="b")
    pub_b, log_b = primary_only(b, {"A": "P3", "B": "secondary"}, den_public=False)
    pub_b.loc[pub_b["district_id"] == "A", "status"] = "zu wenige Einwohner"
    published = pd.concat([pub_a, pub_b], ignore_index=True)
    log = pd.concat([log_a, log_b], ignore_index=True)
    truth = pd.concat([a, b], ignore_index=True)
    apart = {"a": _indicator("a", "Kinder"), "b": _indicator("b", "Kinder unter 6", public=False)}
    alone = audit(published, log, DEFAULT, true_values=truth, indicators=apart)
    assert at(alone, "A", "b")["passed"]  # b alone: A + B = 11, B ≥ 1, so A is anything up to 10
    same = {"a": _indicator("a", "Kinder"), "b": _indicator("b", "Kinder", public=False)}
    together = audit(published, log, DEFAULT, true_values=truth, indicators=same)
    row = at(together, "A", "b")
    assert row["denominator_upper"] == 1 and row["upper"] == 1 and not row["passed"]


def test_age_bands_fix_a_denominator():
    """Two small areas side by side hide each other's denominators (9 + 2 = 11), until the published age
    band "0-2" (the denominator, wherever the attacker can compare) gives the one of A: 2."""
    cells = make_cells({"C": {"A": (1, 2), "B": (5, 9), "D": (30, 60), "E": (40, 70), "F": (20, 50)}})
    pub, log = primary_only(cells, {"A": "P3", "B": "P3"})
    pub.loc[pub["district_id"].isin(["A", "B"]), ["status", "denominator"]] = ["zu wenige Einwohner", pd.NA]
    log["rule"] = "P3"
    bands = pd.DataFrame(
        [(d, 2024, band, value) for d, n in {"A": 2, "B": 9, "D": 60, "E": 70, "F": 50}.items()
         for band, value in (("0-2", n), ("3-5", 33), ("6-9", 40))],
        columns=["district_id", "year", "age_band", "population"])
    without = audit(pub, log, DEFAULT, true_values=cells, indicators=IND)
    assert at(without, "A")["passed"] and at(without, "A")["denominator_upper"] == 11
    with_bands = audit(pub, log, DEFAULT, true_values=cells, indicators=IND, population=bands)
    row = at(with_bands, "A")
    assert row["denominator_upper"] == 2 and row["upper"] == 2 and not row["passed"]
    wrong = bands.assign(population=bands["population"].where(bands["district_id"] != "F", 7))
    assert at(audit(pub, log, DEFAULT, true_values=cells, indicators=IND, population=wrong), "A")["passed"]


# --------------------------------------------------------------------------- the demo city


@pytest.fixture(scope="module")
def demo_cells(tmp_path_factory):
    """The demo city's private cells and publishable age bands (ingested, no release built)."""
    from pipelines.lib.demo.generator import SIZES, generate_city
    from pipelines.lib.stages import ingest, warehouse

    root = tmp_path_factory.mktemp("demo_denominators")
    generate_city(root, **SIZES["demo"])
    config = load_config(root)
    ws = Workspace.at(root)
    assert ingest.run(ws, config).ok
    warehouse.run(ws)
    cells, _ = read_cells(ws)
    population, _, leaves = read_public_inputs(ws.warehouse)
    return config, cells, publishable_population(population, leaves, config.protection)


def _judge(config, cells, result, bands):
    """The audit of a publication: the published table and age bands (the true values say only what is due)."""
    dens = result.withheld_denominators
    if dens is not None and len(dens):
        bands = without_district_years(bands, dens.astype({"indicator_id": str, "district_id": str}))
    return audit(result.published, result.log, config.protection, true_values=cells,
                 indicators={i.id: i for i in config.indicators}, relations=config.relations, population=bands)


def test_demo_release_attack_and_defence(demo_cells):
    config, cells, bands = demo_cells
    before = protect_linked(cells, config, denominators=False)  # the counts protected alone, as before
    attacked = _judge(config, cells, before, bands)
    risk = attacked.at_risk.astype({"indicator_id": str, "district_id": str})
    truth = cells.astype({"indicator_id": str, "district_id": str})[[*KEY, "numerator", "denominator"]]
    risk = risk.merge(truth, on=KEY)
    named = risk.set_index(KEY)
    for key in (("kita_3_6", 2020, "05020004"), ("u7_teilnahme", 2023, "03020002"),
                ("hilfen_zur_erziehung", 2021, "03020002")):  # the cells the issue names
        row = named.loc[key]
        assert (row["numerator"], row["denominator"], row["lower"], row["upper"]) == (1, 1, 0, 1)
        assert row["status"] == "zu wenige Einwohner"
    narrow = risk[risk["upper"] - risk["lower"] < config.protection.protection_interval]
    assert (narrow["numerator"] == 1).sum() == 24  # as the issue found them
    assert (risk["reason"].str.contains("Komplement")).sum() >= 40  # zeros among one or two children
    assert attacked.cells["true_in_bounds"].all()  # the attacker model holds on the true values

    after = protect_linked(cells, config)
    checked = _judge(config, cells, after, bands)
    assert checked.passed, checked.at_risk
    for rule in ("P1", "P2", "P3"):  # the same primaries
        assert before.counts[rule] == after.counts[rule]
    assert after.counts["unresolved"] == 0
    assert 0 < len(after.withheld_denominators) < 200
