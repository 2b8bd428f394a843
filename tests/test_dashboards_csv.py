"""Each page's table as CSV: German dialect, published figures only, linked from its page, read by the audit."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest
from dashboard_fixtures import make_config, make_mart
from hypothesis import given
from hypothesis import strategies as st

from pipelines.lib.audit.site import site_problems
from pipelines.lib.dashboards import build_site
from pipelines.lib.duck import connect
from pipelines.lib.stages.publish import published_cells

pytestmark = pytest.mark.filterwarnings("ignore:Numba not installed")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("csv_site")
    mart = make_mart(root / "mart.duckdb")
    with connect(mart) as con:  # a district name a spreadsheet would run as a formula
        con.execute("""update districts set name = '=HYPERLINK("http://x")' where district_id = 'P08'""")
    return mart, build_site(mart, root / "site", make_config(root))


def _rows(path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw  # BOM, CRLF
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))


def _map_cells(html: str) -> dict[tuple[str, str], list]:
    data = json.loads(re.search(r'id="sm-daten">(.*?)</script>', html, flags=re.S).group(1).replace("<\\/", "</"))
    return {(f["id"], year): cells[i][n] for year, cells in data["werte"].items()
            for i, level in enumerate(data["ebenen"]) for n, f in enumerate(level["geo"]["features"])}


def test_indicator_csv_holds_the_maps_published_cells_and_only_the_status_of_hidden_ones(built):
    mart, site = built
    page = site.pages["kinderarmut"]
    html = page.read_text(encoding="utf-8")
    assert '<a href="kinderarmut.csv" download type="text/csv">Tabelle als CSV herunterladen</a>' in html
    rows = _rows(page.with_name("kinderarmut.csv"))
    assert rows[0]["Gebiet-ID"] == "S" and rows[0]["Wert"] == "22,0"  # the city first
    cells = _map_cells(html)
    checked = 0
    for row in rows[2:]:
        cell = cells[(row["Gebiet-ID"], row["Jahr"])]
        if cell[0] == 0:
            assert row["Status"] == "veröffentlicht"
            assert (row["Wert"], row["KI unten"], row["KI oben"], row["Zähler"]) == (*cell[1:4], cell[4].replace(".", ""))
            checked += 1
        else:
            assert row["Status"] != "veröffentlicht"
            assert [row[k] for k in ("Wert", "KI unten", "KI oben", "Zähler", "Nenner", "Vergleich mit der Stadt")] \
                == [""] * 6
    assert checked >= 8
    p03 = next(r for r in rows if r["Gebiet-ID"] == "P03" and r["Jahr"] == "2023")
    assert p03["Status"] == "geheimgehalten (Datenschutz)"
    named = next(r for r in rows if r["Gebiet-ID"] == "P08")
    assert named["Gebiet"] == """'=HYPERLINK("http://x")"""  # neutralised (OWASP)
    assert site_problems(site.out_dir, published_cells(mart)) == []


def test_profile_csv_lists_every_indicator_and_year_of_the_district(built):
    _mart, site = built
    html = site.profiles["P03"].read_text(encoding="utf-8")
    assert 'href="P03.csv"' in html
    rows = _rows(site.profiles["P03"].with_name("P03.csv"))
    assert {(r["Indikator-ID"], r["Jahr"], r["Status"]) for r in rows} == {
        ("kita_u3", "2022", "keine Daten"), ("kita_u3", "2023", "veröffentlicht"),
        ("hilfen_zur_erziehung", "2023", "keine Daten"), ("kinderarmut", "2022", "veröffentlicht"),
        ("kinderarmut", "2023", "geheimgehalten (Datenschutz)")}
    kita = next(r for r in rows if r["Indikator-ID"] == "kita_u3" and r["Jahr"] == "2023")
    assert kita["Vergleich mit der Stadt"] == "ähnlich wie die Stadt"


def _site_copy(built, tmp_path):
    """A copy of the built site to tamper with, and the mart's published cells to audit it against."""
    mart, site = built
    copy = tmp_path / "site"
    shutil.copytree(site.out_dir, copy)
    return copy, published_cells(mart)


def test_the_audit_fails_a_csv_with_a_hidden_value_or_a_formula(built, tmp_path):
    copy, cells = _site_copy(built, tmp_path)
    path = copy / "steckbriefe" / "P03.csv"
    text = path.read_text(encoding="utf-8")
    hidden = ("kinderarmut;Kinder unter 15 Jahren in SGB-II-Bedarfsgemeinschaften;%;P03;Bahnhofsviertel;"
              "Planungsraum;2023;;;;;;;geheimgehalten (Datenschutz)")
    assert hidden in text
    path.write_text(text.replace(hidden, hidden.replace("2023;;", "2023;35,1;")), encoding="utf-8")
    assert site_problems(copy, cells) == [
        "steckbriefe/P03.csv: 1 rows of hidden cells carry figures",
        "steckbriefe/P03.csv: 1 rows carry figures of cells the mart does not publish"]
    # relabelled as published, the value is still a cell the mart hides
    path.write_text(text.replace(hidden, hidden.replace("2023;;", "2023;35,1;").replace(
        "geheimgehalten (Datenschutz)", "veröffentlicht")), encoding="utf-8")
    assert site_problems(copy, cells) == ["steckbriefe/P03.csv: 1 rows carry figures of cells the mart does not publish"]
    path.write_text(text.replace("Bahnhofsviertel", "=cmd|' /C calc'!A0"), encoding="utf-8")
    assert site_problems(copy, cells) == ["steckbriefe/P03.csv: 5 fields start like a spreadsheet formula"]
    path.write_text(text.replace("Gebiet-ID", "Gebiet"), encoding="utf-8")
    assert site_problems(copy, cells) == ["steckbriefe/P03.csv: no column Gebiet-ID naming the cell of each row"]


ANALYSIS_PAGES = ("handlungsbedarf", "schwerpunkte", "angebote", "mittelverteilung")


def _view_cells(html: str) -> dict[tuple[str, str], tuple[dict, list]]:
    """(view id, district id) → (the view, the page cell) of an analysis page."""
    data = json.loads(re.search(r'id="sm-daten">(.*?)</script>', html, flags=re.S).group(1).replace("<\\/", "</"))
    return {(v["id"], f["id"]): (v, cells[n]) for v in data["ansichten"]
            for level, cells in zip(data["ebenen"], v["werte"], strict=True)
            for n, f in enumerate(level["geo"]["features"])}


@pytest.mark.parametrize("page_id", ANALYSIS_PAGES)
def test_analysis_csv_holds_the_pages_cells_and_only_the_status_of_districts_without_a_value(built, page_id):
    mart, site = built
    page = site.analysis_pages[page_id]
    html = page.read_text(encoding="utf-8")
    assert f'<a href="{page_id}.csv" download type="text/csv">Tabelle als CSV herunterladen</a>' in html
    rows = _rows(page.with_name(f"{page_id}.csv"))
    cells = _view_cells(html)
    assert {(r["Ansicht-ID"], r["Gebiet-ID"]) for r in rows} == set(cells)  # every view and district, once
    assert len(rows) == len(cells)
    fixed = {"Ansicht-ID", "Ansicht", "Gebiet-ID", "Gebiet", "Gebietsebene", "Jahr", "Status"}
    shown = hidden = 0
    for row in rows:
        view, cell = cells[(row["Ansicht-ID"], row["Gebiet-ID"])]
        assert row["Ansicht"] == view["name"] and row["Jahr"] == str(view["jahr"])
        if cell[0] == 0:  # drawn with a value: the texts of the page's table, field by field
            assert row["Status"] == "veröffentlicht"
            assert [row[label] or None for label in view["felder"]] == [
                None if text is None else (text if not text.startswith(("-", "+", "=", "@")) or
                                           re.fullmatch(r"-?\d+(,\d+)?", text) else "'" + text)
                for text in cell[4:]]
            assert row["Klasse"]
            shown += 1
        else:  # the status the map draws, nothing else
            assert row["Status"] != "veröffentlicht"
            assert [v for k, v in row.items() if k not in fixed] == [""] * (len(row) - len(fixed))
            hidden += 1
    assert shown and (hidden or page_id == "mittelverteilung")  # the allocation estimates every district
    assert site_problems(site.out_dir, published_cells(mart)) == []


def test_the_audit_fails_an_analysis_csv_with_a_figure_of_a_district_without_a_value(built, tmp_path):
    copy, cells = _site_copy(built, tmp_path)
    path = copy / "auswertungen" / "schwerpunkte.csv"
    text = path.read_text(encoding="utf-8")
    hidden = ("kinderarmut;Kinder unter 15 Jahren in SGB-II-Bedarfsgemeinschaften;P03;Bahnhofsviertel;Planungsraum;"
              "2023;;;;;;geheimgehalten (Datenschutz)")
    assert hidden in text  # the hot spots of an indicator the mart hides in P03 in 2023
    leaked = hidden.replace(";;;;;;", ";hoch-hoch;;;;35,1 %;")
    path.write_text(text.replace(hidden, leaked), encoding="utf-8")
    assert site_problems(copy, cells) == [
        "auswertungen/schwerpunkte.csv: 1 rows of hidden cells carry figures",
        "auswertungen/schwerpunkte.csv: 1 rows carry figures of cells the mart does not publish"]
    relabelled = leaked.replace("geheimgehalten (Datenschutz)", "veröffentlicht")
    path.write_text(text.replace(hidden, relabelled), encoding="utf-8")
    assert site_problems(copy, cells) == [
        "auswertungen/schwerpunkte.csv: 1 rows carry figures of cells the mart does not publish"]
    path.write_text(text, encoding="utf-8")

    # the need index of a district the mart publishes nothing of in that year (too few inhabitants)
    path = copy / "auswertungen" / "handlungsbedarf.csv"
    text = path.read_text(encoding="utf-8")
    small = "typ;Statusklasse und Dynamik;P07;Am Wald;Planungsraum;2023;;;;;;;;zu wenige Einwohner"
    assert small in text
    path.write_text(text.replace(small, small.replace(";;;;;;;;zu wenige Einwohner",
                                                      ";4 – sehr hoch;4 – sehr hoch;;;;;;veröffentlicht")),
                    encoding="utf-8")
    assert site_problems(copy, cells) == [
        "auswertungen/handlungsbedarf.csv: 1 rows carry figures of cells the mart does not publish"]
    path.write_text(text.replace("Ansicht-ID", "Ansicht-Nr"), encoding="utf-8")
    assert site_problems(copy, cells) == [
        "auswertungen/handlungsbedarf.csv: no column Indikator-ID naming the cell of each row"]


def test_the_lines_written_directly_are_those_of_the_german_csv_writer(tmp_path):
    """The pages' tables are written line by line, not through :func:`write_german_rows`: the same bytes for
    texts with semicolons, quotes, line breaks and formula starts, negative and large numbers, missing ones."""
    from pipelines.lib.dashboards.comparison import TEXT
    from pipelines.lib.dashboards.formatting import STATUS_TEXT, format_number
    from pipelines.lib.dashboards.geo import District
    from pipelines.lib.dashboards.mart import IndicatorMeta, Value
    from pipelines.lib.dashboards.page_csv import (
        COLUMNS,
        NUMERIC,
        cell_lines,
        district_head,
        indicator_head,
        write_csv,
    )
    from pipelines.lib.release.german_csv import write_german_rows

    names = ['=HYPERLINK("x")', 'a;b "c"', "zwei\nZeilen", "-5 Jahre", "@Summe", "\tTab", "", "Nordend"]
    indicators = [IndicatorMeta(f"i{n}", name, "", "D", "", "none", "share", name or None, n % 2 == 0, "")
                  for n, name in enumerate(names)]
    districts = [District(f"d;{n}", name, "lv", name, 1, None, None) for n, name in enumerate(reversed(names))]
    values = [Value("x", "veröffentlicht", 12, 3400, -1.25, -2.35, 0.05), Value("x", "geheimgehalten"), None,
              Value("x", "veröffentlicht", None, None, 1234567.891, None, 3.0),
              Value("x", "veröffentlicht", 0, 1000, 0.25, 0.15, 0.35), Value("x", "zu wenige Einwohner")]
    comparisons = [None, *TEXT]
    cells, expected = [], []
    for n, (ind, d) in enumerate((i, d) for i in indicators for d in districts):
        value, comparison = values[n % len(values)], comparisons[n % len(comparisons)]
        cells.append((ind, f"{indicator_head(ind)};{district_head(d)}", 2024, value, comparison))
        head = (ind.indicator_id, ind.label, ind.unit_label, d.district_id, d.name, d.level_label, 2024)
        if value is None or not value.published:
            status = "keine Daten" if value is None else value.status
            expected.append((*head, None, None, None, None, None, None, STATUS_TEXT[status]))
            continue
        ci = value.ci_low is not None and value.ci_high is not None

        def number(x, ci=True):
            return format_number(x, 1).replace(".", "") if ci else None

        expected.append((*head, number(value.rate), number(value.ci_low, ci), number(value.ci_high, ci),
                         None if value.numerator is None else str(value.numerator),
                         str(value.denominator) if value.denominator is not None and ind.denominator_public else None,
                         TEXT[comparison] if comparison else None, STATUS_TEXT["veröffentlicht"]))
    direct = write_csv(tmp_path / "direct.csv", cell_lines(cells, 1)).read_bytes()
    assert direct == write_german_rows(tmp_path / "generic.csv", COLUMNS, expected, NUMERIC).read_bytes()
    assert b"'=HYPERLINK" in direct and b'"a;b ""c"""' in direct and b";-1,3;-2,4;0,1;12;3400;" in direct


@given(st.lists(st.lists(st.text(alphabet=st.sampled_from(list('=+-@\t\r\n;"a1,\u2028\x0b\x85 ')), max_size=5),
                         min_size=3, max_size=3), min_size=1, max_size=4))
def test_every_field_that_starts_like_a_formula_is_where_the_quick_look_finds_one(rows):
    """The audit looks at each field for formulas only where a regular expression finds a place a field could
    start so: it must find one wherever the CSV reader gives such a field."""
    import io

    from pipelines.lib.audit.site import _FIELD_START, _FORMULA_STARTS

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    fields = [f for row in csv.reader(text.splitlines(), delimiter=";", quotechar='"') for f in row]
    if any(f.startswith(_FORMULA_STARTS) for f in fields):
        assert _FIELD_START.search(text)
