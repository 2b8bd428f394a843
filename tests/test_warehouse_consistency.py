"""Consistency findings: implausible rates and contradictions to declared relations, with file and row."""

from __future__ import annotations

from warehouse_fixtures import FakeInputs, counts_frame, population_frame, tiny_config, tiny_districts

from pipelines.lib.warehouse.consistency import consistency_findings
from pipelines.lib.warehouse.load import build_models, load_raw

RELATIONS = [
    {"kind": "subset", "indicator": "teil", "of": "quote"},
    {"kind": "shared_denominator", "indicators": ["teil", "quote"]},
    {"kind": "sum", "parts": ["teil", "rate"], "total": "quote"},
]


def findings_for(tmp_path, rows, relations=RELATIONS):
    config = tiny_config(tmp_path, relations)
    inputs = FakeInputs(districts=tiny_districts(), counts=counts_frame(rows),
                        population=population_frame({"0101": 400, "0102": 800, "0201": 900, "0202": 1000}))
    path = tmp_path / "warehouse.duckdb"
    load_raw(inputs, config, path)
    build_models(path)
    return consistency_findings(path)


def base_rows(teil=(2, 10), rate=(1, 10), quote=(3, 10)):
    rows = []
    for district in ("0101", "0102", "0201", "0202"):
        rows += [(district, 2024, "teil", *teil), (district, 2024, "rate", *rate), (district, 2024, "quote", *quote)]
    return rows


def test_consistent_inputs_give_no_findings(tmp_path):
    assert findings_for(tmp_path, base_rows()) == []


def test_subset_larger_than_its_whole_is_reported_with_its_row(tmp_path):
    rows = base_rows()
    rows[0] = ("0101", 2024, "teil", 5, 10)  # 5 of the children in a set of 3
    found = findings_for(tmp_path, rows, RELATIONS[:1])
    assert [(f.code, f.file, f.row, f.column) for f in found] == [("SM-E331", "test.csv", 2, "Zähler")]
    assert "teil / quote, 2024, Gebiet 0101" in found[0].message


def test_differing_shared_denominator_and_wrong_sum_are_reported(tmp_path):
    rows = base_rows()
    rows[5] = ("0102", 2024, "quote", 3, 11)  # denominator differs from teil's 10
    rows[7] = ("0201", 2024, "rate", 2, 10)  # 2 + 2 ≠ 3
    codes = sorted((f.code, f.message.split(": ")[1]) for f in findings_for(tmp_path, rows))
    assert ("SM-E332", "quote / teil, 2024, Gebiet 0102") in codes or ("SM-E332", "teil / quote, 2024, Gebiet 0102") in codes
    assert ("SM-E333", "quote, 2024, Gebiet 0201") in codes


def test_implausible_rate_is_a_finding(tmp_path):
    rows = base_rows()
    rows[1] = ("0101", 2024, "rate", 30, 10)  # 3,000 per 1,000
    found = findings_for(tmp_path, rows, [])
    assert [(f.code, f.row) for f in found] == [("SM-E330", 3)]
