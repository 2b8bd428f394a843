"""The audit reads the dashboards too: a hidden district with a figure in a page blocks the release."""

from __future__ import annotations

import json

import pandas as pd

from pipelines.lib.audit.site import _CHARTS_OPEN, page_cells, site_problems


def geojson_page(features):
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": props} for props in features]}
    return f"<html><script>var layer = L.geoJson({json.dumps(data, ensure_ascii=False)});</script></html>"


def map_page(cells_2024):
    data = {"jahre": [2024], "ebenen": [{"id": "gebiet", "geo": {"features": [{"id": "01"}, {"id": "02"}]}}],
            "werte": {"2024": [cells_2024]}}
    return f'<html><script type="application/json" id="sm-daten">{json.dumps(data)}</script></html>'


MART = pd.DataFrame({"indicator_id": ["quote", "quote"], "year": [2024, 2024], "district_id": ["01", "02"],
                     "status": ["veröffentlicht", "geheimgehalten"]})


def test_hidden_district_with_a_rate_in_geojson_properties_is_reported(tmp_path):
    (tmp_path / "a.html").write_text(geojson_page([
        {"district_id": "01", "name": "Nord", "status": "veröffentlicht", "rate": "12,5 %"},
        {"district_id": "02", "name": "Süd", "status": "geheimgehalten", "rate": "3,1 %"},
    ]), encoding="utf-8")
    (tmp_path / "index.html").write_text(geojson_page([
        {"district_id": "02", "name": "Süd", "level": "Bezirk", "status": "zu wenige Einwohner"},
    ]), encoding="utf-8")
    assert site_problems(tmp_path) == ["a.html: 1 hidden districts carry rate"]


def test_map_data_of_hidden_districts_must_be_a_bare_status(tmp_path):
    (tmp_path / "indikatoren").mkdir()
    page = tmp_path / "indikatoren" / "quote.html"
    page.write_text(map_page([[0, "12,5", None, None, "5", "40", 2, None], [1]]), encoding="utf-8")
    assert site_problems(tmp_path, MART) == []
    page.write_text(map_page([[0, "12,5", None, None, "5", "40", 2, None], [1, "3,1"]]), encoding="utf-8")
    assert site_problems(tmp_path, MART) == ["indikatoren/quote.html: 1 hidden districts carry figures in the map data"]
    page.write_text(map_page([[0, "12,5"], [0, "3,1"]]), encoding="utf-8")
    assert site_problems(tmp_path, MART) == [
        "indikatoren/quote.html: 1 districts drawn as published that the mart does not publish"]


def test_published_site_of_the_tiny_city_passes(tiny_published):
    from pipelines.lib.release.switch import current_run_id
    from pipelines.lib.stages.publish import published_cells
    from pipelines.lib.workspace import Workspace

    ws = Workspace(tiny_published)
    site = ws.dashboard_releases / current_run_id(ws)
    cells = [c for page in (site / "indikatoren").glob("*.html")
             for c in page_cells(page.read_text(encoding="utf-8"))]
    assert any(c[2][0] != 0 for c in cells) and any(c[2][0] == 0 for c in cells)  # something to look at
    assert site_problems(site, published_cells(ws.mart)) == []


def test_each_top_level_units_map_page_is_checked_like_the_overview(tmp_path):
    """At national scale an indicator's finest level is on a page per top-level unit."""
    unit = tmp_path / "indikatoren" / "quote" / "01.html"
    unit.parent.mkdir(parents=True)
    unit.write_text(map_page([[0, "12,5"], [1]]), encoding="utf-8")
    assert site_problems(tmp_path, MART) == []
    unit.write_text(map_page([[0, "12,5"], [1, "3,1"]]), encoding="utf-8")
    assert site_problems(tmp_path) == ["indikatoren/quote/01.html: 1 hidden districts carry figures in the map data"]
    unit.write_text(map_page([[0, "12,5"], [0, "3,1"]]), encoding="utf-8")
    assert site_problems(tmp_path, MART) == [
        "indikatoren/quote/01.html: 1 districts drawn as published that the mart does not publish"]


def test_a_view_of_an_indicator_the_mart_never_publishes_draws_no_value(tmp_path):
    (tmp_path / "auswertungen").mkdir()
    data = {"ebenen": [{"id": "gebiet", "geo": {"features": [{"id": "01"}, {"id": "02"}]}}],
            "ansichten": [{"id": "verborgen", "jahr": 2024, "werte": [[[0, 1], [1]]]}]}
    page = tmp_path / "auswertungen" / "schwerpunkte.html"
    page.write_text(f'<script type="application/json" id="sm-daten">{json.dumps(data)}</script>', encoding="utf-8")
    hidden_only = pd.DataFrame({"indicator_id": ["verborgen"] * 2, "year": [2024] * 2, "district_id": ["01", "02"],
                                "status": ["geheimgehalten"] * 2})
    assert site_problems(tmp_path, pd.concat([MART, hidden_only], ignore_index=True)) == [
        "auswertungen/schwerpunkte.html: 1 districts drawn with a value the mart's published figures cannot give"]


def _chart_data(html: str) -> tuple[dict, str, str]:
    """A profile's chart data and the page around it."""
    start = html.index(_CHARTS_OPEN) + len(_CHARTS_OPEN)
    end = html.index("</script>", start)
    return json.loads(html[start:end]), html[:start], html[end:]


def test_the_profile_charts_are_read_and_a_planted_hidden_value_is_caught(tmp_path):
    """A profile's charts are drawn from its chart data (one JSON block); the audit checks every figure of it,
    and still every chart mark drawn on the server."""
    from dashboard_fixtures import make_config, make_mart

    from pipelines.lib.audit.site import chart_cells
    from pipelines.lib.dashboards import build_site
    from pipelines.lib.dashboards.page_frame import js_json
    from pipelines.lib.stages.publish import published_cells

    mart = make_mart(tmp_path / "mart.duckdb")
    site = tmp_path / "site"
    build_site(mart, site, make_config(tmp_path))
    cells = published_cells(mart)
    assert site_problems(site, cells) == []
    profile = site / "steckbriefe" / "P03.html"
    html = profile.read_text(encoding="utf-8")
    data, before, after = _chart_data(html)
    drawn, unnamed = chart_cells(data)
    assert unnamed == 0 and ("kinderarmut", 2022, "P03") in drawn and ("kinderarmut", 2022, "S") in drawn
    assert any(c[2] == data["eltern"] for c in drawn)  # the spine's parent, beside the district and the city
    # P03's kinderarmut 2023 is geheimgehalten: its year is null, and a value there must block the release
    series = data["reihen"]["kinderarmut"]
    hidden = series["jahre"].index(2023)
    assert series["werte"][hidden] is None
    series["werte"][hidden] = [33.0, None, None, "33,0"]
    profile.write_text(before + js_json(data) + after, encoding="utf-8")
    assert site_problems(site, cells) == ["steckbriefe/P03.html: 1 chart figures of cells the mart does not publish"]
    series["werte"][hidden] = None
    for planted, count in ((lambda d: d["spine"][0].update(geheim=33.0), 1),  # room for nothing else
                           (lambda d: d["reihen"]["kinderarmut"].update(werte=[[1.0, None, None, "1,0"]]), 1),
                           (lambda d: d.update(stadt=None), len([c for c in drawn if c[2] == "S"]))):
        changed = json.loads(json.dumps(data))
        planted(changed)
        profile.write_text(before + js_json(changed) + after, encoding="utf-8")
        assert site_problems(site, cells) == [f"steckbriefe/P03.html: {count} chart figures without the cell they "
                                              "are drawn from"]
    profile.write_text(before + "{" + after, encoding="utf-8")
    assert site_problems(site, cells) == ["steckbriefe/P03.html: 1 chart figures without the cell they are drawn from"]
    # a chart mark drawn on the server from that hidden cell is caught as well
    planted = ('<svg><circle class="sm-wert punkt" data-sm="[[&quot;kinderarmut&quot;,2023,&quot;P03&quot;]]" '
               'cx="1" cy="2" r="3"/></svg></main>')
    profile.write_text(html.replace("</main>", planted, 1), encoding="utf-8")
    assert site_problems(site, cells) == ["steckbriefe/P03.html: 1 chart marks drawn from cells the mart does not publish"]
    profile.write_text(html.replace("</main>", '<svg><circle class="sm-wert" cx="1"/></svg></main>', 1),
                       encoding="utf-8")
    assert site_problems(site, cells) == ["steckbriefe/P03.html: 1 chart marks without the cells they are drawn from"]


def test_chart_figures_are_each_looked_up_whatever_chart_holds_them(tmp_path):
    """The district's, the city's and the parent's figures in series and spine rows are each one cell; a value
    in a hidden cell's place counts once, wherever it is."""
    from pipelines.lib.audit.site import PublishedCells, page_problems
    from pipelines.lib.dashboards.page_frame import js_json

    cells = pd.DataFrame({"indicator_id": ["a"] * 6, "district_id": ["D1", "D1", "S", "S", "B", "B"],
                          "year": [2023, 2024] * 3,
                          "status": ["veröffentlicht", "geheimgehalten", "veröffentlicht", "veröffentlicht",
                                     "geheimgehalten", "veröffentlicht"]})
    published = PublishedCells.of(cells)
    page = tmp_path / "steckbriefe" / "D1.html"
    page.parent.mkdir()

    def problems(own, city, wert, parent, year=2024):
        data = {"gebiet": "D1", "stadt": "S", "eltern": "B",
                "reihen": {"a": {"jahre": [2023, 2024], "werte": own, "stadt": city, "achse": ["2,0", "1,0"]}},
                "spine": [{"i": "a", "jahr": year, "wert": wert, "stadt": 1.5, "eltern": parent, "spanne": None,
                           "farbe": "#ffffff", "umkehr": False}]}
        page.write_text(f'<main></main>{_CHARTS_OPEN}{js_json(data)}</script>', encoding="utf-8")
        return page_problems(tmp_path, page, published)

    value = [1.0, 0.5, 1.5, "1,0"]
    assert problems([value, None], [1.0, 2.0], None, 2.0) == []
    message = "steckbriefe/D1.html: {} chart figures of cells the mart does not publish"
    assert problems([value, value], [1.0, 2.0], None, 2.0) == [message.format(1)]  # D1 2024 is hidden
    assert problems([value, None], [1.0, 2.0], [1.0, None, None], 2.0) == [message.format(1)]  # the spine's too
    assert problems([value, None], [1.0, 2.0], None, 2.0, year=2023) == [message.format(1)]  # B 2023 is hidden
    assert problems([value, None], [1.0, 2.0], None, 2.0, year="2024") == [
        "steckbriefe/D1.html: 2 chart figures without the cell they are drawn from"]  # a year that is no number
    assert problems([value], [1.0, 2.0], None, None) == [
        "steckbriefe/D1.html: 1 chart figures without the cell they are drawn from"]  # fewer values than years


def test_broken_chart_marks_among_good_ones_are_each_counted_and_the_rest_still_checked(tmp_path):
    """All marks of a page are decoded at once; one broken ``data-sm`` falls back to decoding one by one,
    so a hidden cell beside it is still found and only the broken marks count as untagged."""
    from pipelines.lib.audit.site import PublishedCells, page_problems

    cells = pd.DataFrame({"indicator_id": ["a", "a"], "district_id": ["D1", "D2"], "year": [2024, 2024],
                          "status": ["veröffentlicht", "geheimgehalten"]})
    published = PublishedCells.of(cells)

    def marks(*data):
        return "".join(f'<circle class="sm-wert punkt" data-sm="{d}" r="1"/>' for d in data)

    good, hidden = "[[&quot;a&quot;,2024,&quot;D1&quot;]]", "[[&quot;a&quot;,2024,&quot;D2&quot;]]"
    page = tmp_path / "steckbriefe" / "D1.html"
    page.parent.mkdir()
    for data, expected in [
        ((good, good), []),
        ((good, "[[&quot;a&quot;,2024", hidden, "[]", "[[1,2]]", "[[&quot;a&quot;,null,&quot;D1&quot;]]"),
         ["4 chart marks without the cells they are drawn from", "1 chart marks drawn from cells the mart "
          "does not publish"]),
        ((good, "[[&quot;a&quot;,&quot;2023&quot;,&quot;D1&quot;]]", "[[&quot;b&quot;,2024,&quot;D1&quot;]]"),
         ["2 chart marks drawn from cells the mart does not publish"]),  # another year, an unknown indicator
    ]:
        page.write_text(f"<main><svg>{marks(*data)}</svg></main>", encoding="utf-8")
        assert page_problems(tmp_path, page, published) == [f"steckbriefe/D1.html: {e}" for e in expected]
