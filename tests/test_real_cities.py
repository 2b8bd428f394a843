"""Real cities onboarded by configuration alone: the example workspaces on ../shared/data.

Each example folder (``examples/<name>/sozialmonitor.toml``) reads its files through relative paths
``../../../shared/data/…``. A test copies the folder into ``tmp/repo/examples/<name>`` next to a link
``tmp/shared`` to the shared data, runs the full pipeline from the command line and checks published
figures against the source tables. Skipped where ../shared/data is absent.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, SHARED_DATA, run_cli

from pipelines.lib.dashboards.page_frame import page_name

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
    result = run_cli("run", "--quiet", "--workspace", str(ws), timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (ws / "dashboards" / "index.html").is_file()
    con = duckdb.connect(str(ws / "data_marts" / "sozialmonitor.duckdb"), read_only=True)
    _check_release(ws, con)
    return con


def _check_release(ws: Path, con) -> None:
    """The audit passed, and every indicator has a map with every district of every level below the top,
    and every district has a profile page."""
    run_id = con.execute("select distinct run_id from run_info").fetchone()[0]
    release = json.loads((ws / "data_marts" / "releases" / run_id / "RELEASE.json").read_text(encoding="utf-8"))
    assert release["audit"]["passed"] is True, release["audit"]
    assert release["audit"]["cells_at_risk"] == 0 and release["audit"]["problems"] == 0, release["audit"]
    site = ws / "dashboards" / "releases" / run_id
    levels = dict(con.execute("select level, count(*) from districts where level_rank > 0 group by level").fetchall())
    for (indicator,) in con.execute("select indicator_id from indicators").fetchall():
        html = (site / "indikatoren" / f"{indicator}.html").read_text(encoding="utf-8")
        data = json.loads(re.search(r'<script type="application/json" id="sm-daten">(.*?)</script>', html,
                                    flags=re.S).group(1))
        on_map = {e["id"]: len(e["geo"]["features"]) for e in data["ebenen"]}
        assert on_map == levels, f"map of {indicator}: {on_map} != {levels}"
    ids = {i for (i,) in con.execute("select district_id from districts").fetchall()}
    assert {p.name for p in (site / "steckbriefe").glob("*.html")} == {page_name(i) for i in ids}


def _statuses(con, indicator: str, year: int, status: str, level: str | None = None) -> set[str]:
    return {i for (i,) in con.execute(
        "select v.district_id from indicator_values v join districts d using (district_id) "
        "where v.indicator_id = ? and v.year = ? and v.status = ? and (? is null or d.level = ?)",
        [indicator, year, status, level, level]).fetchall()}


def _levels(con) -> dict[str, int]:
    return dict(con.execute("select level, count(*) from districts group by level").fetchall())


def _value(con, name_or_id: str, indicator: str, year: int, level: str | None = None) -> tuple:
    rows = con.execute(
        "select v.numerator, v.denominator, v.rate, v.status from indicator_values v join districts d "
        "using (district_id) where (d.name = ? or d.district_id = ?) and v.indicator_id = ? and v.year = ? "
        "and (? is null or d.level = ?)",
        [name_or_id, name_or_id, indicator, year, level, level],
    ).fetchall()
    assert len(rows) == 1, f"{name_or_id} ({level or 'any level'}): {len(rows)} rows for {indicator} {year}"
    return rows[0]


def _de(text: str) -> float:
    return float(text.strip().replace(" ", "").replace(".", "").replace(",", "."))


def test_hamburg_2014(tmp_path):
    con = _run(tmp_path, "hamburg-2014")
    # 104 polygons, 8 merged into 4 statistical Stadtteile; 7 Bezirke; the city
    assert _levels(con) == {"stadt": 1, "bezirk": 7, "stadtteil": 100}
    rows = list(csv.reader((SHARED_DATA / "hamburg-stadtteile-2014" / "Daten_fuer_die_Stadtteilprofile_2014.csv")
                           .read_text(encoding="utf-8").splitlines(), delimiter=";"))
    header = rows[0]
    # 99 Stadtteile, then 7 Bezirke and Hamburg; four Bezirke are named like a Stadtteil
    stadtteile = {r[0].strip(): r for r in rows[1:100]}
    bezirke = {r[0].strip(): r for r in rows[100:107]}
    assert len(stadtteile) == 99 and len(bezirke) == 7 and rows[107][0].strip() == "Hamburg"
    sgb2 = header.index("Leistungs-empfänger/-innen nach SGB II (Dez 2013)")
    share = header.index("Anteil der Leistungs-empfänger/-innen nach SGB II in % (Dez 2013)")
    bev = header.index("Bevölkerung")
    for name in ("Hamburg-Altstadt", "Billstedt", "Moorburg und Altenwerder", "Eimsbüttel", "Harburg"):
        num, den, rate, status = _value(con, name, "sgb2_quote", 2013, level="stadtteil")
        assert status == "veröffentlicht"
        assert (num, den) == (_de(stadtteile[name][sgb2]), _de(stadtteile[name][bev]))
        assert round(rate, 1) == pytest.approx(_de(stadtteile[name][share]), abs=0.051)
    # totals rows are the source's own parent figures (Neuwerk has no row: the sum would be missing)
    for name in ("Hamburg-Mitte", "Eimsbüttel", "Harburg"):
        num, den, _, status = _value(con, name, "sgb2_quote", 2013, level="bezirk")
        assert (num, den, status) == (_de(bezirke[name][sgb2]), _de(bezirke[name][bev]), "veröffentlicht")
    assert _value(con, "0", "sgb2_quote", 2013)[1] == _de(rows[107][bev]) == 1788994
    assert _value(con, "Neuwerk", "sgb2_quote", 2013)[3] == "keine Daten"
    # no Stadtteil of the table has under 300 inhabitants (the smallest, Spadenland, 478): none shown as such
    assert min(_de(r[bev]) for r in stadtteile.values()) == 478
    assert _statuses(con, "sgb2_quote", 2013, "zu wenige Einwohner") == set()
    # derived numerators: share × population, close to the published count
    auslaender = header.index("Ausländerinnen und Ausländer")
    num = _value(con, "Hamburg-Altstadt", "auslaenderanteil", 2013)[0]
    assert abs(num - _de(stadtteile["Hamburg-Altstadt"][auslaender])) <= 0.0005 * 1675 + 1


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
    small = {k for k, r in src.items() if r["EW"] and int(r["EW"]) < 300}
    assert len(small) == 5
    for indicator in ("migrationshintergrund", "auslaender", "wohndauer"):
        assert _statuses(con, indicator, 2020, "zu wenige Einwohner", "planungsraum") == small
    # the sixth invalid row ("Ausreißer", 1262 inhabitants, -9999) is kept secret, not "too few inhabitants"
    outlier = {k for k, r in src.items() if r["KOM"] == "ungültig (Ausreißer)"}
    assert outlier == {"10100205"} and int(src["10100205"]["EW"]) == 1262
    assert _value(con, "10100205", "auslaender", 2020)[3] == "geheimgehalten"
    # MSS has no Bezirk or Berlin rows: a parent is the sum of its Planungsräume, and one with an invalid
    # Planungsraum (its share unknown) has no value; the inhabitants are still the sum of the EW column
    invalid = {k for k, r in src.items() if r["KOM"].startswith("ungültig")}
    assert invalid == small | outlier
    assert _statuses(con, "auslaender", 2020, "keine Daten", "bezirk") == {k[:2] for k in invalid}
    assert _value(con, "berlin", "auslaender", 2020)[1:] == (sum(int(r["EW"]) for r in src.values()), None,
                                                              "keine Daten")
    num, den, _, status = _value(con, "01", "auslaender", 2020)
    assert status == "veröffentlicht"
    assert den == sum(int(r["EW"]) for k, r in src.items() if k.startswith("01"))
    assert num == sum(int(float(r["KI_16"]) / 100 * int(r["EW"]) + 0.5) for k, r in src.items() if k.startswith("01"))
    # 2017 (old LOR, per Bezirksregion) carried onto LOR 2021 by area: the Berlin total is kept
    da1 = 0
    for f in (SHARED_DATA / "berlin-bzr-kernindikatoren-2017" / "bz-data").glob("*/bzr-data/*/indikatoren.csv"):
        da1 += next(int(float(r["wert"])) for r in csv.DictReader(f.open(encoding="utf-8")) if r["name"] == "DA1")
    den_2017 = _value(con, "berlin", "wohndauer", 2017)[1]
    assert abs(den_2017 - da1) <= 0.001 * da1
    years = con.execute("select distinct year from indicator_values where indicator_id = 'wohndauer' order by 1")
    assert [y for (y,) in years.fetchall()] == [2017, 2020]


def _slug(name: str) -> str:
    """The folder names of the Kernindikatoren files (SOURCE.md: lower case, str. -> strasse, umlauts spelt out,
    only a-z0-9)."""
    text = name.lower().replace("str.", "strasse")
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]", "", text)


def test_berlin_bzr_2017(tmp_path):
    con = _run(tmp_path, "berlin-bzr-2017")
    assert _levels(con) == {"berlin": 1, "bezirk": 12, "bezirksregion": 138}
    data = SHARED_DATA / "berlin-bzr-kernindikatoren-2017"
    # the files carry no keys: the folder name is the slug of the name in the LOR key table
    keys = {_slug(r["bzr_name"]): r["full_id_bzr"]
            for r in csv.DictReader((data / "preprocessed_lor.csv").open(encoding="utf-8"))}
    files = {f.parent.name: f for f in (data / "bz-data").glob("*/bzr-data/*/indikatoren.csv")}
    assert len(files) == len(keys) == 138 and set(files) == set(keys)
    assert (keys["alexanderplatz"], keys["barstrasse"], keys["forstgrunewald"]) == ("010113", "040515", "040617")
    source = {keys[slug]: {r["name"]: float(r["wert"]) for r in csv.DictReader(f.open(encoding="utf-8"))}
              for slug, f in files.items()}

    # every Bezirksregion of 300 inhabitants or more: denominator DA1, numerator share × DA1
    small = {k for k, s in source.items() if s["DA1"] < 300}
    assert small == {"040617"} and source["040617"]["DA1"] == 78  # Forst Grunewald
    published = {r[0]: r[1:] for r in con.execute(
        "select district_id, numerator, denominator, status from indicator_values "
        "where indicator_id = 'unter18' and year = 2017").fetchall()}
    for key, s in source.items():
        if key in small:
            continue
        assert published[key] == (int(s["B1"] / 100 * s["DA1"] + 0.5), int(s["DA1"]), "veröffentlicht"), key
    for indicator in ("unter18", "ab65", "wohndauer"):
        assert _statuses(con, indicator, 2017, "zu wenige Einwohner") == small
    assert _value(con, "Forst Grunewald", "unter18", 2017)[3] == "zu wenige Einwohner"

    # Bezirke: the sum of their regions, equal to the source's own Bezirk files (shares rounded to 0.1)
    bezirke = list((data / "bz-data").glob("*/indikatoren.csv"))
    assert len(bezirke) == 12
    for f in bezirke:
        s = {r["name"]: float(r["wert"]) for r in csv.DictReader(f.open(encoding="utf-8"))}
        (key,) = {keys[r.name][:2] for r in (f.parent / "bzr-data").iterdir()}  # its regions share the prefix
        _, den, rate, status = _value(con, key, "unter18", 2017, level="bezirk")
        assert (den, status) == (int(s["DA1"]), "veröffentlicht") and rate == pytest.approx(s["B1"], abs=0.06), key
    assert con.execute("select name from districts where district_id = '01'").fetchone()[0] == "Mitte"


def _gv_population() -> dict[str, int]:
    """Inhabitants per Kreis from the Gemeindeverzeichnis: the Gemeinde rows (Satzart 60) summed by Land+RB+Kreis."""
    import openpyxl

    book = openpyxl.load_workbook(SHARED_DATA / "germany-kreise" / "31122023_Auszug_GV.xlsx", read_only=True,
                                  data_only=True)
    out: dict[str, int] = defaultdict(int)
    for row in book["Onlineprodukt_Gemeinden31122023"].iter_rows(values_only=True):
        if str(row[0]) == "60":
            out[f"{row[2]}{row[3]}{row[4]}"] += int(row[9] or 0)
    book.close()
    return out


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
    # every Kreis: denominator = the Gemeindeverzeichnis sum (the pseudo-areas 07000 and 13000 left out),
    # numerator = INKAR share × inhabitants
    gv = _gv_population()
    assert set(gv) - set(inkar) == {"07000", "13000"} and gv["07000"] == gv["13000"] == 0
    published = {r[0]: r[1:] for r in con.execute(
        "select v.district_id, v.numerator, v.denominator, v.status from indicator_values v "
        "join districts d using (district_id) where d.level = 'kreis' and v.indicator_id = 'ab65' and v.year = 2023"
    ).fetchall()}
    assert set(published) == set(inkar)
    for key, r in inkar.items():
        expected = (int(float(r["Age_65"]) / 100 * gv[key] + 0.5), gv[key], "veröffentlicht")
        assert published[key] == expected, (key, r["Name"])
    # Wartburgkreis with Eisenach; no Kreis has under 300 inhabitants (the smallest, Zweibrücken, 34 613)
    assert _value(con, "16063", "ab65", 2023)[1] == gv["16063"]
    assert min(gv[k] for k in inkar) == gv["07320"] == 34_613
    assert _statuses(con, "ab65", 2023, "zu wenige Einwohner") == set()
