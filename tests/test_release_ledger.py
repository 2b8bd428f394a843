"""The private ledger of published cells: what earlier releases told, recorded once per figure."""

from __future__ import annotations

import shutil

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
