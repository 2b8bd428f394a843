"""An unseen office layout onboarded by configuration alone: a wide Excel sheet with a title, a
two-row header with merged cells, its own column names, only district names (spelt differently from
the geometry), a total row, a share column and table symbols — plus polygons. No code is written:
the test writes the files and a ``sozialmonitor.toml``, then runs the full pipeline."""

from __future__ import annotations

import duckdb
import geopandas as gpd
import openpyxl
from conftest import run_cli
from shapely.geometry import box

NAMES = ["Altstadt-Nord", "Sankt Georg", "Große Heide", "Mühlenkamp", "Weißer Hof", "Am Hafen"]
TABLE_NAMES = ["ALTSTADT NORD", "St. Georg", "Grosse Heide", "Muehlenkamp", "Weisser Hof", "Am Hafen"]
EW = [5400, 8200, 120, 6100, 7300, 4800]  # Große Heide: under 300 inhabitants
KIDS = [900, 1500, 15, 1200, 1400, 700]
POOR = [180, 420, ".", 95, 2, 210]  # "." kept secret upstream; 2 is hidden by the threshold
SHARE_65 = [21.5, 14.0, 30.0, 25.25, 18.0, 12.5]


def _write_inputs(ws):
    raw = ws / "eingang"
    raw.mkdir(parents=True)
    gpd.GeoDataFrame(
        {"NR": [f"{i + 1:03d}" for i in range(6)], "BEZEICHNUNG": NAMES, "BZ": ["1", "1", "1", "2", "2", "2"]},
        geometry=[box(600_000 + i * 1000, 5_900_000, 600_000 + (i + 1) * 1000, 5_901_000) for i in range(6)],
        crs="EPSG:25832",
    ).to_crs("EPSG:4326").to_file(raw / "quartiere.geojson", driver="GeoJSON")
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "Tab 3"
    sh.append(["Sozialdaten nach Quartieren, Stand 31.12.2022"])
    sh.append([])
    sh.append(["Quartier", "Bevölkerung", None, "Kinder in Bedarfsgemeinschaften", "Altersstruktur"])
    sh.merge_cells("B3:C3")
    sh.append([None, "insgesamt", "unter 15 Jahre", "Anzahl", "65 und älter in %"])
    for row in zip(TABLE_NAMES, EW, KIDS, POOR, SHARE_65, strict=True):
        sh.append(list(row))
    sh.append(["Stadt insgesamt", sum(EW), sum(KIDS), None, 20.1])
    sh.append([])
    sh.append(["Quelle: Statistikstelle"])
    wb.save(raw / "sozialdaten_2022.xlsx")


CONFIG = """
[city]
name = "Neustadt am Fluss"
crs = "EPSG:25832"

[[levels]]
id = "stadt"
label = "Stadt"

[[levels]]
id = "bezirk"
label = "Stadtbezirk"
names = { "1" = "West", "2" = "Ost" }

[[levels]]
id = "quartier"
label = "Quartier"

[[geometries]]
path = "eingang/quartiere.geojson"
level = "quartier"
key = "NR"
name = "BEZEICHNUNG"
parent = "BZ"

[population]
path = "eingang/sozialdaten_2022.xlsx"
sheet = "Tab 3"
format = "wide"
range = "A3:E11"
header_rows = 2
key = "Quartier"
join = "name"
value = "Bevölkerung insgesamt"
year = 2022
totals = [{ match = "insgesamt$", action = "parent", level = "stadt" }]

[[counts]]
id = "sozial"
path = "eingang/sozialdaten_2022.xlsx"
sheet = "Tab 3"
format = "wide"
range = "A3:E11"
header_rows = 2
key = "Quartier"
join = "name"
year = 2022
totals = [{ match = "insgesamt$", action = "drop" }]
values = [
  { column = "Kinder in Bedarfsgemeinschaften Anzahl", indicator = "kinderarmut", part = "numerator" },
  { column = "Bevölkerung unter 15 Jahre", indicator = "kinderarmut", part = "denominator" },
  { column = "Altersstruktur 65 und älter in %", indicator = "senioren", part = "share" },
  { column = "Bevölkerung insgesamt", indicator = "senioren", part = "denominator" },
]

[[indicators]]
id = "kinderarmut"
label = "Kinder in Bedarfsgemeinschaften"
domain = "Soziales"
life_phase = "Kindheit"
direction = "higher_is_worse"
unit = "share"

[[indicators]]
id = "senioren"
label = "Einwohner ab 65"
domain = "Gesundheit"
life_phase = "Alter"
direction = "none"
unit = "share"
"""


def test_unseen_wide_excel_layout_by_configuration_only(tmp_path):
    ws = tmp_path / "neustadt"
    _write_inputs(ws)
    (ws / "sozialmonitor.toml").write_text(CONFIG, encoding="utf-8")
    result = run_cli("run", "--quiet", "--workspace", str(ws), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert list((ws / "dashboards" / "releases").rglob("*.html"))
    con = duckdb.connect(str(ws / "data_marts" / "sozialmonitor.duckdb"), read_only=True)
    levels = dict(con.execute("select level, count(*) from districts group by 1").fetchall())
    assert levels == {"stadt": 1, "bezirk": 2, "quartier": 6}
    assert con.execute("select name from districts where district_id = '2'").fetchone()[0] == "Ost"
    values = {
        (d, i): (n, den, s)
        for d, i, n, den, s in con.execute(
            "select district_id, indicator_id, numerator, denominator, status from indicator_values"
        ).fetchall()
    }
    assert values[("001", "kinderarmut")] == (180, 900, "veröffentlicht")  # "ALTSTADT NORD" = Altstadt-Nord
    assert values[("002", "kinderarmut")][2] == "veröffentlicht"  # "St. Georg" = Sankt Georg
    assert values[("003", "kinderarmut")][2] == "zu wenige Einwohner"  # 120 inhabitants
    assert values[("005", "kinderarmut")][2] == "geheimgehalten"  # 2 children
    assert values[("004", "senioren")][:2] == (int(25.25 / 100 * 6100 + 0.5), 6100)  # derived from the share
    # the total row gave the city's population, the figures of the city are summed (upstream "." hides it)
    assert con.execute("select population from districts where level = 'stadt'").fetchone()[0] == sum(EW)
