"""The site reads the mart in slices (by indicator, by group of districts, by indicator-year); each slice
must give exactly the values a full read gives, and the pages must not depend on how they are sliced."""

from __future__ import annotations

import pytest

from pipelines.lib.dashboards import build_site, profile_site
from pipelines.lib.dashboards.mart import (
    MartCells,
    open_mart,
    read_all_values,
    read_district_values,
    read_indicators,
    read_years,
)
from tests.dashboard_fixtures import make_config, make_mart

pytestmark = pytest.mark.filterwarnings("ignore:Numba not installed")


@pytest.fixture(scope="module")
def mart(tmp_path_factory):
    return make_mart(tmp_path_factory.mktemp("mart") / "mart.duckdb")


def _full(mart) -> dict:
    con = open_mart(mart)
    try:
        return {i.indicator_id: read_all_values(con, i.indicator_id) for i in read_indicators(con)}
    finally:
        con.close()


def test_district_slices_and_years_equal_the_full_read(mart):
    full = _full(mart)
    con = open_mart(mart)
    try:
        years = read_years(con)
        some = read_district_values(con, ["P03", "B2", "S"])
        none = read_district_values(con, [])
    finally:
        con.close()
    assert years == {ind: tuple(values) for ind, values in full.items()}
    assert none == {}
    expected = {ind: {y: {d: v for d, v in cells.items() if d in {"P03", "B2", "S"}}
                      for y, cells in values.items()} for ind, values in full.items()}
    expected = {ind: {y: c for y, c in v.items() if c} for ind, v in expected.items()}
    assert some == {ind: v for ind, v in expected.items() if v}
    assert any(v.status != "veröffentlicht" for v in some["kinderarmut"][2023].values())  # statuses kept


def test_mart_cells_preloaded_or_read_when_asked_give_the_same_values(mart):
    full = _full(mart)
    preloaded = MartCells(mart)
    preloaded.preload([("kinderarmut", 2023), ("kita_u3", 2022)])
    lazy = MartCells(mart)
    for indicator, year in [("kinderarmut", 2023), ("kita_u3", 2022), ("hilfen_zur_erziehung", 2023)]:
        assert preloaded.get(indicator, year) == full[indicator][year]
        assert lazy.get(indicator, year) == full[indicator][year]
    assert lazy.get("kinderarmut", 1990) == {}
    assert lazy.get("unbekannt", 2023) == {}


def test_profiles_are_the_same_however_the_districts_are_grouped(mart, tmp_path, monkeypatch):
    whole = build_site(mart, tmp_path / "whole", make_config(tmp_path))
    assert len(profile_site.district_groups(list(range(11)))) == 1  # the toy city: one group
    monkeypatch.setattr(profile_site, "MIN_ITEMS", 1)
    monkeypatch.setattr(profile_site, "GROUPS", 4)
    assert [len(g) for g in profile_site.district_groups(list(range(11)))] == [3, 3, 3, 2]
    grouped = build_site(mart, tmp_path / "grouped", make_config(tmp_path))
    assert grouped.profiles.keys() == whole.profiles.keys()
    for district_id, path in whole.profiles.items():
        assert grouped.profiles[district_id].read_bytes() == path.read_bytes(), district_id
