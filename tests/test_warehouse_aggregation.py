"""Hierarchy aggregation in the SQL models, against hand-computed sums."""

from __future__ import annotations

import pytest
from warehouse_fixtures import FakeInputs, counts_frame, population_frame, tiny_config, tiny_districts

from pipelines.lib.duck import connect
from pipelines.lib.warehouse.load import build_models, load_raw


def build(tmp_path, rows, population=None):
    config = tiny_config(tmp_path)
    inputs = FakeInputs(
        districts=tiny_districts(),
        counts=counts_frame(rows),
        population=population_frame(population or {"0101": 400, "0102": 800, "0201": 120, "0202": 1000}),
    )
    path = tmp_path / "warehouse.duckdb"
    load_raw(inputs, config, path)
    build_models(path)
    con = connect(path, read_only=True)
    cells = con.execute(
        "select indicator_id, year, district_id, numerator, denominator, is_upstream_hidden, population "
        "from int_indicator_cells"
    ).df()
    con.close()
    return {(r.indicator_id, r.year, r.district_id): r for r in cells.itertuples()}


def value(x):
    return None if x is None or x != x else int(x)  # NA -> None


def test_parents_are_sums_of_leaves_never_averages(tmp_path):
    cells = build(tmp_path, [
        ("0101", 2024, "quote", 3, 10), ("0102", 2024, "quote", 5, 20),
        ("0201", 2024, "quote", 0, 5), ("0202", 2024, "quote", 7, 30),
    ])
    west, east, city = cells[("quote", 2024, "01")], cells[("quote", 2024, "02")], cells[("quote", 2024, "0")]
    assert (value(west.numerator), value(west.denominator)) == (3 + 5, 10 + 20)
    assert (value(east.numerator), value(east.denominator)) == (0 + 7, 5 + 30)
    assert (value(city.numerator), value(city.denominator)) == (15, 65)
    # the average of the two district rates would be (8/30 + 7/35) / 2 = 0.233…; the city rate is 15/65
    assert value(city.numerator) / value(city.denominator) == pytest.approx(15 / 65)


def test_population_summed_along_the_hierarchy(tmp_path):
    cells = build(tmp_path, [("0101", 2024, "quote", 1, 2), ("0102", 2024, "quote", 1, 2),
                             ("0201", 2024, "quote", 1, 2), ("0202", 2024, "quote", 1, 2)])
    assert value(cells[("quote", 2024, "01")].population) == 1200
    assert value(cells[("quote", 2024, "02")].population) == 1120
    assert value(cells[("quote", 2024, "0")].population) == 2320
    assert value(cells[("quote", 2024, "0201")].population) == 120


def test_missing_leaf_makes_its_parents_missing(tmp_path):
    cells = build(tmp_path, [
        ("0101", 2024, "quote", 3, 10), ("0102", 2024, "quote", 5, 20),
        ("0201", 2024, "quote", None, 5), ("0202", 2024, "quote", 7, 30),
    ])
    assert value(cells[("quote", 2024, "01")].numerator) == 8
    assert value(cells[("quote", 2024, "02")].numerator) is None
    assert value(cells[("quote", 2024, "0")].numerator) is None
    # the denominator is complete, so it is still summed
    assert value(cells[("quote", 2024, "02")].denominator) == 35


def test_leaf_without_any_row_is_a_gap_and_its_parents_are_missing(tmp_path):
    cells = build(tmp_path, [
        ("0101", 2024, "quote", 3, 10), ("0102", 2024, "quote", 5, 20), ("0202", 2024, "quote", 7, 30),
    ])
    assert value(cells[("quote", 2024, "0201")].numerator) is None
    assert value(cells[("quote", 2024, "02")].numerator) is None
    con = connect(tmp_path / "warehouse.duckdb", read_only=True)
    gaps = con.execute("select indicator_id, year, district_id from int_coverage_gaps").fetchall()
    con.close()
    assert gaps == [("quote", 2024, "0201")]


def test_upstream_secret_leaf_stays_hidden_and_parent_given_by_source_is_used(tmp_path):
    cells = build(tmp_path, [
        ("0101", 2024, "quote", 3, 10), ("0102", 2024, "quote", 5, 20),
        ("0201", 2024, "quote", None, 5, "secret"), ("0202", 2024, "quote", 7, 30),
        ("02", 2024, "quote", 9, 35),  # the source publishes the parent's total itself
    ])
    assert bool(cells[("quote", 2024, "0201")].is_upstream_hidden)
    assert not bool(cells[("quote", 2024, "0202")].is_upstream_hidden)
    assert value(cells[("quote", 2024, "02")].numerator) == 9
    assert value(cells[("quote", 2024, "0")].numerator) is None  # the city still lacks a complete sum


def test_every_district_gets_a_cell_for_every_indicator_year(tmp_path):
    cells = build(tmp_path, [
        ("0101", 2023, "quote", 1, 10), ("0101", 2024, "rate", 2, 100),
    ])
    keys = {(k[0], k[1]) for k in cells}
    assert keys == {("quote", 2023), ("rate", 2024)}
    assert len(cells) == 2 * 7


def test_implausible_rates_are_flagged(tmp_path):
    build(tmp_path, [("0101", 2024, "rate", 5, 100), ("0102", 2024, "rate", 3, 2),
                     ("0201", 2024, "rate", 1, 10), ("0202", 2024, "rate", 0, 10)])
    con = connect(tmp_path / "warehouse.duckdb", read_only=True)
    bad = con.execute("select district_id from int_implausible_values order by 1").fetchall()
    con.close()
    assert bad == [("0102",)]  # 3 of 2 is 1,500 per 1,000


def test_derived_numerators_mark_their_cells_and_every_parent_that_sums_them(tmp_path):
    config = tiny_config(tmp_path)
    counts = counts_frame([
        ("0101", 2024, "quote", 3, 10), ("0102", 2024, "quote", 5, 20),  # West: counted
        ("0201", 2024, "quote", 2, 5), ("0202", 2024, "quote", 7, 30),  # Ost: 0201 derived from a share
        ("02", 2024, "teil", 9, 35),  # a parent delivered by the source itself: counted ...
        ("0201", 2024, "teil", 4, 5), ("0202", 2024, "teil", 5, 30),  # ... though its leaf 0201 is derived
        ("0101", 2024, "teil", 1, 10), ("0102", 2024, "teil", 1, 20),
    ])
    counts["derived"] = [False, False, True, False, False, True, False, False, False]
    inputs = FakeInputs(districts=tiny_districts(), counts=counts,
                        population=population_frame({"0101": 400, "0102": 800, "0201": 120, "0202": 1000}))
    path = tmp_path / "warehouse.duckdb"
    load_raw(inputs, config, path)
    build_models(path)
    with connect(path, read_only=True) as con:
        derived = {(i, d): bool(x) for i, d, x in con.execute(
            "select indicator_id, district_id, is_derived from int_indicator_cells").fetchall()}
    assert {d for (i, d), x in derived.items() if i == "quote" and x} == {"0201", "02", "0"}
    assert {d for (i, d), x in derived.items() if i == "teil" and x} == {"0201", "0"}  # 02 delivered as counted


def test_counts_without_a_derived_column_are_counted(tmp_path):
    cells = build(tmp_path, [("0101", 2024, "quote", 1, 2), ("0102", 2024, "quote", 1, 2),
                             ("0201", 2024, "quote", 1, 2), ("0202", 2024, "quote", 1, 2)])
    path = tmp_path / "warehouse.duckdb"
    with connect(path, read_only=True) as con:
        assert con.execute("select count(*), count(*) filter (where is_derived) from int_indicator_cells"
                           ).fetchone() == (len(cells), 0)
