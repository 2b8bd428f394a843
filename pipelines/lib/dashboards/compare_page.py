"""``vergleich.html``: two or more districts side by side, and a scatter of two indicators.

Every indicator in its newest year, for every district: the page embeds one JSON block
(``<script type="application/json" id="sm-vergleich">``), ``zellen[indicator][district]`` is
``[0, rate, ci_low, ci_high, comparison]`` (German-formatted strings, the comparison as its code or null)
where the mart publishes the cell and the bare ``[status code]`` otherwise — the same rule as the map pages,
and the release audit checks it the same way (:mod:`pipelines.lib.audit.site`). ``assets/vergleich.js``
draws the table of the chosen districts (a hidden cell shows its status, e.g. "geheimgehalten
(Datenschutz)") and the scatter of two indicators on one level as plain SVG: a district is drawn only where
both of its cells are published; the others are listed by name with their status, without a figure.
The table of all districts is ``vergleich.csv`` (:mod:`page_csv`).
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.comparison import CODES, TEXT, comparisons
from pipelines.lib.dashboards.formatting import STATUS_TEXT, format_numbers
from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.map_data import STATUS_CODES, display_status
from pipelines.lib.dashboards.mart import IndicatorMeta, RunInfo, Value
from pipelines.lib.dashboards.page_csv import (
    COMPARISON_CSV,
    cell_lines,
    district_head,
    download_link,
    indicator_head,
)
from pipelines.lib.dashboards.page_frame import footer, hatch_defs, header, html_page, js_json, profile_href

COMPARISON_PAGE = "vergleich.html"
DATA_ID = "sm-vergleich"
_STATUS_CODE = {status: i for i, status in enumerate(STATUS_CODES)}
_COMPARISON_CODE = {comparison: i for i, comparison in enumerate(CODES)}


def latest_comparisons(indicators: list[IndicatorMeta], latest: dict[str, tuple[int, dict[str, Value]]],
                       city: District | None, benchmarks: dict[tuple[str, int, str], tuple[str | None, str | None]]
                       ) -> dict[str, dict[str, str]]:
    """Indicator → district → comparison with the city in the indicator's newest year (published
    ``indicator_benchmarks`` first, else from the published intervals, :func:`~.comparison.comparisons`)."""
    newest = {i: year for i, (year, _values) in latest.items()}
    lookups: dict[str, dict[str, str]] = {}  # the benchmarks of each indicator's newest year, read in one pass
    for (i, y, d), (vs_city, _parent) in benchmarks.items():
        if vs_city is not None and newest.get(i) == y:
            lookups.setdefault(i, {})[d] = vs_city
    out = {}
    for ind in indicators:
        if ind.indicator_id not in latest:
            continue
        _year, values = latest[ind.indicator_id]
        out[ind.indicator_id] = comparisons(values, city.district_id if city else None, ind.direction,
                                            lookups.get(ind.indicator_id, {}))
    return out


def compare_data(districts: list[District], indicators: list[IndicatorMeta],
                 latest: dict[str, tuple[int, dict[str, Value]]], compared: dict[str, dict[str, str]],
                 decimals: int) -> dict:
    """The JSON the page script reads (see the module docstring)."""
    shown = [i for i in indicators if i.indicator_id in latest]
    levels = []
    for d in districts:
        if (d.level, d.level_label) not in levels:
            levels.append((d.level, d.level_label))
    cells = []
    for ind in shown:
        _year, values = latest[ind.indicator_id]
        row = []
        published = [(n, values[d.district_id]) for n, d in enumerate(districts)
                     if d.district_id in values and values[d.district_id].published]
        rates = format_numbers([v.rate for _, v in published], decimals)
        lows = format_numbers([v.ci_low if v.ci_low is not None else 0.0 for _, v in published], decimals)
        highs = format_numbers([v.ci_high if v.ci_high is not None else 0.0 for _, v in published], decimals)
        formatted = {n: (r, lo if v.ci_low is not None and v.ci_high is not None else None,
                         hi if v.ci_low is not None and v.ci_high is not None else None)
                     for (n, v), r, lo, hi in zip(published, rates, lows, highs, strict=True)}
        for n, d in enumerate(districts):
            if n in formatted:
                comparison = compared.get(ind.indicator_id, {}).get(d.district_id)
                row.append([0, *formatted[n], _COMPARISON_CODE[comparison] if comparison else None])
            else:
                row.append([_STATUS_CODE[display_status(values.get(d.district_id))]])
        cells.append(row)
    return {
        "indikatoren": [{"id": i.indicator_id, "name": i.label, "einheit": i.unit_label or "", "bereich": i.domain,
                         "jahr": latest[i.indicator_id][0], "richtung": i.direction} for i in shown],
        "gebiete": [{"id": d.district_id, "name": d.name, "ebene": d.level, "steckbrief": profile_href(d.district_id, "")}
                    for d in districts],
        "ebenen": [{"id": level, "name": label} for level, label in levels],
        "status": [STATUS_TEXT[s] for s in STATUS_CODES],
        "vergleiche": [TEXT[c] for c in CODES],
        "zellen": cells,
    }


def compare_rows(districts: list[District], indicators: list[IndicatorMeta],
                 latest: dict[str, tuple[int, dict[str, Value]]], compared: dict[str, dict[str, str]],
                 decimals: int) -> list[str]:
    """The rows of ``vergleich.csv``: every district (in page order) and indicator in its newest year."""
    heads = {ind.indicator_id: indicator_head(ind) for ind in indicators}
    shown = [ind for ind in indicators if ind.indicator_id in latest]
    cells = []
    for d in districts:
        place = district_head(d)
        for ind in shown:
            year, values = latest[ind.indicator_id]
            cells.append((ind, f"{heads[ind.indicator_id]};{place}", year, values.get(d.district_id),
                          compared.get(ind.indicator_id, {}).get(d.district_id)))
    return cell_lines(cells, decimals)


def render_compare_page(data: dict, run: RunInfo, *, timezone: str = "Europe/Berlin") -> str:
    """The complete HTML of ``vergleich.html`` from :func:`compare_data`."""
    level_groups = []
    for level in data["ebenen"]:
        options = "".join(f'<option value="{escape(g["id"])}">{escape(g["name"])}</option>'
                          for g in data["gebiete"] if g["ebene"] == level["id"])
        level_groups.append(f'<optgroup label="{escape(level["name"])}">{options}</optgroup>')
    indicator_options = "".join(f'<option value="{n}">{escape(i["name"])} ({i["jahr"]})</option>'
                                for n, i in enumerate(data["indikatoren"]))
    level_options = "".join(f'<option value="{escape(lv["id"])}"{" selected" if n == len(data["ebenen"]) - 1 else ""}>'
                            f'{escape(lv["name"])}</option>' for n, lv in enumerate(data["ebenen"]))
    body = [
        header("Gebiete vergleichen", [escape(run.city_name), "alle Indikatoren im neuesten Jahr"], prefix=""),
        '<main class="inhalt vergleich-seite">',
        '<p class="erklaerung">Je Indikator der Wert des neuesten Jahres mit 95 %-Konfidenzintervall (KI) und dem '
        "Vergleich mit der Stadt. Ein Gebiet ohne veröffentlichten Wert zeigt nur seinen Status, etwa "
        "„geheimgehalten (Datenschutz)“.</p>",
        '<form class="steuerung vergleich-wahl" aria-label="Gebiete wählen" onsubmit="return false">'
        '<label for="sm-gebiete">Gebiete (mehrere mit Strg oder Umschalt)</label> '
        f'<select id="sm-gebiete" multiple size="8">{"".join(level_groups)}</select></form>',
        '<table class="werte vergleich-tabelle" id="sm-vergleich-tabelle"><caption>Gewählte Gebiete im Vergleich'
        "</caption><thead></thead><tbody></tbody></table>",
        download_link(COMPARISON_CSV),
        '<section class="streu" aria-labelledby="sm-streu-titel"><h2 id="sm-streu-titel">Zwei Indikatoren '
        "gegeneinander</h2>"
        '<p class="erklaerung">Jeder Punkt ist ein Gebiet der gewählten Ebene mit veröffentlichtem Wert bei beiden '
        "Indikatoren (jeweils das neueste Jahr); die gewählten Gebiete sind hervorgehoben. Gebiete ohne "
        "veröffentlichten Wert werden nicht gezeichnet und unter dem Bild genannt.</p>"
        '<form class="steuerung" aria-label="Achsen wählen" onsubmit="return false">'
        f'<label for="sm-x">Waagerecht</label> <select id="sm-x">{indicator_options}</select> '
        f'<label for="sm-y">Senkrecht</label> <select id="sm-y">{indicator_options}</select> '
        f'<label for="sm-streu-ebene">Gebietsebene</label> <select id="sm-streu-ebene">{level_options}</select>'
        '</form><div id="sm-streu-bild"></div><p class="ohne-wert-liste" id="sm-streu-ohne"></p></section>',
        '<noscript><p class="hinweis">Der Vergleich braucht JavaScript. Alle Werte stehen in der '
        f'<a href="{COMPARISON_CSV}">Tabelle als CSV</a> und in den <a href="gebiete.html">Steckbriefen</a>.'
        "</p></noscript>",
        "</main>",
        footer(run, timezone),
        hatch_defs(),
        f'<script type="application/json" id="{DATA_ID}">{js_json(data)}</script>',
    ]
    return html_page(f"Gebiete vergleichen – {run.city_name}", "\n".join(body), prefix="",
                     body_class="vergleichsseite", scripts=("vergleich.js",))
