"""The page scripts run against a stub of Leaflet and the DOM in Node (no browser): styles, tooltips,
the layer control and the legend switch behave as intended. Skipped where Node is not installed."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from dashboard_fixtures import LEAVES, make_config, make_mart

from pipelines.lib.dashboards import build_site

pytestmark = [
    pytest.mark.filterwarnings("ignore:Numba not installed"),
    pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed"),
]

HARNESS = r"""
const fs = require("fs");
const html = fs.readFileSync(process.argv[2], "utf8");
const karte = fs.readFileSync(process.argv[3], "utf8");
const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(m => m[1]).join("\n");
function el(tag) {
  return {tag, children: [], textContent: "", hidden: false, attrs: {},
          appendChild(c) { this.children.push(c); return c; },
          getAttribute(k) { return this.attrs[k]; }};
}
const sections = [...html.matchAll(/<section data-ebene="([^"]*)"( hidden)?>/g)].map(m => {
  const e = el("section"); e.attrs["data-ebene"] = m[1]; e.hidden = Boolean(m[2]); return e;
});
globalThis.document = {createElement: el, querySelectorAll: () => sections};
const out = {tooltips: {}, styles: {}, shown: [], events: {}};
function stub(name) { return {name, addTo(target) { if (target && target.isMap) out.shown.push(name); return this; },
                              on() { return this; }}; }
let groups = 0;
globalThis.L = {
  CRS: {EPSG3857: {}},
  map() { const m = stub("map"); m.isMap = true;
          m.on = (ev, fn) => { out.events[ev] = fn; return m; };
          m.fitBounds = b => { out.bounds = b; }; return m; },
  featureGroup() { groups += 1; return stub("group" + groups); },
  geoJson(_, opts) {
    const g = stub("geojson");
    g.resetStyle = () => {};
    g.addData = fc => { for (const f of fc.features) {
      const layer = {feature: f, on() {}, bindTooltip(content, o) { out.tooltips[f.id] = leaves(content); out.sticky = o.sticky; }};
      out.styles[f.id] = opts.style(f);
      opts.onEachFeature(f, layer);
    } };
    return g;
  },
  control: {layers(base, overlays, opts) { out.base = Object.keys(base); out.collapsed = opts.collapsed; return stub("control"); }},
};
function leaves(e) { return e.children.length ? e.children.flatMap(leaves) : [e.textContent]; }
eval(karte + "\n" + inline);
out.legendBefore = sections.map(s => [s.attrs["data-ebene"], s.hidden]);
out.events.baselayerchange({name: "Bezirk"});
out.legendAfter = sections.map(s => [s.attrs["data-ebene"], s.hidden]);
console.log(JSON.stringify(out));
"""


def test_page_scripts_draw_styles_tooltips_and_switch_the_legend(tmp_path):
    summary = build_site(make_mart(tmp_path / "mart.duckdb"), tmp_path / "release", make_config(tmp_path))
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS, encoding="utf-8")
    result = subprocess.run(
        ["node", str(harness), str(summary.pages["kinderarmut"]), str(summary.out_dir / "assets" / "karte.js")],
        capture_output=True, text=True, timeout=60, check=True,
    )
    out = json.loads(result.stdout)
    assert out["base"] == ["Bezirk", "Planungsraum"] and out["collapsed"] is False
    assert [n for n in out["shown"] if n.startswith("group")] == ["group2"]  # lowest level first
    assert set(out["styles"]) == {"B1", "B2", *LEAVES}
    assert out["styles"]["P03"]["fillColor"] == "url(#sm-schraffur)"
    assert out["tooltips"]["P04"] == [
        "Gartenstadt", "Ebene", "Planungsraum", "Anteil", "42,8 %", "95 %-KI", "41,3 – 44,3",
        "Zähler", "1.850", "Nenner (Kinder unter 15 Jahren)", "4.321", "Status", "veröffentlicht"]
    assert out["tooltips"]["P03"] == [
        "Bahnhofsviertel", "Ebene", "Planungsraum", "Status", "geheimgehalten (Datenschutz)"]
    assert out["tooltips"]["P07"][-1] == "zu wenige Einwohner"
    assert out["tooltips"]["P08"][-1] == "keine Daten"
    assert out["legendBefore"] == [["Bezirk", True], ["Planungsraum", False]]
    assert out["legendAfter"] == [["Bezirk", False], ["Planungsraum", True]]
    (south, west), (north, east) = out["bounds"]
    assert 50 < south < north < 51 and 7 < west < east < 8
