"""Unit tests of the dashboard building blocks: German formatting, classes and palettes, stable ids."""

from __future__ import annotations

import mapclassify
import numpy as np
import pytest

from pipelines.lib.dashboards.choropleth import HIDDEN_STYLES
from pipelines.lib.dashboards.classify import YLGNBU, YLORRD, classify, palette
from pipelines.lib.dashboards.formatting import (
    format_count,
    format_date,
    format_interval,
    format_number,
    format_rate,
    life_phase_label,
    life_phase_order,
)
from pipelines.lib.dashboards.stable_ids import replace_random_ids


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


def test_random_folium_ids_are_replaced_in_order():
    html = "var map_0123456789abcdef0123456789abcdef = 1; geo_json_ffffffffffffffffffffffffffffffff; " \
           "map_0123456789abcdef0123456789abcdef"
    assert replace_random_ids(html) == "var map_r1 = 1; geo_json_r2; map_r1"
