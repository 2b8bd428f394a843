"""A small inline SVG trend chart with a text alternative: one indicator in one district over the years.

Only published rates are drawn; a year without a published value leaves a gap (it is never
interpolated). The city's published rates are drawn as a dashed reference line. The ``aria-label``
lists every year with its value or status, so the chart has a complete text alternative. The page's
script draws it (``assets/steckbrief.js``) from the profile's chart figures (:mod:`.profile_charts`):
120 × 32 pixels, dots of radius 2, the lines 1.5 wide.
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.formatting import STATUS_TEXT, format_number, unit_suffix
from pipelines.lib.dashboards.mart import Value
from pipelines.lib.dashboards.profile_charts import ProfileCharts, placeholder


def sparkline(charts: ProfileCharts, indicator_id: str, years: list[int], values: dict[int, Value | None],
              city: dict[int, Value | None], text: str) -> str:
    """The place of the chart (drawn by the page's script from ``charts``, see :mod:`.profile_charts`), or a
    dash when fewer than two years exist; ``text``: its :func:`trend_text`."""
    if len(years) < 2:
        return '<span class="keine-entwicklung">–</span>'
    if not charts.add_series(indicator_id, years, values, city):
        return f'<span class="keine-entwicklung" title="{escape(text)}">keine veröffentlichten Werte</span>'
    return placeholder("verlauf", indicator_id, text)


def trend_text(years: list[int], values: dict[int, Value | None], unit: str, decimals: int, name: str,
               ref: dict[int, float], city_name: str) -> str:
    """The text alternative of a trend chart: every year with its value or status, and the city's first
    and last published value (``ref``: year → the city's published rate)."""
    items = []
    suffix = unit_suffix(unit)
    for year in years:
        v = values.get(year)
        if v is not None and v.published:
            items.append(f"{year}: {format_number(v.rate, decimals)} {suffix}")
        else:
            status = v.status if v is not None and v.status in STATUS_TEXT else "keine Daten"
            items.append(f"{year}: {STATUS_TEXT[status]}")
    text = f"Entwicklung {name} {years[0]}–{years[-1]}: " + "; ".join(items)
    if ref:
        first, last = min(ref), max(ref)
        text += (f". Gestrichelt: {city_name} ({first}: {format_number(ref[first], decimals)}, "
                 f"{last}: {format_number(ref[last], decimals)})")
    return text
