"""Real cities onboarded by configuration alone: the example workspaces on ../shared/data.

Each example folder (``examples/<name>/sozialmonitor.toml``) reads its files through relative paths
``../../../shared/data/…``. A test copies the folder into ``tmp/repo/examples/<name>`` next to a link
``tmp/shared`` to the shared data, runs the full pipeline from the command line and checks published
figures against the source tables. Skipped where ../shared/data is absent.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, SHARED_DATA, run_cli

EXAMPLES = ROOT / "examples"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"real data not present at {SHARED_DATA}")]


def _workspace(tmp_path: Path, name: str) -> Path:
    ws = tmp_path / "repo" / "examples" / name
    ws.mkdir(parents=True)
    shutil.copy(EXAMPLES / name / "sozialmonitor.toml", ws / "sozialmonitor.toml")
    (tmp_path / "shared").symlink_to(SHARED_DATA.parent, target_is_directory=True)
    return ws


def _run(tmp_path: Path, name: str) -> duckdb.DuckDBPyConnection:
    ws = _workspace(tmp_path, name)
    result = run_cli("run", "--quiet", "--workspace", str(ws), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (ws / "dashboards" / "index.html").is_file()
    assert list((ws / "dashboards" / "releases").rglob("*.html")), "no maps built"
    con = duckdb.connect(str(ws / "data_marts" / "sozialmonitor.duckdb"), read_only=True)
    return con


def _levels(con) -> dict[str, int]:
    return dict(con.execute("select level, count(*) from districts group by level").fetchall())


def _value(con, name_or_id: str, indicator: str, year: int) -> tuple:
    return con.execute(
        "select v.numerator, v.denominator, v.rate, v.status from indicator_values v join districts d "
        "using (district_id) where (d.name = ? or d.district_id = ?) and v.indicator_id = ? and v.year = ?",
        [name_or_id, name_or_id, indicator, year],
    ).fetchone()


def _de(text: str) -> float:
    return float(text.strip().replace(" ", "").replace(".", "").replace(",", "."))


def test_hamburg_2014(tmp_path):
    con = _run(tmp_path, "hamburg-2014")
    # 104 polygons, 8 merged into 4 statistical Stadtteile; 7 Bezirke; the city
    assert _levels(con) == {"stadt": 1, "bezirk": 7, "stadtteil": 100}
    rows = list(csv.reader((SHARED_DATA / "hamburg-stadtteile-2014" / "Daten_fuer_die_Stadtteilprofile_2014.csv")
                           .read_text(encoding="utf-8").splitlines(), delimiter=";"))
    header = rows[0]
    by_name = {r[0].strip(): r for r in rows[1:]}
    sgb2 = header.index("Leistungs-empfänger/-innen nach SGB II (Dez 2013)")
    share = header.index("Anteil der Leistungs-empfänger/-innen nach SGB II in % (Dez 2013)")
    bev = header.index("Bevölkerung")
    for name in ("Hamburg-Altstadt", "Billstedt", "Moorburg und Altenwerder"):
        num, den, rate, status = _value(con, name, "sgb2_quote", 2013)
        assert status == "veröffentlicht"
        assert (num, den) == (_de(by_name[name][sgb2]), _de(by_name[name][bev]))
        assert round(rate, 1) == pytest.approx(_de(by_name[name][share]), abs=0.051)
    # totals rows are the source's own parent figures (Neuwerk has no row: the sum would be missing)
    num, den, _, status = _value(con, "Hamburg-Mitte", "sgb2_quote", 2013)
    assert (num, den, status) == (_de(by_name["Hamburg-Mitte"][sgb2]), 289876, "veröffentlicht")
    assert _value(con, "0", "sgb2_quote", 2013)[1] == 1788994
    assert _value(con, "Neuwerk", "sgb2_quote", 2013)[3] == "keine Daten"
    # derived numerators: share × population, close to the published count
    auslaender = header.index("Ausländerinnen und Ausländer")
    num = _value(con, "Hamburg-Altstadt", "auslaenderanteil", 2013)[0]
    assert abs(num - _de(by_name["Hamburg-Altstadt"][auslaender])) <= 0.0005 * 1675 + 1


def test_berlin_mss_2021_with_crosswalk(tmp_path):
    con = _run(tmp_path, "berlin-mss-2021")
    assert _levels(con) == {"berlin": 1, "bezirk": 12, "bezirksregion": 143, "planungsraum": 542}
    src = {r["PLR_ID"]: r for r in csv.DictReader(
        (SHARED_DATA / "berlin-mss-2021" / "mss_2021_kontext_indikatoren.csv").open(encoding="utf-8"))}
    for plr in ("01100101", "01100102"):
        num, den, _, status = _value(con, plr, "migrationshintergrund", 2020)
        assert status == "veröffentlicht"
        ew = int(src[plr]["EW"])
        assert den == ew and num == int(float(src[plr]["KI_05"]) / 100 * ew + 0.5)
    # under 300 inhabitants (and -9999 in the source): shown as such
    small = [k for k, r in src.items() if r["EW"] and int(r["EW"]) < 300]
    assert len(small) == 5
    for plr in small:
        assert _value(con, plr, "auslaender", 2020)[3] == "zu wenige Einwohner"
    # 2017 (old LOR, per Bezirksregion) carried onto LOR 2021 by area: the Berlin total is kept
    da1 = 0
    for f in (SHARED_DATA / "berlin-bzr-kernindikatoren-2017" / "bz-data").glob("*/bzr-data/*/indikatoren.csv"):
        da1 += next(int(float(r["wert"])) for r in csv.DictReader(f.open(encoding="utf-8")) if r["name"] == "DA1")
    den_2017 = _value(con, "berlin", "wohndauer", 2017)[1]
    assert abs(den_2017 - da1) <= 0.001 * da1
    years = con.execute("select distinct year from indicator_values where indicator_id = 'wohndauer' order by 1")
    assert [y for (y,) in years.fetchall()] == [2017, 2020]


def test_berlin_bzr_2017(tmp_path):
    con = _run(tmp_path, "berlin-bzr-2017")
    assert _levels(con) == {"berlin": 1, "bezirk": 12, "bezirksregion": 138}
    base = SHARED_DATA / "berlin-bzr-kernindikatoren-2017" / "bz-data"

    def source(slug):
        f = next(base.glob(f"*/bzr-data/{slug}/indikatoren.csv"))
        return {r["name"]: float(r["wert"]) for r in csv.DictReader(f.open(encoding="utf-8"))}

    for slug, key in (("alexanderplatz", "010113"), ("barstrasse", "040612")):
        s = source(slug)
        num, den, _, status = _value(con, key, "unter18", 2017)
        assert status == "veröffentlicht"
        assert den == int(s["DA1"]) and num == int(s["B1"] / 100 * s["DA1"] + 0.5)
    assert _value(con, "Forst Grunewald", "unter18", 2017)[3] == "zu wenige Einwohner"
    assert con.execute("select name from districts where district_id = '01'").fetchone()[0] == "Mitte"


def test_germany_kreise(tmp_path):
    con = _run(tmp_path, "germany-kreise")
    # 401 polygons, Eisenach merged into the Wartburgkreis (2021): 400 Kreise, 16 Länder
    assert _levels(con) == {"deutschland": 1, "land": 16, "kreis": 400}
    assert _value(con, "deutschland", "unter6", 2023)[1] == 84_669_326
    num, den, _, status = _value(con, "01001", "unter6", 2023)  # Flensburg, leading zero restored
    assert status == "veröffentlicht" and den == 92_667
    inkar = {r["ID_K"].zfill(5): r for r in csv.DictReader(
        (SHARED_DATA / "germany-kreise" / "merged_kre_final.csv").open(encoding="utf-8"))}
    assert num == int(float(inkar["01001"]["Age_below_6"]) / 100 * 92_667 + 0.5)
