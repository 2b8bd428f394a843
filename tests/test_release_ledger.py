"""The private ledger of published cells: what earlier releases told, recorded once per figure."""

from __future__ import annotations

import shutil

from pandas.testing import assert_frame_equal

from pipelines.lib.duck import connect
from pipelines.lib.release import ledger
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace


def _rows(path) -> int:
    with connect(path, read_only=True, spatial=False) as con:
        return con.execute("select count(*) from published_cells").fetchone()[0]


def test_a_refresh_with_the_same_figures_adds_nothing_and_a_changed_figure_is_added(tiny_published, tmp_path):
    ws = Workspace(tiny_published)
    mart = tmp_path / "mart.duckdb"
    shutil.copy(ws.mart_releases / current_run_id(ws) / "sozialmonitor.duckdb", mart)
    book = tmp_path / "ledger.duckdb"
    published = ledger.record(book, "run-1", mart)
    assert published > 0 and _rows(book) == published
    assert ledger.record(book, "run-2", mart) == published and _rows(book) == published  # nothing new
    assert ledger.record(book, "run-1", mart) == published and _rows(book) == published  # idempotent
    with connect(mart) as con:  # the source corrected one figure
        key = con.execute("select indicator_id, year, district_id, numerator from indicator_values "
                          "where status = 'veröffentlicht' and numerator > 5 order by all limit 1").fetchone()
        con.execute("update indicator_values set numerator = numerator + 1 where indicator_id = ? and year = ? "
                    "and district_id = ?", list(key[:3]))
    ledger.record(book, "run-3", mart)
    assert _rows(book) == published + 1
    known = ledger.known_values(book)
    figures = known[(known["indicator_id"] == key[0]) & (known["year"] == key[1]) & (known["district_id"] == key[2])]
    assert sorted(figures["numerator"]) == [key[3], key[3] + 1]  # both figures stay known


def test_earlier_knowledge_in_duckdb_equals_still_known_with_revised_figures_and_gone_districts(tiny_published,
                                                                                                 tmp_path):
    ws = Workspace(tiny_published)
    mart = tmp_path / "mart.duckdb"
    shutil.copy(ws.mart_releases / current_run_id(ws) / "sozialmonitor.duckdb", mart)
    book = tmp_path / "ledger.duckdb"
    ledger.record(book, "run-1", mart)
    with connect(mart) as con:  # a second release with one corrected figure: two figures of one cell known
        con.execute("update indicator_values set numerator = numerator + 1 where rowid = (select min(rowid) "
                    "from indicator_values where status = 'veröffentlicht' and numerator > 5)")
        cells = con.execute("select indicator_id, year, district_id, numerator::double as numerator "
                            "from indicator_values").df()
    ledger.record(book, "run-2", mart)
    known = ledger.known_values(book)
    districts = sorted(cells["district_id"].unique())
    gone = districts[:2]
    now = cells[~cells["district_id"].isin(gone)].reset_index(drop=True)  # another area system's districts
    now.loc[now.index[::5], "numerator"] += 2  # revised by the source, up and down: no longer knowledge
    now.loc[now.index[3::9], "numerator"] -= 1
    now.loc[now.index[1::7], "numerator"] = float("nan")  # missing now
    expected = ledger.still_known(known, now)
    got = ledger.earlier_knowledge(book, now)
    assert_frame_equal(got, expected)
    assert set(got.loc[got["district_id"].isin(gone), "district_id"]) == set(gone)  # every figure of those stays
    assert len(got[got["district_id"].isin(gone)]) == len(known[known["district_id"].isin(gone)])
    assert not got.empty and len(got) < len(known)


def test_each_recorded_cell_carries_the_population_of_its_own_year(tiny_published, tmp_path):
    """Not the districts table's population (the latest year's): a district that grew past min_population
    would make an earlier "zu wenige Einwohner" look like a small group to the audit over time."""
    ws = Workspace(tiny_published)
    mart = ws.mart_releases / current_run_id(ws) / "sozialmonitor.duckdb"
    with connect(mart, read_only=True, spatial=False) as con:
        truth = con.execute("select indicator_id, year, district_id, numerator::double as numerator, "
                            "denominator::double as denominator from indicator_values").df()
        bands = con.execute("select district_id, year, sum(population)::double as bands from population "
                            "group by all").df()
        latest = con.execute("select district_id, population::double as latest from districts").df()
    book = tmp_path / "ledger.duckdb"
    ledger.record(book, "run-1", mart, truth)
    cells = ledger.release_patterns(book)["run-1"]
    merged = (cells.merge(bands, on=["district_id", "year"], how="left")
              .merge(latest, on="district_id", how="left"))
    assert merged["population"].isna().equals(merged["bands"].isna())  # where the bands are published
    shown = merged["bands"].notna()
    assert (merged.loc[shown, "population"] == merged.loc[shown, "bands"]).all()
    assert (merged.loc[shown, "population"] != merged.loc[shown, "latest"]).any()  # earlier years differ
    assert merged.loc[~shown, "latest"].notna().any()  # and the coarser levels' latest is not taken
    # a ledger of an older version recorded the latest year's there: not read
    with connect(book, spatial=False) as con:
        con.execute("update recorded_releases set populations_by_year = null")
    assert ledger.release_patterns(book)["run-1"]["population"].isna().all()
