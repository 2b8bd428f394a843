"""The spine chart of a profile: every indicator of one district against the city and its parent.

One row per indicator (Fingertips' "spine chart"), newest year: the centre line is the city's published
rate; the grey bar spans the published rates of the district's level (darker: the middle half); the
dot is the district's rate with its 95 % interval, coloured by the published comparison with the city
(``indicator_benchmarks``, "besser / ähnlich / schlechter"); the diamond is the parent district. Where an
indicator has a direction, the better side is on the right; without one, the higher values are. A
hidden value is not drawn: the row says its status and carries no number. Every mark is tagged with
its cells for the release audit: the page's script draws the chart from the profile's chart figures
(:mod:`.profile_charts`), which the audit checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from pipelines.lib.dashboards.comparison import TEXT
from pipelines.lib.dashboards.formatting import STATUS_TEXT, format_interval, format_rate
from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.map_data import IndicatorMap, display_status
from pipelines.lib.dashboards.mart import Value
from pipelines.lib.dashboards.profile_charts import ProfileCharts, placeholder

DIRECTION_TEXT = {"higher_is_worse": "niedriger ist besser", "lower_is_worse": "höher ist besser",
                  "none": "ohne Wertung"}


@dataclass(frozen=True)
class SpineRow:
    data: IndicatorMap
    year: int
    value: Value | None
    city: Value | None
    parent: Value | None
    span: tuple[float, float, float, float] | None  # published rates of the level: min, q1, q3, max
    comparison: str | None  # vs_city of the published benchmarks


def spine_section(district: District, parent: District | None, city: District, rows: list[SpineRow],
                  decimals: int, city_name: str, charts: ProfileCharts) -> str:
    """The section "Alle Indikatoren im Vergleich" of a profile (empty for the city itself)."""
    if district.district_id == city.district_id or not rows:
        return ""
    parent_text = (f"; die Raute: {escape(parent.name)}" if parent is not None and parent.level_rank > 0 else "")
    parts = [
        '<section class="spine"><h2>Alle Indikatoren im Vergleich</h2>',
        f'<p class="erklaerung">Neuestes Jahr je Indikator. Die senkrechte Linie ist der Wert von {escape(city_name)}, '
        f"der graue Balken die Spanne der veröffentlichten Werte aller Gebiete der Ebene {escape(district.level_label)} "
        f"(dunkel: die mittlere Hälfte), der Punkt {escape(district.name)} mit 95 %-KI, gefärbt nach dem Vergleich mit "
        f"der Stadt{parent_text}. Rechts liegt jeweils der bessere Wert (ohne Wertung: der höhere); "
        "nicht veröffentlichte Werte fehlen.</p>",
        '<table class="werte spine-tabelle"><thead><tr><th scope="col">Indikator</th><th scope="col">Jahr</th>'
        '<th scope="col">Richtung</th><th scope="col">Wert (95 %-KI)</th>'
        f'<th scope="col">{escape(city_name)}</th>',
    ]
    if parent is not None and parent.level_rank > 0:
        parts.append(f'<th scope="col">{escape(parent.name)}</th>')
    parts.append('<th scope="col">Vergleich</th><th scope="col"><span class="unsichtbar">Diagramm</span></th>'
                 "</tr></thead><tbody>")
    for row in rows:
        ind = row.data.indicator
        unit = ind.unit
        cells = [f'<th scope="row">{escape(ind.label)}</th><td>{row.year}</td>',
                 f"<td>{escape(DIRECTION_TEXT.get(ind.direction, DIRECTION_TEXT['none']))}</td>",
                 f'<td class="zahl">{escape(_text(row.value, unit, decimals, True))}</td>',
                 f'<td class="zahl">{escape(_text(row.city, unit, decimals, False))}</td>']
        if parent is not None and parent.level_rank > 0:
            cells.append(f'<td class="zahl">{escape(_text(row.parent, unit, decimals, False))}</td>')
        cells.append(f"<td>{escape(TEXT[row.comparison]) if row.comparison in TEXT else '–'}</td>")
        cells.append(f'<td class="spine-bild">{_chart(row, parent, charts)}</td>')
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table></section>")
    return "".join(parts)


def _text(value: Value | None, unit: str, decimals: int, with_ci: bool) -> str:
    if value is None or not value.published:
        return STATUS_TEXT[display_status(value)]
    text = format_rate(value.rate, unit, decimals)
    if with_ci and value.ci_low is not None and value.ci_high is not None:
        text += f" ({format_interval(value.ci_low, value.ci_high, decimals)})"
    elif with_ci and value.is_derived:
        text += " (abgeleitet, ohne KI)"
    return text


def _chart(row: SpineRow, parent: District | None, charts: ProfileCharts) -> str:
    """The place of the row's chart (drawn by the page's script, see :mod:`.profile_charts`): 240 × 20
    pixels, the city's line in the middle, the better side on the right."""
    centre = row.city.rate if row.city is not None and row.city.published else None
    if centre is None:
        return '<span class="keine-entwicklung">ohne Wert der Stadt</span>'
    value = row.value if row.value is not None and row.value.published else None
    par = row.parent if parent is not None and parent.level_rank > 0 and row.parent is not None \
        and row.parent.published else None
    ind = row.data.indicator
    return placeholder("spine", charts.add_spine(ind.indicator_id, row.year, value, centre, par, row.span,
                                                 row.comparison, ind.direction))
