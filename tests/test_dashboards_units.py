"""Unit tests of the dashboard building blocks: German formatting, classes and palettes, Fisher-Jenks,
the comparison with the city, page file names, sparklines and the ``[maps]`` settings."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import mapclassify
import numpy as np
import pytest
from dashboard_fixtures import make_config
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.lib.dashboards.classify import YLGNBU, YLORRD, classify, palette
from pipelines.lib.dashboards.comparison import compare
from pipelines.lib.dashboards.formatting import (
    _format_decimal,
    format_count,
    format_date,
    format_interval,
    format_number,
    format_numbers,
    format_rate,
    life_phase_label,
    life_phase_order,
)
from pipelines.lib.dashboards.jenks import fisher_jenks_breaks, sampled
from pipelines.lib.dashboards.map_data import HIDDEN_STYLES
from pipelines.lib.dashboards.mart import Value
from pipelines.lib.dashboards.page_frame import page_name
from pipelines.lib.dashboards.profile_charts import ProfileCharts
from pipelines.lib.dashboards.settings import MapSettings, map_settings
from pipelines.lib.dashboards.sparkline import sparkline, trend_text
from pipelines.lib.findings import ConfigError


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12.5, 1, "12,5"),
        (1234.56, 1, "1.234,6"),
        (1234567.0, 0, "1.234.567"),
        (12.25, 1, "12,3"),  # half up, not half even
        (-0.04, 1, "0,0"),  # never "-0,0"
        (-1234.5, 1, "-1.234,5"),
        (999.96, 1, "1.000,0"),
        (0, 2, "0,00"),
    ],
)
def test_format_number_german(value, decimals, expected):
    assert format_number(value, decimals) == expected


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
        # written ties and near-ties: 12.25, 0.045, 2.5, 1.0049999, …
        st.builds(lambda n, k: n / 10**k, st.integers(-10**9, 10**9), st.integers(0, 6)),
        st.builds(lambda n, k: n / 10**k + 5e-12, st.integers(-10**6, 10**6), st.integers(1, 4)),
    ),
    st.integers(0, 6),
)
def test_format_number_fast_path_equals_decimal_half_up(value, decimals):
    assert format_number(value, decimals) == _format_decimal(value, decimals)
    assert format_number(np.float64(value), decimals) == _format_decimal(value, decimals)


_NUMBERS = st.one_of(  # as large as decimal arithmetic (28 digits) formats
    st.floats(min_value=-1e20, max_value=1e20),
    st.floats(min_value=-1e6, max_value=1e6),
    st.builds(lambda n, k: n / 10**k, st.integers(-10**12, 10**12), st.integers(0, 6)),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_NUMBERS, max_size=40), st.integers(0, 6))
def test_formatting_a_whole_array_gives_the_strings_of_one_value_at_a_time(values, decimals):
    assert format_numbers(values, decimals) == [format_number(v, decimals) for v in values]


@given(st.integers(-10**12, 10**12))
def test_counts_are_numbers_without_decimals(value):
    assert format_count(value) == format_number(value, 0)


def test_units_counts_intervals_dates_and_life_phases():
    assert format_rate(12.5, "share") == "12,5 %"
    assert format_rate(3.25, "per_1000") == "3,3 je 1.000"
    assert format_count(4321) == "4.321"
    assert format_interval(10.14, 14.16) == "10,1 – 14,2"
    assert format_date("2024-12-31") == "31.12.2024"
    assert life_phase_label("0-3") == "0 bis unter 3 Jahre"
    assert life_phase_label("Erwachsene") == "Erwachsene"
    assert life_phase_order(["Erwachsene", "0-18", "10-18", "0-3", "6-10"]) == [
        "0-3", "6-10", "10-18", "0-18", "Erwachsene"]


@pytest.mark.filterwarnings("ignore:Numba not installed")
def test_classes_are_fisher_jenks_with_at_most_five_classes():
    values = [1.0, 2.0, 2.5, 3.0, 10.0, 11.0, 12.0, 30.0, 31.0, 50.0, 52.0, 80.0]
    result = classify(values, "higher_is_worse")
    expected = mapclassify.FisherJenks(np.array(values), k=5).bins
    assert result.breaks == pytest.approx(tuple(expected))
    assert [c.count for c in result.classes] == list(np.bincount(
        mapclassify.FisherJenks(np.array(values), k=5).yb, minlength=5))
    assert result.classes[0].lower == 1.0
    assert result.classes[0].label("share", 1) == f"1,0 % bis {format_number(expected[0])} %"
    assert result.classes[1].label("share", 1).startswith(f"über {format_number(expected[0])} % bis ")


def test_fewer_distinct_values_give_fewer_classes():
    assert len(classify([4.0, 4.0, 7.0], "higher_is_worse").classes) == 2
    single = classify([4.0, 4.0], "higher_is_worse")
    assert len(single.classes) == 1
    assert single.classes[0].label("share", 1) == "4,0 %"
    assert classify([], "higher_is_worse").classes == ()


def test_palette_is_direction_aware_and_never_confusable_with_hidden_styles():
    assert palette(5, "higher_is_worse") == YLORRD[6][1:]
    assert palette(5, "lower_is_worse") == tuple(reversed(YLORRD[6][1:]))
    assert palette(5, "none") == YLGNBU[6][1:]
    low_is_bad = classify([10.0, 20.0, 30.0], "lower_is_worse")
    assert low_is_bad.colour(10.0) == YLORRD[4][-1]  # the lowest value is the darkest
    assert low_is_bad.colour(30.0) == YLORRD[4][1]
    hidden_fills = {s["fillColor"] for s in HIDDEN_STYLES.values()}
    for direction in ("higher_is_worse", "lower_is_worse", "none"):
        for k in range(1, 6):
            colours = palette(k, direction)
            assert len(set(colours)) == k
            assert not hidden_fills & set(colours)
            for colour in colours:  # no near-white or near-grey class colour
                r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
                assert min(r, g, b) < 200 and max(r, g, b) - min(r, g, b) > 40


@pytest.mark.filterwarnings("ignore:Numba not installed")
def test_numpy_fisher_jenks_is_as_good_as_mapclassify():
    rng = np.random.default_rng(7)

    def within_ssd(data, breaks):
        classes = np.searchsorted(breaks, data)
        return sum(((data[classes == c] - data[classes == c].mean()) ** 2).sum() for c in set(classes))

    for _ in range(40):
        data = np.round(rng.gamma(2.0, 5.0, int(rng.integers(8, 60))), 1)
        k = int(rng.integers(2, 6))
        ours = fisher_jenks_breaks(data, k)
        theirs = list(mapclassify.FisherJenks(data, k=k).bins)
        assert ours[-1] == data.max() and len(ours) == k
        assert within_ssd(data, ours) <= within_ssd(data, theirs) + 1e-9


def test_fisher_jenks_sampled_above_the_threshold_is_deterministic():
    data = np.random.default_rng(1).gamma(2.0, 5.0, 5000)
    sample = sampled(data, 1000)
    assert len(sample) == 1000 and sample[0] == data.min() and sample[-1] == data.max()
    first = classify(list(data), "higher_is_worse", sampled_above=3000)
    again = classify(list(data[::-1]), "higher_is_worse", sampled_above=3000)
    assert first.breaks == again.breaks and len(first.classes) == 5
    assert first.breaks[-1] == data.max() and sum(c.count for c in first.classes) == 5000


def test_quantile_classes_and_fewer_classes_from_the_settings():
    values = [float(v) for v in range(1, 21)]
    quantiles = classify(values, "higher_is_worse", max_classes=4, scheme="quantiles")
    assert quantiles.breaks == pytest.approx(tuple(mapclassify.Quantiles(np.array(values), k=4).bins))
    assert [c.count for c in quantiles.classes] == [5, 5, 5, 5]
    assert len(classify(values, "higher_is_worse", max_classes=3).classes) == 3


def _config(maps: dict | None):
    config = make_config(Path("."))
    raw = dict(config.raw)
    if maps is not None:
        raw["maps"] = maps
    return dataclasses.replace(config, raw=raw)


def test_maps_settings_defaults_and_errors():
    assert map_settings(_config(None)) == MapSettings("fisher_jenks", 5, 3000, 3000)
    assert map_settings(_config({"scheme": "quantiles", "classes": 4})).classes == 4
    for bad in ({"scheme": "jenks"}, {"classes": 6}, {"classes": 0}, {"farben": 3}, {"sampled_above": 0}):
        with pytest.raises(ConfigError, match=r"\[maps\]"):
            map_settings(_config(bad))


def test_comparison_with_the_city_uses_the_published_interval():
    city = Value("S", "veröffentlicht", 10, 100, 22.5, 21.9, 23.1)
    high = Value("A", "veröffentlicht", 40, 100, 42.8, 41.3, 44.3)
    low = Value("B", "veröffentlicht", 12, 100, 12.0, 10.1, 14.2)
    near = Value("C", "veröffentlicht", 25, 100, 25.0, 20.0, 30.0)
    assert compare(high, city, "higher_is_worse") == "schlechter"
    assert compare(low, city, "higher_is_worse") == "besser"
    assert compare(high, city, "lower_is_worse") == "besser"
    assert compare(near, city, "higher_is_worse") == "ähnlich"
    assert compare(high, city, "none") == "höher" and compare(low, city, "none") == "niedriger"
    assert compare(Value("D", "geheimgehalten"), city, "higher_is_worse") is None
    assert compare(high, Value("S", "geheimgehalten"), "higher_is_worse") is None


def test_page_names_are_safe_and_distinct():
    assert page_name("P01") == "P01.html"
    assert page_name("11/001 A") == "11.2f001.20A.html"
    names = {page_name(k) for k in ("11/001 A", "11.2f001.20A", "11-001", "Ä1", "a_b", "a.b")}
    assert len(names) == 6
    for name in names:
        assert all(c.isascii() and (c.isalnum() or c in "_-.") for c in name)


def test_sparkline_draws_published_years_only_and_describes_every_year():
    years = [2021, 2022, 2023, 2024]
    values = {2021: Value("A", "veröffentlicht", 1, 10, 10.0, 5.0, 15.0),
              2022: Value("A", "geheimgehalten"),
              2023: Value("A", "veröffentlicht", 2, 10, 20.0, 15.0, 25.0),
              2024: Value("A", "veröffentlicht", 3, 10, 30.0, 25.0, 35.0)}
    text = trend_text(years, values, "share", 1, "Nordend", {}, "Musterstadt")
    charts = ProfileCharts("A", None, None, 1)
    place = sparkline(charts, "quote", years, values, {}, text)
    assert place.startswith('<span data-verlauf="quote"') and 'role="img"' in place
    assert ("Entwicklung Nordend 2021–2024: 2021: 10,0 %; 2022: geheimgehalten (Datenschutz); "
            "2023: 20,0 %; 2024: 30,0 %") in place
    drawn = charts.data()["reihen"]["quote"]
    assert drawn["werte"] == [[10.0, 5.0, 15.0, "10,0"], None, [20.0, 15.0, 25.0, "20,0"], [30.0, 25.0, 35.0, "30,0"]]
    assert drawn["achse"] == ["35,0", "5,0"] and "stadt" not in drawn  # the hidden year leaves a gap
    hidden = {y: Value("A", "geheimgehalten") for y in years}
    assert "keine veröffentlichten Werte" in sparkline(charts, "other", years, hidden, {}, text)
    assert "other" not in charts.data()["reihen"]


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_of_the_stylesheet_have_sufficient_contrast():
    """WCAG AA (4.5:1) for every text colour of the site's CSS on every background it uses."""
    css = (Path(__file__).resolve().parents[1] / "pipelines/lib/dashboards/static/sozialmonitor.css").read_text()
    texts = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-f]{6})", css))
    backgrounds = set(re.findall(r"background:\s*(#[0-9a-f]{6})", css)) | {"#ffffff"}
    assert texts >= {"#1a1a1a", "#404040", "#0b4f8a"} and len(backgrounds) >= 5
    for text in texts:
        for background in backgrounds:
            assert _contrast(text, background) >= 4.5, (text, background, _contrast(text, background))
    # the hatch stripes and the class outlines stand out from white (non-text contrast 3:1)
    assert _contrast("#525252", "#ffffff") >= 3 and _contrast("#4d4d4d", "#ffffff") >= 3


def test_raw_json_parts_are_spliced_as_if_encoded_in_place():
    from pipelines.lib.dashboards.page_frame import RawJson, js_json

    geo = {"type": "FeatureCollection", "features": [{"id": "P01", "properties": {"name": "</script> ü"}}]}
    payload = {"ebenen": [{"geo": geo, "id": "a"}, {"geo": {"leer": []}, "id": "b"}], "z": "<!--"}
    spliced = {"ebenen": [{"geo": RawJson(js_json(geo)), "id": "a"}, {"geo": RawJson(js_json({"leer": []})), "id": "b"}],
               "z": "<!--"}
    assert js_json(spliced) == js_json(payload)
    assert "</script>" not in js_json(spliced)
    with pytest.raises(ValueError, match="placeholder"):
        js_json({"name": "\0sm-raw-0\0", "geo": RawJson("{}")})
    with pytest.raises(TypeError):
        js_json({"x": object()})
