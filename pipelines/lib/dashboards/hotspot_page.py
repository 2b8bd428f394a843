"""The hot-spot map (``auswertungen/schwerpunkte.html``): local Moran's I labels, one view per indicator.

Colours from ColorBrewer RdBu (colour-blind safe): red where values are *unfavourable* and cluster,
blue where they are favourable — for indicators where low values are unfavourable (care rates) the
mapping turns round, so that red always means need. "nicht signifikant" is a pale sand and "nicht
geprüft" (no neighbours, too few districts) a pale lilac, neither of which can be taken for the white,
grey or hatched districts without a value.
"""

from __future__ import annotations

from pipelines.lib.dashboards.analysis_context import NEED_INDEX, Context
from pipelines.lib.dashboards.analysis_map import AnalysisMap, Cell, Entry, View, analysis_levels
from pipelines.lib.dashboards.analysis_mart import HotspotRow
from pipelines.lib.dashboards.formatting import (
    NO_DATA,
    PUBLISHED,
    SECRET,
    TOO_FEW,
    format_count,
    format_number,
)
from pipelines.lib.dashboards.need_page import CLASS_LABELS, class_text

PAGE_ID = "schwerpunkte"
TITLE = "Räumliche Schwerpunkte"
HH, LL, HL, LH, NOT_SIGNIFICANT, NOT_TESTED = (
    "hoch-hoch", "niedrig-niedrig", "hoch-niedrig", "niedrig-hoch", "nicht signifikant", "nicht geprüft")
LABELS = (HH, LL, HL, LH, NOT_SIGNIFICANT, NOT_TESTED)
UNTESTED = ("keine Nachbarn", "zu wenige Gebiete")
NO_VALUE = "kein Wert"
NOTES = {
    HH: "hoher Wert inmitten hoher Werte (Schwerpunkt)",
    LL: "niedriger Wert inmitten niedriger Werte",
    HL: "hoher Wert inmitten niedriger Werte (Ausreißer)",
    LH: "niedriger Wert inmitten hoher Werte (Ausreißer)",
    NOT_SIGNIFICANT: "kein gesichertes räumliches Muster",
    NOT_TESTED: "keine Nachbarn mit Wert oder zu wenige Gebiete für den Test",
}
# ColorBrewer RdBu (4 classes): unfavourable cluster, unfavourable outlier, favourable outlier, favourable cluster
RED, LIGHT_RED, LIGHT_BLUE, BLUE = "#ca0020", "#f4a582", "#92c5de", "#0571b0"
SAND, LILAC = "#f6e8c3", "#e7e1ef"
DIRECTION = {
    "higher_is_worse": "Rot = Häufung hoher, ungünstiger Werte; Blau = Häufung niedriger Werte",
    "lower_is_worse": "Rot = Häufung niedriger, ungünstiger Werte (bei diesem Indikator sind niedrige Werte "
                      "ungünstig); Blau = Häufung hoher Werte",
    "none": "Rot = Häufung hoher Werte; Blau = Häufung niedriger Werte (ohne Bewertung)",
}


def colours(direction: str) -> dict[str, str]:
    if direction == "lower_is_worse":
        quadrants = {LL: RED, LH: LIGHT_RED, HL: LIGHT_BLUE, HH: BLUE}
    else:
        quadrants = {HH: RED, HL: LIGHT_RED, LH: LIGHT_BLUE, LL: BLUE}
    return {**quadrants, NOT_SIGNIFICANT: SAND, NOT_TESTED: LILAC}


def q_text(q: float | None) -> str | None:
    if q is None:
        return None
    return "unter 0,001" if q < 0.001 else format_number(q, 3)


def hotspot_cell(ctx: Context, row: HotspotRow) -> Cell:
    label = NOT_TESTED if row.label in UNTESTED else row.label
    if label not in LABELS:
        if row.indicator_id == NEED_INDEX:
            return Cell(ctx.need_reason(row.year, row.district_id))
        if row.label == NO_VALUE:
            return Cell(ctx.reason([row.indicator_id], row.year, row.district_id))
        return Cell(NO_DATA)
    shown = f"{NOT_TESTED} ({row.label})" if label == NOT_TESTED else label
    if row.indicator_id == NEED_INDEX:
        need = ctx.need_rows.get(row.district_id)
        value = class_text(need.status_class) if need is not None and need.status_class in CLASS_LABELS else None
    else:
        value = ctx.rate_text(row.indicator_id, row.year, row.district_id)
    return Cell(PUBLISHED, LABELS.index(label), (shown, value, q_text(row.q_value)))


def hotspot_map(ctx: Context) -> AnalysisMap | None:
    rows = ctx.analysis.hotspots
    if not rows:
        return None
    by_indicator: dict[str, list[HotspotRow]] = {}
    for row in rows:
        by_indicator.setdefault(row.indicator_id, []).append(row)
    order = sorted(by_indicator, key=lambda i: (i != NEED_INDEX, ctx.label(i), i))
    views, level_ids = [], set()
    for ind in order:
        group = by_indicator[ind]
        year = max(r.year for r in group)
        cells: dict[str, dict[str, Cell]] = {}
        for row in group:
            cells.setdefault(row.level, {})[row.district_id] = hotspot_cell(ctx, row)
        level_ids |= set(cells)
        direction = "higher_is_worse" if ind == NEED_INDEX else (
            ctx.indicators[ind].direction if ind in ctx.indicators else "none")
        palette = colours(direction)
        entries = tuple(Entry(label, palette[label], NOTES[label]) for label in LABELS)
        name = "Handlungsbedarfsindex (Statuswert)" if ind == NEED_INDEX else ctx.label(ind)
        value_label = "Statusklasse" if ind == NEED_INDEX else f"Wert {year}"
        views.append(View(ind, name, ("Einordnung", value_label, "q-Wert"),
                          {level: entries for level in cells}, cells,
                          direction=DIRECTION.get(direction, DIRECTION["none"]),
                          notes=_notes(ctx, ind), year=year))
    return AnalysisMap(
        PAGE_ID, TITLE,
        "Wo häufen sich hohe oder niedrige Werte räumlich? Ein Gebiet ist ein Schwerpunkt („hoch-hoch“), wenn "
        "sein Wert und die Werte seiner Nachbarn gemeinsam hoch sind – und das nicht bloß zufällig so aussieht.",
        "Indikator", analysis_levels(ctx.districts, level_ids), tuple(views),
        "Lokales Moran’s I aus veröffentlichten Indikatorwerten", city=ctx.city,
        hidden_text={
            SECRET: "kein Wert: zum Schutz der Betroffenen geheimgehalten; das Gebiet geht nicht in die Rechnung ein",
            TOO_FEW: "kein Wert: Gebiet zu klein; es geht nicht in die Rechnung ein",
            NO_DATA: "kein Wert; das Gebiet geht nicht in die Rechnung ein",
        },
    )


def _notes(ctx: Context, indicator_id: str) -> tuple[str, ...]:
    permutations = ctx.analysis.parameter("hotspots", "permutations", 9999)
    alpha = float(ctx.analysis.parameter("hotspots", "alpha", 0.05))
    smoothing = ("den Statuswert des Handlungsbedarfsindex" if indicator_id == NEED_INDEX else
                 "empirisch-Bayes-geglättete Quoten (kleine Gebiete schwanken weniger)")
    return (
        f"Lokales Moran’s I auf {smoothing}. Nachbarn sind Gebiete mit gemeinsamer Grenze oder gemeinsamem "
        f"Eckpunkt. Signifikanz aus {format_count(int(permutations))} Zufallsvertauschungen, korrigiert für viele "
        f"Tests (Benjamini-Hochberg): signifikant ist ein q-Wert bis {format_number(alpha, 2)}.",
        "„hoch“ und „niedrig“ beziehen sich auf den Wert des Indikators im Vergleich zum Mittel der Ebene.",
    )
