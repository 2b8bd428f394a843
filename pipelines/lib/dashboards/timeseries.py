"""The time-series chart of one indicator in one district: rate, 95 % interval band and the city line.

Inline SVG, drawn by the page's script (``assets/steckbrief.js``) from the profile's chart figures
(:mod:`.profile_charts`): 320 × 140 pixels, the years along the bottom, the highest and lowest figure on
the left. Only published values are drawn: a year without a published value is a gap — no point, no
band, no line through it (never interpolated), and the chart holds no number of it. The city's published
rates are a dashed line. The ``aria-label`` (and ``<title>``) lists every year with its value or status,
so the chart has a complete text alternative. Every mark is tagged with the cells it is drawn from
(``class="sm-wert"``, ``data-sm``).
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.mart import Value
from pipelines.lib.dashboards.profile_charts import ProfileCharts, placeholder


def time_series(charts: ProfileCharts, indicator_id: str, years: list[int], values: dict[int, Value | None],
                city: dict[int, Value | None], text: str) -> str:
    """The place of one indicator's chart (empty when fewer than two years exist, the text alone without a
    published value); ``text``: its :func:`~.sparkline.trend_text`."""
    if len(years) < 2:
        return ""
    if not charts.add_series(indicator_id, years, values, city):
        return f'<p class="keine-entwicklung">{escape(text)}</p>'
    return placeholder("zeitreihe", indicator_id, text)
