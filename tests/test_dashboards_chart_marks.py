"""Chart figures: a profile's chart data names the cell of every figure, whatever the ids hold, and holds
nothing of a hidden year; the audit reads back exactly the published cells drawn."""

import json

from hypothesis import given
from hypothesis import strategies as st

from pipelines.lib.audit.site import _CHARTS_OPEN, chart_cells
from pipelines.lib.dashboards.mart import Value
from pipelines.lib.dashboards.profile_charts import ProfileCharts, placeholder

ids = st.text(min_size=1, max_size=12)
years = st.lists(st.integers(1990, 2100), min_size=1, max_size=6, unique=True).map(sorted)
shown = st.lists(st.booleans(), min_size=6, max_size=6)


def _value(district: str, published: bool, rate: float) -> Value:
    if not published:
        return Value(district, "geheimgehalten")
    return Value(district, "veröffentlicht", 3, 10, rate, rate - 1.0, rate + 1.0)


@given(ids, ids, ids, st.one_of(st.none(), ids), years, shown, shown)
def test_the_chart_data_names_the_cell_of_every_figure_and_nothing_of_a_hidden_year(
        indicator, district, city, parent, drawn_years, own_shown, city_shown):
    charts = ProfileCharts(district, city, parent, 1)
    own = {y: _value(district, s, 10.0 + i) for i, (y, s) in enumerate(zip(drawn_years, own_shown, strict=False))}
    ref = {y: _value(city, s, 20.0 + i) for i, (y, s) in enumerate(zip(drawn_years, city_shown, strict=False))}
    drawn = charts.add_series(indicator, drawn_years, own, ref)
    last = drawn_years[-1]
    charts.add_spine(indicator, last, own[last] if own[last].published else None, 5.0,
                     Value(parent, "veröffentlicht", 1, 2, 3.0) if parent else None, None, None, "none")
    page = charts.script()
    assert page.startswith(_CHARTS_OPEN) and page.endswith("</script>")
    body = page[len(_CHARTS_OPEN):-len("</script>")]
    assert "</" not in body  # no id closes the script element
    cells, unnamed = chart_cells(json.loads(body))
    expected = [(indicator, y, district) for y, v in own.items() if v.published and drawn]
    expected += [(indicator, y, city) for y, v in ref.items() if v.published and drawn]
    expected += [(indicator, last, district)] * own[last].published + [(indicator, last, city)]
    expected += [(indicator, last, parent)] if parent else []
    assert unnamed == 0
    assert sorted(cells) == sorted(expected)
    assert drawn == (len(drawn_years) > 1 and any(v.published for v in own.values()))


def test_a_place_quotes_markup_and_quotes_in_ids_and_texts():
    html = placeholder("verlauf", 'a"<b>&', "x'y <z>")
    assert html == '<span data-verlauf="a&quot;&lt;b&gt;&amp;" role="img" aria-label="x&#x27;y &lt;z&gt;"></span>'
