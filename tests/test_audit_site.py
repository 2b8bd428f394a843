"""The audit reads the dashboards too: a hidden district with a figure in a page blocks the release."""

from __future__ import annotations

import json

from pipelines.lib.audit.site import embedded_properties, site_problems


def page(features):
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": props} for props in features]}
    return f"<html><script>var layer = L.geoJson({json.dumps(data, ensure_ascii=False)});</script></html>"


def test_hidden_district_with_a_rate_is_reported(tmp_path):
    (tmp_path / "indikatoren").mkdir()
    (tmp_path / "indikatoren" / "a.html").write_text(page([
        {"district_id": "01", "name": "Nord", "status": "veröffentlicht", "rate": "12,5 %"},
        {"district_id": "02", "name": "Süd", "status": "geheimgehalten", "rate": "3,1 %"},
    ]), encoding="utf-8")
    (tmp_path / "index.html").write_text(page([
        {"district_id": "02", "name": "Süd", "level": "Bezirk", "status": "zu wenige Einwohner",
         "status_text": "zu wenige Einwohner"},
    ]), encoding="utf-8")
    assert site_problems(tmp_path) == ["indikatoren/a.html: 1 hidden districts carry rate"]


def test_published_site_of_the_tiny_city_passes(tiny_published):
    from pipelines.lib.release.switch import current_run_id
    from pipelines.lib.workspace import Workspace

    ws = Workspace(tiny_published)
    site = ws.dashboard_releases / current_run_id(ws)
    props = [p for f in site.rglob("*.html") for p in embedded_properties(f.read_text(encoding="utf-8"))]
    assert any(p.get("status") == "geheimgehalten" for p in props)  # the check has something to look at
    assert site_problems(site) == []
