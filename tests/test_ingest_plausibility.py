"""Plausibility checks at ingest: totals against their parts, shares against their counts, jumps.

The square-grid city of ``ingest_fixtures``: leaves 0101, 0102 (Bezirk 01 "West"), 0201, 0202 (Bezirk 02
"Ost"), the city 0. Every expected figure below is computed by hand from the small files written here.
"""

from __future__ import annotations

import pandas as pd

from pipelines.lib.ingest import load_inputs
from tests.ingest_fixtures import LEAVES, counts_of, csv_text, make_config, of_code, write_text

POP_HEADER = ("district_id", "year", "age_band", "population")


def errors(inputs):
    return [f for f in inputs.findings if f.severity == "error"]


def _population(tmp_path, rows, **extra):
    write_text(tmp_path, "data_raw/ew.csv", csv_text(rows, header=POP_HEADER))
    return {"path": "data_raw/ew.csv", **extra}


def _wide(tmp_path, header, rows, values, **kw):
    rel = "data_raw/breit.csv"
    write_text(tmp_path, rel, csv_text(rows, header=header))
    return {"id": "breit", "path": rel, "format": "wide", "key": "Gebiet", "year": 2023, "values": values, **kw}


# ------------------------------------------------------------------ population


def test_glued_digits_in_a_population_stop_with_the_row_and_column(tmp_path):
    """Stadtteil 0101 typed as 2,036,643 (true 2,036): Bezirk 01 delivers 3,536 = 2,036 + 1,500."""
    rows = [("0101", "2023", "insgesamt", "2036643"), ("0102", "2023", "insgesamt", "1500"),
            ("0201", "2023", "insgesamt", "1000"), ("0202", "2023", "insgesamt", "1200"),
            ("01", "2023", "insgesamt", "3536")]
    inputs = load_inputs(make_config(tmp_path, population=_population(tmp_path, rows)))
    [total] = of_code(inputs.findings, "SM-E335")
    assert (total.file, total.row, total.column) == ("data_raw/ew.csv", 6, "population")
    assert total.value == "geliefert 3.536, Summe 2.038.143"  # 2,036,643 + 1,500
    assert "3.536" not in total.message  # figures only in the value: the message reaches the Dagster UI
    [child] = of_code(inputs.findings, "SM-E336")
    assert (child.file, child.row, child.column, child.value) == ("data_raw/ew.csv", 2, "population",
                                                                  "2.036.643 > 3.536")
    assert "„0101“ (Altstadt) größer als „01“ (West)" in child.message
    assert child.severity == total.severity == "error"


def test_parent_totals_that_add_up_pass(tmp_path):
    rows = [("0101", "2023", "insgesamt", "2036"), ("0102", "2023", "insgesamt", "1500"),
            ("0201", "2023", "insgesamt", "1000"), ("0202", "2023", "insgesamt", "1200"),
            ("01", "2023", "insgesamt", "3536"), ("0", "2023", "insgesamt", "5736")]
    inputs = load_inputs(make_config(tmp_path, population=_population(tmp_path, rows)))
    assert errors(inputs) == []


def test_city_total_against_computed_bezirk_sums(tmp_path):
    """No Bezirk rows: the city total 9,999 is compared with 2,036 + 1,500 + 1,000 + 1,200 = 5,736."""
    rows = [("0101", "2023", "insgesamt", "2036"), ("0102", "2023", "insgesamt", "1500"),
            ("0201", "2023", "insgesamt", "1000"), ("0202", "2023", "insgesamt", "1200"),
            ("0", "2023", "insgesamt", "9999")]
    inputs = load_inputs(make_config(tmp_path, population=_population(tmp_path, rows)))
    [f] = errors(inputs)
    assert (f.code, f.row, f.value) == ("SM-E335", 6, "geliefert 9.999, Summe 5.736")


def test_total_band_against_age_bands(tmp_path):
    """0101: 0-17 = 300, 18+ = 700, insgesamt 1,700 ≠ 1,000; 0102: 200 + 500 = 700 = insgesamt."""
    rows = [("0101", "2023", "0-17", "300"), ("0101", "2023", "18+", "700"), ("0101", "2023", "insgesamt", "1700"),
            ("0102", "2023", "0-17", "200"), ("0102", "2023", "18+", "500"), ("0102", "2023", "insgesamt", "700")]
    inputs = load_inputs(make_config(tmp_path, population=_population(tmp_path, rows)))
    [f] = of_code(inputs.findings, "SM-E334")
    assert (f.row, f.column, f.value) == (4, "population", "insgesamt 1.700, Summe 1.000")
    assert "Summe der 2 Altersgruppen" in f.message


def test_total_band_is_checked_not_added(tmp_path):
    rows = [("0102", "2023", "0-17", "200"), ("0102", "2023", "18+", "500"), ("0102", "2023", "insgesamt", "700"),
            ("0201", "2023", "insgesamt", "900")]
    inputs = load_inputs(make_config(tmp_path, population=_population(tmp_path, rows)))
    assert errors(inputs) == []
    p = inputs.population
    assert p[p.district_id == "0102"].population.sum() == 700  # not 1,400
    assert p[p.district_id == "0201"].population.tolist() == [900]  # a total alone is the figure


def test_jump_between_years_is_a_warning(tmp_path):
    """0101: 1,000 in 2022, 6,000 in 2023 (factor 6 > 5); 0102: 1,000 → 4,000 (factor 4) is not reported."""
    rows = [("0101", "2022", "insgesamt", "1000"), ("0101", "2023", "insgesamt", "6000"),
            ("0102", "2022", "insgesamt", "1000"), ("0102", "2023", "insgesamt", "4000")]
    inputs = load_inputs(make_config(tmp_path, population=_population(tmp_path, rows)))
    assert errors(inputs) == []
    [f] = of_code(inputs.findings, "SM-W338")
    assert (f.severity, f.row, f.value) == ("warning", 3, "2022: 1.000, 2023: 6.000")
    assert "2022 → 2023" in f.message


def test_jump_factor_from_the_validation_section(tmp_path):
    rows = [("0102", "2022", "insgesamt", "1000"), ("0102", "2023", "insgesamt", "4000")]
    config = make_config(tmp_path, population=_population(tmp_path, rows), validation={"jump_factor": 3})
    [f] = of_code(load_inputs(config).findings, "SM-W338")
    assert f.row == 3


# ------------------------------------------------------------------ counts and shares


def test_share_contradicting_its_count_stops(tmp_path):
    """The corrupted denominator: 114 children under 6 of 2,036,643 = 0.0 %, the table says 5.6 %."""
    header = ("Gebiet", "Unter 6", "Einwohner", "Anteil unter 6")
    rows = [("0101", "114", "2036643", "5,6"), ("0102", "84", "1500", "5,6"), ("0201", "50", "1000", "5,0"),
            ("0202", "60", "1200", "5,0")]
    values = [{"column": "Unter 6", "indicator": "kita", "part": "numerator"},
              {"column": "Einwohner", "indicator": "kita", "part": "denominator"},
              {"column": "Anteil unter 6", "indicator": "kita", "part": "share"}]
    inputs = load_inputs(make_config(tmp_path, counts=[_wide(tmp_path, header, rows, values)]))
    [f] = errors(inputs)
    assert (f.code, f.file, f.row, f.column) == ("SM-E340", "data_raw/breit.csv", 2, "Anteil unter 6")
    assert f.value == "5.6 % geliefert, 114 von 2036643 = 0.0 %"


def test_share_agreeing_with_its_count_passes(tmp_path):
    header = ("Gebiet", "Unter 6", "Einwohner", "Anteil unter 6")
    rows = [(k, "84", "1500", "5,6") for k in LEAVES]  # 84 / 1,500 = 5.6 %
    values = [{"column": "Unter 6", "indicator": "kita", "part": "numerator"},
              {"column": "Einwohner", "indicator": "kita", "part": "denominator"},
              {"column": "Anteil unter 6", "indicator": "kita", "part": "share"}]
    inputs = load_inputs(make_config(tmp_path, counts=[_wide(tmp_path, header, rows, values)]))
    assert errors(inputs) == []
    row = counts_of(inputs, "0102", "kita")
    assert (row.numerator, row.denominator, bool(row.derived)) == (84, 1500, False)


def test_share_without_a_denominator_is_an_error(tmp_path):
    header = ("Gebiet", "Kinderarmut in %")
    values = [{"column": "Kinderarmut in %", "indicator": "armut", "part": "share"}]
    inputs = load_inputs(make_config(tmp_path, counts=[_wide(tmp_path, header, [(k, "15") for k in LEAVES], values)],
                                     population=_population(tmp_path, [(k, "2023", "insgesamt", "2370")
                                                                       for k in LEAVES])))
    [f] = errors(inputs)
    assert (f.code, f.file, f.column, f.value) == ("SM-E341", "data_raw/breit.csv", "Kinderarmut in %", "armut")
    assert "share_denominator" in f.hint
    assert inputs.counts.empty  # nothing derived from the total population behind the user's back


def test_share_over_the_population_when_declared(tmp_path):
    """15 % of 2,370 inhabitants = 355.5 → 356 (half up), flagged derived."""
    header = ("Gebiet", "Anteil in %")
    values = [{"column": "Anteil in %", "indicator": "armut", "part": "share"}]
    src = _wide(tmp_path, header, [(k, "15") for k in LEAVES], values, share_denominator="population")
    pop = _population(tmp_path, [(k, "2023", "insgesamt", "2370") for k in LEAVES])
    inputs = load_inputs(make_config(tmp_path, counts=[src], population=pop))
    assert errors(inputs) == []
    row = counts_of(inputs, "0201", "armut")
    assert (row.numerator, row.denominator, bool(row.derived)) == (356, 2370, True)


def test_numerator_without_a_denominator_is_an_error(tmp_path):
    header = ("Gebiet", "Fälle")
    values = [{"column": "Fälle", "indicator": "armut", "part": "numerator"}]
    inputs = load_inputs(make_config(tmp_path, counts=[_wide(tmp_path, header, [(k, "7") for k in LEAVES], values)]))
    [f] = errors(inputs)
    assert (f.code, f.column) == ("SM-E342", "Fälle")
    assert inputs.counts.empty


def test_numerator_over_the_population_keeps_its_count_and_checks_its_share(tmp_path):
    """7 of 1,000 = 0.7 % (the share column says 0,7); 0202 says 9,0 % for 7 of 1,000: contradiction."""
    header = ("Gebiet", "Fälle", "Anteil")
    values = [{"column": "Fälle", "indicator": "armut", "part": "numerator"},
              {"column": "Anteil", "indicator": "armut", "part": "share"}]
    rows = [(k, "7", "9,0" if k == "0202" else "0,7") for k in LEAVES]
    src = _wide(tmp_path, header, rows, values, share_denominator="population")
    pop = _population(tmp_path, [(k, "2023", "insgesamt", "1000") for k in LEAVES])
    inputs = load_inputs(make_config(tmp_path, counts=[src], population=pop))
    [f] = errors(inputs)
    assert (f.code, f.row, f.column) == ("SM-E340", 5, "Anteil")
    row = counts_of(inputs, "0101", "armut")
    assert (row.numerator, row.denominator, bool(row.derived)) == (7, 1000, False)


def test_count_above_its_denominator_stops(tmp_path):
    header = ("Gebiet", "Fälle", "Kinder")
    values = [{"column": "Fälle", "indicator": "armut", "part": "numerator"},
              {"column": "Kinder", "indicator": "armut", "part": "denominator"}]
    rows = [(k, "60" if k == "0201" else "6", "50") for k in LEAVES]
    inputs = load_inputs(make_config(tmp_path, counts=[_wide(tmp_path, header, rows, values)]))
    [f] = errors(inputs)
    assert (f.code, f.row, f.column, f.value) == ("SM-E304", 4, "Fälle", "60 > 50")


def test_share_above_100_percent_stops(tmp_path):
    header = ("Gebiet", "Anteil", "Kinder")
    values = [{"column": "Anteil", "indicator": "armut", "part": "share"},
              {"column": "Kinder", "indicator": "armut", "part": "denominator"}]
    rows = [(k, "104,5" if k == "0102" else "10", "50") for k in LEAVES]
    inputs = load_inputs(make_config(tmp_path, counts=[_wide(tmp_path, header, rows, values)]))
    [f] = errors(inputs)
    assert (f.code, f.row, f.column) == ("SM-E318", 3, "Anteil")


def test_delivered_bezirk_count_against_its_stadtteile(tmp_path):
    """Bezirk 01 delivers 30 cases, its Stadtteile 5 + 6 = 11; Bezirk 02 delivers 7 + 8 = 15 (right)."""
    header = ("Gebiet", "Fälle", "Kinder")
    values = [{"column": "Fälle", "indicator": "armut", "part": "numerator"},
              {"column": "Kinder", "indicator": "armut", "part": "denominator"}]
    rows = [("0101", "5", "50"), ("0102", "6", "50"), ("0201", "7", "50"), ("0202", "8", "50"),
            ("01", "30", "100"), ("02", "15", "100")]
    inputs = load_inputs(make_config(tmp_path, counts=[_wide(tmp_path, header, rows, values)]))
    [f] = errors(inputs)
    assert (f.code, f.row, f.column, f.value) == ("SM-E335", 6, "Fälle", "geliefert 30, Summe 11")


def test_denominator_above_the_population_is_a_warning(tmp_path):
    header = ("Gebiet", "Fälle", "Kinder")
    values = [{"column": "Fälle", "indicator": "armut", "part": "numerator"},
              {"column": "Kinder", "indicator": "armut", "part": "denominator"}]
    rows = [(k, "5", "5000" if k == "0202" else "50") for k in LEAVES]
    pop = _population(tmp_path, [(k, "2023", "insgesamt", "1000") for k in LEAVES])
    inputs = load_inputs(make_config(tmp_path, counts=[_wide(tmp_path, header, rows, values)], population=pop))
    assert errors(inputs) == []
    [f] = of_code(inputs.findings, "SM-W339")
    assert (f.row, f.column, f.value) == (5, "Kinder", "Nenner 5.000, Einwohner 1.000")


# ------------------------------------------------------------------ missing values that stay local


def _cells(tmp_path, config, inputs):
    from pipelines.lib.duck import connect
    from pipelines.lib.warehouse.load import build_models, load_raw

    path = tmp_path / "warehouse.duckdb"
    load_raw(inputs, config, path)
    build_models(path)
    with connect(path, read_only=True) as con:
        rows = con.execute("select district_id, numerator, denominator from int_indicator_cells "
                           "where indicator_id = 'armut' and year = 2023").fetchall()
    return {d: (None if n is None else int(n), None if m is None else int(m)) for d, n, m in rows}


def _armut_long(tmp_path, cells_0202=("", "")):
    header = ("Gebiet", "Jahr", "Indikator", "Zähler", "Nenner")
    rows = [("0101", "2023", "armut", "5", "50"), ("0102", "2023", "armut", "6", "60"),
            ("0201", "2023", "armut", "7", "70"), ("0202", "2023", "armut", *cells_0202)]
    write_text(tmp_path, "data_raw/zahlen.csv", csv_text(rows, header=header))
    return {"id": "quelle", "path": "data_raw/zahlen.csv", "format": "long",
            "columns": {"district_id": "Gebiet", "year": "Jahr", "indicator_id": "Indikator",
                        "numerator": "Zähler", "denominator": "Nenner"}}


def test_declared_uninhabited_area_keeps_its_parents(tmp_path):
    """0202 (Heide) is uninhabited: empty population and counts; Ost = 0201 alone, the city 5+6+7 of 50+60+70."""
    pop = _population(tmp_path, [("0101", "2023", "insgesamt", "500"), ("0102", "2023", "insgesamt", "600"),
                                 ("0201", "2023", "insgesamt", "700"), ("0202", "2023", "insgesamt", "")])
    config = make_config(tmp_path, counts=[_armut_long(tmp_path)], population=pop,
                         validation={"uninhabited": ["Heide"]})
    inputs = load_inputs(config)
    assert errors(inputs) == []
    [note] = of_code(inputs.findings, "SM-W343")
    assert note.file == "sozialmonitor.toml" and "„0202“ (Heide)" in note.message
    assert of_code(inputs.findings, "SM-W344") == []
    cells = _cells(tmp_path, config, inputs)
    assert cells["0202"] == (0, 0)
    assert cells["02"] == (7, 70)
    assert cells["0"] == (18, 180)


def test_population_zero_is_detected_as_uninhabited(tmp_path):
    pop = _population(tmp_path, [("0101", "2023", "insgesamt", "500"), ("0102", "2023", "insgesamt", "600"),
                                 ("0201", "2023", "insgesamt", "700"), ("0202", "2023", "insgesamt", "-")])
    config = make_config(tmp_path, counts=[_armut_long(tmp_path)], population=pop)
    inputs = load_inputs(config)
    assert errors(inputs) == []
    [note] = of_code(inputs.findings, "SM-W343")
    assert (note.file, note.value) == ("data_raw/ew.csv", "0202") and "Einwohnerzahl 0" in note.message
    assert _cells(tmp_path, config, inputs)["0"] == (18, 180)


def test_a_gap_in_an_inhabited_area_names_the_parents_it_empties(tmp_path):
    pop = _population(tmp_path, [(k, "2023", "insgesamt", "500") for k in LEAVES])
    config = make_config(tmp_path, counts=[_armut_long(tmp_path)], population=pop)
    inputs = load_inputs(config)
    assert errors(inputs) == []
    [gap] = of_code(inputs.findings, "SM-W344")
    assert gap.file == "data_raw/zahlen.csv"
    assert "kein Wert für „0202“ (Heide); daher auch keine Daten für „02“ (Ost), „0“ (Teststadt)" in gap.message
    cells = _cells(tmp_path, config, inputs)
    assert cells["01"] == (11, 110) and cells["02"] == (None, None) and cells["0"] == (None, None)


def test_empty_population_of_an_undeclared_area_is_an_error_that_says_how_to_declare_it(tmp_path):
    pop = _population(tmp_path, [(k, "2023", "insgesamt", "" if k == "0202" else "500") for k in LEAVES])
    inputs = load_inputs(make_config(tmp_path, counts=[_armut_long(tmp_path)], population=pop))
    [f] = errors(inputs)
    assert (f.code, f.row) == ("SM-E314", 5) and "[validation] uninhabited" in f.hint


def test_unknown_uninhabited_area_is_named(tmp_path):
    config = make_config(tmp_path, counts=[_armut_long(tmp_path)], validation={"uninhabited": ["Haide"]})
    [f] = errors(load_inputs(config))
    assert (f.code, f.file, f.value) == ("SM-E301", "sozialmonitor.toml", "Haide")
    assert "Heide" in f.hint


def test_numerator_with_an_empty_denominator_is_not_published_alone(tmp_path):
    """0202 delivers 9 cases but no denominator: no rate, so no published count either (and a note)."""
    inputs = load_inputs(make_config(tmp_path, counts=[_armut_long(tmp_path, cells_0202=("9", ""))]))
    assert errors(inputs) == []
    [note] = of_code(inputs.findings, "SM-W345")
    assert (note.file, note.value) == ("data_raw/zahlen.csv", "armut") and "(Zeilen 5)" in note.message
    row = counts_of(inputs, "0202")
    assert row.numerator_flag == "missing" and row.numerator is pd.NA
    assert counts_of(inputs, "0201").numerator == 7


def test_all_problems_are_listed_at_once(tmp_path):
    """A typo in [validation], a glued population figure and a share without denominator: one report."""
    rows = [("0101", "2023", "insgesamt", "2036643"), ("0102", "2023", "insgesamt", "1500"),
            ("0201", "2023", "insgesamt", "1000"), ("0202", "2023", "insgesamt", "1200"),
            ("01", "2023", "insgesamt", "3536")]
    share = _wide(tmp_path, ("Gebiet", "Kinderarmut in %"), [(k, "15") for k in LEAVES],
                  [{"column": "Kinderarmut in %", "indicator": "armut", "part": "share"}])
    config = make_config(tmp_path, counts=[share], population=_population(tmp_path, rows),
                         validation={"jump_facter": 3})
    found = {f.code for f in errors(load_inputs(config))}
    assert found == {"SM-E001", "SM-E335", "SM-E336", "SM-E341"}


def test_glued_digits_without_any_total_are_pointed_out_as_an_outlier(tmp_path):
    """No Bezirk rows, no shares: 2,036,643 is 1,508 × the leaves' median 1,350 (of 1,000 1,200 1,500 2,036,643)."""
    rows = [("0101", "2023", "insgesamt", "2036643"), ("0102", "2023", "insgesamt", "1500"),
            ("0201", "2023", "insgesamt", "1000"), ("0202", "2023", "insgesamt", "1200")]
    inputs = load_inputs(make_config(tmp_path, population=_population(tmp_path, rows)))
    [f] = of_code(inputs.findings, "SM-W337")
    assert (f.severity, f.row, f.column, f.value) == ("warning", 2, "population", "2.036.643, Median 1.350")
    config = make_config(tmp_path, population=_population(tmp_path, rows), validation={"outlier_factor": 2000})
    assert of_code(load_inputs(config).findings, "SM-W337") == []


def test_jump_of_a_count_between_years_is_a_warning(tmp_path):
    header = ("Gebiet", "Jahr", "Indikator", "Zähler", "Nenner")
    rows = [(k, y, "armut", "900" if (k, y) == ("0102", "2023") else "100", "1000") for y in ("2022", "2023")
            for k in LEAVES]
    write_text(tmp_path, "data_raw/zahlen.csv", csv_text(rows, header=header))
    src = {"id": "quelle", "path": "data_raw/zahlen.csv", "format": "long",
           "columns": {"district_id": "Gebiet", "year": "Jahr", "indicator_id": "Indikator",
                       "numerator": "Zähler", "denominator": "Nenner"}}
    inputs = load_inputs(make_config(tmp_path, counts=[src]))
    assert errors(inputs) == []
    [f] = of_code(inputs.findings, "SM-W338")
    assert (f.row, f.column, f.value) == (7, "Zähler", "2022: 100, 2023: 900")
