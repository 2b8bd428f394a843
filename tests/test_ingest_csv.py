"""German CSV dialects and encodings, end to end through load_inputs."""

from __future__ import annotations

import pytest

from pipelines.lib.ingest.tables import decode_text, read_table, sniff_separator
from tests.ingest_fixtures import (
    LEAVES,
    codes,
    counts_of,
    csv_text,
    load_csv_counts,
    long_rows,
    of_code,
    write_bytes,
)

FILE = "data_raw/zahlen.csv"


def errors(inputs):
    return [f for f in inputs.findings if f.severity == "error"]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16", b"")],
)
def test_encodings(tmp_path, encoding, prefix):
    # the header has umlauts (Zähler), the values too: they must survive every encoding
    rows = [(k, "2023", "armut", "1.234", "2.000") for k in LEAVES]
    data = prefix + csv_text(rows).encode(encoding)  # Python's utf-16 writes a BOM
    inputs = load_csv_counts(tmp_path, data)
    assert errors(inputs) == []
    assert counts_of(inputs, "0101").numerator == 1234


@pytest.mark.parametrize(("sep", "num", "den"), [(";", "1.234", "2.000,0"), ("\t", "1 234", "2000"),
                                                 (",", '"1,234"', "2000.0")])
def test_separators_and_decimal_marks(tmp_path, sep, num, den):
    rows = [(k, "2023", "armut", num, den) for k in LEAVES]
    inputs = load_csv_counts(tmp_path, csv_text(rows, sep=sep))
    assert errors(inputs) == []
    row = counts_of(inputs, "0202")
    assert (row.numerator, row.denominator) == (1234, 2000)


def test_crlf_and_blank_lines_and_whitespace(tmp_path):
    rows = long_rows()
    text = csv_text(rows, newline="\r\n").replace("0102;", " 0102 ;") + "\r\n\r\n"
    inputs = load_csv_counts(tmp_path, text)
    assert errors(inputs) == []
    assert len(inputs.counts) == 4


def test_leading_zero_keys_stay_text(tmp_path):
    inputs = load_csv_counts(tmp_path, csv_text(long_rows()))
    assert sorted(inputs.counts.district_id) == LEAVES
    assert all(isinstance(k, str) for k in inputs.counts.district_id)


def test_table_symbols_in_csv(tmp_path):
    cells = ["-", ".", "x", "/", "…"]
    rows = [(LEAVES[i], "2023", "armut", cells[i], "...") for i in range(4)] + [(LEAVES[0], "2023", "kita", "", "/")]
    inputs = load_csv_counts(tmp_path, csv_text(rows), absent="missing")
    assert errors(inputs) == []
    flags = {r.district_id: (r.numerator_flag, r.denominator_flag) for r in inputs.counts.itertuples()
             if r.indicator_id == "armut"}
    assert flags == {"0101": ("value", "not_yet"), "0102": ("secret", "not_yet"),
                     "0201": ("not_meaningful", "not_yet"), "0202": ("unreliable", "not_yet")}
    assert counts_of(inputs, "0101").numerator == 0
    kita = counts_of(inputs, "0101", "kita")
    assert (kita.numerator_flag, kita.denominator_flag) == ("missing", "unreliable")


def test_ellipsis_survives_cp1252(tmp_path):
    rows = [(k, "2023", "armut", "…", "10") for k in LEAVES]
    inputs = load_csv_counts(tmp_path, csv_text(rows), file_encoding="cp1252")
    assert errors(inputs) == []
    assert set(inputs.counts.numerator_flag) == {"not_yet"}


@pytest.mark.parametrize("data", [
    b"\x00\x01\x02\x03\xff\xfe\x00garbage\x81\x8d" * 10,  # binary
    "Gebiet;Jahr\n0101;2023\n".encode("utf-16-le"),  # UTF-16 without BOM
])
def test_unreadable_text(tmp_path, data):
    inputs = load_csv_counts(tmp_path, data)
    [f] = of_code(inputs.findings, "SM-E103")
    assert f.file == FILE
    assert inputs.counts.empty


def test_explicit_encoding_is_used(tmp_path):
    rows = [(k, "2023", "armut", "1", "2") for k in LEAVES]
    data = csv_text(rows).encode("cp1252")
    inputs = load_csv_counts(tmp_path, data, encoding="cp1252")
    assert errors(inputs) == []
    wrong = load_csv_counts(tmp_path, data, name="b.csv", encoding="utf-8")
    assert "SM-E103" in codes(wrong.findings)


def test_header_rows_and_skip_rows(tmp_path):
    text = ("Statistikstelle Teststadt;;;;\nStand 31.12.2023;;;;\n"
            "Gebiet;Jahr;Indikator;Anzahl;Anzahl\n;;;Zähler;Nenner\n"
            + "\n".join(";".join(r) for r in long_rows()) + "\n")
    cols = {"district_id": "Gebiet", "year": "Jahr", "indicator_id": "Indikator",
            "numerator": "Anzahl Zähler", "denominator": "Anzahl Nenner"}
    inputs = load_csv_counts(tmp_path, text, skip_rows=2, header_rows=2, columns=cols)
    assert errors(inputs) == []
    assert inputs.counts.source_row.tolist() == [5, 6, 7, 8]


def test_source_rows_are_spreadsheet_rows(tmp_path):
    inputs = load_csv_counts(tmp_path, csv_text(long_rows()))
    assert inputs.counts.sort_values("source_row").source_row.tolist() == [2, 3, 4, 5]
    assert set(inputs.counts.source_file) == {FILE}


def test_sniff_separator():
    assert sniff_separator("a;b;c") == ";"
    assert sniff_separator("a\tb\tc") == "\t"
    assert sniff_separator("a,b,c") == ","
    assert sniff_separator('"a;x",b,c') == ","


def test_decode_text_rejects_control_characters():
    assert decode_text(b"a;b\n1;2\n") == "a;b\n1;2\n"
    assert decode_text("Zähler".encode("cp1252")) == "Zähler"
    assert decode_text("\ufeffZähler".encode()) == "Zähler"
    assert decode_text(b"a\x00b") is None


def test_read_table_reads_every_cell_as_text(tmp_path):
    path = write_bytes(tmp_path, "t.csv", b"Gebiet;Wert\n0101;007\n")
    table, findings = read_table(path, "t.csv")
    assert findings == []
    assert table.frame["Gebiet"].tolist() == ["0101"]
    assert table.frame["Wert"].tolist() == ["007"]
