"""The figures of a profile's charts, written once per page as JSON that ``assets/steckbrief.js`` draws.

A Berlin-size profile draws 60 indicators × 15 years three times (spine, sparkline, time series): as
server-side SVG with every mark tagged by its cells that was 600 KB a page. Instead each page carries
``<script type="application/json" id="sm-diagramme">`` with the published figures only, and the charts'
places (``data-verlauf`` / ``data-zeitreihe``: an indicator of ``reihen``; ``data-spine``: a row of
``spine``), which the script fills with the same SVG (the marks keep class ``sm-wert`` and ``data-sm``
in the page the reader sees)::

    {"gebiet": district, "stadt": city or null, "eltern": parent or null,
     "reihen": {indicator: {"jahre": [year, …], "werte": [null | [rate, ci_low, ci_high, "rate as text"], …],
                            "stadt": [null | rate, …] (where the city is drawn), "achse": ["high", "low"]}},
     "spine": [{"i": indicator, "jahr": year, "wert": null | [rate, ci_low, ci_high], "stadt": rate,
                "eltern": null | rate, "spanne": null | [min, q1, q3, max], "farbe": colour,
                "umkehr": higher is worse}]}

Every number but ``spanne`` (the published rates of a level, summarised) is one cell: ``werte[k]`` is
(indicator, ``jahre[k]``, ``gebiet``), ``stadt[k]`` the city's, a spine row's ``wert`` / ``stadt`` /
``eltern`` the district's, the city's and the parent's in ``jahr``. A year without a published value is
``null``: the release audit (:mod:`pipelines.lib.audit.site`) checks every other against the mart.
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.chart_marks import COLOURS, NO_COMPARISON
from pipelines.lib.dashboards.formatting import format_number
from pipelines.lib.dashboards.mart import Value
from pipelines.lib.dashboards.page_frame import js_json

DATA_ID = "sm-diagramme"
SCRIPT = "steckbrief.js"


class ProfileCharts:
    """The chart figures of one profile, collected while its sections are written."""

    def __init__(self, district_id: str, city_id: str | None, parent_id: str | None, decimals: int) -> None:
        self.district_id, self.city_id, self.parent_id, self.decimals = district_id, city_id, parent_id, decimals
        self.series: dict[str, dict] = {}
        self.spine: list[dict] = []

    def add_series(self, indicator_id: str, years: list[int], values: dict[int, Value | None],
                   city: dict[int, Value | None]) -> bool:
        """Note one indicator's years; False where nothing is drawn (fewer than two years, no published
        value)."""
        if indicator_id in self.series:
            return True
        own = [values.get(y) for y in years]
        own = [[v.rate, v.ci_low, v.ci_high] if v is not None and v.published else None for v in own]
        if len(years) < 2 or not any(own):
            return False
        numbers = [v[0] for v in own if v is not None]
        entry: dict = {"jahre": years}
        if self.city_id is not None:
            ref = [city.get(y) for y in years]
            ref = [v.rate if v is not None and v.published else None for v in ref]
            if any(r is not None for r in ref):
                entry["stadt"] = ref
                numbers += [r for r in ref if r is not None]
        numbers += [b for v in own if v is not None and v[1] is not None and v[2] is not None for b in v[1:]]
        entry["achse"] = [format_number(max(numbers), self.decimals), format_number(min(numbers), self.decimals)]
        entry["werte"] = [None if v is None else [*v, format_number(v[0], self.decimals)] for v in own]
        self.series[indicator_id] = entry
        return True

    def add_spine(self, indicator_id: str, year: int, value: Value | None, centre: float, parent: Value | None,
                  span: tuple[float, ...] | None, comparison: str | None, direction: str) -> int:
        """Note one spine row (``value`` and ``parent`` published, or None); its number."""
        self.spine.append({
            "i": indicator_id, "jahr": year, "stadt": centre,
            "wert": None if value is None else [value.rate, value.ci_low, value.ci_high],
            "eltern": None if parent is None else parent.rate,
            "spanne": None if span is None else list(span),
            "farbe": COLOURS.get(comparison or "", NO_COMPARISON),
            "umkehr": direction == "higher_is_worse",
        })
        return len(self.spine) - 1

    def data(self) -> dict:
        return {"gebiet": self.district_id, "stadt": self.city_id, "eltern": self.parent_id,
                "reihen": self.series, "spine": self.spine}

    def script(self) -> str:
        """The JSON block (empty where the page draws no chart)."""
        if not self.series and not self.spine:
            return ""
        return f'<script type="application/json" id="{DATA_ID}">{js_json(self.data())}</script>'


def placeholder(kind: str, key: str | int, text: str | None = None) -> str:
    """Where the script draws a chart (``kind``: ``verlauf``, ``zeitreihe``, ``spine``); ``text``: the chart's
    text alternative, which the place already carries."""
    label = f' role="img" aria-label="{escape(text)}"' if text is not None else ""
    return f'<span data-{kind}="{escape(str(key))}"{label}></span>'
