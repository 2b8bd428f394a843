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


# 0101: 3 % of 400 = 12; 2.5 % … 3.5 % of 400 = 10 … 14 → span 4 (row 2)
# 0102: 3 % of 40 = 1.2 → 1; 1.0 … 1.4 → only 1 → span 0
# 0201: 3,2 % of 400 = 12.8 → 13; 3.15 % … 3.25 % = 12.6 … 13.0 → only 13 → span 0
# 0202: 7 % of 150 = 10.5 → 11; 6.5 % … 7.5 % = 9.75 … 11.25 → 10 or 11 → span 1 (row 5)
CELLS = [("3", "400"), ("3", "40"), ("3,2", "400"), ("7", "150")]


def test_a_coarse_share_on_a_large_denominator_warns_with_the_span_of_counts(tmp_path):
    inputs = load_inputs(make_config(tmp_path, counts=[_shares(tmp_path, CELLS)]))
    assert [f for f in inputs.findings if f.severity == "error"] == []
    assert [counts_of(inputs, k).numerator for k in LEAVES] == [12, 1, 13, 11]
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
    """„-“ is exactly zero; „0“ stands for 0 % … 0,5 %, of 400 that is 0 to 2 persons (span 2)."""
    cells = [("-", "400"), ("0", "400"), ("3,25", "400"), ("3", "40")]  # 3,25 % of 400: 12.98 … 13.02 → 13
    [f] = of_code(load_inputs(make_config(tmp_path, counts=[_shares(tmp_path, cells)])).findings, "SM-W348")
    assert (f.row, f.value) == (3, "0 % von 400 → 0; möglich sind 0 bis 2 (Spanne 2)")
    assert "1 von 4" in f.message


def test_shares_over_the_population_and_as_fractions(tmp_path):
    """scale = 1: 0,03 (two decimals = whole percent) of 1,000 inhabitants = 30; 25 … 35 → span 10; 0,031 of
    1,000 = 31; 30.5 … 31.5 → only 31."""
    write_text(
        tmp_path,
        "data_raw/anteile.csv",
        csv_text(
            [(k, s) for k, s in zip(LEAVES, ("0,03", "0,031", "0,031", "0,031"), strict=True)],
            header=("Gebiet", "Quote"),
        ),
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
    write_text(
        tmp_path,
        "data_raw/ew.csv",
        csv_text(
            [(k, "2023", "insgesamt", "1000") for k in LEAVES],
            header=("district_id", "year", "age_band", "population"),
        ),
    )
    inputs = load_inputs(make_config(tmp_path, counts=[src], population={"path": "data_raw/ew.csv"}))
    assert [f for f in inputs.findings if f.severity == "error"] == []
    [f] = of_code(inputs.findings, "SM-W348")
    assert (f.row, f.column, f.value) == (
        2,
        "Quote",
        "3 % von 1.000 → 30; möglich sind 25 bis 35 (Spanne 10)",
    )
    assert "1 von 4" in f.message


def test_native_numbers_count_the_decimals_they_were_typed_with():
    """Excel cells typed from a report (21,5; 3) against a share computed by a formula (many decimals)."""
    parsed = parse_shares(pd.Series([21.5, 3.0, 6 / 13 * 100, 0.125]), scale=100)
    assert parsed.unit.tolist()[:2] == [0.1, 1.0] and parsed.unit.iat[3] == 0.001
    assert parsed.unit.iat[2] < 1e-10


def test_rounding_span_setting_is_checked(tmp_path):
    with pytest.raises(ConfigError, match="rounding_span muss eine Zahl größer als 0"):
        validation_settings(make_config(tmp_path, validation={"rounding_span": 0}))
    assert validation_settings(make_config(tmp_path)).rounding_span == 1
    [typo] = key_findings({"validation": {"rounding_spam": 2}})
    assert "Meinten Sie „rounding_span“?" in typo.hint
