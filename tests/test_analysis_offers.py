"""Supply gaps ("Versorgungslücken"): the rule on a hand-made distribution and on the generated demo city.

The old rule (coverage below the level's median) found nothing on real distributions, where most small
districts have no offer and the median is 0. The rule now compares a needy district's coverage with the
coverage of its whole level, on every level, from published figures only.
"""

from __future__ import annotations

import re
from html import unescape

import duckdb
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from analysis_fixtures import demo_config

from pipelines.lib.analysis.offers import OfferSettings, offer_coverage
from pipelines.lib.dashboards.formatting import life_phase_label
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace

# Four smallest districts in a row (1 km squares) under two Bezirke under the city.
LEAVES = {"P1": ("B1", 0), "P2": ("B1", 1), "P3": ("B2", 2), "P4": ("B2", 3)}
# leaf: published children 3-5 (None: age bands not published)
CHILDREN = {"P1": 100, "P2": 200, "P3": 100, "P4": None}
# leaf: need class, status z
NEED = {"P1": (1, -1.2), "P2": (4, 1.8), "P3": (3, 1.2), "P4": (4, 2.0), "B1": (3, 1.1), "B2": (2, 0.3)}


def _districts() -> gpd.GeoDataFrame:
    rows = [("S", None, "stadt", 0, shapely.box(0, 0, 4000, 1000)),
            ("B1", "S", "bezirk", 1, shapely.box(0, 0, 2000, 1000)),
            ("B2", "S", "bezirk", 1, shapely.box(2000, 0, 4000, 1000))]
    rows += [(d, p, "planungsraum", 2, shapely.box(i * 1000, 0, (i + 1) * 1000, 1000)) for d, (p, i) in LEAVES.items()]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=["district_id", "parent_id", "level", "level_rank", "geometry"]),
                            geometry="geometry", crs="EPSG:25832")


def _offers(points: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"offer_id": [f"o{i}" for i in range(len(points))], "category": "Kita",
                             "age_band": "3-6"}, geometry=[shapely.Point(p) for p in points], crs="EPSG:25832")


def _population() -> pd.DataFrame:
    return pd.DataFrame([(d, 2024, "3-5", n) for d, n in CHILDREN.items() if n is not None],
                        columns=["district_id", "year", "age_band", "population"])


def _need() -> pd.DataFrame:
    levels = {"B": "bezirk", "P": "planungsraum"}
    return pd.DataFrame([(d, levels[d[0]], 2024, z, c) for d, (c, z) in NEED.items()],
                        columns=["district_id", "level", "year", "status_z", "status_class"])


def _coverage(points, **settings) -> pd.DataFrame:
    table = offer_coverage(_offers(points), _population(), _districts(), _need(), OfferSettings(**settings))
    return table.set_index("district_id")


def test_gap_is_high_need_with_coverage_below_the_share_of_the_levels_coverage():
    # P1 (need 1): 3 offers; P2 (need 4): none; P3 (need 3): 1 offer; P4 (need 4): no published children
    t = _coverage([(500, 500), (400, 400), (600, 600), (2500, 500)])
    leaf = t[t["level"] == "planungsraum"]
    assert leaf["offers"].to_dict() == {"P1": 3, "P2": 0, "P3": 1, "P4": 0}
    assert leaf["offers_per_1000"].to_dict() == {"P1": 30.0, "P2": 0.0, "P3": 10.0, "P4": None}
    # the level's coverage: 4 offers for 400 children of the districts with a coverage
    assert set(leaf["reference_per_1000"]) == {10.0}
    # the old rule (below the median, 10) would make P2 a gap as well; but not at a level whose median is 0.
    # P2: need 4 and 0 < 0.5 × 10; P3: need 3 but 10 is not below 5; P1: low need; P4: no coverage published
    assert leaf["supply_gap"].to_dict() == {"P1": False, "P2": True, "P3": False, "P4": False}
    assert leaf["gap_rank"].to_dict() == {"P1": None, "P2": 1, "P3": None, "P4": None}
    # every level with more than one district, not only the finest: B1 (need 3) has 3 offers for 300 children
    bezirk = t[t["level"] == "bezirk"]
    assert bezirk["offers_per_1000"].to_dict() == {"B1": 10.0, "B2": 10.0}
    assert bezirk["children_complete"].to_dict() == {"B1": True, "B2": False}
    assert not bezirk["supply_gap"].any()
    assert "S" not in t.index


def test_a_level_where_most_districts_have_no_offer_still_shows_its_gaps():
    # one offer in the whole city (in P1): the median coverage is 0, the level's coverage 2.5 per 1,000
    t = _coverage([(500, 500)], coverage_share=0.5)
    leaf = t[t["level"] == "planungsraum"]
    assert leaf["offers_per_1000"].astype(float).median() == 0
    assert leaf["supply_gap"].to_dict() == {"P1": False, "P2": True, "P3": True, "P4": False}
    assert leaf.loc[["P2", "P3"], "gap_rank"].tolist() == [1, 2]  # by need: P2 (z 1.8) before P3 (z 1.2)
    # B1 (need 3): 1 offer for 300 children, 3.3 > 0.5 × 2.5; B2 (need 2): no gap whatever its coverage
    assert not t.loc[["B1", "B2"], "supply_gap"].any()
    # the share is the configured one: at 0.0 nothing can be below it
    assert not _coverage([(500, 500)], coverage_share=0.0)["supply_gap"].any()
    # with near_m, a needy district with an offer close to its centre is no gap: P2's centre is 1 km from
    # the offer, P3's 2 km
    near = _coverage([(500, 500)], near_m=1500)
    assert near["supply_gap"][near["level"] == "planungsraum"].to_dict() == {
        "P1": False, "P2": False, "P3": True, "P4": False}


def test_settings_from_the_configuration():
    assert OfferSettings.from_config(demo_config()) == OfferSettings(levels=None, min_need_class=3,
                                                                     coverage_share=0.5, near_m=None)
    old = OfferSettings.from_config(demo_config(offers_analysis={"level": "bezirk", "near_m": 800}))
    assert old.levels == ("bezirk",) and old.near_m == 800.0
    assert old.levels_of(_districts()) == ["bezirk"]
    assert OfferSettings().levels_of(_districts()) == ["bezirk", "planungsraum"]


@pytest.fixture(scope="module")
def demo_coverage(tiny_published) -> pd.DataFrame:
    with duckdb.connect(str(tiny_published / "data_marts" / "sozialmonitor.duckdb"), read_only=True) as con:
        return con.execute("select c.*, d.level_rank from offer_coverage c join districts d using (district_id)").df()


def test_demo_city_has_a_gap_per_offer_category_where_need_is_high_and_coverage_lowest(demo_coverage):
    t = demo_coverage
    finest = t[t["level_rank"] == t["level_rank"].max()]
    assert set(t["level"]) == {"bezirk", "bezirksregion", "planungsraum"}  # every level below the city
    with_gaps = 0
    for (category, band), g in finest.groupby(["category", "age_band"]):
        gaps = g[g["supply_gap"]]
        covered = g["offers_per_1000"].notna()
        if not (g.loc[covered, "offers"] > 0).any():
            # every offer of the category lies where the children are withheld (a protected denominator):
            # the level's published coverage is 0, nothing can lie below half of it, and no gap is claimed
            assert gaps.empty and (g.loc[~covered, "offers"].sum() > 0 or g["offers"].sum() == 0)
            continue
        with_gaps += 1
        assert len(gaps) >= 1, (category, band)
        assert (gaps["need_class"] >= 3).all()
        needy = g[(g["need_class"] >= 3) & g["offers_per_1000"].notna()]
        first = gaps[gaps["gap_rank"] == 1].iloc[0]
        # the gap has the lowest coverage among the needy districts and lies below half the level's coverage
        assert first["offers_per_1000"] == needy["offers_per_1000"].min()
        assert (gaps["offers_per_1000"] < 0.5 * gaps["reference_per_1000"]).all()
        # and the rule is applied exactly: every needy district below the threshold is a gap
        below = needy[needy["offers_per_1000"] < 0.5 * needy["reference_per_1000"]]
        assert set(below["district_id"]) == set(gaps["district_id"])
        assert sorted(gaps["gap_rank"]) == list(range(1, len(gaps) + 1))
    assert with_gaps >= finest.groupby(["category", "age_band"]).ngroups - 1  # at most one without an offer


def test_demo_offers_page_names_the_gaps_in_ranked_order(tiny_published, demo_coverage):
    ws = Workspace(tiny_published)
    page = ws.dashboard_releases / current_run_id(ws) / "auswertungen" / "angebote.html"
    html = page.read_text(encoding="utf-8")
    section = html.split('<section class="versorgungsluecken">')[1].split("</section>")[0]
    with duckdb.connect(str(tiny_published / "data_marts" / "sozialmonitor.duckdb"), read_only=True) as con:
        names = dict(con.execute("select district_id, name from districts").fetchall())
    blocks = {unescape(m.group(1)): m.group(2) for m in re.finditer(
        r'<details class="luecken"><summary>([^:<]+): [^<]*</summary>(.*?)</details>', section)}
    gaps = demo_coverage[demo_coverage["supply_gap"]]
    assert len(blocks) == demo_coverage.groupby(["category", "age_band"]).ngroups
    for (category, band), g in gaps.groupby(["category", "age_band"]):
        block = blocks[f"{category} ({life_phase_label(band)})"]
        listed = [[unescape(n) for n in re.findall(r'">([^<]+)</a>:', ol)]
                  for ol in re.findall(r"<ol>(.*?)</ol>", block)]
        ranked = [[names[d] for d in lg.sort_values("gap_rank")["district_id"]]
                  for _, lg in sorted(g.groupby("level"), key=lambda kv: kv[1]["level_rank"].iloc[0])]
        assert listed == ranked, (category, band)
    assert "Versorgungslücke (0 Gebiete)" not in html
