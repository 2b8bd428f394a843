"""Every data validation finding: one malformed file each, asserting code, file, row and column."""

from __future__ import annotations

import openpyxl
import pytest

from pipelines.lib.findings import Finding
from pipelines.lib.ingest import load_inputs, validate_inputs
from pipelines.lib.ingest.codes import CODES
from tests.ingest_fixtures import (
    LEAVES,
    csv_text,
    load_csv_counts,
    long_rows,
    long_source,
    make_config,
    of_code,
    write_bytes,
    write_text,
)

FILE = "data_raw/zahlen.csv"


def errors(inputs):
    return [f for f in inputs.findings if f.severity == "error"]


def one_error(inputs) -> Finding:
    found = errors(inputs)
    assert len(found) == 1, found
    return found[0]


def with_cell(row: int, col: int, value: str, rows=None) -> str:
    """The complete table with one cell replaced (row: spreadsheet row, col: 0-based)."""
    rows = [list(r) for r in (rows or long_rows())]
    rows[row - 2][col] = value
    return csv_text([tuple(r) for r in rows])


@pytest.mark.parametrize(
    ("row", "col", "value", "code", "column"),
    [
        (3, 3, "-7", "SM-E305", "Zähler"),
        (4, 4, "50,5", "SM-E306", "Nenner"),
        (5, 3, "-9999", "SM-E307", "Zähler"),
        (2, 3, "abc", "SM-E308", "Zähler"),
        (3, 4, "#DIV/0!", "SM-E308", "Nenner"),
        (4, 3, "=SUM(A1:A3)", "SM-E308", "Zähler"),
        (5, 3, "51", "SM-E304", "Zähler"),
        (2, 1, "23", "SM-E310", "Jahr"),
        (3, 1, "", "SM-E310", "Jahr"),
        (4, 1, "2023,5", "SM-E310", "Jahr"),
        (5, 0, "", "SM-E302", "Gebiet"),
        (2, 2, "", "SM-E313", "Indikator"),
    ],
)
def test_cell_errors(tmp_path, row, col, value, code, column):
    inputs = load_csv_counts(tmp_path, with_cell(row, col, value))
    f = one_error(inputs)
    assert (f.code, f.file, f.row, f.column) == (code, FILE, row, column)
    assert f.message.startswith(CODES[code].title)
    if value:
        assert f.value == (value if code != "SM-E304" else "51 > 50")
    assert row not in inputs.counts.source_row.dropna().tolist()  # the bad row is left out, never guessed
    assert inputs.counts.numerator.notna().sum() == 3


def test_sentinel_message_says_placeholder(tmp_path):
    f = one_error(load_csv_counts(tmp_path, with_cell(2, 3, "-9999")))
    assert "Platzhalter" in f.hint and "leere Zelle" in f.hint and "„.“" in f.hint


def test_configured_sentinels(tmp_path):
    f = one_error(load_csv_counts(tmp_path, with_cell(2, 3, "999999"), sentinels=["999999"]))
    assert (f.code, f.value) == ("SM-E307", "999999")


def test_unknown_district_key_suggests_closest(tmp_path):
    rows = [list(r) for r in long_rows()]
    rows[0][0] = "101"  # leading zero lost
    rows[1][0] = "Neustadt"  # name instead of key
    rows[2][0] = "0291"  # typo
    inputs = load_csv_counts(tmp_path, csv_text([tuple(r) for r in rows]), absent="zero")
    found = sorted(of_code(inputs.findings, "SM-E301"), key=lambda f: f.row)
    assert [(f.file, f.row, f.column, f.value) for f in found] == [
        (FILE, 2, "Gebiet", "101"), (FILE, 3, "Gebiet", "Neustadt"), (FILE, 4, "Gebiet", "0291")]
    assert "„0101“ (Altstadt)" in found[0].hint
    assert "„0102“ (Neustadt)" in found[1].hint
    assert "„0201“" in found[2].hint
    assert len(errors(inputs)) == 3


def test_unknown_key_is_reported_once_per_key(tmp_path):
    rows = [("9999", "2023", ind, "1", "2") for ind in ("armut", "kita")] + long_rows(indicators=("armut", "kita"))
    inputs = load_csv_counts(tmp_path, csv_text(rows))
    f = one_error(inputs)
    assert (f.code, f.row, f.value) == ("SM-E301", 2, "9999")
    assert "2 Zeilen" in f.message


def test_unknown_indicator_suggests_closest(tmp_path):
    f = one_error(load_csv_counts(tmp_path, with_cell(3, 2, "armutt")))
    assert (f.code, f.row, f.column, f.value) == ("SM-E309", 3, "Indikator", "armutt")
    assert "„armut“" in f.hint


def test_duplicate_data_row(tmp_path):
    rows = [*long_rows(), long_rows()[1]]
    f = one_error(load_csv_counts(tmp_path, csv_text(rows)))
    assert (f.code, f.file, f.row, f.column, f.value) == ("SM-E303", FILE, 6, "Gebiet", "0102")
    assert "Zeile 3" in f.message


def test_missing_required_column_lists_columns(tmp_path):
    text = csv_text([r[:4] for r in long_rows()], header=("Gebiet", "Jahr", "Indikator", "Zähler"))
    f = one_error(load_csv_counts(tmp_path, text))
    assert (f.code, f.file, f.row, f.column) == ("SM-E105", FILE, None, "Nenner")
    assert "„Gebiet“, „Jahr“, „Indikator“, „Zähler“" in f.hint


def test_column_names_tolerate_case_and_spaces(tmp_path):
    text = csv_text(long_rows(), header=(" gebiet ", "JAHR", "Indikator", "Zähler", "Nenner"))
    assert errors(load_csv_counts(tmp_path, text)) == []


def test_missing_file(tmp_path):
    write_text(tmp_path, "data_raw/andere.csv", "x")
    cfg = make_config(tmp_path, counts=[long_source("data_raw/zahlen.csv")])
    f = one_error(load_inputs(cfg))
    assert (f.code, f.file) == ("SM-E101", FILE)
    assert "andere.csv" in f.hint


def test_glob_without_match(tmp_path):
    cfg = make_config(tmp_path, counts=[long_source("data_raw/soziales/*.csv")])
    f = one_error(load_inputs(cfg))
    assert (f.code, f.file, f.value) == ("SM-E101", "data_raw/soziales/*.csv", "data_raw/soziales/*.csv")


@pytest.mark.parametrize("data", [b"", "Gebiet;Jahr;Indikator;Zähler;Nenner\r\n".encode(), b"\n\n"])
def test_empty_files(tmp_path, data):
    f = one_error(load_csv_counts(tmp_path, data))
    assert (f.code, f.file) == ("SM-E102", FILE)


def test_excel_header_only_is_empty(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Gebiet", "Jahr"])
    (tmp_path / "data_raw").mkdir()
    wb.save(tmp_path / "data_raw/leer.xlsx")
    f = one_error(load_inputs(make_config(tmp_path, counts=[long_source("data_raw/leer.xlsx")])))
    assert (f.code, f.file) == ("SM-E102", "data_raw/leer.xlsx")


def test_undecodable_text(tmp_path):
    f = one_error(load_csv_counts(tmp_path, bytes(range(256)) * 4))
    assert (f.code, f.file) == ("SM-E103", FILE)


def test_broken_excel_and_parquet(tmp_path):
    write_bytes(tmp_path, "data_raw/kaputt.xlsx", b"PK\x03\x04 not really a zip")
    write_bytes(tmp_path, "data_raw/kaputt.parquet", b"PAR1 nope")
    cfg = make_config(tmp_path, counts=[long_source("data_raw/kaputt.xlsx", id="a"),
                                        long_source("data_raw/kaputt.parquet", id="b")])
    found = sorted((f.code, f.file) for f in errors(load_inputs(cfg)))
    assert found == [("SM-E103", "data_raw/kaputt.parquet"), ("SM-E103", "data_raw/kaputt.xlsx")]


@pytest.mark.parametrize("name", ["zahlen.xls", "zahlen.ods", "zahlen.json"])
def test_unsupported_file_type(tmp_path, name):
    f = one_error(load_csv_counts(tmp_path, b"irrelevant", name=name))
    assert (f.code, f.file) == ("SM-E104", f"data_raw/{name}")
    if name.endswith(".xls"):
        assert ".xlsx" in f.hint


def test_missing_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Daten"
    (tmp_path / "data_raw").mkdir()
    wb.save(tmp_path / "data_raw/t.xlsx")
    f = one_error(load_inputs(make_config(tmp_path, counts=[long_source("data_raw/t.xlsx", sheet="ESU")])))
    assert (f.code, f.value) == ("SM-E106", "ESU")
    assert "„Daten“" in f.message


def test_row_with_too_many_fields(tmp_path):
    text = csv_text(long_rows()).replace("0201;2023;armut;5;50", "0201;2023;armut;5;50;7")
    f = one_error(load_csv_counts(tmp_path, text))
    assert (f.code, f.file, f.row) == ("SM-E107", FILE, 4)


def test_all_errors_of_a_file_are_reported(tmp_path):
    rows = [
        ("0101", "2023", "armut", "abc", "50"),
        ("0102", "20x3", "armut", "5", "50"),
        ("0201", "2023", "armutt", "5", "50"),
        ("0202", "2023", "armut", "-9999", "12,5"),
        ("0303", "2023", "armut", "60", "50"),
        ("0101", "2023", "armut", "5", "50"),
    ]
    inputs = load_csv_counts(tmp_path, csv_text(rows))
    got = sorted((f.code, f.row, f.column) for f in errors(inputs))
    assert got == [
        ("SM-E301", 6, "Gebiet"),
        ("SM-E303", 7, "Gebiet"),
        ("SM-E304", 6, "Zähler"),
        ("SM-E306", 5, "Nenner"),
        ("SM-E307", 5, "Zähler"),
        ("SM-E308", 2, "Zähler"),
        ("SM-E309", 4, "Indikator"),
        ("SM-E310", 3, "Jahr"),
    ]
    assert all(f.file == FILE for f in errors(inputs))


def test_many_bad_cells_are_capped(tmp_path):
    rows = [(LEAVES[i % 4], str(1950 + i // 4), "armut", "abc", "1") for i in range(400)]
    found = of_code(load_csv_counts(tmp_path, csv_text(rows)).findings, "SM-E308")
    assert len(found) == 51
    assert found[-1].row is None and "350 weitere" in found[-1].message


def test_every_finding_is_german_and_renders(tmp_path):
    inputs = load_csv_counts(tmp_path, with_cell(2, 3, "abc"))
    text = inputs.findings[0].render()
    assert text.startswith("[SM-E308] Fehler in data_raw/zahlen.csv, Zeile 2, Spalte „Zähler“: Keine Zahl")


def test_validate_inputs_returns_findings(tmp_path):
    load_csv_counts(tmp_path, with_cell(2, 3, "abc"))
    cfg = make_config(tmp_path, counts=[long_source(FILE)])
    assert [f.code for f in validate_inputs(cfg)] == ["SM-E308"]


def test_code_catalogue_is_complete_and_consistent():
    import pipelines.lib.ingest.codes as codes_module

    for code, entry in CODES.items():
        assert code in codes_module.__doc__ and entry.title in codes_module.__doc__
        assert entry.severity == ("warning" if "-W" in code else "error")
        assert entry.hint.endswith((".", "?", ")"))
