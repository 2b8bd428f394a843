"""Counts derived from rounded shares: the span of counts the share's rounding allows (SM-W348).

A share written "3" stands for 2.5 % to 3.5 %; every span below is computed by hand from the cells written
here (leaves 0101, 0102, 0201, 0202 of the square-grid city of ``ingest_fixtures``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.lib.config_keys import key_findings
from pipelines.lib.findings import ConfigError
from pipelines.lib.ingest import load_inputs
from pipelines.lib.ingest.plausibility import validation_settings
from pipelines.lib.ingest.shares import parse_shares
from tests.ingest_fixtures import LEAVES, counts_of, csv_text, make_config, of_code, write_text

VALUES = [
    {"column": "Anteil in %", "indicator": "armut", "part": "share"},
    {"column": "Kinder", "indicator": "armut", "part": "denominator"},
]


def _shares(tmp_path, cells):
    """One wide row per leaf: share (as written) and denominator."""
    write_text(
        tmp_path,
        "data_raw/anteile.csv",
        csv_text(
            [(k, s, d) for k, (s, d) in zip(LEAVES, cells, strict=True)],
            header=("Gebiet", "Anteil in %", "Kinder"),
        ),
    )
    return {
        "id": "anteile",
        "path": "data_raw/anteile.csv",
        "format": "wide",
        "key": "Gebiet",
        "year": 2023,
        "values": VALUES,
    }


# every share in whole percent:
# 0101: 3 % of 400 = 12; 2.5 % … 3.5 % of 400 = 10 … 14 → span 4 (row 2)
# 0102: 3 % of 40 = 1.2 → 1; 1.0 … 1.4 → only 1 → span 0
# 0201: 12 % of 50 = 6; 5.75 … 6.25 → only 6 → span 0
# 0202: 7 % of 150 = 10.5 → 11; 6.5 % … 7.5 % = 9.75 … 11.25 → 10 or 11 → span 1 (row 5)
CELLS = [("3", "400"), ("3", "40"), ("12", "50"), ("7", "150")]


def test_a_coarse_share_on_a_large_denominator_warns_with_the_span_of_counts(tmp_path):
    inputs = load_inputs(make_config(tmp_path, counts=[_shares(tmp_path, CELLS)]))
    assert [f for f in inputs.findings if f.severity == "error"] == []
    assert [counts_of(inputs, k).numerator for k in LEAVES] == [12, 1, 6, 11]
    [f] = of_code(inputs.findings, "SM-W348")
    assert (f.severity, f.file, f.row, f.column) == ("warning", "data_raw/anteile.csv", 2, "Anteil in %")
    assert f.value == "3 % von 400 → 12; möglich sind 10 bis 14 (Spanne 4)"
    assert "2 von 4 abgeleiteten Zählern" in f.message and "(Zeilen 2, 5)" in f.message
    assert "is_derived" in f.hint and "rounding_span" in f.hint
    assert "400" not in f.message  # figures only in the value: the message reaches the Dagster UI


@pytest.mark.parametrize(("span", "rows"), [(2, "(Zeilen 2)"), (4, "(Zeilen 2)"), (4.5, None)])
def test_the_threshold_in_persons_is_configurable(tmp_path, span, rows):
    config = make_config(tmp_path, counts=[_shares(tmp_path, CELLS)], validation={"rounding_span": span})
    found = of_code(load_inputs(config).findings, "SM-W348")
    assert [rows in f.message for f in found] == ([] if rows is None else [True])


def test_exact_cells_do_not_warn(tmp_path):
    """„-“ is exactly zero; „0“ stands for 0 % … 0,5 %, of 400 that is 0 to 2 persons (span 2, row 3); 3 % of 40
    and 5 % of 20 (0,9 … 1,1 → 1) allow one count only."""
    cells = [("-", "400"), ("0", "400"), ("3", "40"), ("5", "20")]
    [f] = of_code(load_inputs(make_config(tmp_path, counts=[_shares(tmp_path, cells)])).findings, "SM-W348")
    assert (f.row, f.value) == (3, "0 % von 400 → 0; möglich sind 0 bis 2 (Spanne 2)")
    assert "1 von 4" in f.message


@pytest.mark.parametrize(
    ("cells", "warned"),
    [
        # alone, „27“ is whole percent: 26,5 … 27,5 % of 1,000 = 265 … 275 (span 10)
        ([("27", "1000"), ("3", "40"), ("3", "40"), ("3", "40")], True),
        # among cells with two decimals it is 27,00 with the zeros dropped: 269,95 … 270,05 → only 270
        ([("27", "1000"), ("25,62", "40"), ("32,9", "40"), ("3", "40")], False),
    ],
)
def test_a_column_is_as_precise_as_its_most_precise_cell(tmp_path, cells, warned):
    found = of_code(load_inputs(make_config(tmp_path, counts=[_shares(tmp_path, cells)])).findings, "SM-W348")
    assert [f.value for f in found] == (
        ["27 % von 1.000 → 270; möglich sind 265 bis 275 (Spanne 10)"] if warned else []
    )


def test_a_source_of_many_files_warns_once(tmp_path):
    """One file per district (a glob), each with its own share: one warning for the source, at the file and
    row with the widest span (0201: 3 % of 900 = 27; 22,5 … 31,5 → 23 … 31, span 8; the others 3 % of 400, span 4)."""
    for k, den in zip(LEAVES, ("400", "400", "900", "400"), strict=True):
        write_text(
            tmp_path,
            f"data_raw/gebiete/{k}.csv",
            csv_text([(k, "3", den)], header=("Gebiet", "Anteil in %", "Kinder")),
        )
    src = {
        "id": "anteile",
        "path": "data_raw/gebiete/*.csv",
        "format": "wide",
        "key": "Gebiet",
        "year": 2023,
        "values": VALUES,
    }
    [f] = of_code(load_inputs(make_config(tmp_path, counts=[src])).findings, "SM-W348")
    assert (f.file, f.row, f.column) == ("data_raw/gebiete/0201.csv", 2, "Anteil in %")
    assert f.value == "3 % von 900 → 27; möglich sind 23 bis 31 (Spanne 8)"
    assert "4 von 4" in f.message and "in 4 Dateien der Quelle" in f.message


def test_shares_over_the_population_and_as_fractions(tmp_path):
    """scale = 1 with two decimals (whole percent) over the population: 0,03 of 1,000 = 30, 25 … 35 (span 10,
    row 2); 0,05 of 2,000 = 100, 90 … 110 (span 20, row 3, the widest); 0,10 of 100 = 10, 9,5 … 10,5 → 10 only."""
    write_text(
        tmp_path,
        "data_raw/anteile.csv",
        csv_text(list(zip(LEAVES, ("0,03", "0,05", "0,10", "-"), strict=True)), header=("Gebiet", "Quote")),
    )
    src = {
        "id": "anteile",
        "path": "data_raw/anteile.csv",
        "format": "wide",
        "key": "Gebiet",
        "year": 2023,
        "share_denominator": "population",
        "values": [{"column": "Quote", "indicator": "armut", "part": "share", "scale": 1}],
    }
    pop = [(k, "2023", "insgesamt", p) for k, p in zip(LEAVES, ("1000", "2000", "100", "500"), strict=True)]
    write_text(
        tmp_path, "data_raw/ew.csv", csv_text(pop, header=("district_id", "year", "age_band", "population"))
    )
    inputs = load_inputs(make_config(tmp_path, counts=[src], population={"path": "data_raw/ew.csv"}))
    assert [f for f in inputs.findings if f.severity == "error"] == []
    assert [counts_of(inputs, k).numerator for k in LEAVES] == [30, 100, 10, 0]
    [f] = of_code(inputs.findings, "SM-W348")
    assert (f.row, f.column, f.value) == (
        3,
        "Quote",
        "5 % von 2.000 → 100; möglich sind 90 bis 110 (Spanne 20)",
    )
    assert "2 von 4" in f.message and "(Zeilen 2, 3)" in f.message


def test_native_numbers_count_the_decimals_they_were_typed_with():
    """Excel cells typed from a report (21,5 and 50 in a one-decimal column) against a share computed by a
    formula (many decimals)."""
    assert parse_shares(pd.Series([21.5, 50.0]), scale=100).unit.tolist() == [0.1, 0.1]
    assert parse_shares(pd.Series([3.0, 12.0]), scale=100).unit.tolist() == [1.0, 1.0]
    assert parse_shares(pd.Series([0.125, 0.5]), scale=1).unit.tolist() == [0.001, 0.001]
    assert parse_shares(pd.Series([6 / 13 * 100, 3.0]), scale=100).unit.max() < 1e-10
    assert parse_shares(pd.Series(["-", "3", ""]), scale=100).unit.tolist()[:2] == [0.0, 1.0]


def test_rounding_span_setting_is_checked(tmp_path):
    with pytest.raises(ConfigError, match="rounding_span muss eine Zahl größer als 0"):
        validation_settings(make_config(tmp_path, validation={"rounding_span": 0}))
    assert validation_settings(make_config(tmp_path)).rounding_span == 1
    [typo] = key_findings({"validation": {"rounding_spam": 2}})
    assert "Meinten Sie „rounding_span“?" in typo.hint
