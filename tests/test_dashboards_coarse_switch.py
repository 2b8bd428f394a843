"""An indicator map whose finest level is mostly withheld offers the coarsest level without a hole."""

from __future__ import annotations

import json
import re

import pytest
from dashboard_fixtures import hide_most_of_kinderarmut_2023, make_config, make_mart

from pipelines.lib.audit.site import site_problems
from pipelines.lib.dashboards import build_site
from pipelines.lib.stages.publish import published_cells

pytestmark = pytest.mark.filterwarnings("ignore:Numba not installed")


def _switch(page) -> dict:
    html = page.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="sm-daten">(.*?)</script>', html, flags=re.S).group(1).replace("<\\/", "</"))
    return {year: data["ebenen"][i]["id"] for year, i in data["grob"].items()}


@pytest.mark.parametrize("case", ["as_built", "mostly_hidden", "mostly_hidden_bezirk_open"])
def test_the_switch_is_offered_only_where_the_finest_level_is_mostly_withheld(tmp_path, case):
    mart = make_mart(tmp_path / "mart.duckdb", analysis=False)  # the fixture's hot spots know no edited cell
    if case != "as_built":
        hide_most_of_kinderarmut_2023(mart, publish_bezirk_ost=case == "mostly_hidden_bezirk_open")
    site = build_site(mart, tmp_path / "site", make_config(tmp_path))
    expected = {
        "as_built": {},  # 3 of 8 Planungsräume withheld (P08 "keine Daten" is not withheld)
        "mostly_hidden": {},  # 5 of 8, but Bezirk Ost is withheld too: no level without a hole
        "mostly_hidden_bezirk_open": {"2023": "bezirk"},
    }[case]
    assert _switch(site.pages["kinderarmut"]) == expected
    assert _switch(site.pages["kita_u3"]) == {}
    html = site.pages["kinderarmut"].read_text(encoding="utf-8")
    assert '<span id="sm-grob" class="grob" role="status" hidden>' in html
    assert site_problems(site.out_dir, published_cells(mart)) == []
