"""The time-series chart of one indicator in one district: rate, 95 % interval band and the city line.

Plain inline SVG. Only published values are drawn: a year without a published value is a gap — no
point, no band, no line through it (never interpolated), and the chart holds no number of it. The
city's published rates are a dashed line. The ``aria-label`` (and ``<title>``) lists every year with
its value or status, so the chart has a complete text alternative. Every mark is tagged with the cells
it is drawn from (:func:`~.chart_marks.mark`) for the release audit.
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.chart_marks import mark
from pipelines.lib.dashboards.formatting import format_number
from pipelines.lib.dashboards.mart import Value
from pipelines.lib.dashboards.sparkline import CITY, LINE, _runs, trend_text

WIDTH, HEIGHT = 320, 140
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 8, 22
BAND = "#c6dbef"


def time_series(indicator_id: str, district_id: str, years: list[int], values: dict[int, Value | None],
                city_id: str | None, city: dict[int, Value | None], unit: str, decimals: int, name: str,
                city_name: str, text: str | None = None) -> str:
    """The SVG of one indicator's years in one district (empty when fewer than two years exist); ``text``:
    its :func:`~.sparkline.trend_text`, if known."""
    if len(years) < 2:
        return ""
    own = {y: v for y, v in values.items() if v is not None and v.published}
    ref = {y: v.rate for y, v in city.items() if v is not None and v.published} if city_id else {}
    text = escape(trend_text(years, values, unit, decimals, name, ref, city_name) if text is None else text)
    if not own:
        return f'<p class="keine-entwicklung">{text}</p>'
    band = {y: v for y, v in own.items() if v.ci_low is not None and v.ci_high is not None}
    numbers = [v.rate for v in own.values()] + list(ref.values())
    numbers += [v.ci_low for v in band.values()] + [v.ci_high for v in band.values()]
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    step = (WIDTH - LEFT - RIGHT) / (len(years) - 1)
    x = {year: LEFT + step * i for i, year in enumerate(years)}

    def y(rate: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (high - rate) / span

    def cells(run) -> list[tuple[str, int, str]]:
        return [(indicator_id, yr, district_id) for yr in run]

    base = HEIGHT - BOTTOM
    parts = [
        f'<svg class="zeitreihe" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{text}"><title>{text}</title>',
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#969696"/>',
        f'<text x="{LEFT - 4}" y="{y(high) + 4:.1f}" text-anchor="end" font-size="10">'
        f"{escape(format_number(high, decimals))}</text>",
        f'<text x="{LEFT - 4}" y="{y(low):.1f}" text-anchor="end" font-size="10">'
        f"{escape(format_number(low, decimals))}</text>",
    ]
    for yr in years:
        parts.append(f'<text x="{x[yr]:.1f}" y="{HEIGHT - 6}" text-anchor="middle" font-size="10">{yr}</text>')
    for run in _runs(years, band):
        if len(run) > 1:
            upper = [f"{x[yr]:.1f},{y(band[yr].ci_high):.1f}" for yr in run]
            lower = [f"{x[yr]:.1f},{y(band[yr].ci_low):.1f}" for yr in reversed(run)]
            parts.append(f'<polygon{mark(cells(run), "band")} points="{" ".join(upper + lower)}" '
                         f'fill="{BAND}" stroke="none"/>')
        else:
            yr = run[0]
            parts.append(f'<line{mark(cells(run), "band")} x1="{x[yr]:.1f}" y1="{y(band[yr].ci_low):.1f}" '
                         f'x2="{x[yr]:.1f}" y2="{y(band[yr].ci_high):.1f}" stroke="{BAND}" stroke-width="6"/>')
    for run in _runs(years, ref):
        if len(run) > 1:
            points = " ".join(f"{x[yr]:.1f},{y(ref[yr]):.1f}" for yr in run)
            parts.append(f'<polyline{mark([(indicator_id, yr, city_id) for yr in run], "stadt")} '
                         f'points="{points}" fill="none" stroke="{CITY}" stroke-width="1.5" stroke-dasharray="4 3"/>')
    rates = {yr: v.rate for yr, v in own.items()}
    for run in _runs(years, rates):
        if len(run) > 1:
            points = " ".join(f"{x[yr]:.1f},{y(rates[yr]):.1f}" for yr in run)
            parts.append(f'<polyline{mark(cells(run), "linie")} points="{points}" fill="none" '
                         f'stroke="{LINE}" stroke-width="2"/>')
    for yr, rate in rates.items():
        parts.append(f'<circle{mark(cells([yr]), "punkt")} cx="{x[yr]:.1f}" cy="{y(rate):.1f}" r="3" '
                     f'fill="{LINE}"><title>{yr}: {escape(format_number(rate, decimals))}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)
