"""Attacks that combine tables: a multi-year total beside single years, and one year on two area systems.

Each table on its own passes the audit; together they give a hidden cell away. Each test shows the
attack on the tables protected one by one and that the protection of the pipeline defeats it.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from test_protection_attacks import IND, make_cells

from pipelines.lib.audit import audit
from pipelines.lib.audit.relations import multi_year_constraints
from pipelines.lib.config import Protection
from pipelines.lib.protection import protect
from pipelines.lib.stages.linked import protect_together

PROT = Protection()
YEARS = {2022: {"A": 5, "B": 10, "D": 15, "E": 20},
         2023: {"A": 6, "B": 11, "D": 14, "E": 22},
         2024: {"A": 2, "B": 12, "D": 16, "E": 21}}  # A is P1 in 2024 only


def yearly_tables() -> tuple[pd.DataFrame, dict]:
    """Indicator ``a`` for three years and its three-year total ``a_3j`` (keyed by 2024)."""
    frames = [make_cells({"C": {d: (x, 60) for d, x in by_d.items()}}, year=y) for y, by_d in YEARS.items()]
    total = {d: sum(YEARS[y][d] for y in YEARS) for d in "ABDE"}
    frames.append(make_cells({"C": {d: (x, 180) for d, x in total.items()}}, year=2024, indicator="a_3j"))
    indicators = IND | {"a_3j": dataclasses.replace(IND["a"], id="a_3j", label="A, 3 Jahre")}
    return pd.concat(frames, ignore_index=True), indicators


def three_years(published: pd.DataFrame):
    return multi_year_constraints(published, "a", "a_3j", years=3)


def test_multi_year_total_beside_hidden_single_years():
    cells, inds = yearly_tables()
    alone = protect(cells, inds, PROT)  # every table protected on its own
    assert audit(alone.published, alone.log, PROT, true_values=cells, indicators=inds).passed
    shown = alone.published.set_index(["indicator_id", "year", "district_id"])["status"]
    assert shown[("a", 2024, "A")] == "geheimgehalten" and shown[("a_3j", 2024, "A")] == "veröffentlicht"

    # the attack: A(2024) = A(2022–2024) − A(2022) − A(2023) = 13 − 5 − 6 = 2
    attacked = audit(alone.published, alone.log, PROT, true_values=cells, indicators=inds,
                     constraints=three_years(alone.published))
    assert not attacked.passed
    risky = attacked.at_risk.set_index(["indicator_id", "year", "district_id"])
    assert risky.loc[("a", 2024, "A"), "lower"] == risky.loc[("a", 2024, "A"), "upper"] == 2

    # the defence: the total is a linear fact; protected together, the audit with it passes
    together = protect_together(cells, inds, PROT, three_years)
    checked = audit(together.published, together.log, PROT, true_values=cells, indicators=inds,
                    constraints=three_years(together.published))
    assert checked.passed, checked.at_risk
    bounds = checked.cells.set_index(["indicator_id", "year", "district_id"])
    assert bounds.loc[("a", 2024, "A"), "upper"] >= PROT.k
    assert "linked" in set(together.log["rule"])
