"""The committee site built from a tiny published mart: maps, legends, profiles, data protection,
offline, determinism, shared borders and the national-scale page split."""

from __future__ import annotations

import dataclasses
import json
import re

import duckdb
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

PUBLISHED, SECRET, TOO_FEW, NO_DATA = 0, 1, 2, 3


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    mart = make_mart(root / "mart.duckdb")
    return build_site(mart, root / "release", make_config(root))


def _config_with_maps(root, maps: dict):
    config = make_config(root)
    return dataclasses.replace(config, raw={**config.raw, "maps": maps})


def _page(site, indicator_id: str) -> str:
    return site.pages[indicator_id].read_text(encoding="utf-8")


def page_data(html: str) -> dict:
    """The JSON block the page script draws."""
    return json.loads(re.search(r'<script type="application/json" id="sm-daten">(.*?)</script>', html,
                                flags=re.S).group(1).replace("<\\/", "</"))


def cells(html: str, year: int) -> dict[str, tuple[str, list, str | None]]:
    """district id → (level id, cell, class colour) for one year over all levels of a page."""
    data = page_data(html)
    out = {}
    for i, level in enumerate(data["ebenen"]):
        for feature, cell in zip(level["geo"]["features"], data["werte"][str(year)][i], strict=True):
            colour = data["farben"][str(year)][i][cell[6]] if cell[0] == PUBLISHED else None
            out[feature["id"]] = (level["id"], cell, colour)
    return out


def _legend_section(html: str, level: str, year: int) -> tuple[str, bool]:
    match = re.search(rf'<section class="legende-teil" data-ebene="{level}" data-jahr="{year}"( hidden)?>(.*?)</section>',
                      html, flags=re.S)
    return match.group(2), match.group(1) is None


def _legend_labels(section: str) -> list[str]:
    return re.findall(r'<span class="bereich">(.*?)</span>', section)


def test_every_page_exists_and_all_links_resolve(site):
    assert set(site.pages) == {i[0] for i in INDICATORS}
    assert set(site.profiles) == {"S", "B1", "B2", *LEAVES}
    index = site.index.read_text(encoding="utf-8")
    linked = re.findall(r'href="(indikatoren/[^"]+)"', index)
    assert sorted(linked) == sorted(f"indikatoren/{i[0]}.html" for i in INDICATORS)
    assert 'href="gebiete.html"' in index
    pages = [site.index, site.district_index, *site.pages.values(), *site.profiles.values()]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for ref in re.findall(r'(?:href|src)="([^"#]+)', html):
            assert not ref.startswith("/"), f"{page.name}: absolute link {ref}"
            assert (page.parent / ref).resolve().is_file(), f"{page.name}: {ref} does not exist"
    for page in site.pages.values():  # the profile links embedded for clicks and the table
        for level in page_data(page.read_text(encoding="utf-8"))["ebenen"]:
            for feature in level["geo"]["features"]:
                assert (page.parent / feature["properties"]["steckbrief"]).resolve() == \
                    site.profiles[feature["id"]].resolve()
    css = (site.out_dir / "assets" / "leaflet.css").read_text(encoding="utf-8")
    for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
        if not ref.startswith(("data:", "#")):
            assert (site.out_dir / "assets" / ref).is_file(), ref


def test_index_names_city_run_method_and_data_protection(site):
    index = site.index.read_text(encoding="utf-8")
    assert '<html lang="de">' in index
    for text in ("Musterstadt", "31.12.2024", RUN_ID, "01.01.2025, 02:00 Uhr", "Fisher-Jenks", "höchstens 5 Klassen",
                 "geheimgehalten (Datenschutz)", "zu wenige Einwohner", "keine Daten", "weniger als 300"):
        assert text in index
    assert index.index("<h2>Soziales</h2>") < index.index("<h2>Bildung</h2>")
    assert "<h2>Gesundheit</h2>" not in index  # no indicator of that domain in the mart
    assert index.index("Lebensphase 10 bis unter 18 Jahre") < index.index("Lebensphase 0 bis unter 18 Jahre")


def test_level_and_year_controls_list_every_level_and_published_year(site):
    html = _page(site, "kinderarmut")
    levels = re.search(r'<select id="sm-ebene">(.*?)</select>', html).group(1)
    years = re.search(r'<select id="sm-jahr">(.*?)</select>', html).group(1)
    assert re.findall(r'<option value="(\w+)"', levels) == ["bezirk", "planungsraum"]
    assert '<option value="planungsraum" selected>' in levels  # the finest level first
    assert re.findall(r'<option value="(\d+)"', years) == ["2022", "2023"]
    assert '<option value="2023" selected>' in years  # the newest year first
    assert '<label for="sm-jahr">Jahr</label>' in html and '<label for="sm-ebene">Gebietsebene</label>' in html
    assert page_data(html)["jahre"] == [2022, 2023]
    assert page_data(_page(site, "hilfen_zur_erziehung"))["jahre"] == [2023]  # 2022 has no rows


def test_legend_classes_in_german_format_from_published_values_only(site):
    html = _page(site, "kinderarmut")
    leaf, shown = _legend_section(html, "planungsraum", 2023)
    assert shown
    # Planungsräume 2023: four published rates (12,0 20,3 42,8 15,0) → four classes, one value each
    assert _legend_labels(leaf) == ["12,0 %", "über 12,0 % bis 15,0 %", "über 15,0 % bis 20,3 %",
                                    "über 20,3 % bis 42,8 %"]
    assert "dunkler = höherer Handlungsbedarf (hohe Werte sind ungünstig)" in leaf
    assert "aus den 4 veröffentlichten Werten" in leaf
    assert "Musterstadt insgesamt:</strong> 22,5 % (95 %-KI: 21,9 – 23,1)" in leaf
    bezirk, shown = _legend_section(html, "bezirk", 2023)
    assert _legend_labels(bezirk) == ["13,7 %"] and not shown  # B2 is hidden: a single class
    old, shown = _legend_section(html, "planungsraum", 2022)
    assert not shown and _legend_labels(old) == [  # 2022 has its own classes
        "11,0 %", "über 11,0 % bis 19,4 %", "über 19,4 % bis 31,4 %", "über 31,4 % bis 41,7 %"]

    kita = _page(site, "kita_u3")
    values = published_rates("kita_u3", 2023, set(LEAVES))
    bins = mapclassify.FisherJenks(np.array(values), k=5).bins
    labels = _legend_labels(_legend_section(kita, "planungsraum", 2023)[0])
    assert len(labels) == 5
    first = f"{format_number(bins[0])} %"
    if min(values) != bins[0]:
        first = f"{format_number(min(values))} % bis {first}"
    assert labels[0] == first
    assert labels[-1] == f"über {format_number(bins[-2])} % bis {format_number(bins[-1])} %"
    assert "niedrige Werte sind ungünstig" in kita


def test_configured_scheme_and_number_of_classes(tmp_path):
    mart = make_mart(tmp_path / "mart.duckdb")
    config = _config_with_maps(tmp_path, {"scheme": "quantiles", "classes": 3})
    summary = build_site(mart, tmp_path / "release", config)
    kita = summary.pages["kita_u3"].read_text(encoding="utf-8")
    section = _legend_section(kita, "planungsraum", 2023)[0]
    values = np.array(published_rates("kita_u3", 2023, set(LEAVES)))
    bins = mapclassify.Quantiles(values, k=3).bins
    labels = _legend_labels(section)
    assert len(labels) == 3 and labels[-1].endswith(f"bis {format_number(bins[-1])} %")
    assert labels[0].endswith(f"{format_number(bins[0])} %")
    assert "Klassen nach Quantilen" in section
    assert "Quantilen" in summary.index.read_text(encoding="utf-8")


def test_colours_follow_direction_in_every_year(site):
    kinderarmut = cells(_page(site, "kinderarmut"), 2023)
    assert kinderarmut["P04"][2] == YLORRD[5][-1]  # highest value, higher is worse: darkest
    assert kinderarmut["P01"][2] == YLORRD[5][1]
    kita = cells(_page(site, "kita_u3"), 2023)
    assert kita["P08"][2] == YLORRD[6][-1]  # lowest value, lower is worse: darkest
    assert kita["P04"][2] == YLORRD[6][1]
    old = cells(_page(site, "kinderarmut"), 2022)
    assert old["P03"][1][:2] == [PUBLISHED, "31,4"] and old["P05"][1] == [NO_DATA]
    assert old["P04"][2] == YLORRD[5][-1]


def test_hidden_districts_styled_as_hidden_and_carry_no_values(site):
    html = _page(site, "kinderarmut")
    data = page_data(html)
    by_id = cells(html, 2023)
    assert set(by_id) == {"B1", "B2", *LEAVES}  # the city is a number in the legend, not a layer
    expected = {"P03": SECRET, "P05": SECRET, "B2": SECRET, "P07": TOO_FEW, "P08": NO_DATA}
    for district_id, (_level, cell, _colour) in by_id.items():
        if district_id in expected:
            assert cell == [expected[district_id]], f"{district_id} carries {cell}"
        else:
            assert cell[0] == PUBLISHED and all(v is not None for v in cell[1:7])
    for level in data["ebenen"]:
        for feature in level["geo"]["features"]:
            assert set(feature["properties"]) == {"name", "steckbrief"}
    assert data["stile"][SECRET]["fillColor"] == "url(#sm-schraffur)"
    assert data["stile"][SECRET]["className"] == "sm-geheim"
    assert data["stile"][TOO_FEW]["fillColor"] == "#d9d9d9" and data["stile"][TOO_FEW]["dashArray"]
    assert data["stile"][NO_DATA]["fillColor"] == "#ffffff"
    class_colours = {c for colours in data["farben"].values() for level in colours for c in level}
    assert not class_colours & {"url(#sm-schraffur)", "#d9d9d9", "#ffffff"}
    assert data["status"] == ["veröffentlicht", "geheimgehalten (Datenschutz)", "zu wenige Einwohner",
                              "keine Daten"]
    assert '<pattern id="sm-schraffur"' in html
    section = _legend_section(html, "planungsraum", 2023)[0]
    for text in ("geheimgehalten (Datenschutz)</strong> <span class=\"anzahl\">(2 Gebiete)",
                 "zu wenige Einwohner</strong> <span class=\"anzahl\">(1 Gebiet)", "keine Daten"):
        assert text in section


def test_published_cells_are_formatted_german_and_compared_with_the_city(site):
    data = page_data(_page(site, "kinderarmut"))
    by_id = cells(_page(site, "kinderarmut"), 2023)
    cell = by_id["P04"][1]
    assert cell[:6] == [PUBLISHED, "42,8", "41,3", "44,3", "1.850", "4.321"]
    assert data["vergleiche"][cell[7]] == "schlechter als die Stadt"
    assert data["vergleiche"][by_id["P01"][1][7]] == "besser als die Stadt"  # 10,1–14,2 < 22,5
    assert data["einheit"] == " %" and data["texte"]["nenner"] == "Nenner (Kinder unter 15 Jahren)"
    kita = cells(_page(site, "kita_u3"), 2023)
    kita_data = page_data(_page(site, "kita_u3"))
    assert kita_data["vergleiche"][kita["P04"][1][7]] == "besser als die Stadt"  # high care rate is good
    assert kita_data["vergleiche"][kita["P08"][1][7]] == "schlechter als die Stadt"


def test_profiles_show_every_indicator_with_city_comparison_and_trend(site):
    html = site.profiles["P04"].read_text(encoding="utf-8")
    assert "<h1>Steckbrief Gartenstadt</h1>" in html
    assert 'href="B2.html">Bezirk Ost</a> › <a href="S.html">Musterstadt</a>' in html
    assert "8.800 Einwohnerinnen und Einwohner" in html
    for ind in INDICATORS:
        assert ind[1] in html
    row = re.search(r"<tr><th scope=\"row\"><a href=\"../indikatoren/kinderarmut.html#ebene=planungsraum&amp;jahr=2023\">"
                    r".*?</tr>", html).group(0)
    for text in ("<td>2023</td>", "42,8 %", "41,3 – 44,3", "22,5 %", "schlechter als die Stadt",
                 'role="img"', "Entwicklung Gartenstadt 2022–2023: 2022: 41,7 %; 2023: 42,8 %",
                 "Gestrichelt: Musterstadt"):
        assert text in row, text
    hidden = site.profiles["P03"].read_text(encoding="utf-8")
    row = re.search(r'<tr class="ohne-wert"><th scope="row"><a href="../indikatoren/kinderarmut.html.*?</tr>',
                    hidden).group(0)
    assert "geheimgehalten (Datenschutz)" in row and "2022: 31,4 %; 2023: geheimgehalten (Datenschutz)" in row
    assert "schlechter" not in row and "besser" not in row
    city = site.profiles["S"].read_text(encoding="utf-8")
    assert "Teilgebiete (Bezirk)" in city and 'href="B1.html"' in city


def test_district_index_nests_every_district(site):
    html = site.district_index.read_text(encoding="utf-8")
    for did, (name, *_rest) in LEAVES.items():
        assert f'<a href="steckbriefe/{did}.html">{name}</a>' in html
    # nested and sorted by name: Musterstadt › Bezirk Ost (its Planungsräume) › Bezirk West (its own)
    order = [html.index(f"{name}</a>") for name in ("Musterstadt", "Bezirk Ost", "Gartenstadt", "Bezirk West",
                                                       "Altstadt-Süd")]
    assert order == sorted(order)


def test_values_in_hidden_cells_never_reach_any_page(tmp_path):
    """Defence in depth: even a mart that (wrongly) kept numbers in hidden cells publishes none."""
    mart = make_mart(tmp_path / "mart.duckdb")
    con = connect(mart)
    con.execute(
        "update indicator_values set numerator = 777, denominator = 8888, rate = 99.9, ci_low = 55.5, "
        "ci_high = 66.6 where status <> 'veröffentlicht'"
    )
    con.close()
    summary = build_site(mart, tmp_path / "release", make_config(tmp_path))
    for page in summary.files:
        if page.suffix != ".html":
            continue
        html = page.read_text(encoding="utf-8")
        without_coordinates = re.sub(r'"coordinates":\[[-0-9.,\[\]]*\]', "", html)
        without_coordinates = re.sub(r"-?\d+\.\d{5,}", "", without_coordinates)  # offer and symbol points
        for text in ("99,9", "99.9", "777", "8.888", "8888", "55,5", "66,6"):
            assert text not in without_coordinates, f"{page.name}: {text}"
    html = summary.pages["kinderarmut"].read_text(encoding="utf-8")
    assert _legend_labels(_legend_section(html, "planungsraum", 2023)[0])[-1] == "über 20,3 % bis 42,8 %"
    assert cells(html, 2023)["P03"][1] == [SECRET]


def test_no_external_url_is_loaded(site):
    files = [p for p in site.out_dir.rglob("*") if p.suffix in {".html", ".css", ".js"}]
    assert {p.name for p in files} >= {"index.html", "leaflet.js", "leaflet.css", "karte.js", "sozialmonitor.css"}
    load = re.compile(r"""(?:\b(?:src|href)\s*=\s*\\?["']?|url\(\s*["']?|@import\s+["']?)\s*(?:https?:)?//""", re.I)
    for path in files:
        text = path.read_text(encoding="utf-8")
        hits = load.findall(text)
        if path.name == "leaflet.js":
            # Leaflet's own attribution prefix link; the attribution control is switched off (karte.js).
            assert len(hits) == 1 and 'href="https://leafletjs.com"' in text
        else:
            assert hits == [], f"{path}: {hits}"
            if path.suffix == ".html" or path.name in ("karte.js", "auswertung.js", "angebote.js", "sozialmonitor.css"):
                assert "http://" not in text and "https://" not in text, path
    karte = (site.out_dir / "assets" / "karte.js").read_text(encoding="utf-8")
    assert "attributionControl: false" in karte and "tileLayer" not in karte
    for page in site.pages.values():
        html = page.read_text(encoding="utf-8")
        assert "user-scalable=no" not in html
        for lib in ("jquery", "bootstrap", "fontawesome", "awesome-markers", "glyphicons", "d3.js"):
            assert lib not in html.lower()


def test_site_is_byte_identical_for_the_same_mart(site, tmp_path):
    again = build_site(make_mart(tmp_path / "mart.duckdb"), tmp_path / "release", make_config(tmp_path))
    first = {p.relative_to(site.out_dir): p.read_bytes() for p in site.out_dir.rglob("*") if p.is_file()}
    second = {p.relative_to(again.out_dir): p.read_bytes() for p in again.out_dir.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    for rel in first:
        assert first[rel] == second[rel], f"{rel} differs between two builds"


def test_simplified_neighbours_still_share_their_border(site):
    features = {}
    for level in page_data(_page(site, "kinderarmut"))["ebenen"]:
        for f in level["geo"]["features"]:
            features[f["id"]] = shapely.geometry.shape(f["geometry"])
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


def test_national_scale_splits_into_one_page_per_top_level_unit(tmp_path):
    """Above ``districts_per_page`` districts on the finest level: an overview plus one page per unit."""
    mart = make_mart(tmp_path / "mart.duckdb")
    summary = build_site(mart, tmp_path / "release", _config_with_maps(tmp_path, {"districts_per_page": 4}))
    overview = summary.pages["kinderarmut"].read_text(encoding="utf-8")
    assert [lv["id"] for lv in page_data(overview)["ebenen"]] == ["bezirk"]
    units = summary.unit_pages["kinderarmut"]
    assert set(units) == {"B1", "B2"}
    assert 'href="kinderarmut/B1.html">Bezirk West</a>' in overview
    west = units["B1"].read_text(encoding="utf-8")
    data = page_data(west)
    assert [lv["id"] for lv in data["ebenen"]] == ["planungsraum"]
    assert [f["id"] for f in data["ebenen"][0]["geo"]["features"]] == ["P01", "P02", "P05", "P06"]
    assert "<h1>Kinder unter 15 Jahren in SGB-II-Bedarfsgemeinschaften – Bezirk West</h1>" in west
    # classes are those of the whole city, so colours compare across unit pages
    assert _legend_labels(_legend_section(west, "planungsraum", 2023)[0])[-1] == "über 20,3 % bis 42,8 %"
    for ref in re.findall(r'(?:href|src)="([^"#]+)', west):
        assert (units["B1"].parent / ref).resolve().is_file(), ref
    assert (units["B1"].parent / data["ebenen"][0]["geo"]["features"][0]["properties"]["steckbrief"]).is_file()
    # analysis maps split the same way, also those showing the Planungsräume only (hot spots, offers)
    assert set(summary.analysis_unit_pages) == {"handlungsbedarf", "schwerpunkte", "angebote"}
    hot = summary.analysis_unit_pages["schwerpunkte"]["B2"]
    hot_data = page_data(hot.read_text(encoding="utf-8"))
    assert [f["id"] for f in hot_data["ebenen"][0]["geo"]["features"]] == ["P03", "P04", "P07", "P08"]
    assert 'href="schwerpunkte/B2.html">Bezirk Ost</a>' in summary.analysis_pages["schwerpunkte"].read_text(
        encoding="utf-8")
    for ref in re.findall(r'(?:href|src)="([^"#]+)', hot.read_text(encoding="utf-8")):
        assert (hot.parent / ref).resolve().is_file(), ref


def test_index_shows_a_thumbnail_of_every_map_in_its_colours(site):
    index = site.index.read_text(encoding="utf-8")
    previews = re.findall(r'<a href="indikatoren/(\w+)\.html"><svg class="vorschau"[^>]*aria-hidden="true"[^>]*>(.*?)</svg>',
                          index)
    assert sorted(p[0] for p in previews) == sorted(i[0] for i in INDICATORS)
    kinderarmut = dict(previews)["kinderarmut"]
    fills = re.findall(r'<path d="M[^"]+" fill="([^"]+)"/>', kinderarmut)
    assert len(fills) == len(LEAVES)  # the finest level: eight Planungsräume
    expected = {d: c for d, (level, _cell, c) in cells(_page(site, "kinderarmut"), 2023).items()
                if c and level == "planungsraum"}
    assert set(expected.values()) <= set(fills)
    assert fills.count("url(#sm-schraffur)") == 2 and "#d9d9d9" in fills and "#ffffff" in fills
    assert '<pattern id="sm-schraffur"' in index


def test_print_command_without_a_release_says_so(tmp_path):
    from conftest import run_cli

    result = run_cli("print", "--workspace", str(tmp_path))
    assert result.returncode == 1
    assert "Es gibt noch keine Freigabe" in result.stdout


def test_index_says_how_much_of_the_finest_level_shows_a_value(site):
    """Per map: the share of the finest level's districts with a published value in the year shown (counted
    here from the mart's statuses, not from the page)."""
    index = site.index.read_text(encoding="utf-8")
    mart = site.out_dir.parent / "mart.duckdb"
    with duckdb.connect(str(mart), read_only=True) as con:
        finest = con.execute("select max(level_rank) from districts").fetchone()[0]
        counts = con.execute(
            "select v.indicator_id, v.year, count(*) filter (where status = 'veröffentlicht'), count(*) "
            "from indicator_values v join districts d using (district_id) where d.level_rank = ? group by all",
            [finest]).fetchall()
    by_key = {(i, y): (s, t) for i, y, s, t in counts}
    found = re.findall(r'<a href="indikatoren/([^"]+)\.html">.*?<span class="jahr"> \((\d+)\)</span>'
                       r'<span class="abdeckung" title="(\d+) von (\d+) [^"]*">(\d+) % der Gebiete mit Wert</span>',
                       index, flags=re.S)
    assert len(found) == len(site.years)
    stem_of = {path.stem: i for i, path in site.pages.items()}
    for page, year, shown, total, share in found:
        indicator = stem_of[page]
        assert by_key[(indicator, int(year))] == (int(shown), int(total))
        assert int(share) == round(100 * int(shown) / int(total))
    assert any(int(s) < int(t) for _, _, s, t, _ in found)  # some hidden cells in the fixture
