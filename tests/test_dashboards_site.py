"""The committee site built from a tiny published mart: content, data protection, offline, determinism."""

from __future__ import annotations

import json
import re

import mapclassify
import numpy as np
import pytest
import shapely
from dashboard_fixtures import INDICATORS, LEAVES, RUN_ID, make_config, make_mart, published_rates

from pipelines.lib.dashboards import build_site
from pipelines.lib.dashboards.classify import YLORRD
from pipelines.lib.dashboards.formatting import format_number
from pipelines.lib.duck import connect

pytestmark = pytest.mark.filterwarnings("ignore:Numba not installed")

PUBLIC_KEYS = {"district_id", "name", "level", "status", "status_text"}
VALUE_KEYS = {"rate", "ci", "numerator", "denominator"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    mart = make_mart(root / "mart.duckdb")
    summary = build_site(mart, root / "release", make_config(root))
    return summary


def _page(site, indicator_id: str) -> str:
    return site.pages[indicator_id].read_text(encoding="utf-8")


def _layers(html: str) -> dict[str, tuple[dict, dict[str, dict]]]:
    """geo_json name → (embedded FeatureCollection, district id → style from the styler switch)."""
    out = {}
    for name, data in re.findall(r"^\s*(geo_json_\w+)_add\((\{.*\})\);\s*$", html, flags=re.M):
        collection = json.loads(data)
        body = re.search(rf"function {name}_styler\(feature\) \{{(.*?)\n        }}", html, flags=re.S).group(1)
        styles = {}
        default = None
        for cases, style in re.findall(r"((?:case \"[^\"]+\":\s*)+)return (\{.*?\});", body):
            for district_id in re.findall(r'case "([^"]+)":', cases):
                styles[district_id] = json.loads(style)
        default = json.loads(re.search(r"default:\s*return (\{.*?\});", body).group(1))
        ids = [f["id"] for f in collection["features"]]
        out[name] = (collection, {i: styles.get(i, default) for i in ids})
    return out


def _features(html: str) -> dict[str, tuple[dict, dict]]:
    """district id → (feature, style) over all levels of a page."""
    out = {}
    for collection, styles in _layers(html).values():
        for feature in collection["features"]:
            out[feature["id"]] = (feature, styles[feature["id"]])
    return out


def _legend_section(html: str, level_label: str) -> str:
    return re.search(rf'<section data-ebene="{level_label}"[^>]*>(.*?)</section>', html, flags=re.S).group(1)


def _legend_labels(section: str) -> list[str]:
    return re.findall(r'<span class="bereich">(.*?)</span>', section)


def test_every_indicator_has_a_page_and_all_links_resolve(site):
    assert set(site.pages) == {i[0] for i in INDICATORS}
    index = site.index.read_text(encoding="utf-8")
    linked = re.findall(r'href="(indikatoren/[^"]+)"', index)
    assert sorted(linked) == sorted(f"indikatoren/{i[0]}.html" for i in INDICATORS)
    for page in [site.index, *site.pages.values()]:
        html = page.read_text(encoding="utf-8")
        for ref in re.findall(r'(?:href|src)="([^"#]+)"', html):
            assert not ref.startswith("/"), f"{page.name}: absolute link {ref}"
            assert (page.parent / ref).resolve().is_file(), f"{page.name}: {ref} does not exist"
    css = (site.out_dir / "assets" / "leaflet.css").read_text(encoding="utf-8")
    for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
        if not ref.startswith(("data:", "#")):
            assert (site.out_dir / "assets" / ref).is_file(), ref


def test_index_names_city_run_method_and_data_protection(site):
    index = site.index.read_text(encoding="utf-8")
    assert '<html lang="de">' in index
    for text in ("Musterstadt", "31.12.2024", RUN_ID, "01.01.2025, 02:00 Uhr", "Fisher-Jenks",
                 "geheimgehalten (Datenschutz)", "zu wenige Einwohner", "keine Daten", "weniger als 300"):
        assert text in index
    # grouped by domain in catalogue order, life phases 0-3 … 10-18 before the others
    assert index.index("<h2>Soziales</h2>") < index.index("<h2>Bildung</h2>")
    assert "<h2>Gesundheit</h2>" not in index  # no indicator of that domain in the mart
    assert index.index("Lebensphase 10 bis unter 18 Jahre") < index.index("Lebensphase 0 bis unter 18 Jahre")
    assert "Lebensphase 0 bis unter 3 Jahre" in index


def test_legend_classes_in_german_format_from_published_values_only(site):
    html = _page(site, "kinderarmut")
    # Planungsräume 2023: four published rates (12,0 20,3 42,8 15,0) → four classes, one value each
    leaf = _legend_section(html, "Planungsraum")
    assert _legend_labels(leaf) == ["12,0 %", "über 12,0 % bis 15,0 %", "über 15,0 % bis 20,3 %",
                                    "über 20,3 % bis 42,8 %"]
    assert "dunkler = höherer Handlungsbedarf (hohe Werte sind ungünstig)" in leaf
    assert "aus den 4 veröffentlichten Werten" in leaf
    # Bezirke: one published value (B2 is hidden) → a single class
    assert _legend_labels(_legend_section(html, "Bezirk")) == ["13,7 %"]
    # the default layer is the lowest level; the other level's legend starts hidden
    assert re.search(r'<section data-ebene="Bezirk" hidden>', html)
    assert re.search(r'<section data-ebene="Planungsraum">', html)

    kita = _page(site, "kita_u3")
    values = published_rates("kita_u3", 2023, set(LEAVES))
    assert len(values) == 6
    bins = mapclassify.FisherJenks(np.array(values), k=5).bins
    labels = _legend_labels(_legend_section(kita, "Planungsraum"))
    assert len(labels) == 5
    first = f"{format_number(bins[0])} %"
    if min(values) != bins[0]:
        first = f"{format_number(min(values))} % bis {first}"
    assert labels[0] == first
    assert labels[-1] == f"über {format_number(bins[-2])} % bis {format_number(bins[-1])} %"
    assert "niedrige Werte sind ungünstig" in kita

    hze = _page(site, "hilfen_zur_erziehung")
    assert _legend_labels(_legend_section(hze, "Planungsraum")) == [
        "8,5 je 1.000", "über 8,5 je 1.000 bis 12,2 je 1.000", "über 12,2 je 1.000 bis 16,0 je 1.000"]


def test_colours_follow_direction(site):
    kinderarmut = _features(_page(site, "kinderarmut"))
    assert kinderarmut["P04"][1]["fillColor"] == YLORRD[5][-1]  # highest value, higher is worse: darkest
    assert kinderarmut["P01"][1]["fillColor"] == YLORRD[5][1]
    kita = _features(_page(site, "kita_u3"))
    assert kita["P08"][1]["fillColor"] == YLORRD[6][-1]  # lowest value, lower is worse: darkest
    assert kita["P04"][1]["fillColor"] == YLORRD[6][1]


def test_hidden_districts_styled_as_hidden_and_carry_no_values(site):
    html = _page(site, "kinderarmut")
    features = _features(html)
    assert set(features) == {"B1", "B2", *LEAVES}  # the city is a number in the legend, not a layer
    expected = {"P03": "geheimgehalten", "P05": "geheimgehalten", "B2": "geheimgehalten",
                "P07": "zu wenige Einwohner", "P08": "keine Daten"}
    for district_id, (feature, _style) in features.items():
        props = feature["properties"]
        if district_id in expected:
            assert props["status"] == expected[district_id]
            assert set(props) == PUBLIC_KEYS, f"{district_id} carries {set(props) - PUBLIC_KEYS}"
        else:
            assert props["status"] == "veröffentlicht"
            assert set(props) >= VALUE_KEYS
    hatch = features["P03"][1]
    assert hatch["fillColor"] == "url(#sm-schraffur)" and hatch["className"] == "sm-geheim"
    assert features["P07"][1]["fillColor"] == "#d9d9d9" and features["P07"][1]["dashArray"]
    assert features["P08"][1]["fillColor"] == "#ffffff"
    class_colours = {features[d][1]["fillColor"] for d in ("P01", "P02", "P04", "P06")}
    assert not class_colours & {"url(#sm-schraffur)", "#d9d9d9", "#ffffff"}
    assert '<pattern id="sm-schraffur"' in html
    assert features["P03"][0]["properties"]["status_text"] == "geheimgehalten (Datenschutz)"
    for text in ("geheimgehalten (Datenschutz)", "zu wenige Einwohner", "keine Daten"):
        assert text in _legend_section(html, "Planungsraum")


def test_published_tooltip_values_are_formatted_german(site):
    props = _features(_page(site, "kinderarmut"))["P04"][0]["properties"]
    assert props == {"district_id": "P04", "name": "Gartenstadt", "level": "Planungsraum",
                     "status": "veröffentlicht", "status_text": "veröffentlicht", "rate": "42,8 %",
                     "ci": "41,3 – 44,3", "numerator": "1.850", "denominator": "4.321"}
    html = _page(site, "kinderarmut")
    assert "95 %-KI" in html and "Nenner (Kinder unter 15 Jahren)" in html
    assert "Jahr 2023" in html
    assert "31,4" not in html  # P03 was published in 2022 only: the page shows the latest year


def test_values_in_hidden_cells_never_reach_the_page(tmp_path):
    """Defence in depth: even a mart that (wrongly) kept numbers in hidden cells publishes none."""
    mart = make_mart(tmp_path / "mart.duckdb")
    con = connect(mart)
    con.execute(
        "update indicator_values set numerator = 777, denominator = 8888, rate = 99.9, ci_low = 55.5, "
        "ci_high = 66.6 where status <> 'veröffentlicht'"
    )
    con.close()
    summary = build_site(mart, tmp_path / "release", make_config(tmp_path))
    html = summary.pages["kinderarmut"].read_text(encoding="utf-8")
    without_coordinates = re.sub(r'"coordinates": \[[-0-9.,\[\] ]*\]', "", html)
    assert "coordinates" not in without_coordinates
    for text in ("99,9", "99.9", "777", "8.888", "8888", "55,5", "66,6"):
        assert text not in without_coordinates
    assert _legend_labels(_legend_section(html, "Planungsraum"))[-1] == "über 20,3 % bis 42,8 %"
    for feature, _ in _features(html).values():
        if feature["properties"]["status"] != "veröffentlicht":
            assert set(feature["properties"]) == PUBLIC_KEYS


def test_no_external_url_is_loaded(site):
    files = [p for p in site.out_dir.rglob("*") if p.suffix in {".html", ".css", ".js"}]
    assert {p.name for p in files} >= {"index.html", "leaflet.js", "leaflet.css", "karte.js", "sozialmonitor.css"}
    load = re.compile(r"""(?:\b(?:src|href)\s*=\s*\\?["']?|url\(\s*["']?|@import\s+["']?)\s*(?:https?:)?//""", re.I)
    for path in files:
        text = path.read_text(encoding="utf-8")
        hits = load.findall(text)
        if path.name == "leaflet.js":
            # Leaflet's own attribution prefix link; the attribution control is switched off (below).
            assert len(hits) == 1 and 'href="https://leafletjs.com"' in text
        else:
            assert hits == [], f"{path}: {hits}"
    for page in site.pages.values():
        html = page.read_text(encoding="utf-8")
        assert '"attributionControl": false' in html
        assert "user-scalable=no" not in html
        assert "http://" not in html and "https://" not in html
        for lib in ("jquery", "bootstrap", "fontawesome", "awesome-markers", "glyphicons", "L.tileLayer"):
            assert lib not in html.lower() if lib.islower() else lib not in html
    assert "http" not in site.index.read_text(encoding="utf-8")


def test_site_is_byte_identical_for_the_same_mart(site, tmp_path):
    again = build_site(make_mart(tmp_path / "mart.duckdb"), tmp_path / "release", make_config(tmp_path))
    first = {p.relative_to(site.out_dir): p.read_bytes() for p in site.out_dir.rglob("*") if p.is_file()}
    second = {p.relative_to(again.out_dir): p.read_bytes() for p in again.out_dir.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    for rel in first:
        assert first[rel] == second[rel], f"{rel} differs between two builds"
    for page in site.pages.values():
        assert not re.search(r"[0-9a-f]{32}", page.read_text(encoding="utf-8"))


def test_simplified_neighbours_still_share_their_border(site):
    features = {fid: shapely.geometry.shape(f["geometry"])
                for fid, (f, _) in _features(_page(site, "kinderarmut")).items()}
    original_vertices = 4 * 20  # a vertex every 50 m on 1-km edges
    for a, b in (("P01", "P02"), ("P01", "P05"), ("P06", "P07"), ("B1", "B2")):
        ga, gb = features[a], features[b]
        if a.startswith("P"):
            assert shapely.get_num_coordinates(ga) - 1 < original_vertices  # simplification did something
        va = {tuple(c) for c in shapely.get_coordinates(ga)}
        vb = {tuple(c) for c in shapely.get_coordinates(gb)}
        on_b = {v for v in va if gb.boundary.distance(shapely.Point(v)) < 1e-9}
        on_a = {v for v in vb if ga.boundary.distance(shapely.Point(v)) < 1e-9}
        assert len(on_b) >= 2 and on_b == on_a == va & vb, f"{a}/{b}: border vertices differ"
        shared = ga.boundary.intersection(gb.boundary)
        assert shared.length > 0.005  # a border line (about 1 km), not just touching points
        assert ga.intersection(gb).area < 1e-12
    for geom in features.values():
        for x, y in shapely.get_coordinates(geom):
            assert round(x, 6) == x and round(y, 6) == y
