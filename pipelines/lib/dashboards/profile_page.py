"""The profile ("Steckbrief") of one district: every indicator with rate, CI, city value, comparison, trend.

One page per district at every level, ``steckbriefe/<id>.html``, linked from the maps (click), their
tables and the district index. Only published figures appear; a hidden cell shows its status. Later
sections (need class, hot spot, offers, allocation) are passed in as ready HTML via ``sections``.
"""

from __future__ import annotations

from html import escape
from typing import NamedTuple

from pipelines.lib.config import DOMAINS
from pipelines.lib.dashboards.comparison import TEXT
from pipelines.lib.dashboards.formatting import (
    DERIVED_MARK,
    STATUS_TEXT,
    format_count,
    format_interval,
    format_number,
    format_rate,
)
from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.map_data import IndicatorMap, display_status
from pipelines.lib.dashboards.mart import RunInfo, Value
from pipelines.lib.dashboards.page_csv import csv_name, download_link
from pipelines.lib.dashboards.page_frame import footer, header, html_page, page_name
from pipelines.lib.dashboards.profile_charts import SCRIPT as CHART_SCRIPT
from pipelines.lib.dashboards.profile_charts import ProfileCharts
from pipelines.lib.dashboards.sparkline import sparkline, trend_text
from pipelines.lib.dashboards.spine import SpineRow, spine_section
from pipelines.lib.dashboards.timeseries import time_series

COMPARISON_CLASS = {"besser": "besser", "schlechter": "schlechter", "ähnlich": "aehnlich",
                    "höher": "neutral", "niedriger": "neutral"}


def render_profile(
    district: District,
    by_id: dict[str, District],
    children: list[District],
    maps: list[IndicatorMap],
    run: RunInfo,
    *,
    indicator_pages: dict[str, str],
    decimals: int = 1,
    timezone: str = "Europe/Berlin",
    sections: tuple[str, ...] = (),
    ranges: dict[tuple[str, int, str], tuple[float, float, float, float]] | None = None,
) -> str:
    """The complete HTML of ``steckbriefe/<id>.html``; ``indicator_pages``: indicator id → href;
    ``ranges``: (indicator, year, level) → the published rates of a level (min, quartiles, max), for the
    spine chart."""
    meta = [escape(district.level_label)]
    chain = _parents(district, by_id)
    if chain:
        meta.append("gehört zu " + " › ".join(
            f'<a href="{page_name(p.district_id)}">{escape(p.name)}</a>' for p in chain))
    if district.population is not None:
        meta.append(f"{format_count(district.population)} Einwohnerinnen und Einwohner")
    if district.area_km2 is not None:
        meta.append(f"{format_number(district.area_km2, 1)} km²")
    body = [header(f"Steckbrief {district.name}", meta, prefix="../"), '<main class="inhalt steckbrief">']
    body.append(
        '<p class="erklaerung">Je Indikator der Wert des neuesten Jahres mit 95 %-Konfidenzintervall (KI), '
        f"der Wert von {escape(run.city_name)} und der Vergleich: „ähnlich“, wenn der Wert der Stadt im KI "
        "des Gebiets liegt. Die Linie zeigt die Entwicklung (gestrichelt: die Stadt); Lücken sind Jahre "
        "ohne veröffentlichten Wert.<span class=\"nur-bildschirm\"> Ein Klick auf den Indikator öffnet die Karte."
        "</span></p>"
    )
    city = next((d for d in by_id.values() if d.level_rank == 0), None)
    city_id = city.district_id if city else None
    parent = by_id.get(district.parent_id) if district.parent_id else None
    charts = ProfileCharts(district.district_id, city_id if city_id != district.district_id else None,
                           parent.district_id if parent is not None and parent.level_rank > 0 else None, decimals)
    if city is not None:
        body.append(spine_section(district, parent, city, _spine_rows(maps, district, parent, city_id, ranges or {}),
                                  decimals, run.city_name, charts))
    trends = {m.indicator.indicator_id: _trend(m, district, city_id, run.city_name, decimals) for m in maps}
    domains = list(DOMAINS) + sorted({m.indicator.domain for m in maps} - set(DOMAINS))
    for domain in domains:
        rows = [m for m in maps if m.indicator.domain == domain]
        if rows:
            body.append(_domain_table(domain, rows, district, city_id, run.city_name, indicator_pages, decimals,
                                      trends, charts))
    body.append(download_link(csv_name(district.district_id)))
    others = f"{city_id},{district.district_id}" if city_id and city_id != district.district_id else district.district_id
    body.append(f'<p class="kartenlink nur-bildschirm"><a href="../vergleich.html#gebiete={escape(others)}">'
                "Mit anderen Gebieten vergleichen</a></p>")
    body.append(_series_section(maps, run.city_name, trends, charts))
    body.extend(sections)
    if children:
        body.append(f"<h2>Teilgebiete ({escape(children[0].level_label)})</h2><ul class=\"teilgebiete\">")
        body.extend(f'<li><a href="{page_name(c.district_id)}">{escape(c.name)}</a></li>' for c in children)
        body.append("</ul>")
    body.append("</main>")
    body.append(footer(run, timezone, _sources(maps)))
    data = charts.script()
    if data:
        body.append(data)
    return html_page(f"Steckbrief {district.name} – {run.city_name}", "\n".join(body), prefix="../",
                     body_class="steckbriefseite", scripts=(CHART_SCRIPT,) if data else ())


class Trend(NamedTuple):
    """One indicator's years in one district: its values, the city's (none on the city's own profile) and
    the text alternative that the sparkline and the time-series chart share."""

    years: list[int]
    values: dict[int, Value | None]
    city: dict[int, Value | None]
    text: str


def _trend(m: IndicatorMap, district: District, city_id: str | None, city_name: str, decimals: int) -> Trend:
    years = list(m.years)
    values = {y: m.values[y].get(district.district_id) for y in years}
    city = {y: m.values[y].get(city_id) for y in years} if city_id and district.district_id != city_id else {}
    ref = {y: v.rate for y, v in city.items() if v is not None and v.published}
    text = trend_text(years, values, m.indicator.unit, decimals, district.name, ref, city_name) if len(years) > 1 else ""
    return Trend(years, values, city, text)


def _parents(district: District, by_id: dict[str, District]) -> list[District]:
    chain, seen = [], {district.district_id}
    parent = by_id.get(district.parent_id) if district.parent_id else None
    while parent is not None and parent.district_id not in seen:
        chain.append(parent)
        seen.add(parent.district_id)
        parent = by_id.get(parent.parent_id) if parent.parent_id else None
    return chain


def _sources(maps: list[IndicatorMap]) -> str:
    """Every source named once (a catalogue entry may name several, separated by commas)."""
    return ", ".join(sorted({part.strip() for m in maps for part in (m.indicator.source or "").split(",")
                             if part.strip()}))


def _domain_table(domain, maps, district, city_id, city_name, indicator_pages, decimals, trends, charts) -> str:
    parts = [
        f"<h2>{escape(domain)}</h2>",
        '<table class="werte"><thead><tr><th scope="col">Indikator</th><th scope="col">Jahr</th>'
        '<th scope="col">Wert</th><th scope="col">95 %-KI</th>'
        f'<th scope="col">{escape(city_name)}</th><th scope="col">Vergleich mit der Stadt</th>'
        '<th scope="col">Entwicklung</th></tr></thead><tbody>',
    ]
    for m in sorted(maps, key=lambda m: (m.indicator.label, m.indicator.indicator_id)):
        ind = m.indicator
        year = m.default_year
        href = indicator_pages.get(ind.indicator_id)
        if href and year is not None and district.level_rank > 0:
            href += f"#ebene={district.level}&jahr={year}"
        label = f'<a href="{escape(href)}">{escape(ind.label)}</a>' if href else escape(ind.label)
        if year is None:
            parts.append(f'<tr><th scope="row">{label}</th><td colspan="6">keine Daten</td></tr>')
            continue
        value = m.values[year].get(district.district_id)
        city = m.values[year].get(city_id) if city_id else None
        status = display_status(value)
        if value is not None and value.published:
            rate = format_rate(value.rate, ind.unit, decimals)
            ci = (format_interval(value.ci_low, value.ci_high, decimals)
                  if value.ci_low is not None and value.ci_high is not None
                  else "kein KI (Zähler abgeleitet)" if value.is_derived else "–")
        else:
            rate, ci = STATUS_TEXT[status], "–"
        mark = (f'<br><small class="abgeleitet">{escape(DERIVED_MARK)}</small>'
                if value is not None and value.published and value.is_derived else "")
        city_value = (format_rate(city.rate, ind.unit, decimals) if city is not None and city.published
                      else STATUS_TEXT[display_status(city)])
        comparison = m.compared[year].get(district.district_id)
        if district.district_id == city_id:
            comparison_cell = "–"
        elif comparison:
            comparison_cell = f'<span class="vergleich {COMPARISON_CLASS[comparison]}">{escape(TEXT[comparison])}</span>'
        else:
            comparison_cell = "–"
        t = trends[ind.indicator_id]
        trend = sparkline(charts, ind.indicator_id, t.years, t.values, t.city, t.text)
        hidden = "" if status == "veröffentlicht" else ' class="ohne-wert"'
        parts.append(
            f'<tr{hidden}><th scope="row">{label}</th><td>{year}</td><td class="zahl">{escape(rate)}{mark}</td>'
            f'<td class="zahl">{escape(ci)}</td><td class="zahl">{escape(city_value)}</td>'
            f"<td>{comparison_cell}</td><td>{trend}</td></tr>"
        )
    parts.append("</tbody></table>")
    return "".join(parts)


def _spine_rows(maps, district, parent, city_id, ranges) -> list[SpineRow]:
    """One row per indicator with a year: its newest year's values of the district, the city, the parent."""
    rows = []
    for m in sorted(maps, key=lambda m: (m.indicator.domain, m.indicator.label, m.indicator.indicator_id)):
        year = m.default_year
        if year is None:
            continue
        cells = m.values[year]
        rows.append(SpineRow(m, year, cells.get(district.district_id), cells.get(city_id) if city_id else None,
                             cells.get(parent.district_id) if parent is not None else None,
                             ranges.get((m.indicator.indicator_id, year, district.level)),
                             m.compared[year].get(district.district_id)))
    return rows


def _series_section(maps, city_name, trends, charts) -> str:
    """"Entwicklung je Indikator": a time-series chart per indicator with two years or more."""
    figures = []
    for m in sorted(maps, key=lambda m: (m.indicator.domain, m.indicator.label, m.indicator.indicator_id)):
        ind = m.indicator
        t = trends[ind.indicator_id]
        chart = time_series(charts, ind.indicator_id, t.years, t.values, t.city, t.text)
        if chart:
            figures.append(f'<figure class="zeitreihe-bild"><figcaption>{escape(ind.label)} '
                           f"({escape(ind.unit_label or '')})</figcaption>{chart}</figure>")
    if not figures:
        return ""
    return ('<section class="zeitreihen"><h2>Entwicklung je Indikator</h2>'
            '<p class="erklaerung">Die Linie zeigt den veröffentlichten Wert je Jahr, das blaue Band sein '
            f"95 %-Konfidenzintervall, gestrichelt {escape(city_name)}. Ein Jahr ohne veröffentlichten Wert ist eine "
            'Lücke.</p><div class="zeitreihen-raster">' + "".join(figures) + "</div></section>")
