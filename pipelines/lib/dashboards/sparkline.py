"""A small inline SVG trend chart with a text alternative: one indicator in one district over the years.

Only published rates are drawn; a year without a published value leaves a gap (it is never
interpolated). The city's published rates are drawn as a dashed reference line. The ``aria-label``
lists every year with its value or status, so the chart has a complete text alternative.
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.formatting import STATUS_TEXT, format_number, unit_suffix
from pipelines.lib.dashboards.mart import Value

WIDTH, HEIGHT, PAD = 120, 32, 3
LINE, CITY = "#08519c", "#636363"


def sparkline(years: list[int], values: dict[int, Value | None], city: dict[int, Value | None],
              unit: str, decimals: int, name: str, city_name: str, text: str | None = None) -> str:
    """The SVG (or a dash when fewer than two years exist); ``text``: its :func:`trend_text`, if known."""
    if len(years) < 2:
        return '<span class="keine-entwicklung">–</span>'
    own = {y: v.rate for y, v in values.items() if v is not None and v.published}
    ref = {y: v.rate for y, v in city.items() if v is not None and v.published}
    text = escape(trend_text(years, values, unit, decimals, name, ref, city_name) if text is None else text)
    if not own:
        return f'<span class="keine-entwicklung" title="{text}">keine veröffentlichten Werte</span>'
    rates = [*own.values(), *ref.values()]
    low, high = min(rates), max(rates)
    span = (high - low) or 1.0
    last = len(years) - 1
    x = {year: f"{PAD + (WIDTH - 2 * PAD) * i / last:.1f}" for i, year in enumerate(years)}

    def y(rate: float) -> str:
        return f"{HEIGHT - PAD - (HEIGHT - 2 * PAD) * (rate - low) / span:.1f}"

    parts = [
        f'<svg class="verlauf" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{text}"><title>{text}</title>'
    ]
    for series, colour, dash in ((ref, CITY, ' stroke-dasharray="3 2"'), (own, LINE, "")):
        for run in _runs(years, series):
            if len(run) > 1:
                points = " ".join(f"{x[yr]},{y(series[yr])}" for yr in run)
                parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                             f'stroke-width="1.5"{dash}/>')
    for yr, rate in own.items():
        parts.append(f'<circle cx="{x[yr]}" cy="{y(rate)}" r="2" fill="{LINE}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _runs(years: list[int], series: dict[int, float]) -> list[list[int]]:
    """Consecutive years with a value."""
    runs, current = [], []
    for year in years:
        if year in series:
            current.append(year)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


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
