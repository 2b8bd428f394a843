"""The HTML legend of an analysis map: one section per view and level, only the chosen one visible.

Each section names the view, level and year, says which way the colours run, lists the classes with
how many districts each holds, the outline and symbols, page-specific HTML (the need index's type
matrix), the styles of the districts without a value (those that occur) with a page-specific
explanation, and notes on the method (left out on paper, where the map must fit one page).
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.analysis_map import AnalysisMap, View, shown_status
from pipelines.lib.dashboards.formatting import SECRET, STATUS_TEXT
from pipelines.lib.dashboards.legend import areas, swatch
from pipelines.lib.dashboards.map_data import HIDDEN_STYLES, OUTLINE, LevelMap
from pipelines.lib.dashboards.page_frame import HATCH_ID

SYMBOL_PATHS = {"oben": "M7 1 L13 12 L1 12 Z", "unten": "M1 2 L13 2 L7 13 Z"}


def symbol_svg(form: str) -> str:
    """The symbol as inline SVG (the page script draws the same shape on the map)."""
    return (
        '<svg class="zeichen" viewBox="0 0 14 14" width="14" height="14" aria-hidden="true" focusable="false">'
        f'<path d="{SYMBOL_PATHS[form]}" fill="#ffffff" stroke="#000000" stroke-width="1.5"/></svg>'
    )


def analysis_legend(data: AnalysisMap, levels: tuple[LevelMap, ...]) -> str:
    parts = ['<aside class="legende" aria-label="Legende">', "<h2>Legende</h2>"]
    default_level = levels[-1] if levels else None
    for i, view in enumerate(data.views):
        for lv in levels:
            shown = i == 0 and lv is default_level
            parts.append(_section(data, view, lv, shown))
    if not data.views or not levels:
        parts.append("<p>Für diese Auswertung liegen keine Werte vor.</p>")
    parts.append("</aside>")
    return "".join(parts)


def _section(data: AnalysisMap, view: View, lv: LevelMap, shown: bool) -> str:
    hidden = "" if shown else " hidden"
    year = f", {view.year}" if view.year is not None else ""
    cells = [view.cell(lv.level, d.district_id) for d in lv.districts]
    parts = [
        f'<section class="legende-teil" data-ansicht="{escape(view.view_id)}" data-ebene="{escape(lv.level)}"{hidden}>',
        f"<h3>{escape(view.name)} – {escape(lv.label)}{year}</h3>",
    ]
    if view.direction:
        parts.append(f'<p class="richtung">{escape(view.direction)}</p>')
    classes = view.classes.get(lv.level, ())
    if classes:
        parts.append('<ul class="klassen">')
        for index, entry in enumerate(classes):
            n = sum(1 for c in cells if c.published and c.cls == index)
            note = f'<span class="erklaerung">{escape(entry.note)}</span>' if entry.note else ""
            parts.append(f'<li>{swatch(entry.colour)}<span><span class="bereich">{escape(entry.label)}</span>'
                         f'<span class="anzahl">({areas(n)})</span>{note}</span></li>')
        parts.append("</ul>")
    else:
        parts.append("<p>Auf dieser Ebene liegen keine Werte vor.</p>")
    extras = []
    if data.mark is not None:
        n = sum(1 for c in cells if c.published and c.mark)
        style = data.mark.style
        extras.append(
            f'<li>{swatch("#ffffff", style["color"], style.get("dashArray"), style["weight"] / 1.5)}<span>'
            f'<strong>{escape(data.mark.label)}</strong> <span class="anzahl">({areas(n)})</span>'
            f'<span class="erklaerung">{escape(data.mark.explanation)}</span></span></li>')
    for index, symbol in enumerate(data.symbols):
        n = sum(1 for c in cells if c.published and c.symbol == index)
        extras.append(f'<li><span class="feld zeichenfeld">{symbol_svg(symbol.form)}</span><span>'
                      f'{escape(symbol.label)} <span class="anzahl">({areas(n)})</span></span></li>')
    if extras:
        parts.append('<ul class="markierungen">' + "".join(extras) + "</ul>")
    parts.append(data.legend_extra.get((view.view_id, lv.level), ""))
    hidden = []
    for status, style in HIDDEN_STYLES.items():
        n = sum(1 for c in cells if shown_status(c) == status)
        if not n:
            continue
        fill = f"url(#{HATCH_ID})" if status == SECRET else style["fillColor"]
        hidden.append(
            f"<li>{swatch(fill, style.get('color', OUTLINE), style.get('dashArray'), style['weight'])}<span>"
            f"<strong>{escape(STATUS_TEXT[status])}</strong> <span class=\"anzahl\">({areas(n)})</span>"
            f'<span class="erklaerung">{escape(data.explanation(status))}</span></span></li>'
        )
    if hidden:
        parts.append("<h3>Nicht ausgewiesen</h3><ul>" + "".join(hidden) + "</ul>")
    parts.extend(f'<p class="erklaerung methode">{escape(note)}</p>' for note in view.notes)
    parts.append("</section>")
    return "".join(parts)
