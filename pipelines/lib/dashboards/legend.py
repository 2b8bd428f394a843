"""The HTML legend of an indicator map: one section per level and year, only the chosen one visible.

Plain HTML/CSS (no d3, no branca colormap): class swatches with German class bounds, which direction
is worse, how many districts each class holds, and the three styles of districts without a value.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from pipelines.lib.dashboards.classify import SCHEME_TEXT
from pipelines.lib.dashboards.formatting import SECRET, STATUS_TEXT, unit_suffix
from pipelines.lib.dashboards.map_data import (
    HIDDEN_EXPLANATION,
    HIDDEN_STYLES,
    OUTLINE,
    IndicatorMap,
    LevelMap,
    city_text,
    display_status,
)
from pipelines.lib.dashboards.page_frame import HATCH_ID


def swatch(fill: str, stroke: str = OUTLINE, dash: str | None = None, width: float = 1) -> str:
    dash_attr = f' stroke-dasharray="{escape(dash)}"' if dash else ""
    return (
        '<span class="feld"><svg viewBox="0 0 44 28" aria-hidden="true">'
        f'<rect x="1" y="1" width="42" height="26" fill="{escape(fill)}" stroke="{escape(stroke)}"'
        f' stroke-width="{width * 2:g}"{dash_attr}/></svg></span>'
    )


def areas(n: int) -> str:
    return f"{n} Gebiet" if n == 1 else f"{n} Gebiete"


def legend(data: IndicatorMap, levels: tuple[LevelMap, ...], decimals: int) -> str:
    ind = data.indicator
    parts = [
        '<aside class="legende" aria-label="Legende">',
        "<h2>Legende</h2>",
        f"<p>{escape(ind.label)}, in {escape(unit_suffix(ind.unit))}</p>",
    ]
    default_level = levels[-1] if levels else None
    for year in data.years:
        for lv in levels:
            shown = year == data.default_year and lv is default_level
            parts.append(_section(data, lv, year, decimals, shown))
    if not data.years:
        parts.append("<p>Für diesen Indikator sind keine Werte veröffentlicht.</p>")
    parts.append(
        '<p class="erklaerung">Das 95 %-Konfidenzintervall (KI) zeigt, wie stark ein Wert allein durch '
        "Zufall schwanken kann; bei kleinen Gebieten ist es breit. „ähnlich wie die Stadt“: der Wert der "
        "Stadt liegt im KI des Gebiets.</p>"
    )
    parts.append("</aside>")
    return "".join(parts)


def _section(data: IndicatorMap, lv: LevelMap, year: int, decimals: int, shown: bool) -> str:
    unit = data.indicator.unit
    cls = data.classes[(year, lv.level)]
    values = data.values[year]
    hidden = "" if shown else " hidden"
    parts = [
        f'<section class="legende-teil" data-ebene="{escape(lv.level)}" data-jahr="{year}"{hidden}>',
        f"<h3>{escape(lv.label)}, {year}</h3>",
    ]
    if cls.classes:
        parts.append(f'<p class="richtung">{escape(cls.direction_text)}</p><ul class="klassen">')
        for c in cls.classes:
            parts.append(
                f'<li>{swatch(c.colour)}<span class="bereich">{escape(c.label(unit, decimals))}</span>'
                f'<span class="anzahl">({areas(c.count)})</span></li>'
            )
        n = sum(c.count for c in cls.classes)
        parts.append(
            f'</ul><p class="erklaerung">Klassen nach {escape(SCHEME_TEXT.get(cls.scheme, cls.scheme))}, '
            f"berechnet aus den {n} veröffentlichten Werten dieser Ebene.</p>"
        )
    else:
        parts.append("<p>Auf dieser Ebene sind keine Werte veröffentlicht.</p>")
    shown = Counter(display_status(values.get(d.district_id)) for d in lv.districts)
    counts = {s: shown[s] for s in HIDDEN_STYLES}
    parts.append("<h3>Nicht ausgewiesen</h3><ul>")
    for status, style in HIDDEN_STYLES.items():
        fill = f"url(#{HATCH_ID})" if status == SECRET else style["fillColor"]
        parts.append(
            f"<li>{swatch(fill, style['color'], style.get('dashArray'), style['weight'])}<span>"
            f"<strong>{escape(STATUS_TEXT[status])}</strong> "
            f'<span class="anzahl">({areas(counts[status])})</span>'
            f'<span class="erklaerung">{escape(HIDDEN_EXPLANATION[status])}</span></span></li>'
        )
    parts.append("</ul>")
    if data.city is not None:
        text = city_text(values.get(data.city.district_id), unit, decimals)
        parts.append(f'<p class="stadtwert"><strong>{escape(data.city.name)} insgesamt:</strong> '
                     f"{escape(text)}</p>")
    parts.append("</section>")
    return "".join(parts)
