"""Attacks that combine tables: a multi-year total beside single years, and one year on two area systems.

Each table on its own passes the audit; together they give a hidden cell away. Each test shows the
attack on the tables protected one by one and that the protection of the pipeline defeats it.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
from ingest_fixtures import (
    CRS,
    LEAVES,
    SIZE,
    X0,
    Y0,
    codes,
    csv_text,
    gpkg_sources,
    long_rows,
    long_source,
    make_config,
    write_gpkg,
    write_text,
)
from shapely.geometry import box
from test_protection_attacks import IND, make_cells

from pipelines.lib.audit import LinearConstraint, audit
from pipelines.lib.audit.relations import multi_year_constraints
from pipelines.lib.config import Protection
from pipelines.lib.ingest import load_inputs
from pipelines.lib.protection import protect
from pipelines.lib.release import ledger
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


# --------------------------------------------------------------------------- two area systems
# One year (2020) on two systems. Old: O1, O2, O3. New: N1 = O1 + the sliver S of O2, N2 = O2 − S, N3 = O3.
# The sliver has 40 inhabitants and 5 children, 2 of them counted: a "zu wenige Einwohner" area.
OLD = {"C": {"O1": (30, 95), "O2": (27, 85), "O3": (40, 120)}}
NEW = {"C": {"N1": (32, 100), "N2": (25, 80), "N3": (40, 120)}}
ATOMS = {"O1": ["a1"], "O2": ["s", "a2"], "O3": ["a3"], "N1": ["a1", "s"], "N2": ["a2"], "N3": ["a3"]}


def atoms_table() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The pieces both systems are made of, as the attacker's unknowns: published, log, truth."""
    truth = make_cells({"C": {"a1": (30, 95), "s": (2, 5), "a2": (25, 80), "a3": (40, 120)}}, year=2020,
                       indicator="atome")
    truth.loc[truth["district_id"] == "s", "population"] = 40
    pub = truth.drop(columns=["is_upstream_hidden"]).copy()
    pub["status"] = "keine Daten"  # nothing is published about a piece …
    pub.loc[pub["district_id"] == "C", "status"] = "veröffentlicht"  # … but the city is the city
    pub.loc[pub["district_id"] == "s", "status"] = "zu wenige Einwohner"  # and the sliver is protected
    pub["numerator"] = pub["numerator"].where(pub["status"] == "veröffentlicht")
    pub["denominator"] = pd.array([pd.NA] * len(pub), dtype="Int64")
    log = pd.DataFrame([{"indicator_id": "atome", "year": 2020, "district_id": "s", "rule": "P3", "k": 3}])
    return pub, log, truth


def pieces(published: pd.DataFrame):
    """Every published district of either system is the sum of its pieces."""
    out = []
    of_2020 = published["indicator_id"].isin(["a", "a_alt"]) & (published["year"] == 2020)
    for ind, district in published.loc[of_2020, ["indicator_id", "district_id"]].itertuples(index=False):
        if district in ATOMS:
            terms = {("atome", 2020, p): -1.0 for p in ATOMS[district]} | {(ind, 2020, district): 1.0}
            out.append(LinearConstraint(terms=terms, lower=0.0, upper=0.0))
    return out


def old_release() -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the release before the reform published: 2020 on the old districts (as ``a_alt``)."""
    old = protect(make_cells(OLD, year=2020), IND, PROT)
    published = old.published.assign(indicator_id="a_alt")
    known = old.published.loc[old.published["numerator"].notna(), ["indicator_id", "year", "district_id", "numerator"]]
    return published, known


def audit_both(new_published: pd.DataFrame, new_log: pd.DataFrame, new_truth: pd.DataFrame):
    old_published, _ = old_release()
    atoms, atoms_log, atoms_truth = atoms_table()
    published = pd.concat([old_published, atoms, new_published], ignore_index=True)
    truth = pd.concat([make_cells(OLD, year=2020, indicator="a_alt"), atoms_truth, new_truth], ignore_index=True)
    inds = IND | {i: dataclasses.replace(IND["a"], id=i) for i in ("a_alt", "atome")}
    return audit(published, pd.concat([atoms_log, new_log], ignore_index=True), PROT, true_values=truth,
                 indicators=inds, constraints=pieces(published))


def test_one_year_on_two_area_systems_gives_the_sliver_away():
    new_cells = pd.concat([make_cells(NEW, year=2020), make_cells(NEW, year=2021)], ignore_index=True)
    # each system's table is safe on its own: nothing in it is small
    plain = protect(new_cells, IND, PROT)
    assert plain.log.empty and audit(plain.published, plain.log, PROT, true_values=new_cells).passed

    # the attack: both systems published for 2020, so the sliver S = N1 − O1 = 2
    attacked = audit_both(plain.published, plain.log, new_cells)
    sliver = attacked.cells.set_index("district_id").loc["s"]
    assert sliver["lower"] == sliver["upper"] == 2 and not sliver["passed"]

    # the defence: the ledger holds the old release; its districts no longer exist, so 2020 is not
    # published again on the new ones (2021 is), and the sliver keeps its range
    _, old_known = old_release()
    earlier = ledger.still_known(old_known.assign(indicator_id="a"), new_cells)
    guarded = protect(new_cells, IND, PROT, earlier_releases=earlier)
    assert guarded.withheld[["indicator_id", "year"]].values.tolist() == [["a", 2020]]
    assert set(guarded.published["year"]) == {2021}
    checked = audit_both(guarded.published, guarded.log, new_cells)
    assert checked.passed, checked.at_risk
    assert checked.cells.set_index("district_id").loc["s", "upper"] >= PROT.k

    # the audit checks the rule on its own: a release that published 2020 again is blocked
    again = audit(plain.published, plain.log, PROT, true_values=new_cells, earlier_releases=earlier)
    assert not again.passed
    assert set(again.violations["year"]) == {2020}
    assert again.violations["reason"].str.contains("Gebietsstand").all()


def test_ingestion_publishes_each_year_on_the_current_districts_only(tmp_path):
    """Within a release: counts on an older system are carried over, a year on both systems is refused."""
    write_gpkg(tmp_path)
    edges = [0, 1100, 2000, 3000, 4000]  # the old first area reaches 100 m into the second: a sliver
    old = gpd.GeoDataFrame({"gebiet_id": ["A1", "A2", "A3", "A4"], "name": ["a1", "a2", "a3", "a4"]},
                           geometry=[box(X0 + edges[i], Y0, X0 + edges[i + 1], Y0 + SIZE) for i in range(4)], crs=CRS)
    old.to_file(tmp_path / "data_raw" / "alt.gpkg", layer="gebiete", driver="GPKG")
    geometries = [dict(g, area_system="neu") for g in gpkg_sources()] + [
        {"path": "data_raw/alt.gpkg", "layer": "gebiete", "level": "gebiet", "key": "gebiet_id", "name": "name",
         "area_system": "alt"}]
    systems = [{"id": "alt", "valid_to": 2022}, {"id": "neu", "valid_from": 2023}]
    write_text(tmp_path, "data_raw/alt.csv", csv_text([(k, "2022", "armut", "5", "50") for k in old["gebiet_id"]]))

    def load(*new_years: int):
        rows = [r for y in new_years for r in long_rows(y)]
        write_text(tmp_path, "data_raw/neu.csv", csv_text(rows))
        counts = [long_source("data_raw/alt.csv", id="alt", area_system="alt"), long_source("data_raw/neu.csv", id="neu")]
        return load_inputs(make_config(tmp_path, geometries=geometries, counts=counts, area_systems=systems))

    inputs = load(2023)
    assert codes(inputs.findings) == {"SM-W319"}  # 2022 carried over onto the current districts
    assert set(inputs.counts["district_id"]) == set(LEAVES)
    assert inputs.counts.loc[inputs.counts["year"] == 2022, "derived"].all()
    # the same year delivered on both systems is an error: it would be published twice
    twice = [f for f in load(2022, 2023).findings if f.code == "SM-E303"]
    assert twice and all(f.severity == "error" for f in twice)  # an error stops the run
