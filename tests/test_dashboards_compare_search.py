"""The comparison page and the start page's search index: names and published cells only, read by the audit."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest
from dashboard_fixtures import make_config, make_mart

from pipelines.lib.audit.site import site_problems
from pipelines.lib.dashboards import build_site
from pipelines.lib.stages.publish import published_cells

pytestmark = pytest.mark.filterwarnings("ignore:Numba not installed")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare_site")
    mart = make_mart(root / "mart.duckdb")
    return mart, build_site(mart, root / "site", make_config(root))


def _compare_data(html: str) -> dict:
    return json.loads(re.search(r'id="sm-vergleich">(.*?)</script>', html, flags=re.S).group(1).replace("<\\/", "</"))


def _search(site) -> list[list[str]]:
    text = (site.out_dir / "suchindex.js").read_text(encoding="utf-8")
    return json.loads(text.removeprefix("window.smSuchindex = ").rstrip().removesuffix(";"))


def test_comparison_page_holds_every_district_and_indicator_in_the_newest_year(built):
    mart, site = built
    html = site.comparison_page.read_text(encoding="utf-8")
    data = _compare_data(html)
    assert [g["id"] for g in data["gebiete"]] == ["S", "B1", "B2", "P01", "P02", "P03", "P04", "P05", "P06", "P07",
                                                  "P08"]
    assert {i["id"]: i["jahr"] for i in data["indikatoren"]} == {"hilfen_zur_erziehung": 2023, "kinderarmut": 2023,
                                                                  "kita_u3": 2023}
    at = {g["id"]: n for n, g in enumerate(data["gebiete"])}
    kinderarmut = data["zellen"][[i["id"] for i in data["indikatoren"]].index("kinderarmut")]
    assert kinderarmut[at["P03"]] == [1]  # geheimgehalten: the bare status code
    assert kinderarmut[at["P01"]] == [0, "12,0", "10,1", "14,2", 0]  # besser als die Stadt
    assert data["status"][1] == "geheimgehalten (Datenschutz)"
    # the CSV beside it: the same cells, row by row
    rows = list(csv.DictReader((site.out_dir / "vergleich.csv").read_text(encoding="utf-8-sig").splitlines(),
                               delimiter=";"))
    assert len(rows) == 11 * 3
    p03 = next(r for r in rows if r["Gebiet-ID"] == "P03" and r["Indikator-ID"] == "kinderarmut")
    assert (p03["Wert"], p03["Status"]) == ("", "geheimgehalten (Datenschutz)")
    assert 'href="vergleich.html"' in site.index.read_text(encoding="utf-8")
    assert 'href="../vergleich.html#gebiete=S,P03"' in site.profiles["P03"].read_text(encoding="utf-8")
    assert site_problems(site.out_dir, published_cells(mart)) == []


def test_the_audit_fails_a_comparison_page_with_a_hidden_value(built, tmp_path):
    mart, site = built
    copy = tmp_path / "site"
    shutil.copytree(site.out_dir, copy)
    page = copy / "vergleich.html"
    html = page.read_text(encoding="utf-8")
    data = _compare_data(html)
    row = [i["id"] for i in data["indikatoren"]].index("kinderarmut")
    at = [g["id"] for g in data["gebiete"]].index("P03")
    for planted, message in (([1, "35,1"], "1 hidden districts carry figures in the comparison data"),
                             ([0, "35,1", None, None, None], "1 districts compared with a value the mart does not publish")):
        data["zellen"][row][at] = planted
        block = re.search(r'(id="sm-vergleich">)(.*?)(</script>)', html, flags=re.S)
        page.write_text(html[:block.start(2)] + json.dumps(data, ensure_ascii=False) + html[block.end(2):],
                        encoding="utf-8")
        assert site_problems(copy, published_cells(mart)) == [f"vergleich.html: {message}"]


def test_search_index_names_every_district_and_indicator_with_its_link_and_nothing_else(built, tmp_path):
    _mart, site = built
    entries = _search(site)
    districts = [e for e in entries if e[0] == "Gebiet"]
    indicators = [e for e in entries if e[0] == "Indikator"]
    assert len(districts) == 11 and len(indicators) == 3
    assert ["Gebiet", "Bahnhofsviertel", "P03", "Planungsraum", "steckbriefe/P03.html"] in districts
    assert ["Indikator", "Kinder unter 15 Jahren in SGB-II-Bedarfsgemeinschaften", "kinderarmut", "Soziales",
            "indikatoren/kinderarmut.html"] in indicators
    for e in entries:
        assert (site.out_dir / e[4]).is_file()
    index = site.index.read_text(encoding="utf-8")
    assert 'id="sm-suche"' in index and '<script src="suchindex.js"></script>' in index
    assert '<label for="sm-suche">' in index
    copy = tmp_path / "site"
    shutil.copytree(site.out_dir, copy)
    planted = [*entries[:5], [*entries[5], "31,4"], *entries[6:]]
    (copy / "suchindex.js").write_text(f"window.smSuchindex = {json.dumps(planted, ensure_ascii=False)};\n",
                                       encoding="utf-8")
    assert site_problems(copy) == ["suchindex.js: 1 search entries hold more than kind, name, code, detail and link"]
