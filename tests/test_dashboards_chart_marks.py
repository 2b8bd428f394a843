"""Chart marks: ``data-sm`` is the JSON list of a mark's cells, escaped for an attribute, whatever the ids hold."""

import json
import re
from html import escape, unescape

from hypothesis import given
from hypothesis import strategies as st

from pipelines.lib.dashboards.chart_marks import MARK_CLASS, mark

ids = st.text(min_size=1, max_size=12)
cells = st.lists(st.tuples(ids, st.integers(1990, 2100), ids), min_size=1, max_size=6)


@given(cells, st.sampled_from(["", "punkt", "band linie"]))
def test_mark_is_the_escaped_json_of_its_cells(drawn, css):
    attributes = mark(drawn, css)
    expected = escape(json.dumps([list(c) for c in drawn], ensure_ascii=False, separators=(",", ":")))
    found = re.fullmatch(r' class="([^"]*)" data-sm="([^"]*)"', attributes)
    assert found is not None, attributes  # no quote of an id closes the attribute
    assert found.group(1).split() == [MARK_CLASS, *css.split()]
    assert found.group(2) == expected
    assert json.loads(unescape(found.group(2))) == [list(c) for c in drawn]


def test_mark_quotes_markup_and_quotes_in_ids():
    attributes = mark([('a"<b>&', 2024, "x'y")])
    assert "<" not in attributes and "'" not in attributes
    assert json.loads(unescape(attributes.split('data-sm="')[1][:-1])) == [['a"<b>&', 2024, "x'y"]]
