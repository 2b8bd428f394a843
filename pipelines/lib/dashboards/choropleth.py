"""One indicator page: a folium choropleth of the latest year, one selectable layer per level.

The embedded GeoJSON carries only what is published: every feature has ``district_id``, ``name``,
``level``, ``status`` and ``status_text``; only published cells add the *formatted* ``rate``, ``ci``,
``numerator`` and ``denominator``. Hidden cells are drawn in three styles that no class colour can be
mistaken for (hatched, grey with dotted outline, white), all explained in the HTML legend.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape

import folium
import shapely
from branca.element import Element, MacroElement
from folium.template import Template
from folium.utilities import JsCode

from pipelines.lib.dashboards.assets import map_css, map_js
from pipelines.lib.dashboards.classify import Classification, classify
from pipelines.lib.dashboards.formatting import (
    NO_DATA,
    SECRET,
    STATUS_TEXT,
    TOO_FEW,
    format_count,
    format_date,
    format_interval,
    format_rate,
    format_timestamp,
    life_phase_label,
    unit_suffix,
)
from pipelines.lib.dashboards.geo import District, bounds
from pipelines.lib.dashboards.mart import IndicatorMeta, RunInfo, Value
from pipelines.lib.dashboards.stable_ids import assign_ids, replace_random_ids

HATCH_ID = "sm-schraffur"
OUTLINE = "#4d4d4d"

# Styles of the non-published statuses: none of them uses a class colour.
HIDDEN_STYLES: dict[str, dict] = {
    SECRET: {"fillColor": f"url(#{HATCH_ID})", "className": "sm-geheim", "color": OUTLINE,
             "weight": 1, "fillOpacity": 1},
    TOO_FEW: {"fillColor": "#d9d9d9", "color": "#636363", "weight": 1.5, "dashArray": "2 4",
              "fillOpacity": 1},
    NO_DATA: {"fillColor": "#ffffff", "color": "#969696", "weight": 1, "fillOpacity": 1},
}
HIDDEN_EXPLANATION = {
    SECRET: "kleine Fallzahl – der Wert wird zum Schutz der Betroffenen nicht veröffentlicht",
    TOO_FEW: "Gebiet oder Bezugsgruppe zu klein für eine aussagekräftige Auswertung",
    NO_DATA: "für dieses Gebiet liegen keine Angaben vor",
}
HIGHLIGHT = {"weight": 3, "color": "#000000"}
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')


@dataclass(frozen=True)
class LevelMap:
    level: str
    label: str
    districts: tuple[District, ...]
    classification: Classification


class LegendSwitch(MacroElement):
    """Shows the legend of the level chosen in the layer control (see ``smShowLegend`` in karte.js)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.on("baselayerchange", function (e) { smShowLegend(e.name); });
        {% endmacro %}
        """
    )


def render_indicator_page(
    indicator: IndicatorMeta,
    year: int | None,
    districts: list[District],
    values: dict[str, Value],
    run: RunInfo,
    *,
    decimals: int = 1,
    timezone: str = "Europe/Berlin",
) -> str:
    """The complete HTML of ``indikatoren/<indicator_id>.html`` (assets referenced as ``../assets``)."""
    levels = level_maps(districts, values, indicator.direction)
    default = levels[-1] if levels else None
    map_districts = [d for lv in levels for d in lv.districts] or districts

    m = folium.Map(
        location=[0.0, 0.0], zoom_start=12, tiles=None, width="100%", height="100%",
        attribution_control=False, zoom_snap=0.25, font_size="1rem",
    )
    m.default_js = map_js("../")
    m.default_css = map_css("../")
    labels = tooltip_labels(indicator)
    on_each = JsCode(
        "function (feature, layer) { layer.bindTooltip(smTooltip(feature, "
        f"{_js_json(labels)}), {{sticky: true}}); }}"
    )
    for lv in levels:
        group = folium.FeatureGroup(name=lv.label, overlay=False, show=lv is default)
        styles = {d.district_id: feature_style(values.get(d.district_id), lv.classification)
                  for d in lv.districts}
        folium.GeoJson(
            feature_collection(lv.districts, values, indicator, decimals),
            style_function=lambda f, styles=styles: styles[f["id"]],
            highlight_function=lambda f: HIGHLIGHT,
            on_each_feature=on_each,
        ).add_to(group)
        group.add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    m.add_child(LegendSwitch())
    if map_districts:
        m.fit_bounds(bounds(map_districts))

    figure = m.get_root()
    figure.title = escape(f"{indicator.label} – {run.city_name}")
    figure.html.add_child(Element(_header(indicator, year, run)))
    figure.html.add_child(Element(_legend(indicator, year, levels, default, districts, values, decimals)))
    figure.html.add_child(Element(_footer(indicator, run, timezone)))
    figure.html.add_child(Element(_hatch_defs()))
    assign_ids(figure)
    html = figure.render()
    html = html.replace("<html>", '<html lang="de">', 1).replace("<body>", '<body class="kartenseite">', 1)
    # folium forbids zooming the page; readers with low vision need it
    html = _VIEWPORT.sub('<meta name="viewport" content="width=device-width, initial-scale=1" />', html, count=1)
    return replace_random_ids(html)


def level_maps(districts: list[District], values: dict[str, Value], direction: str) -> list[LevelMap]:
    """The map levels (every level below the city; the city alone if there is nothing else)."""
    by_level: dict[str, list[District]] = {}
    for d in sorted(districts, key=lambda d: (d.level_rank, d.district_id)):
        by_level.setdefault(d.level, []).append(d)
    groups = [g for g in by_level.values() if g[0].level_rank > 0] or list(by_level.values())
    out = []
    for group in groups:
        published = [values[d.district_id].rate for d in group
                     if d.district_id in values and values[d.district_id].published]
        out.append(LevelMap(group[0].level, group[0].level_label, tuple(group), classify(published, direction)))
    return out


def display_status(value: Value | None) -> str:
    """The status a district is drawn with: a published cell without a rate counts as "keine Daten"."""
    if value is None:
        return NO_DATA
    if value.published:
        return value.status
    return value.status if value.status in HIDDEN_STYLES else NO_DATA


def feature_style(value: Value | None, classification: Classification) -> dict:
    status = display_status(value)
    if status in HIDDEN_STYLES:
        return dict(HIDDEN_STYLES[status])
    return {"fillColor": classification.colour(value.rate), "color": OUTLINE, "weight": 1, "fillOpacity": 1}


def feature_collection(districts, values: dict[str, Value], indicator: IndicatorMeta, decimals: int) -> dict:
    """GeoJSON of one level with published, formatted values only."""
    features = []
    for d in districts:
        value = values.get(d.district_id)
        status = display_status(value)
        props = {
            "district_id": d.district_id,
            "name": d.name,
            "level": d.level_label,
            "status": status,
            "status_text": STATUS_TEXT[status],
        }
        if value is not None and value.published:
            props.update(published_properties(value, indicator, decimals))
        features.append({
            "type": "Feature",
            "id": d.district_id,
            "properties": props,
            "geometry": shapely.geometry.mapping(d.geometry),
        })
    return {"type": "FeatureCollection", "features": features}


def published_properties(value: Value, indicator: IndicatorMeta, decimals: int) -> dict[str, str]:
    """The formatted numbers of a published cell (strings, German format)."""
    props = {"rate": format_rate(value.rate, indicator.unit, decimals)}
    if value.ci_low is not None and value.ci_high is not None:
        props["ci"] = format_interval(value.ci_low, value.ci_high, decimals)
    if value.numerator is not None:
        props["numerator"] = format_count(value.numerator)
    if value.denominator is not None and indicator.denominator_public:
        props["denominator"] = format_count(value.denominator)
    return props


def tooltip_labels(indicator: IndicatorMeta) -> dict[str, str]:
    denominator = "Nenner"
    if indicator.denominator_label:
        denominator = f"Nenner ({indicator.denominator_label})"
    return {
        "level": "Ebene",
        "rate": "Anteil" if indicator.unit == "share" else "Rate",
        "ci": "95 %-KI",
        "numerator": "Zähler",
        "denominator": denominator,
        "status": "Status",
    }


def _js_json(value) -> str:
    return json.dumps(value, ensure_ascii=True, sort_keys=True).replace("</", "<\\/")


def _header(indicator: IndicatorMeta, year: int | None, run: RunInfo) -> str:
    year_text = str(year) if year is not None else "kein Jahr mit Daten"
    meta = " · ".join([
        escape(run.city_name),
        f"Bereich {escape(indicator.domain)}",
        f"Lebensphase {escape(life_phase_label(indicator.life_phase))}",
        f"Jahr {year_text}",
        f"Datenstand {escape(format_date(run.data_date))}",
    ])
    return (
        '<header class="kopf">'
        '<p><a href="../index.html">← Zur Übersicht aller Karten</a></p>'
        f"<h1>{escape(indicator.label)}</h1>"
        f'<p class="meta">{meta}</p>'
        "</header>"
    )


def _swatch(fill: str, stroke: str = OUTLINE, dash: str | None = None, width: float = 1) -> str:
    dash_attr = f' stroke-dasharray="{escape(dash)}"' if dash else ""
    return (
        '<span class="feld"><svg viewBox="0 0 44 28" aria-hidden="true">'
        f'<rect x="1" y="1" width="42" height="26" fill="{escape(fill)}" stroke="{escape(stroke)}"'
        f' stroke-width="{width * 2:g}"{dash_attr}/></svg></span>'
    )


def _areas(n: int) -> str:
    return f"{n} Gebiet" if n == 1 else f"{n} Gebiete"


def _legend(indicator, year, levels, default, districts, values, decimals) -> str:
    unit = indicator.unit
    parts = [
        '<aside class="legende" aria-label="Legende">',
        "<h2>Legende</h2>",
        f"<p>{escape(indicator.label)}, {year if year is not None else 'kein Jahr'}, "
        f"in {escape(unit_suffix(unit))}</p>",
    ]
    for lv in levels:
        hidden = "" if lv is default else " hidden"
        cls = lv.classification
        parts.append(f'<section data-ebene="{escape(lv.label)}"{hidden}>')
        parts.append(f"<h3>{escape(lv.label)}</h3>")
        if cls.classes:
            parts.append(f'<p class="richtung">{escape(cls.direction_text)}</p><ul>')
            for c in cls.classes:
                parts.append(
                    f'<li>{_swatch(c.colour)}<span class="bereich">{escape(c.label(unit, decimals))}</span>'
                    f'<span class="anzahl">({_areas(c.count)})</span></li>'
                )
            n = sum(c.count for c in cls.classes)
            parts.append(
                "</ul><p class=\"erklaerung\">Klassen nach natürlichen Brüchen (Fisher-Jenks), "
                f"berechnet aus den {n} veröffentlichten Werten dieser Ebene.</p>"
            )
        else:
            parts.append("<p>Auf dieser Ebene sind keine Werte veröffentlicht.</p>")
        counts = {s: sum(1 for d in lv.districts if display_status(values.get(d.district_id)) == s)
                  for s in HIDDEN_STYLES}
        parts.append("<h3>Nicht ausgewiesen</h3><ul>")
        for status, style in HIDDEN_STYLES.items():
            fill = f"url(#{HATCH_ID})" if status == SECRET else style["fillColor"]
            swatch = _swatch(fill, style["color"], style.get("dashArray"), style["weight"])
            parts.append(
                f"<li>{swatch}<span><strong>{escape(STATUS_TEXT[status])}</strong> "
                f'<span class="anzahl">({_areas(counts[status])})</span>'
                f'<span class="erklaerung">{escape(HIDDEN_EXPLANATION[status])}</span></span></li>'
            )
        parts.append("</ul></section>")
    city = [d for d in districts if d.level_rank == 0]
    if city:
        value = values.get(city[0].district_id)
        if value is not None and value.published:
            text = format_rate(value.rate, unit, decimals)
            if value.ci_low is not None and value.ci_high is not None:
                text += f" (95 %-KI: {format_interval(value.ci_low, value.ci_high, decimals)})"
        else:
            text = STATUS_TEXT[display_status(value)]
        parts.append(f'<h3>{escape(city[0].name)} insgesamt</h3><p>{escape(text)}</p>')
    parts.append(
        '<p class="erklaerung">Das 95 %-Konfidenzintervall (KI) im Tooltip zeigt, wie stark ein Wert '
        "allein durch Zufall schwanken kann. Bei kleinen Gebieten ist es breit.</p>"
    )
    parts.append("</aside>")
    return "".join(parts)


def _footer(indicator: IndicatorMeta, run: RunInfo, timezone: str) -> str:
    source = escape(indicator.source) if indicator.source else "nicht angegeben"
    return (
        '<footer class="fuss">'
        f"Quelle: {source}. Aufbereitung: Sozialmonitor, Lauf {escape(run.run_id)} vom "
        f"{escape(format_timestamp(run.created_epoch, timezone))}. Kleine Fallzahlen sind aus "
        "Datenschutzgründen geheimgehalten."
        "</footer>"
    )


def _hatch_defs() -> str:
    """The hatch pattern used by the map paths (CSS ``fill: url(#sm-schraffur)``) and the legend."""
    return (
        '<svg class="schraffur-defs" aria-hidden="true" focusable="false"><defs>'
        f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="8" height="8" '
        'patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<rect width="3" height="8" fill="#525252"/>'
        "</pattern></defs></svg>"
    )
