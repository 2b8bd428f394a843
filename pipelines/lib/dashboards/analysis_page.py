"""One analysis page: a Leaflet map with a view and a level switch, legend, table and sources.

Built like an indicator page (same frame, styles of districts without a value, JSON block, table with
links to the profiles), drawn by ``assets/auswertung.js``. The controls are native ``<select>`` and
checkbox elements (keyboard-accessible); the chosen view and level are kept in the URL hash
(``#ansicht=…&ebene=…``), which the print command uses.
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.analysis_legend import analysis_legend
from pipelines.lib.dashboards.analysis_map import AnalysisMap, payload
from pipelines.lib.dashboards.formatting import format_date
from pipelines.lib.dashboards.indicator_page import _unit_links
from pipelines.lib.dashboards.map_data import LevelMap
from pipelines.lib.dashboards.mart import RunInfo
from pipelines.lib.dashboards.page_csv import download_link
from pipelines.lib.dashboards.page_frame import footer, hatch_defs, header, html_page, js_json


def render_analysis_page(
    data: AnalysisMap,
    run: RunInfo,
    *,
    levels: tuple[LevelMap, ...] | None = None,
    scope: str | None = None,
    prefix: str = "../",
    timezone: str = "Europe/Berlin",
    unit_links: list[tuple[str, str]] | None = None,
    csv_href: str | None = None,
) -> str:
    """The complete HTML of an analysis page (``levels``/``scope``: a unit page at national scale;
    ``csv_href``: the page's table as CSV, :func:`~.page_csv.write_analysis_csv`, linked above the table)."""
    levels = data.levels if levels is None else levels
    title = data.title if scope is None else f"{data.title} – {scope}"
    years = data.years
    meta = [escape(run.city_name)]
    if years:
        meta.append(f"Jahr {years[0]}" if len(years) == 1 else f"Jahre {years[0]}–{years[-1]}")
    meta.append(f"Datenstand {escape(format_date(run.data_date))}")
    head = header(title, meta, prefix=prefix)
    head = head.replace("</header>", f'<p class="einleitung">{escape(data.intro)}</p></header>')
    json_data = payload(data, levels, f"{prefix}steckbriefe/")
    css = "".join(f'<link rel="stylesheet" href="{prefix}assets/{name}">\n' for name in ("leaflet.css", *data.styles))
    body = [
        head,
        _controls(data, levels),
        f'<div id="sm-karte" class="karte" role="region" aria-label="Karte: {escape(data.title)}. '
        'Alle Werte stehen auch in der Tabelle unter der Karte."></div>',
        analysis_legend(data, levels),
        _unit_links(unit_links or []),
        '<div class="tabelle">' + (download_link(csv_href) if csv_href else ""),
        '<details><summary>Werte als Tabelle</summary>'
        f'<table id="sm-tabelle"><caption>{escape(data.title)}: <span id="sm-tabelle-titel"></span></caption>'
        "<thead></thead><tbody></tbody></table></details>",
        data.after_table(prefix) if data.after_table else "",
        "</div>",
        footer(run, timezone, data.source),
        hatch_defs(),
        '<noscript><p class="hinweis">Die Karte braucht JavaScript. Die Werte jedes Gebiets stehen in den '
        f'<a href="{prefix}gebiete.html">Steckbriefen</a>.</p></noscript>',
        f'<script type="application/json" id="sm-daten">{js_json(json_data)}</script>',
    ]
    return html_page(f"{title} – {run.city_name}", "\n".join(body), prefix=prefix, body_class="kartenseite",
                     head=css, scripts=("leaflet.js", *data.scripts))


def _controls(data: AnalysisMap, levels: tuple[LevelMap, ...]) -> str:
    parts = ['<form class="steuerung" aria-label="Kartenauswahl" onsubmit="return false">']
    if len(data.views) > 1:
        options = "".join(
            f'<option value="{escape(v.view_id)}"{" selected" if i == 0 else ""}>{escape(v.name)}</option>'
            for i, v in enumerate(data.views))
        parts.append(f'<label for="sm-ansicht">{escape(data.view_label)}</label> '
                     f'<select id="sm-ansicht">{options}</select> ')
    elif data.views:
        parts.append(f'<span class="auswahl"><strong>{escape(data.view_label)}:</strong> '
                     f"{escape(data.views[0].name)}</span> ")
    if len(levels) > 1:
        default = levels[-1].level
        options = "".join(
            f'<option value="{escape(lv.level)}"{" selected" if lv.level == default else ""}>{escape(lv.label)}</option>'
            for lv in levels)
        parts.append(f'<label for="sm-ebene">Gebietsebene</label> <select id="sm-ebene">{options}</select> ')
    elif levels:
        parts.append(f'<span class="auswahl"><strong>Gebietsebene:</strong> {escape(levels[0].label)}</span> ')
    if data.symbols and data.symbol_toggle:
        parts.append(f'<label class="schalter"><input type="checkbox" id="sm-zeichen" checked> '
                     f"{escape(data.symbol_toggle)}</label> ")
    parts.append(data.controls)
    parts.append("</form>")
    return "".join(parts)
