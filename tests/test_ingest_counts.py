"""Counts: long CSV/Parquet/Excel, wide sheets, absent rows, the canonical counts table."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.lib.ingest import load_inputs
from tests.ingest_fixtures import (
    LEAVES,
    codes,
    counts_of,
    csv_text,
    load_csv_counts,
    long_rows,
    long_source,
    make_config,
    of_code,
    write_text,
)


def errors(inputs):
    return [f for f in inputs.findings if f.severity == "error"]


def write_parquet(tmp, rel, table: dict) -> str:
    path = tmp / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(table), path)
    return rel


def write_xlsx(tmp, rel, rows, sheet="ESU", extra_sheet=True) -> str:
    path = tmp / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Info" if extra_sheet else sheet
    if extra_sheet:
        ws["A1"] = "Erläuterungen"
        ws = wb.create_sheet(sheet)
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return rel


def test_canonical_columns_and_dtypes(tmp_path):
    inputs = load_csv_counts(tmp_path, csv_text(long_rows()))
    c = inputs.counts
    assert list(c.columns) == ["district_id", "year", "indicator_id", "numerator", "denominator",
                               "numerator_flag", "denominator_flag", "source_id", "source_file", "source_row",
                               "derived"]
    assert str(c.numerator.dtype) == "Int64" and str(c.denominator.dtype) == "Int64"
    assert str(c.year.dtype) == "int64"
    assert set(c.source_id) == {"quelle"}


def test_long_parquet_with_native_types(tmp_path):
    rel = write_parquet(tmp_path, "data_raw/bildung.parquet", {
        "district_id": LEAVES, "year": [2023] * 4, "indicator_id": ["kita"] * 4,
        "numerator": pa.array([1, 2, None, 4], pa.int64()), "denominator": [10.0, 20.0, 30.0, 40.0],
    })
    inputs = load_inputs(make_config(tmp_path, counts=[{"id": "bildung", "path": rel}]))
    assert errors(inputs) == []
    assert counts_of(inputs, "0102", "kita").numerator == 2
    missing = counts_of(inputs, "0201", "kita")
    assert pd.isna(missing.numerator) and missing.numerator_flag == "missing"
    assert missing.denominator == 30
    assert sorted(inputs.counts.source_row) == [2, 3, 4, 5]


def test_parquet_integer_keys_become_text_without_decimals(tmp_path):
    # keys stored as numbers lose nothing if they have no leading zero: here the leaf keys of another city
    rel = write_parquet(tmp_path, "data_raw/b.parquet", {
        "district_id": pa.array([101.0, 102.0, 201.0, 202.0]), "year": [2023] * 4, "indicator_id": ["kita"] * 4,
        "numerator": [1] * 4, "denominator": [2] * 4,
    })
    inputs = load_inputs(make_config(tmp_path, counts=[{"id": "b", "path": rel}]))
    unknown = of_code(inputs.findings, "SM-E301")
    assert {f.value for f in unknown} == {"101", "102", "201", "202"}
    assert "„0101“" in next(f for f in unknown if f.value == "101").hint  # lost leading zero suggested


def test_parquet_bad_values_are_reported(tmp_path):
    rel = write_parquet(tmp_path, "data_raw/b.parquet", {
        "district_id": LEAVES, "year": [2023] * 4, "indicator_id": ["kita"] * 4,
        "numerator": [1.5, -9999.0, -2.0, 4.0], "denominator": [10, 10, 10, 3],
    })
    inputs = load_inputs(make_config(tmp_path, counts=[{"id": "b", "path": rel}]))
    got = sorted((f.code, f.row, f.column) for f in errors(inputs))
    assert got == [("SM-E304", 5, "numerator"), ("SM-E305", 4, "numerator"), ("SM-E306", 2, "numerator"),
                   ("SM-E307", 3, "numerator")]
    assert inputs.counts.empty  # every row had a bad cell; absent rule "missing" adds nothing for a bad row


ESU_HEADER = ["Planungsraum", "Jahr", "Untersuchte Kinder", "Sprachdefizit", "Motorikdefizit"]
ESU_VALUES = [
    {"column": "Untersuchte Kinder", "indicator": "armut", "part": "denominator"},
    {"column": "Sprachdefizit", "indicator": "armut", "part": "numerator"},
    {"column": "Untersuchte Kinder", "indicator": "kita", "part": "denominator"},
    {"column": "Motorikdefizit", "indicator": "kita", "part": "numerator"},
]


def esu_source(rel, **kw):
    return {"id": "esu", "path": rel, "format": "wide", "sheet": "ESU", "key": "Planungsraum",
            "year_column": "Jahr", "values": ESU_VALUES, **kw}


def test_wide_excel_sheet_with_shared_denominator(tmp_path):
    rows = [ESU_HEADER] + [[k, 2023, 40 + i, i, "-"] for i, k in enumerate(LEAVES)]
    rel = write_xlsx(tmp_path, "data_raw/esu.xlsx", rows)
    inputs = load_inputs(make_config(tmp_path, counts=[esu_source(rel)]))
    assert errors(inputs) == []
    assert len(inputs.counts) == 8
    armut = counts_of(inputs, "0201", "armut")
    kita = counts_of(inputs, "0201", "kita")
    assert (armut.numerator, armut.denominator) == (2, 42)
    assert (kita.numerator, kita.denominator) == (0, 42)
    assert armut.source_row == 4 and armut.source_file == "data_raw/esu.xlsx"


def test_wide_sheet_by_index_with_fixed_year_and_leading_zero_text_keys(tmp_path):
    header = ["Planungsraum", "Untersuchte Kinder", "Sprachdefizit", "Motorikdefizit"]
    rows = [header] + [[k, "1.040", "12,0", 1] for k in LEAVES]
    rel = write_xlsx(tmp_path, "data_raw/esu.xlsx", rows, extra_sheet=False)
    src = esu_source(rel, sheet=0, year=2022)
    del src["year_column"]
    inputs = load_inputs(make_config(tmp_path, counts=[src]))
    assert errors(inputs) == []
    row = counts_of(inputs, "0101", "armut", 2022)
    assert (row.numerator, row.denominator) == (12, 1040)


def test_wide_value_years(tmp_path):
    values = [{"column": "Armut 2022", "indicator": "armut", "year": 2022},
              {"column": "Kinder 2022", "indicator": "armut", "part": "denominator", "year": 2022},
              {"column": "Armut 2023", "indicator": "armut", "year": 2023},
              {"column": "Kinder 2023", "indicator": "armut", "part": "denominator", "year": 2023}]
    text = csv_text([(k, "1", "10", "2", "20") for k in LEAVES],
                    header=("Gebiet", "Armut 2022", "Kinder 2022", "Armut 2023", "Kinder 2023"))
    rel = "data_raw/breit.csv"
    write_text(tmp_path, rel, text)
    src = {"id": "breit", "path": rel, "format": "wide", "key": "Gebiet", "values": values}
    inputs = load_inputs(make_config(tmp_path, counts=[src]))
    assert errors(inputs) == []
    assert counts_of(inputs, "0202", "armut", 2022).denominator == 10
    assert counts_of(inputs, "0202", "armut", 2023).denominator == 20


def test_excel_header_rows_skip_rows_and_formulas(tmp_path):
    rows = [["Gesundheitsamt Teststadt"], [], ["Gebiet", "Jahr", "Indikator", "Anzahl", None],
            [None, None, None, "Zähler", "Nenner"]]
    rows += [[k, 2023, "armut", 1, 10] for k in LEAVES[:3]]
    rows += [[LEAVES[3], 2023, "armut", "=SUM(D5:D7)", 10]]  # a formula without a cached value
    rel = write_xlsx(tmp_path, "data_raw/t.xlsx", rows, sheet="Daten")
    cols = {"district_id": "Gebiet", "year": "Jahr", "indicator_id": "Indikator",
            "numerator": "Anzahl Zähler", "denominator": "Anzahl Nenner"}
    src = {"id": "x", "path": rel, "sheet": "Daten", "skip_rows": 2, "header_rows": 2, "columns": cols}
    inputs = load_inputs(make_config(tmp_path, counts=[src]))
    [f] = errors(inputs)
    assert (f.code, f.file, f.row, f.column, f.value) == ("SM-E308", rel, 8, "Anzahl Zähler", "=SUM(D5:D7)")
    assert "Formeln" in f.hint
    assert counts_of(inputs, "0102").source_row == 6


def test_absent_zero_fills_leaves(tmp_path):
    rows = [r for r in long_rows(indicators=("armut", "kita")) if r[0] != "0202"]
    inputs = load_csv_counts(tmp_path, csv_text(rows), absent="zero")
    assert errors(inputs) == []
    for ind in ("armut", "kita"):
        row = counts_of(inputs, "0202", ind)
        assert (row.numerator, row.denominator, row.numerator_flag) == (0, 0, "value")
        assert pd.isna(row.source_row)


def test_absent_missing_flags_rows(tmp_path):
    rows = [r for r in long_rows() if r[0] != "0101"]
    inputs = load_csv_counts(tmp_path, csv_text(rows), absent="missing")
    row = counts_of(inputs, "0101")
    assert pd.isna(row.numerator) and (row.numerator_flag, row.denominator_flag) == ("missing", "missing")


def test_absent_error_aggregates_per_indicator_and_year(tmp_path):
    rows = long_rows(2022, ("armut", "kita")) + long_rows(2023, ("armut",))
    rows = [r for r in rows if not (r[0] in ("0101", "0102") and r[2] == "armut")]
    inputs = load_csv_counts(tmp_path, csv_text(rows), absent="error")
    found = of_code(inputs.findings, "SM-E311")
    assert len(found) == 3  # armut 2022, armut 2023, kita 2023 (the source's years × indicators)
    details = sorted(f.message for f in found)
    assert all("2 Gebiete" in m for m in details if "armut" in m)
    assert any("„kita“, Jahr 2023" in m and "4 Gebiete" in m for m in details)
    assert {f.file for f in found} == {"data_raw/zahlen.csv"}


def test_absent_rows_only_for_leaves(tmp_path):
    rows = [*long_rows(), ("01", "2023", "armut", "10", "100")]  # a Bezirk value is allowed
    inputs = load_csv_counts(tmp_path, csv_text(rows), absent="error")
    assert errors(inputs) == []
    assert counts_of(inputs, "01").numerator == 10


def test_duplicates_across_files_of_two_sources(tmp_path):
    write_text(tmp_path, "data_raw/a.csv", csv_text(long_rows()))
    write_text(tmp_path, "data_raw/b.csv", csv_text(long_rows()[:1]))
    cfg = make_config(tmp_path, counts=[long_source("data_raw/a.csv", id="a"), long_source("data_raw/b.csv", id="b")])
    inputs = load_inputs(cfg)
    [f] = errors(inputs)
    assert (f.code, f.file, f.row, f.column, f.value) == ("SM-E303", "data_raw/b.csv", 2, "Gebiet", "0101")
    assert "data_raw/a.csv, Zeile 2" in f.message
    assert len(inputs.counts) == 4


def test_glob_paths_read_every_file(tmp_path):
    write_text(tmp_path, "data_raw/jahre/2022.csv", csv_text(long_rows(2022)))
    write_text(tmp_path, "data_raw/jahre/2023.csv", csv_text(long_rows(2023)))
    inputs = load_inputs(make_config(tmp_path, counts=[long_source("data_raw/jahre/*.csv")]))
    assert errors(inputs) == []
    assert sorted(set(inputs.counts.year)) == [2022, 2023]
    assert [f.path for f in inputs.files if f.path.endswith(".csv")] == ["data_raw/jahre/2022.csv",
                                                                      "data_raw/jahre/2023.csv"]


def test_input_files_are_hashed(tmp_path):
    import hashlib

    inputs = load_csv_counts(tmp_path, csv_text(long_rows()))
    f = next(f for f in inputs.files if f.path == "data_raw/zahlen.csv")
    data = (tmp_path / "data_raw/zahlen.csv").read_bytes()
    assert (f.size, f.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert "data_raw/geo.gpkg" in {f.path for f in inputs.files}


def test_population_long_with_renames(tmp_path):
    text = csv_text([(k, "2023", "0-2", "1.250") for k in LEAVES] + [("0101", "2023", "3-5", "-")],
                    header=("Planungsraum", "Jahr", "Altersgruppe", "Einwohner"))
    write_text(tmp_path, "data_raw/ew.csv", text, encoding="cp1252")
    pop = {"path": "data_raw/ew.csv", "columns": {"district_id": "Planungsraum", "year": "Jahr",
                                                   "age_band": "Altersgruppe", "population": "Einwohner"}}
    inputs = load_inputs(make_config(tmp_path, population=pop))
    assert errors(inputs) == []
    p = inputs.population
    assert list(p.columns) == ["district_id", "year", "age_band", "population"]
    assert p.population.tolist() == [1250] * 4 + [0]
    assert str(p.population.dtype) == "int64" and str(p.year.dtype) == "int64"


@pytest.mark.parametrize("cell", [".", ""])
def test_population_must_be_a_number(tmp_path, cell):
    text = csv_text([(k, "2023", "0-2", cell if k == "0102" else "5") for k in LEAVES],
                    header=("district_id", "year", "age_band", "population"))
    write_text(tmp_path, "data_raw/ew.csv", text)
    inputs = load_inputs(make_config(tmp_path, population={"path": "data_raw/ew.csv"}))
    [f] = errors(inputs)
    assert (f.code, f.row, f.column) == ("SM-E314", 3, "population")
    assert "0102" not in set(inputs.population.district_id)


def test_offers_csv_decimal_comma_lon_lat(tmp_path):
    text = csv_text([("1", "Kita Sonne", "Kita", "0-6", "7,45", "50,53"), ("2", "Treff", "Jugend", "10-18", "7,46", "50,531")],
                    header=("Nr", "Name", "Kategorie", "Zielgruppe", "Längengrad", "Breitengrad"))
    write_text(tmp_path, "data_raw/angebote.csv", text)
    offers = {"path": "data_raw/angebote.csv", "x": "Längengrad", "y": "Breitengrad", "crs": "EPSG:4326",
              "columns": {"offer_id": "Nr", "name": "Name", "category": "Kategorie", "age_band": "Zielgruppe"}}
    inputs = load_inputs(make_config(tmp_path, offers=offers))
    o = inputs.offers
    assert list(o.columns) == ["offer_id", "name", "category", "age_band", "geometry"]
    assert o.crs.to_epsg() == 25832
    assert o.offer_id.tolist() == ["1", "2"]
    assert 390_000 < o.geometry.x.iloc[0] < 400_000  # 7.45° E lies west of the 9° E central meridian
    # the test city lies at 500 km easting: both offers are outside → warnings, no errors
    assert errors(inputs) == []
    assert {f.code for f in inputs.findings} == {"SM-W402"}


def test_offers_geojson_points(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame({"offer_id": [7], "name": ["Bad"], "category": ["Sport"], "age_band": ["alle"]},
                           geometry=[Point(500_500, 5_600_500)], crs="EPSG:25832")
    (tmp_path / "data_raw").mkdir(parents=True, exist_ok=True)
    gdf.to_file(tmp_path / "data_raw/angebote.geojson", driver="GeoJSON")
    inputs = load_inputs(make_config(tmp_path, offers={"path": "data_raw/angebote.geojson"}))
    assert inputs.findings == []
    assert inputs.offers.offer_id.tolist() == ["7"]


def test_no_offers_config_gives_none(tmp_path):
    assert load_csv_counts(tmp_path, csv_text(long_rows())).offers is None
    assert "SM-E101" not in codes(load_csv_counts(tmp_path, csv_text(long_rows())).findings)
