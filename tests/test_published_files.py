"""The reader of published files (used by the hidden-inputs test): it normalises only run ids and times, and
names the first file and line that differ."""

from __future__ import annotations

import re

import pyarrow.parquet as pq
from published_files import file_lines, first_difference, normalise, published_files


def test_normalise_only_run_ids_and_times():
    run = "0a30e49d-1014-470a-b098-41d0b3486ae7"
    assert normalise(f'<base href="releases/{run}/">') == '<base href="releases/<run-id>/">'
    assert normalise("Lauf 0a30e49d-1014-470a-b098-41d0b3486ae7 vom 22.11.2026, 10:35 Uhr.") == \
        "Lauf <run-id> vom <zeit>."
    for stamp in ("2026-11-22T09:35:59+00:00", "2026-11-22 09:35:59.362339+00:00", "2026-11-22T09:35:59Z"):
        assert normalise(f'"completed_at": "{stamp}"') == '"completed_at": "<zeit>"'
    # data dates, years, numbers and other ids stay
    for text in ("Datenstand: 31.12.2024", "2024-12-31", "24,2026;20,7594", "01010001;2022", "0a30e49d-1014"):
        assert normalise(text) == text


def test_first_difference_names_file_and_line(tiny_workspace):
    before = published_files(tiny_workspace)
    assert first_difference(before, before) is None
    names = set(before)
    assert {"dashboards/index.html", "data_marts/CURRENT", "data_marts/releases/<run-id>/RELEASE.json",
            "data_marts/releases/<run-id>/exports/csv/indicator_values.csv",
            "data_marts/releases/<run-id>/exports/parquet/indicator_values.parquet",
            "data_marts/releases/<run-id>/exports/geo/districts_latest.gpkg",
            "data_marts/releases/<run-id>/exports/sozialmonitor.xlsx"} <= names
    assert any(n.startswith("dashboards/releases/<run-id>/indikatoren/") for n in names)
    assert any(n.startswith("dashboards/releases/<run-id>/assets/") for n in names)
    assert not any(n.endswith(".duckdb") for n in names)  # the mart is compared table by table

    run = (tiny_workspace / "data_marts" / "CURRENT").read_text(encoding="utf-8").strip()
    # one figure in a page's embedded JSON
    page = tiny_workspace / "dashboards" / "releases" / run / "indikatoren" / "kinderarmut.html"
    lines = page.read_text(encoding="utf-8").split("\n")
    n = next(i for i, line in enumerate(lines) if '"werte"' in line)
    old = lines[n]
    col = old.index("[[[", old.index('"werte"'))
    col = col + re.search(r'"\d', old[col:]).start() + 1  # the first digit of the first formatted figure
    lines[n] = old[:col] + str((int(old[col]) + 1) % 10) + old[col + 1:]
    page.write_text("\n".join(lines), encoding="utf-8")
    found = first_difference(before, published_files(tiny_workspace))
    assert found.startswith(f"dashboards/releases/<run-id>/indikatoren/kinderarmut.html, line {n + 1}, "
                            f"column {col + 1}:"), found
    page.write_text("\n".join([*lines[:n], old, *lines[n + 1:]]), encoding="utf-8")

    # one value in a Parquet export, compared by content: the same rows written anew are equal
    name = "data_marts/releases/<run-id>/exports/parquet/indicator_values.parquet"
    path = tiny_workspace / name.replace("<run-id>", run)
    table = pq.read_table(path)
    pq.write_table(table, path, compression="snappy")
    assert first_difference({name: before[name]}, {name: file_lines(path)}) is None
    numerators = table.column("numerator").to_pylist()
    first = next(i for i, v in enumerate(numerators) if v is not None)
    numerators[first] += 1
    pq.write_table(table.set_column(table.schema.get_field_index("numerator"), "numerator", [numerators]), path)
    found = first_difference({name: before[name]}, {name: file_lines(path)})
    schema_lines = len(table.schema) + len(table.schema.metadata or {})
    assert found.startswith(f"{name}, line {schema_lines + first + 1}, "), found
