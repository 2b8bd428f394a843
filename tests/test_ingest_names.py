"""District names from a table of their own (``name_table`` of a geometry source), joined by key.

The geometry holds keys only; the names come from a small ``Nummer;Bezeichnung`` CSV written here. Every
expected name and every finding's row is read off that file.
"""

from __future__ import annotations

import pytest
from conftest import run_cli

from pipelines.lib.config_keys import key_findings
from pipelines.lib.findings import ConfigError
from pipelines.lib.ingest import load_inputs
from tests.ingest_fixtures import (
    LEAVES,
    csv_text,
    gpkg_sources,
    leaf_frame,
    long_rows,
    make_config,
    of_code,
    write_gpkg,
    write_text,
)

TABLE = {"path": "data_raw/namen.csv", "key": "Nummer", "name": "Bezeichnung"}
NAMES = {
    "0101": "Altstadt-Ost",
    "0102": "Neue Mitte",
    "0201": "Hafencity",
    "0202": "Heidekamp",
    "01": "West",
    "02": "Ost",
}


def _keys_only(tmp_path):
    """The GeoPackage with leaves and Bezirke that have no name column."""
    from tests.ingest_fixtures import bezirk_frame, city_frame

    path = tmp_path / "data_raw" / "nur_schluessel.gpkg"
    path.parent.mkdir(parents=True, exist_ok=True)
    city_frame().to_file(path, layer="stadt", driver="GPKG")
    bezirk_frame().drop(columns="name").to_file(path, layer="bezirke", driver="GPKG")
    leaf_frame().drop(columns="name").to_file(path, layer="gebiete", driver="GPKG")
    sources = gpkg_sources("nur_schluessel.gpkg")
    for src in sources[1:]:
        del src["name"]
        src["name_table"] = dict(TABLE)
    return sources


def _names_csv(tmp_path, rows):
    write_text(tmp_path, "data_raw/namen.csv", csv_text(rows, header=("Nummer", "Bezeichnung")))


def _names(inputs):
    return dict(zip(inputs.districts["district_id"], inputs.districts["name"], strict=True))


def test_names_come_from_the_table_for_every_layer_that_names_it(tmp_path):
    _names_csv(tmp_path, list(NAMES.items()))
    inputs = load_inputs(make_config(tmp_path, geometries=_keys_only(tmp_path)))
    assert [f for f in inputs.findings if f.severity == "error"] == []
    assert _names(inputs) == {**NAMES, "0": "Teststadt"}
    assert "data_raw/namen.csv" in {f.path for f in inputs.files}  # a changed name table is a new delivery


def test_keys_are_normalised_like_the_geometrys_and_dissolved_levels_are_named_too(tmp_path):
    """Only the leaves have a geometry (keys padded by key_pad = 4); the Bezirke are dissolved from their
    parent keys and the table names them; the table writes the leaf keys without their leading zero."""
    g = leaf_frame().drop(columns="name")
    g["gebiet_id"] = [k.lstrip("0") for k in LEAVES]
    path = tmp_path / "data_raw" / "gebiete.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    g.to_file(path, driver="GeoJSON")
    leaf = {
        "path": "data_raw/gebiete.geojson",
        "level": "gebiet",
        "key": "gebiet_id",
        "parent": "ober_id",
        "key_pad": 4,
        "name_table": dict(TABLE),
    }
    _names_csv(tmp_path, [(k.lstrip("0") if len(k) == 4 else k, n) for k, n in NAMES.items()])
    inputs = load_inputs(make_config(tmp_path, geometries=[leaf]))
    assert [f for f in inputs.findings if f.severity == "error"] == []
    assert _names(inputs) == {**NAMES, "stadt": "Teststadt"}


def test_an_excel_table_shared_by_layers_with_different_key_rules(tmp_path):
    """The leaves' keys lost their leading zero (key_pad = 4 on their layer only); Excel stores the leaf keys
    of the table as numbers (101), the Bezirk keys as text ("01"): each layer reads the table by its own rule."""
    import openpyxl

    sources = _keys_only(tmp_path)
    g = leaf_frame().drop(columns="name")
    g["gebiet_id"] = [k.lstrip("0") for k in LEAVES]
    g.to_file(tmp_path / "data_raw" / "nur_schluessel.gpkg", layer="gebiete", driver="GPKG")
    sources[2]["key_pad"] = 4
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Namen"
    sheet.append(["Nummer", "Bezeichnung"])
    for key, name in NAMES.items():
        sheet.append([int(key) if len(key) == 4 else key, name])
    wb.save(tmp_path / "data_raw" / "namen.xlsx")
    for src in sources[1:]:
        src["name_table"] = {**TABLE, "path": "data_raw/namen.xlsx", "sheet": "Namen"}
    inputs = load_inputs(make_config(tmp_path, geometries=sources))
    assert [f for f in inputs.findings if f.severity == "error"] == []
    assert _names(inputs) == {**NAMES, "0": "Teststadt"}


def test_merge_rules_may_name_their_members_by_the_names_of_the_table(tmp_path):
    """0101 and 0102 merged by their names from the table; the merged district needs no row of its own."""
    _names_csv(tmp_path, list(NAMES.items()))
    sources = _keys_only(tmp_path)
    sources[2]["merge"] = [
        {"key": "01M", "name": "Altstadt und Neue Mitte", "members": ["Altstadt-Ost", "Neue Mitte"]}
    ]
    inputs = load_inputs(make_config(tmp_path, geometries=sources))
    assert [f for f in inputs.findings if f.severity == "error"] == []
    leaves = inputs.districts[inputs.districts["level"] == "gebiet"]
    assert dict(zip(leaves["district_id"], leaves["name"], strict=True)) == {
        "01M": "Altstadt und Neue Mitte",
        "0201": "Hafencity",
        "0202": "Heidekamp",
    }


def test_each_problem_of_the_table_is_an_error_at_its_row_and_column(tmp_path):
    rows = [
        ("0101", "Altstadt-Ost"),  # row 2
        ("0102", ""),  # row 3: empty name
        ("0201", "Hafencity"),  # row 4
        ("0101", "Altstadt"),  # row 5: 0101 twice
        ("0999", "Nirgendwo"),  # row 6: no district
        ("01", "West"),
        ("02", "Ost"),
    ]  # 0202 lacks
    _names_csv(tmp_path, rows)
    inputs = load_inputs(make_config(tmp_path, geometries=_keys_only(tmp_path)))
    errors = sorted(
        (f.code, f.file, f.row, f.column, f.value) for f in inputs.findings if f.severity == "error"
    )
    assert errors == [
        ("SM-E215", "data_raw/nur_schluessel.gpkg (Layer gebiete)", 5, "gebiet_id", "0202"),
        ("SM-E216", "data_raw/namen.csv", 6, "Nummer", "0999"),
        ("SM-E217", "data_raw/namen.csv", 5, "Nummer", "0101"),
        ("SM-E218", "data_raw/namen.csv", 3, "Bezeichnung", ""),
    ]
    [twice] = of_code(inputs.findings, "SM-E217")
    assert "Zeile 2" in twice.message and "„Altstadt-Ost“" in twice.message  # where the key stood first
    [lacking] = of_code(inputs.findings, "SM-E215")
    assert "data_raw/namen.csv" in lacking.message and "„Bezeichnung“" in lacking.hint
    assert _names(inputs)["0101"] == "Altstadt-Ost"  # the first row counts


def test_a_missing_name_column_or_table_is_reported_once_not_per_district(tmp_path):
    write_text(tmp_path, "data_raw/namen.csv", "Nummer;Name\n0101;Altstadt\n")
    inputs = load_inputs(make_config(tmp_path, geometries=_keys_only(tmp_path)))
    assert [(f.code, f.file) for f in inputs.findings if f.severity == "error"] == [
        ("SM-E105", "data_raw/namen.csv")
    ]
    (tmp_path / "data_raw" / "namen.csv").unlink()
    inputs = load_inputs(make_config(tmp_path, geometries=_keys_only(tmp_path)))
    assert [f.code for f in inputs.findings if f.severity == "error"] == ["SM-E101"]


def test_configuration_of_the_name_table(tmp_path):
    write_gpkg(tmp_path)
    both = gpkg_sources()
    both[2]["name_table"] = dict(TABLE)
    with pytest.raises(ConfigError, match="schließen sich aus"):
        make_config(tmp_path, geometries=both)
    incomplete = gpkg_sources()
    del incomplete[2]["name"]
    incomplete[2]["name_table"] = {"path": "data_raw/namen.csv", "key": "Nummer"}
    with pytest.raises(ConfigError, match="„name“ fehlt"):
        make_config(tmp_path, geometries=incomplete)
    neither = gpkg_sources()
    del neither[2]["name"]
    with pytest.raises(ConfigError, match="name_table"):
        make_config(tmp_path, geometries=neither)
    typo = gpkg_sources()
    del typo[2]["name"]
    typo[2]["name_table"] = {**TABLE, "kye": "Nummer"}
    [f] = key_findings({"geometries": typo})
    assert (f.code, f.value) == ("SM-E001", "kye") and "Meinten Sie „key“?" in f.hint


WORKSPACE = """
[city]
name = "Teststadt"
crs = "EPSG:25832"

[[levels]]
id = "stadt"

[[levels]]
id = "bezirk"

[[levels]]
id = "gebiet"

[[geometries]]
path = "data_raw/nur_schluessel.gpkg"
layer = "stadt"
level = "stadt"
key = "gebiet_id"
name = "name"

[[geometries]]
path = "data_raw/nur_schluessel.gpkg"
layer = "bezirke"
level = "bezirk"
key = "gebiet_id"
parent = "ober_id"
name_table = { path = "data_raw/namen.csv", key = "Nummer", name = "Bezeichnung" }

[[geometries]]
path = "data_raw/nur_schluessel.gpkg"
layer = "gebiete"
level = "gebiet"
key = "gebiet_id"
parent = "ober_id"
name_table = { path = "data_raw/namen.csv", key = "Nummer", name = "Bezeichnung", shet = "Namen" }

[[counts]]
id = "quelle"
path = "data_raw/zahlen.csv"
format = "long"
[counts.columns]
district_id = "Gebiet"
year = "Jahr"
indicator_id = "Indikator"
numerator = "Zähler"
denominator = "Nenner"

[[indicators]]
id = "armut"
label = "Armut"
domain = "Soziales"
life_phase = "0-18"
direction = "higher_is_worse"
unit = "share"
"""


def test_validate_lists_every_problem_of_the_name_table_at_once(tmp_path):
    """A typo in name_table, a district without a name, a stranger, a duplicate and an empty name: one
    ``sozialmonitor validate`` lists them all (with the counts file's own error beside them)."""
    _keys_only(tmp_path)
    _names_csv(
        tmp_path,
        [
            ("0101", "Altstadt-Ost"),
            ("0102", ""),
            ("0201", "Hafencity"),
            ("0201", "Hafen"),
            ("0999", "Nirgendwo"),
            ("01", "West"),
            ("02", "Ost"),
        ],
    )
    rows = long_rows()
    rows[0] = ("9999", *rows[0][1:])
    write_text(tmp_path, "data_raw/zahlen.csv", csv_text(rows))
    (tmp_path / "sozialmonitor.toml").write_text(WORKSPACE, encoding="utf-8")
    check = run_cli("validate", "--workspace", str(tmp_path))
    out = check.stdout
    assert check.returncode == 2, out + check.stderr
    assert "Traceback" not in out + check.stderr
    assert "[SM-E001]" in out and "„shet“" in out and "Meinten Sie „sheet“?" in out
    assert "[SM-E215]" in out and "Spalte „gebiet_id“" in out and "„0202“" in out
    assert "[SM-E216] Fehler in data_raw/namen.csv, Zeile 6, Spalte „Nummer“" in out
    assert "[SM-E217] Fehler in data_raw/namen.csv, Zeile 5, Spalte „Nummer“" in out
    assert "[SM-E218] Fehler in data_raw/namen.csv, Zeile 3, Spalte „Bezeichnung“" in out
    assert "[SM-E301]" in out  # the counts' unknown key, in the same report


def test_names_from_the_table_reach_the_published_mart(tmp_path):
    """The unseen Excel layout of ``test_onboarding_unseen_layout`` with a geometry of keys only: the names
    (of the Quartiere and of the Stadtbezirke dissolved from them) come from a CSV beside it, and the
    sheet's rows, joined by name, find their districts through them."""
    import duckdb
    import geopandas as gpd
    import test_onboarding_unseen_layout as onboarding

    ws = tmp_path / "neustadt"
    onboarding._write_inputs(ws)
    geo = gpd.read_file(ws / "eingang" / "quartiere.geojson")
    geo.drop(columns="BEZEICHNUNG").to_file(ws / "eingang" / "quartiere.geojson", driver="GeoJSON")
    rows = [(f"{i + 1:03d}", n) for i, n in enumerate(onboarding.NAMES)] + [("1", "West"), ("2", "Ost")]
    write_text(ws, "eingang/namen.csv", csv_text(rows, header=("Nr.", "Quartiersname")), encoding="cp1252")
    config = onboarding.CONFIG.replace('names = { "1" = "West", "2" = "Ost" }\n', "").replace(
        'name = "BEZEICHNUNG"',
        'name_table = { path = "eingang/namen.csv", key = "Nr.", name = "Quartiersname" }',
    )
    assert "name_table" in config and '"1" = "West"' not in config
    (ws / "sozialmonitor.toml").write_text(config, encoding="utf-8")
    result = run_cli("run", "--quiet", "--workspace", str(ws), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    con = duckdb.connect(str(ws / "data_marts" / "sozialmonitor.duckdb"), read_only=True)
    names = dict(con.execute("select district_id, name from districts").fetchall())
    assert names == {**{k: n for k, n in rows}, "stadt": "Neustadt am Fluss"}
    poor = dict(
        con.execute(
            "select district_id, numerator from indicator_values where indicator_id = 'kinderarmut'"
        ).fetchall()
    )
    assert (
        poor["001"] == onboarding.POOR[0] and poor["002"] == onboarding.POOR[1]
    )  # "St. Georg" = Sankt Georg
