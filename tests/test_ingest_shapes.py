"""Shapes real deliveries have, expressed by configuration: header-less tables, …

Every expected figure is read off the small files written here.
"""

from __future__ import annotations

import pytest

from pipelines.lib.findings import ConfigError
from pipelines.lib.ingest import load_inputs
from tests.ingest_fixtures import LEAVES, LONG_COLUMNS, counts_of, make_config, write_text


def errors(inputs):
    return [f for f in inputs.findings if f.severity == "error"]


def _headerless(tmp_path, **kw):
    """Four data rows and no header: 0101 has 1 of 10, 0102 2 of 20, … (row 1 is the first data row)."""
    lines = [f"{k};2023;armut;{i + 1};{(i + 1) * 10}" for i, k in enumerate(LEAVES)]
    write_text(tmp_path, "data_raw/ohne_kopf.csv", "\n".join(lines) + "\n")
    return {"id": "ohne_kopf", "path": "data_raw/ohne_kopf.csv", "format": "long", "header_rows": 0,
            "columns": dict(LONG_COLUMNS), **kw}


def test_table_without_header_row_with_named_columns(tmp_path):
    names = ["Gebiet", "Jahr", "Indikator", "Zähler", "Nenner"]
    inputs = load_inputs(make_config(tmp_path, counts=[_headerless(tmp_path, column_names=names)]))
    assert errors(inputs) == []
    assert len(inputs.counts) == 4
    row = counts_of(inputs, "0201")
    assert (row.numerator, row.denominator, row.source_row) == (3, 30, 3)
    assert counts_of(inputs, "0101").source_row == 1


def test_too_few_column_names_leave_the_rest_numbered(tmp_path):
    """Only three names: the fourth and fifth columns are „Spalte 4“ and „Spalte 5“."""
    columns = {**LONG_COLUMNS, "numerator": "Spalte 4", "denominator": "Spalte 5"}
    src = _headerless(tmp_path, column_names=["Gebiet", "Jahr", "Indikator"], columns=columns)
    inputs = load_inputs(make_config(tmp_path, counts=[src]))
    assert errors(inputs) == []
    assert (counts_of(inputs, "0202").numerator, counts_of(inputs, "0202").denominator) == (4, 40)


def test_header_rows_zero_without_names_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigError) as exc:
        make_config(tmp_path, counts=[_headerless(tmp_path)])
    assert "column_names" in str(exc.value) and "header_rows = 0" in str(exc.value)
