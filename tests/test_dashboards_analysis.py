"""The analysis pages of the committee site (need index, hot spots, offers, allocation) and the analysis
sections of the profiles, built from the dashboard fixture's hand-made analysis tables: legends, classes,
German numbers, districts without a value, offers as cluster points, no external URL, the audit."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from dashboard_fixtures import (
    ALLOCATION,
    LEAVES,
    OFFERS,
    SENSITIVITY,
    SENSITIVITY_CLASSIFIED,
    make_config,
    make_mart,
)

from pipelines.lib.dashboards import build_site
from pipelines.lib.dashboards.analysis_map import Cell, hidden_reason
from pipelines.lib.dashboards.classify import YLORRD
from pipelines.lib.dashboards.diverging import NEGATIVE, POSITIVE, ZERO, diverging
from pipelines.lib.dashboards.formatting import NO_DATA, PUBLISHED, SECRET, TOO_FEW
from pipelines.lib.dashboards.hotspot_page import BLUE, LIGHT_BLUE, LIGHT_RED, RED
from pipelines.lib.dashboards.offers_page import distance_text, slug

pytestmark = pytest.mark.filterwarnings("ignore:Numba not installed")

P, S, F, K = 0, 1, 2, 3  # status codes of the page cells
PAGES = ("handlungsbedarf", "schwerpunkte", "angebote", "mittelverteilung")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("analysis_site")
    return build_site(make_mart(root / "mart.duckdb"), root / "release", make_config(root))


def _html(site, page: str) -> str:
    return site.analysis_pages[page].read_text(encoding="utf-8")


def _data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="sm-daten">(.*?)</script>', html, flags=re.S).group(1)
    return json.loads(block)


def _cells(data: dict, view: str) -> dict[str, list]:
    """district id → page cell of one view over every level."""
    v = next(v for v in data["ansichten"] if v["id"] == view)
    out = {}
    for level, cells in zip(data["ebenen"], v["werte"], strict=True):
        for feature, cell in zip(level["geo"]["features"], cells, strict=True):
            out[feature["id"]] = cell
    return out


def _colour(data: dict, view: str, district: str) -> str:
    v = next(v for v in data["ansichten"] if v["id"] == view)
    for i, level in enumerate(data["ebenen"]):
        ids = [f["id"] for f in level["geo"]["features"]]
        if district in ids:
            cell = v["werte"][i][ids.index(district)]
            return v["farben"][i][cell[1]]
    raise KeyError(district)


def _legend(html: str, view: str, level: str) -> tuple[str, bool]:
    match = re.search(rf'<section class="legende-teil" data-ansicht="{view}" data-ebene="{level}"( hidden)?>'
                      r"(.*?)</section>", html, flags=re.S)
    return match.group(2), match.group(1) is None


def _labels(section: str) -> list[str]:
    return re.findall(r'<span class="bereich">(.*?)</span><span class="anzahl">\((\d+) Gebiete?\)', section)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_index_links_every_analysis_map_with_a_thumbnail(site):
    assert set(site.analysis_pages) == set(PAGES)
    index = site.index.read_text(encoding="utf-8")
    previews = re.findall(r'<a href="auswertungen/(\w+)\.html"><svg class="vorschau"[^>]*aria-hidden="true"'
                          r"[^>]*>(.*?)</svg><span>(.*?)</span>", index)
    assert [p[0] for p in previews] == list(PAGES)
    assert [p[2] for p in previews] == ["Handlungsbedarf", "Räumliche Schwerpunkte", "Angebote und Bedarf",
                                        "Mittelverteilung"]
    need = dict((p[0], p[1]) for p in previews)["handlungsbedarf"]
    fills = re.findall(r'fill="([^"]+)"/>', need)
    assert len(fills) == len(LEAVES) and YLORRD[5][-1] in fills and "url(#sm-schraffur)" in fills
    assert index.index('id="auswertungen"') < index.index('id="karten"')
    assert "höher bedeutet mehr Handlungsbedarf" in _text(index)
    for page in (*site.analysis_pages.values(), site.index):
        html = page.read_text(encoding="utf-8")
        for ref in re.findall(r'(?:href|src)="([^"#]+)', html):
            assert (page.parent / ref).resolve().is_file(), f"{page.name}: {ref}"
        for level in (_data(html)["ebenen"] if page != site.index else []):
            for feature in level["geo"]["features"]:
                assert (page.parent / feature["properties"]["steckbrief"]).resolve() == \
                    site.profiles[feature["id"]].resolve()


def test_need_index_page_shows_class_dynamics_type_and_special_need(site):
    html = _html(site, "handlungsbedarf")
    data = _data(html)
    assert [lv["id"] for lv in data["ebenen"]] == ["bezirk", "planungsraum"]
    section, shown = _legend(html, "typ", "planungsraum")
    assert shown and not _legend(html, "typ", "bezirk")[1]
    assert _labels(section) == [("1 – niedrig", "1"), ("2 – mittel", "1"), ("3 – hoch", "1"), ("4 – sehr hoch", "1")]
    text = _text(section)
    assert "höher = mehr Handlungsbedarf" in text
    assert "Gebiet mit besonderem Handlungsbedarf (3 Gebiete)" in text
    assert "Status sehr hoch (jede Dynamik), Status hoch (jede Dynamik) oder Status mittel mit Dynamik verschlechtert" \
        in text
    assert "Dynamik verschlechtert: der Bedarf wächst (1 Gebiet)" in text
    assert "Dynamik verbessert: der Bedarf sinkt (1 Gebiet)" in text
    # the type matrix: rows dynamics (with "nicht bestimmbar" for P06), columns classes 1–4
    matrix = re.search(r'<table class="typen">.*?</table>', section).group(0)
    rows = {m[0]: re.findall(r"<td[^>]*>(.*?)</td>", m[1])
            for m in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', matrix)}
    assert rows == {"verbessert": ["1", "0", "0 ★", "0 ★"], "stabil": ["0", "0", "0 ★", "1 ★"],
                    "verschlechtert": ["0", "1 ★", "0 ★", "0 ★"], "nicht bestimmbar": ["0", "0", "1 ★", "0 ★"]}
    assert len(re.findall(r'<td class="besonders">', matrix)) == 9
    assert "Klassen in Standardabweichungen vom Mittel der Ebene: unter -1,0 niedrig" in text

    cells = _cells(data, "typ")
    assert cells["P04"][:4] == [P, 3, 1, None]  # sehr hoch, outlined, stable: no symbol
    assert cells["P04"][4:] == ["4 – sehr hoch", "stabil", "Status sehr hoch, Dynamik stabil", "1,70",
                                "ja (Status sehr hoch (jede Dynamik))", "2 von 2 (100 % des Gewichts)"]
    assert cells["P02"][2:4] == [1, 0] and cells["P01"][2:4] == [0, 1]  # ▲ verschlechtert, ▼ verbessert
    assert cells["P06"][5] == "nicht bestimmbar (Werte 2021 fehlen)"
    assert cells["B1"][:3] == [P, 1, 0]
    assert {d: cells[d] for d in ("B2", "P03", "P05", "P07", "P08")} == {
        "B2": [S], "P03": [S], "P05": [S], "P07": [F], "P08": [K]}
    assert [_colour(data, "typ", d) for d in ("P01", "P02", "P06", "P04")] == list(YLORRD[5][1:])
    assert data["zeichen"] == [{"form": "oben", "name": "Dynamik verschlechtert: der Bedarf wächst"},
                               {"form": "unten", "name": "Dynamik verbessert: der Bedarf sinkt"}]
    assert data["markierung"] == {"color": "#000000", "weight": 3.5}
    assert len(data["punkte"][1]) == len(LEAVES)
    assert '<input type="checkbox" id="sm-zeichen" checked> Dynamik als Zeichen zeigen' in html
    assert "kein Index: zu viele der einbezogenen Werte sind zum Schutz der Betroffenen geheimgehalten" in section


def test_need_index_page_explains_how_stable_the_classes_are(site):
    html = _html(site, "handlungsbedarf")
    section = re.search(r'<section class="methode".*?</section>', html, flags=re.S).group(0)
    assert "Wie stabil ist die Einteilung?" in section and "Gewicht −10 %" in section
    rows = dict(re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', section))
    labels = {"Bereich Soziales": ("Bereich", "Soziales"),
              "Kinder unter 15 Jahren in SGB-II-Bedarfsgemeinschaften": ("Indikator", "kinderarmut"),
              "Kinder unter 3 Jahren in Kindertagesbetreuung": ("Indikator", "kita_u3")}
    assert list(rows) == list(labels)  # domains first, then the indicators
    for label, (kind, component) in labels.items():
        expected = [(str(SENSITIVITY["planungsraum"][(kind, component, p)]), str(SENSITIVITY_CLASSIFIED))
                    for p in (-10, 10)]
        assert re.findall(r"<td>(\d+) von (\d+)</td>", rows[label]) == expected, label
    assert "<caption>Bezirk:" not in section  # no rows for that level: no table


def test_hot_spot_page_has_one_view_per_indicator_and_red_for_unfavourable_clusters(site):
    html = _html(site, "schwerpunkte")
    data = _data(html)
    assert [v["id"] for v in data["ansichten"]] == ["need_index", "kinderarmut", "kita_u3"]
    options = re.findall(r'<option value="([^"]+)"', re.search(r'<select id="sm-ansicht">(.*?)</select>', html).group(1))
    assert options == ["need_index", "kinderarmut", "kita_u3"]
    assert '<label for="sm-ansicht">Indikator</label>' in html
    assert [lv["id"] for lv in data["ebenen"]] == ["planungsraum"]
    section, shown = _legend(html, "need_index", "planungsraum")
    assert shown
    assert [label for label, _n in _labels(section)] == [
        "hoch-hoch", "niedrig-niedrig", "hoch-niedrig", "niedrig-hoch", "nicht signifikant", "nicht geprüft"]
    # higher is worse: red = hoch-hoch; care rates (lower is worse): red = niedrig-niedrig
    assert _colour(data, "kinderarmut", "P04") == RED and _colour(data, "kinderarmut", "P06") == LIGHT_BLUE
    assert _colour(data, "kita_u3", "P01") == RED and _colour(data, "kita_u3", "P04") == BLUE
    assert _colour(data, "kita_u3", "P06") == LIGHT_BLUE and _colour(data, "kita_u3", "P08") == LIGHT_RED
    assert "niedrige Werte ungünstig" in _legend(html, "kita_u3", "planungsraum")[0]
    kinderarmut = _cells(data, "kinderarmut")
    assert kinderarmut["P04"][4:] == ["hoch-hoch", "42,8 %", "0,020"]
    assert kinderarmut["P02"][4] == "nicht geprüft (keine Nachbarn)"
    assert {d: kinderarmut[d] for d in ("P03", "P05", "P07", "P08")} == {"P03": [S], "P05": [S], "P07": [F], "P08": [K]}
    need = _cells(data, "need_index")
    assert need["P04"][4:] == ["hoch-hoch", "4 – sehr hoch", "unter 0,001"]
    assert {d: need[d] for d in ("P03", "P05", "P07", "P08")} == {"P03": [S], "P05": [S], "P07": [F], "P08": [K]}
    assert "9.999 Zufallsvertauschungen" in _text(section) and "bis 0,05" in _text(section)


def test_offers_page_has_coverage_per_category_gaps_and_clustered_offers(site):
    html = _html(site, "angebote")
    data = _data(html)
    assert [v["id"] for v in data["ansichten"]] == ["familienzentrum-3-6", "fruehe-hilfen-0-3"]
    assert [v["name"] for v in data["ansichten"]] == ["Familienzentrum (3 bis unter 6 Jahre)",
                                                     "Frühe Hilfen (0 bis unter 3 Jahre)"]
    cells = _cells(data, "familienzentrum-3-6")
    assert cells["P04"][2:] == [1, None, "0,0", "0", "800", "2,5 km", "ja (Rang 1)"]
    assert cells["P02"][4:] == ["0,0", "0", "250", "1,2 km", "nein"]
    assert cells["P01"][4:] == ["5,0", "1", "200", "350 m", "nein"]
    assert {d: cells[d] for d in ("P05", "P07", "P08")} == {"P05": [S], "P07": [F], "P08": [K]}
    section, shown = _legend(html, "familienzentrum-3-6", "planungsraum")
    assert shown
    assert _labels(section) == [("0,0 je 1.000", "2"), ("über 0,0 je 1.000 bis 5,0 je 1.000", "2"),
                                ("über 5,0 je 1.000 bis 8,0 je 1.000", "1")]
    assert _colour(data, "familienzentrum-3-6", "P04") == YLORRD[4][-1]  # fewest offers: darkest
    assert "Versorgungslücke (1 Gebiet)" in _text(section)
    assert "Standort eines Angebots der gewählten Kategorie (4 Angebote)" in _text(section)
    assert "Standort eines Angebots der gewählten Kategorie (2 Angebote)" in _text(
        _legend(html, "fruehe-hilfen-0-3", "planungsraum")[0])
    assert "dunkler = weniger Angebote je 1.000 Kinder (mehr Handlungsbedarf)" in section
    points = data["angebote"]["liste"]
    assert sorted(p[2] for p in points) == sorted(o[0] for o in OFFERS.values())
    assert {p[2]: p[3] for p in points}["Frühe Hilfen Hafen"] == "fruehe-hilfen-0-3"
    assert all(round(p[0], 6) == p[0] and 50 < p[0] < 52 and 6 < p[1] < 8 for p in points)
    # the offers list below the table, names escaped; scripts in the order the cluster layer needs
    assert "<td>Familienzentrum</td><td>3 bis unter 6 Jahre</td>" in html
    assert "Familienzentrum „Schloss &amp; &lt;Co&gt;“" in html and "<Co>" not in html.split('id="sm-daten"')[0]
    scripts = re.findall(r'<script src="\.\./assets/([^"]+)"', html)
    assert scripts == ["leaflet.js", "leaflet.markercluster.js", "auswertung.js", "angebote.js"]
    assert '<link rel="stylesheet" href="../assets/MarkerCluster.css">' in html
    cluster = (site.out_dir / "assets" / "leaflet.markercluster.js").read_text(encoding="utf-8")
    assert "L.MarkerClusterGroup" in cluster and "sourceMappingURL" not in cluster
    assert '<input type="checkbox" id="sm-alle-angebote">' in html


def test_allocation_page_shows_euros_per_child_and_a_diverging_difference(site):
    html = _html(site, "mittelverteilung")
    data = _data(html)
    assert [v["id"] for v in data["ansichten"]] == ["je-kind", "differenz"]
    assert [lv["id"] for lv in data["ebenen"]] == ["bezirk"]
    per_child = _cells(data, "je-kind")
    assert per_child["B1"][4:] == ["600.000 €", "60,0 %", "120,63 €", "4.974", "450.000 €", "+150.000 €",
                                   "veröffentlicht"]
    assert per_child["B2"][2] == 1 and per_child["B2"][9] == "-150.000 €"  # estimated inputs: outlined
    assert ALLOCATION["B2"][0] == per_child["B2"][10]
    assert _colour(data, "differenz", "B2") == NEGATIVE[1][0] and _colour(data, "differenz", "B1") == POSITIVE[1][0]
    section = _legend(html, "differenz", "bezirk")[0]
    assert _labels(section) == [("-150.000 €", "1"), ("150.000 €", "1")]
    assert "blaugrün = mehr als bei einer Verteilung nur nach Kopfzahl, braun = weniger" in section
    assert "Eingangswerte geschätzt (1 Gebiet)" in _text(section)
    assert "Budget 1.000.000 € für 2023" in _text(section)
    assert "75 % nach dem Anteil an „Kinder unter 15 Jahren in SGB-II-Bedarfsgemeinschaften“" in _text(section)
    assert "Bezugsgruppe (Kinder unter 15 Jahren)" in data["ansichten"][0]["felder"]
    assert "Nicht ausgewiesen" not in section  # every Bezirk has an amount


def test_profiles_carry_need_hot_spots_offers_and_allocation_at_every_level(site):
    leaf = _text(site.profiles["P04"].read_text(encoding="utf-8"))
    for text in ("Handlungsbedarf Index 2023 (höher = mehr Handlungsbedarf), Dynamik gegenüber 2021.",
                 "Gebiet mit besonderem Handlungsbedarf – Status sehr hoch (jede Dynamik)",
                 "Statusklasse 4 – sehr hoch", "Typ Status sehr hoch, Dynamik stabil",
                 "Handlungsbedarfsindex 2023 hoch-hoch 4 – sehr hoch unter 0,001",
                 "Familienzentrum 3 bis unter 6 Jahre 0,0 0 800 2,5 km ja (Rang 1)",
                 "Angebote im Gebiet: Frühe Hilfen Gartenstadt (Frühe Hilfen, 0 bis unter 3 Jahre)",
                 "Die Mittel werden auf die Gebiete der Ebene Bezirk verteilt.",
                 "Gartenstadt gehört zu Bezirk Ost (Betrag 400.000 €)."):
        assert text in leaf, text
    html = site.profiles["P04"].read_text(encoding="utf-8")
    assert 'href="../auswertungen/handlungsbedarf.html#ebene=planungsraum"' in html
    assert 'href="../auswertungen/mittelverteilung.html"' in html

    hidden = _text(site.profiles["P05"].read_text(encoding="utf-8"))
    assert ("Für dieses Gebiet wird kein Index ausgewiesen (geheimgehalten (Datenschutz)): zu viele der "
            "einbezogenen Werte sind zum Schutz der Betroffenen geheimgehalten.") in hidden
    assert "Familienzentrum 3 bis unter 6 Jahre geheimgehalten (Datenschutz) 0 – 900 m –" in hidden
    small = _text(site.profiles["P07"].read_text(encoding="utf-8"))
    assert "kein Wert – zu wenige Einwohner" in small

    bezirk = _text(site.profiles["B2"].read_text(encoding="utf-8"))
    for text in ("Für dieses Gebiet wird kein Index ausgewiesen (geheimgehalten (Datenschutz))",
                 "Räumliche Schwerpunkte werden für die Ebene Planungsraum berechnet.",
                 "Kinder unter 15 Jahren in SGB-II-Bedarfsgemeinschaften: 1 hoch-hoch (von 4 Gebieten)",
                 "Die Versorgung je 1.000 Kinder wird für die Ebene Planungsraum berechnet.",
                 "Angebote in den Teilgebieten", "Betrag 400.000 €", "Euro je Kind 79,59 €",
                 "Die Zahlen des Gebiets sind nicht veröffentlicht"):
        assert text in bezirk, text
    city = _text(site.profiles["S"].read_text(encoding="utf-8"))
    for text in ("Für die Ebene Stadt wird kein Handlungsbedarfsindex berechnet; er liegt für die Ebene Bezirk "
                 "und Planungsraum vor.",
                 "Familienzentrum 3 bis unter 6 Jahre 4", "Frühe Hilfen 0 bis unter 3 Jahre 2",
                 "Summe der 2 Gebiete in Musterstadt: 1.000.000 € (100,0 % des Budgets)."):
        assert text in city, text


def test_a_mart_without_analysis_tables_builds_the_site_and_says_so(tmp_path):
    """An older release without analysis tables: no analysis pages, the profiles say so."""
    summary = build_site(make_mart(tmp_path / "mart.duckdb", analysis=False), tmp_path / "release",
                         make_config(tmp_path), links=(("Datenkatalog", "datenkatalog.html"),))
    assert summary.analysis_pages == {} and not (summary.out_dir / "auswertungen").exists()
    index = summary.index.read_text(encoding="utf-8")
    assert 'id="auswertungen"' not in index and "Handlungsbedarfsindex" not in index
    assert '<li><a href="datenkatalog.html">Datenkatalog</a></li>' in index  # the links passed to build_site
    profile = _text(summary.profiles["P01"].read_text(encoding="utf-8"))
    for text in ("In dieser Veröffentlichung ist kein Handlungsbedarfsindex enthalten.",
                 "In dieser Veröffentlichung sind keine räumlichen Schwerpunkte enthalten.",
                 "In dieser Veröffentlichung ist keine Auswertung der Angebote enthalten.",
                 "In dieser Veröffentlichung ist keine Mittelverteilung enthalten."):
        assert text in profile


def test_districts_without_a_value_carry_nothing_and_the_audit_agrees(site, tmp_path):
    from pipelines.lib.audit.site import site_problems
    from pipelines.lib.stages.publish import published_cells

    for page in PAGES:
        data = _data(_html(site, page))
        for view in data["ansichten"]:
            for cells in view["werte"]:
                for cell in cells:
                    assert cell[0] == P or cell in ([S], [F], [K]), (page, view["id"], cell)
        for level in data["ebenen"]:
            for feature in level["geo"]["features"]:
                assert set(feature["properties"]) == {"name", "steckbrief"}
        assert data["status"] == ["veröffentlicht", "geheimgehalten (Datenschutz)", "zu wenige Einwohner",
                                  "keine Daten"]
        assert data["stile"][S]["fillColor"] == "url(#sm-schraffur)" and data["stile"][F]["fillColor"] == "#d9d9d9"
        assert data["stile"][K]["fillColor"] == "#ffffff"
    mart = site.out_dir.parent / "mart.duckdb"
    assert site_problems(site.out_dir, published_cells(mart)) == []

    # the audit's own look: a figure beside a hidden status, a value where the mart publishes nothing
    html = _html(site, "schwerpunkte")
    (tmp_path / "auswertungen").mkdir()
    bad = html.replace('[1],', '[1,"0,437"],', 1)
    (tmp_path / "auswertungen" / "schwerpunkte.html").write_text(bad, encoding="utf-8")
    assert site_problems(tmp_path) == [
        "auswertungen/schwerpunkte.html: 1 districts without a value carry figures in the analysis data"]
    data = _data(html)
    view = next(v for v in data["ansichten"] if v["id"] == "kinderarmut")
    ids = [f["id"] for f in data["ebenen"][0]["geo"]["features"]]
    view["werte"][0][ids.index("P03")] = [0, 0, 0, None, "hoch-hoch", "31,4 %", "0,010"]
    forged = re.sub(r'(<script type="application/json" id="sm-daten">).*?(</script>)',
                    lambda m: m.group(1) + json.dumps(data, ensure_ascii=False) + m.group(2), html, flags=re.S)
    (tmp_path / "auswertungen" / "schwerpunkte.html").write_text(forged, encoding="utf-8")
    assert site_problems(tmp_path, published_cells(mart)) == [
        "auswertungen/schwerpunkte.html: 1 districts drawn with a value the mart's published figures cannot give"]


def test_analysis_pages_load_nothing_from_outside(site):
    files = [*site.analysis_pages.values(), *(site.out_dir / "assets").glob("*.js"),
             *(site.out_dir / "assets").glob("*.css"), *site.profiles.values()]
    load = re.compile(r"""(?:\b(?:src|href)\s*=\s*\\?["']?|url\(\s*["']?|@import\s+["']?)\s*(?:https?:)?//""", re.I)
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.name == "leaflet.js":
            continue  # Leaflet's attribution link; the attribution control is off (see test_dashboards_site)
        assert load.findall(text) == [], path
        if path.name not in ("leaflet.markercluster.js", "MarkerCluster.css", "leaflet.css"):
            assert "http://" not in text and "https://" not in text, path
    for name in ("auswertung.js", "angebote.js"):
        script = (site.out_dir / "assets" / name).read_text(encoding="utf-8")
        assert "tileLayer" not in script and "innerHTML" not in script


# -- building blocks ---------------------------------------------------------------------------------------

def test_diverging_classes_are_split_at_zero_with_brbg_colours():
    c = diverging([-900, -500, -20, 0, 30, 400, 1000, 1200])
    assert [cls.colour for cls in c.classes] == [*NEGATIVE[3], ZERO, *POSITIVE[3]]
    assert [cls.count for cls in c.classes] == [1, 1, 1, 1, 1, 1, 2]
    assert c.classes[4].label("€", 0) == "30 €" and c.classes[0].label("€", 0) == "-900 €"
    assert c.class_index(-20) == 2 and c.class_index(0) == 3 and c.class_index(1200) == 6
    only = diverging([5, 10])
    assert [cls.colour for cls in only.classes] == list(POSITIVE[2]) and diverging([]).classes == ()


def test_hidden_reason_from_published_statuses_only():
    assert hidden_reason([PUBLISHED, SECRET], 5000, 300) == SECRET
    assert hidden_reason([TOO_FEW, TOO_FEW], 5000, 300) == TOO_FEW
    assert hidden_reason([PUBLISHED, SECRET], 150, 300) == TOO_FEW  # a tiny district is "too few" first
    assert hidden_reason([NO_DATA, PUBLISHED], None, 300) == NO_DATA
    assert hidden_reason([], None, 300) == NO_DATA
    assert not Cell(PUBLISHED).published and Cell(PUBLISHED, 0).published


def test_offer_ids_and_distances_in_german():
    assert slug("Frühe Hilfen 0-3") == "fruehe-hilfen-0-3" and slug("Straße/Größe") == "strasse-groesse"
    assert slug("***") == "angebot"
    assert distance_text(350.4) == "350 m" and distance_text(1234.5) == "1,2 km" and distance_text(None) is None
    assert distance_text(12345.0) == "12,3 km"
