"""One indicator page: a Leaflet choropleth with a level and a year switch, legend, table and sources.

The page is static HTML plus one JSON block (see :mod:`map_data`); ``assets/karte.js`` draws it with
Leaflet core only. The controls are native ``<select>`` elements and buttons (keyboard-accessible);
the values of the chosen level and year are also available as a table with links to the profiles.
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.formatting import format_date, life_phase_label
from pipelines.lib.dashboards.geo import bounds
from pipelines.lib.dashboards.legend import legend
from pipelines.lib.dashboards.map_data import IndicatorMap, LevelMap, page_data
from pipelines.lib.dashboards.mart import RunInfo
from pipelines.lib.dashboards.page_csv import download_link
from pipelines.lib.dashboards.page_frame import footer, hatch_defs, header, html_page, js_json

SCRIPTS = ("leaflet.js", "karte.js")


def render_indicator_page(
    data: IndicatorMap,
    run: RunInfo,
    *,
    levels: tuple[LevelMap, ...] | None = None,
    scope: str | None = None,
    prefix: str = "../",
    decimals: int = 1,
    timezone: str = "Europe/Berlin",
    unit_links: list[tuple[str, str]] | None = None,
    csv_href: str | None = None,
) -> str:
    """The complete HTML of an indicator page.

    ``levels`` restricts the page to some levels or districts (one page per top-level unit at national
    scale; ``scope`` then names the unit in the title); classes stay those of the whole city. ``csv_href``:
    the indicator's table as CSV (:mod:`page_csv`), linked above the table.
    """
    ind = data.indicator
    levels = data.levels if levels is None else levels
    title = ind.label if scope is None else f"{ind.label} – {scope}"
    years = data.years
    meta = [
        escape(run.city_name),
        f"Bereich {escape(ind.domain)}",
        f"Lebensphase {escape(life_phase_label(ind.life_phase))}",
        f"Jahre {years[0]}–{years[-1]}" if len(years) > 1 else (f"Jahr {years[0]}" if years else "keine Daten"),
        f"Datenstand {escape(format_date(run.data_date))}",
    ]
    payload = page_data(data, levels, decimals, f"{prefix}steckbriefe/")
    all_districts = [d for lv in levels for d in lv.districts]
    payload["grenzen"] = bounds(all_districts) if all_districts else None
    body = [
        header(title, meta, prefix=prefix),
        _controls(levels, years, data.default_year),
        f'<div id="sm-karte" class="karte" role="region" aria-label="Karte: {escape(ind.label)}. '
        'Alle Werte stehen auch in der Tabelle unter der Karte."></div>',
        legend(data, levels, decimals),
        _ranking(data.indicator.direction),
        _unit_links(unit_links or []),
        _table(ind.label, csv_href),
        footer(run, timezone, ind.source),
        hatch_defs(),
        '<noscript><p class="hinweis">Die Karte braucht JavaScript. Die Werte jedes Gebiets stehen in den '
        f'<a href="{prefix}gebiete.html">Steckbriefen</a>.</p></noscript>',
        f'<script type="application/json" id="sm-daten">{js_json(payload)}</script>',
    ]
    return html_page(f"{title} – {run.city_name}", "\n".join(body), prefix=prefix,
                     body_class="kartenseite",
                     head=f'<link rel="stylesheet" href="{prefix}assets/leaflet.css">\n',
                     scripts=SCRIPTS)


def _controls(levels: tuple[LevelMap, ...], years: tuple[int, ...], default_year: int | None) -> str:
    default_level = levels[-1].level if levels else None
    level_options = "".join(
        f'<option value="{escape(lv.level)}"{" selected" if lv.level == default_level else ""}>'
        f"{escape(lv.label)}</option>" for lv in levels
    )
    year_options = "".join(
        f'<option value="{y}"{" selected" if y == default_year else ""}>{y}</option>' for y in years
    )
    return (
        '<form class="steuerung" aria-label="Kartenauswahl" onsubmit="return false">'
        f'<label for="sm-ebene">Gebietsebene</label> <select id="sm-ebene">{level_options}</select> '
        f'<label for="sm-jahr">Jahr</label> <select id="sm-jahr">{year_options}</select> '
        '<button type="button" id="sm-frueher" aria-label="Ein Jahr früher">◀ früher</button> '
        '<button type="button" id="sm-spaeter" aria-label="Ein Jahr später">später ▶</button>'
        '<span id="sm-grob" class="grob" role="status" hidden><span id="sm-grob-text"></span> '
        '<button type="button" id="sm-grob-knopf"></button></span>'
        "</form>"
    )


def _table(label: str, csv_href: str | None = None) -> str:
    return (
        '<div class="tabelle">' + (download_link(csv_href) if csv_href else "") +
        '<details class="tabelle-werte"><summary>Werte als Tabelle</summary>'
        f'<table id="sm-tabelle"><caption>{escape(label)}: <span id="sm-tabelle-titel"></span></caption>'
        "<thead><tr><th scope=\"col\">Gebiet</th><th scope=\"col\">Wert</th><th scope=\"col\">95 %-KI</th>"
        '<th scope="col">Vergleich mit der Stadt</th><th scope="col">Status</th></tr></thead>'
        "<tbody></tbody></table></details></div>"
    )


def _unit_links(links: list[tuple[str, str]]) -> str:
    """At national scale: links to the maps of every top-level unit."""
    if not links:
        return ""
    items = "".join(f'<li><a href="{escape(href)}">{escape(name)}</a></li>' for name, href in links)
    return (f'<nav class="teilkarten" aria-label="Karten der Teilgebiete"><h2>Feinere Karten je Gebiet</h2>'
            f"<ul>{items}</ul></nav>")


def _ranking(direction: str) -> str:
    """The place of the ranking ``assets/karte.js`` draws for the chosen level and year (published cells only)."""
    order = {"higher_is_worse": "der niedrigste (beste) Wert oben",
             "lower_is_worse": "der höchste (beste) Wert oben"}.get(direction, "der höchste Wert oben")
    return (
        '<section class="rangfolge" id="sm-rangfolge" aria-labelledby="sm-rangfolge-titel">'
        '<h2 id="sm-rangfolge-titel">Rangfolge: <span id="sm-rangfolge-ebene"></span></h2>'
        f'<p class="erklaerung">Die Gebiete der gewählten Ebene nach ihrem Wert, {order}; die Linie ist das 95 %-'
        "Konfidenzintervall, die Farbe der Vergleich mit der Stadt (blau besser, gelb ähnlich, orange schlechter, "
        "violett höher oder niedriger ohne Wertung), die senkrechte Linie der Wert der Stadt. Gebiete ohne "
        "veröffentlichten Wert haben keinen Rang.</p>"
        '<div id="sm-rangfolge-bild"></div><p class="ohne-wert-liste" id="sm-rangfolge-ohne"></p></section>'
    )
