"""Derived numerators end to end: a share delivered with its denominator (the unseen Excel layout of
``test_onboarding_unseen_layout``) is published with ``is_derived`` true on its cells and on every parent that
sums them, false on the counted indicator; derived cells get a rate but no interval; the data dictionary, the
CSV and Parquet exports and the map page say so."""

from __future__ import annotations

import csv
import json
import re

import pyarrow.parquet as pq
import pytest
import test_onboarding_unseen_layout as onboarding
from conftest import run_cli
from test_onboarding_unseen_layout import CONFIG, EW, SHARE_65, _write_inputs

from pipelines.lib.duck import connect
from pipelines.lib.release import exports as ex
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace


def test_a_delivered_share_is_marked_derived_from_the_mart_to_the_pages(tmp_path, monkeypatch):
    """One pipeline run (a module fixture would run once per test worker), four sets of checks. Quartier 006
    delivers no child-poverty figure (an empty cell): its cell and its Stadtbezirk's are "keine Daten" (so are
    the other Stadtbezirk's and the city's, which sum a cell kept secret upstream); the audit counts them apart
    from the hidden cells."""
    monkeypatch.setattr(onboarding, "POOR", [*onboarding.POOR[:5], None])
    ws = tmp_path / "neustadt"
    _write_inputs(ws)
    (ws / "sozialmonitor.toml").write_text(CONFIG, encoding="utf-8")
    result = run_cli("run", "--quiet", "--workspace", str(ws), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    check_mart(ws)
    check_dictionary_and_exports(ws)
    check_pages(ws)
    check_audit_counts(ws)


def _release(ws):
    w = Workspace(ws)
    return w.mart_releases / current_run_id(w)


def check_mart(published):
    with connect(_release(published) / "sozialmonitor.duckdb", read_only=True, spatial=False) as con:
        rows = con.execute("select indicator_id, district_id, numerator, denominator, rate, ci_low, ci_high, "
                           "status, is_derived from indicator_values").fetchall()
    cells = {(r[0], r[1]): r[2:] for r in rows}
    senioren = {d: c for (i, d), c in cells.items() if i == "senioren"}
    with connect(_release(published) / "sozialmonitor.duckdb", read_only=True, spatial=False) as con:
        districts = {r[0] for r in con.execute("select district_id from districts").fetchall()}
    assert set(senioren) == districts and len(districts) == 9  # six Quartiere, two Stadtbezirke, the city
    assert all(c[-1] is True for c in senioren.values())  # the leaves, both Stadtbezirke and the city
    assert all(c[-1] is False for (i, _), c in cells.items() if i == "kinderarmut")
    shown = [c for c in senioren.values() if c[5] == "veröffentlicht"]
    assert len(shown) >= 6
    assert all(c[2] is not None and c[3] is None and c[4] is None for c in shown)  # rate, no interval
    # the rate of the derived numerator: round(25.25 % × 6100) / 6100, as published
    x, n, rate = senioren["004"][:3]
    assert (x, n) == (int(SHARE_65[3] / 100 * EW[3] + 0.5), EW[3]) and rate == pytest.approx(100 * x / n, abs=1e-4)
    counted = [c for (i, _), c in cells.items() if i == "kinderarmut" and c[5] == "veröffentlicht"]
    assert counted and all(c[3] is not None and c[4] is not None for c in counted)  # counted: an interval


def check_dictionary_and_exports(published):
    release = _release(published)
    with connect(release / "sozialmonitor.duckdb", read_only=True, spatial=False) as con:
        described = dict(con.execute("select table_name, description from data_dictionary "
                                     "where column_name = 'is_derived'").fetchall())
    assert {"indicator_values", "v_latest_values", "v_time_series"} <= set(described)
    assert "Anteil" in described["indicator_values"] and "Konfidenzintervall" in described["indicator_values"]
    table = pq.read_table(ex.parquet_path(release / "exports", "indicator_values"))
    flags = dict(zip(zip(table["indicator_id"].to_pylist(), table["district_id"].to_pylist(), strict=True),
                     table["is_derived"].to_pylist(), strict=True))
    assert flags[("senioren", "004")] is True and flags[("senioren", "2")] is True
    assert flags[("kinderarmut", "001")] is False
    with ex.csv_path(release / "exports", "indicator_values").open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f, delimiter=";")
        rows = list(reader)
    assert "is_derived" in reader.fieldnames
    derived = {r["is_derived"] for r in rows if r["indicator_id"] == "senioren"}
    counted = {r["is_derived"] for r in rows if r["indicator_id"] == "kinderarmut"}
    assert len(derived) == 1 and len(counted) == 1 and derived != counted


def check_pages(published):
    pages = {p.name: p for p in (Workspace(published).dashboard_releases).rglob("*.html")}
    senioren = [p for name, p in pages.items() if "senioren" in name]
    assert senioren, sorted(pages)
    html = senioren[0].read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="sm-daten">(.*?)</script>', html, re.S)[1])
    assert "Anteil × Bezugsgröße" in data["texte"]["abgeleitet"] and "Konfidenzintervall" in data["texte"]["ohne_ki"]
    cells = [c for year in data["werte"].values() for level in year for c in level]
    shown = [c for c in cells if c[0] == 0]
    assert shown and all(len(c) == 9 and c[8] == 1 and c[2] is None for c in shown)
    other = next(p for name, p in pages.items() if "kinderarmut" in name).read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="sm-daten">(.*?)</script>', other, re.S)[1])
    assert all(len(c) == 8 for year in data["werte"].values() for level in year for c in level if c[0] == 0)
    profile = next(p for name, p in pages.items() if name == "004.html").read_text(encoding="utf-8")
    assert "kein KI (Zähler abgeleitet)" in profile and "Anteil × Bezugsgröße" in profile


def check_audit_counts(published):
    run_id = current_run_id(Workspace(published))
    report = json.loads((Workspace(published).audit_dir / run_id / "audit.json").read_text(encoding="utf-8"))
    with connect(_release(published) / "sozialmonitor.duckdb", read_only=True, spatial=False) as con:
        statuses = dict(con.execute("select status, count(*) from indicator_values group by 1").fetchall())
        missing = {r[0] for r in con.execute("select district_id from indicator_values "
                                             "where status = 'keine Daten'").fetchall()}
    # 006 delivered nothing; Stadtbezirk 1 sums Quartier 003, kept secret upstream ("."), so it and the city
    # cannot be computed either
    assert missing == {"006", "1", "2", "stadt"}
    assert report["no_data_cells"] == statuses["keine Daten"] == 4
    assert report["hidden_cells"] == statuses.get("geheimgehalten", 0) + statuses.get("zu wenige Einwohner", 0)
    assert report["hidden_cells"] > 0
    text = next((Workspace(published).data_private / "releases" / run_id).glob("schutzbericht.md"))
    assert "Zellen ohne Daten („keine Daten“" in text.read_text(encoding="utf-8")
