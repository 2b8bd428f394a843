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


def _spiked_leaves():
    """0201 (Hafen) as its 1 km square with a zero-width spike on its northern edge: invalid, area 1 km²."""
    from shapely.geometry import Polygon

    from tests.ingest_fixtures import SIZE, X0, Y0, leaf_frame

    g = leaf_frame()
    x0, x1, y1, mid = X0 + 2 * SIZE, X0 + 3 * SIZE, Y0 + SIZE, X0 + 2.5 * SIZE
    g.loc[2, "geometry"] = Polygon([(x0, Y0), (x1, Y0), (x1, y1), (mid, y1), (mid, y1 + 100), (mid, y1), (x0, y1)])
    assert not g.geometry.iloc[2].is_valid
    return g


def test_invalid_polygon_is_an_error_without_make_valid(tmp_path):
    from tests.ingest_fixtures import write_gpkg

    write_gpkg(tmp_path, _spiked_leaves())
    inputs = load_inputs(make_config(tmp_path))
    [f] = errors(inputs)
    assert (f.code, f.row, f.value) == ("SM-E201", 4, "0201")
    assert "make_valid" in f.hint


def test_make_valid_repairs_the_polygon_and_names_the_district(tmp_path):
    from tests.ingest_fixtures import gpkg_sources, write_gpkg

    write_gpkg(tmp_path, _spiked_leaves())
    sources = gpkg_sources()
    sources[2]["make_valid"] = True
    inputs = load_inputs(make_config(tmp_path, geometries=sources))
    assert errors(inputs) == []
    [f] = [f for f in inputs.findings if f.code == "SM-W214"]
    assert (f.severity, f.row, f.column, f.value) == ("warning", 4, "gebiet_id", "0201")
    assert "„0201“ (Hafen)" in f.message and "1.000.000,0 m²" in f.message
    hafen = inputs.districts.set_index("district_id").geometry["0201"]
    assert hafen.is_valid and hafen.area == pytest.approx(1_000_000.0)


def _split_sources(tmp_path, cases=("5", "6", "7", "8")):
    """Cases per leaf from the Jobcenter, children per leaf from the statistics office (another file)."""
    from tests.ingest_fixtures import csv_text

    write_text(tmp_path, "data_raw/faelle.csv", csv_text(list(zip(LEAVES, cases, strict=True)),
                                                         header=("Gebiet", "Fälle")))
    write_text(tmp_path, "data_raw/kinder.csv", csv_text([(k, str(50 + 10 * i)) for i, k in enumerate(LEAVES)],
                                                         header=("PLR", "Kinder unter 15")))
    return [
        {"id": "jobcenter", "path": "data_raw/faelle.csv", "format": "wide", "key": "Gebiet", "year": 2023,
         "values": [{"column": "Fälle", "indicator": "armut", "part": "numerator"}]},
        {"id": "statistik", "path": "data_raw/kinder.csv", "format": "wide", "key": "PLR", "year": 2023,
         "values": [{"column": "Kinder unter 15", "indicator": "armut", "part": "denominator"}]},
    ]


def test_numerator_and_denominator_from_different_files(tmp_path):
    inputs = load_inputs(make_config(tmp_path, counts=_split_sources(tmp_path)))
    assert errors(inputs) == []
    assert len(inputs.counts) == 4
    got = {k: (counts_of(inputs, k).numerator, counts_of(inputs, k).denominator) for k in LEAVES}
    assert got == {"0101": (5, 50), "0102": (6, 60), "0201": (7, 70), "0202": (8, 80)}
    row = counts_of(inputs, "0201")
    assert (row.source_file, row.source_row) == ("data_raw/faelle.csv", 4)


def test_numerator_above_the_other_files_denominator_stops(tmp_path):
    inputs = load_inputs(make_config(tmp_path, counts=_split_sources(tmp_path, cases=("5", "61", "7", "8"))))
    [f] = errors(inputs)
    assert (f.code, f.file, f.row, f.value) == ("SM-E304", "data_raw/faelle.csv", 3, "61 > 60")
    assert "data_raw/kinder.csv, Zeile 3" in f.message


def test_population_with_one_column_per_year(tmp_path):
    """EW 2022 / EW 2023 per leaf; shares of 10 % over the population give 10 % of each year's figure."""
    from tests.ingest_fixtures import csv_text

    rows = [(k, str(1000 + 100 * i), str(1010 + 100 * i)) for i, k in enumerate(LEAVES)]
    write_text(tmp_path, "data_raw/ew.csv", csv_text(rows, header=("Gebiet", "EW 2022", "EW 2023")))
    pop = {"path": "data_raw/ew.csv", "format": "wide", "key": "Gebiet",
           "values": [{"column": "EW 2022", "year": 2022}, {"column": "EW 2023", "year": 2023}]}
    write_text(tmp_path, "data_raw/anteile.csv", csv_text([(k, "10", "10") for k in LEAVES],
                                                          header=("Gebiet", "Anteil 2022", "Anteil 2023")))
    share = {"id": "anteile", "path": "data_raw/anteile.csv", "format": "wide", "key": "Gebiet",
             "share_denominator": "population",
             "values": [{"column": "Anteil 2022", "indicator": "armut", "part": "share", "year": 2022},
                        {"column": "Anteil 2023", "indicator": "armut", "part": "share", "year": 2023}]}
    inputs = load_inputs(make_config(tmp_path, population=pop, counts=[share]))
    assert errors(inputs) == []
    p = inputs.population.set_index(["district_id", "year"])["population"]
    assert (p[("0201", 2022)], p[("0201", 2023)]) == (1200, 1210)
    assert len(p) == 8
    # 10 % of 1,210 = 121; of 1,000 = 100
    assert (counts_of(inputs, "0201", year=2023).numerator, counts_of(inputs, "0201", year=2023).denominator) == (
        121, 1210)
    assert counts_of(inputs, "0101", year=2022).numerator == 100


def test_wide_population_needs_value_or_values(tmp_path):
    with pytest.raises(ConfigError) as exc:
        make_config(tmp_path, population={"path": "data_raw/ew.csv", "format": "wide", "key": "Gebiet"})
    assert "values" in str(exc.value)


# Age bands of each leaf (0-17, 18-64, 65-79, 80+): totals 1,000, 1,500, 1,000, 1,000.
BANDS = {"0101": (200, 600, 150, 50), "0102": (300, 900, 200, 100), "0201": (100, 500, 300, 100),
         "0202": (250, 700, 40, 10)}
BAND_NAMES = ("0-17", "18-64", "65-79", "80+")


def _banded_population(tmp_path) -> dict:
    from tests.ingest_fixtures import csv_text

    write_text(tmp_path, "data_raw/ew.csv", csv_text([(k, *map(str, v)) for k, v in BANDS.items()],
                                                     header=("Gebiet", *BAND_NAMES)))
    return {"path": "data_raw/ew.csv", "format": "wide", "key": "Gebiet",
            "values": [{"column": b, "year": 2023, "age_band": b} for b in BAND_NAMES]}


def _share_source(tmp_path, share_denominator, shares=("5", "5", "5", "5")) -> dict:
    from tests.ingest_fixtures import csv_text

    write_text(tmp_path, "data_raw/anteile.csv", csv_text(list(zip(BANDS, shares, strict=True)),
                                                          header=("Gebiet", "Anteil")))
    return {"id": "anteile", "path": "data_raw/anteile.csv", "format": "wide", "key": "Gebiet", "year": 2023,
            "share_denominator": share_denominator,
            "values": [{"column": "Anteil", "indicator": "armut", "part": "share"}]}


def test_denominator_population_minus_the_65_plus_bands(tmp_path):
    src = _share_source(tmp_path, {"minus": ["65-79", "80+"]})
    inputs = load_inputs(make_config(tmp_path, population=_banded_population(tmp_path), counts=[src]))
    assert errors(inputs) == []
    got = {k: (counts_of(inputs, k).numerator, counts_of(inputs, k).denominator) for k in BANDS}
    # 1,000 − 150 − 50 = 800, 5 % = 40; 1,500 − 300 = 1,200 → 60; 1,000 − 400 = 600 → 30; 1,000 − 50 = 950 → 47.5 → 48
    assert got == {"0101": (40, 800), "0102": (60, 1200), "0201": (30, 600), "0202": (48, 950)}
    assert all(counts_of(inputs, k).derived for k in BANDS)


def test_denominator_as_the_sum_of_bands_for_a_delivered_numerator(tmp_path):
    from tests.ingest_fixtures import csv_text

    write_text(tmp_path, "data_raw/kinder.csv", csv_text([(k, str(n)) for k, n in zip(BANDS, (20, 45, 30, 10),
                                                                                        strict=True)],
                                                         header=("Gebiet", "Kinder in BG")))
    src = {"id": "kinder", "path": "data_raw/kinder.csv", "format": "wide", "key": "Gebiet", "year": 2023,
           "share_denominator": {"bands": ["0-17"]},
           "values": [{"column": "Kinder in BG", "indicator": "armut", "part": "numerator"}]}
    inputs = load_inputs(make_config(tmp_path, population=_banded_population(tmp_path), counts=[src]))
    assert errors(inputs) == []
    got = {k: (counts_of(inputs, k).numerator, counts_of(inputs, k).denominator) for k in BANDS}
    assert got == {"0101": (20, 200), "0102": (45, 300), "0201": (30, 100), "0202": (10, 250)}
    assert not any(counts_of(inputs, k).derived for k in BANDS)  # counted, only the denominator is computed


def test_bands_minus_bands(tmp_path):
    src = _share_source(tmp_path, {"bands": ["0-17", "18-64"], "minus": ["80+"]}, shares=("10", "10", "10", "10"))
    inputs = load_inputs(make_config(tmp_path, population=_banded_population(tmp_path), counts=[src]))
    assert errors(inputs) == []
    # 200 + 600 − 50, 300 + 900 − 100, 100 + 500 − 100, 250 + 700 − 10
    assert {k: counts_of(inputs, k).denominator for k in BANDS} == {"0101": 750, "0102": 1100, "0201": 500,
                                                                    "0202": 940}
    assert counts_of(inputs, "0202").numerator == 94
    with pytest.raises(ConfigError) as exc:  # a band both added and taken off
        make_config(tmp_path, population=_banded_population(tmp_path),
                    counts=[_share_source(tmp_path, {"bands": ["0-17", "18-64"], "minus": ["0-17"]})])
    assert "0-17" in str(exc.value) and "„minus“" in str(exc.value)


def test_a_band_the_population_does_not_have_is_an_error(tmp_path):
    src = _share_source(tmp_path, {"minus": ["65+"]})
    inputs = load_inputs(make_config(tmp_path, population=_banded_population(tmp_path), counts=[src]))
    (err,) = [f for f in errors(inputs) if f.code == "SM-E346"]
    assert err.file == "sozialmonitor.toml" and err.value == "65+" and "anteile" in err.message
    assert "0-17, 18-64, 65-79, 80+" in err.hint


def test_a_negative_computed_denominator_is_an_error_naming_district_and_year(tmp_path):
    src = _share_source(tmp_path, {"bands": ["80+"], "minus": ["65-79"]})  # 50 − 150 < 0 everywhere
    inputs = load_inputs(make_config(tmp_path, population=_banded_population(tmp_path), counts=[src]))
    negative = [f for f in errors(inputs) if f.code == "SM-E347"]
    assert [f.file for f in negative] == ["data_raw/ew.csv"] * 4
    first = negative[0]
    assert "„0101“" in first.message and "2023" in first.message and first.value == "50 − 150 (65-79) = -100"
    assert not any(c == "SM-E347" for c in (f.code for f in inputs.findings if f.severity != "error"))


@pytest.mark.parametrize("value", ["einwohner", {"plus": ["0-17"]}, {}])
def test_share_denominator_must_be_population_or_bands(tmp_path, value):
    src = _share_source(tmp_path, value)
    with pytest.raises(ConfigError) as exc:
        make_config(tmp_path, population=_banded_population(tmp_path), counts=[src])
    assert "share_denominator" in str(exc.value)
    assert ("„plus“" in str(exc.value)) == (value == {"plus": ["0-17"]})
