"""Offers against need (``auswertungen/angebote.html``): coverage per 1,000 children and the offers.

One view per offer category and target age band: a choropleth of offers per 1,000 children of the
target group (ColorBrewer YlOrRd, darker = fewer offers, i.e. more need), supply gaps outlined and, below
the table, named in a ranked list per level, and the offers themselves as clustered markers
(Leaflet.markercluster, ``assets/angebote.js``). Offers are
facilities, published in the mart's ``offers`` table; the number of children comes from the published
age bands only, so a district whose bands are not published has no coverage.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape

from pipelines.lib.dashboards.analysis_context import Context
from pipelines.lib.dashboards.analysis_map import AnalysisMap, Cell, Entry, Mark, View, analysis_levels
from pipelines.lib.dashboards.analysis_mart import CoverageRow, Offer
from pipelines.lib.dashboards.classify import classify
from pipelines.lib.dashboards.formatting import (
    NO_DATA,
    PUBLISHED,
    SECRET,
    TOO_FEW,
    format_count,
    format_number,
    life_phase_label,
)
from pipelines.lib.dashboards.page_frame import page_name

PAGE_ID = "angebote"
TITLE = "Angebote und Bedarf"
NEED_TEXT = {1: "niedrig oder höher", 2: "mittel oder höher", 3: "hoch oder sehr hoch", 4: "sehr hoch"}
NEED_CLASS = {1: "1 – niedrig", 2: "2 – mittel", 3: "3 – hoch", 4: "4 – sehr hoch"}
SCRIPTS = ("leaflet.markercluster.js", "auswertung.js", "angebote.js")
STYLES = ("MarkerCluster.css",)


def slug(text: str) -> str:
    """``"Frühe Hilfen"`` → ``"fruehe-hilfen"``: an id for the URL hash and print file names."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "angebot"


def distance_text(metres: float | None) -> str | None:
    if metres is None:
        return None
    if metres < 1000:
        return f"{format_count(round(metres))} m"
    return f"{format_number(metres / 1000, 1)} km"


def coverage_cell(ctx: Context, row: CoverageRow, cls: int | None, children_known: bool) -> Cell:
    if row.per_1000 is None or cls is None:
        district = ctx.by_id.get(row.district_id)
        population = district.population if district is not None else None
        if population is not None and population < ctx.min_population:
            return Cell(TOO_FEW)
        if row.children is None and children_known and population is not None:
            return Cell(SECRET)
        return Cell(NO_DATA)
    partial = "" if row.children_complete else " (unvollständig)"
    gap = f"ja (Rang {row.gap_rank})" if row.supply_gap and row.gap_rank else ("ja" if row.supply_gap else "nein")
    return Cell(PUBLISHED, cls, (
        format_number(row.per_1000, 1) + partial, format_count(row.offers),
        (format_count(row.children) if row.children is not None else "–") + partial,
        distance_text(row.distance_m), gap,
    ), mark=row.supply_gap)


def offers_map(ctx: Context) -> AnalysisMap | None:
    rows = ctx.analysis.coverage
    if not rows:
        return None
    groups: dict[tuple[str, str], list[CoverageRow]] = {}
    for row in rows:
        groups.setdefault((row.category, row.age_band), []).append(row)
    children_known = any(r.children is not None for r in rows)
    views, ids = [], {}
    for (category, band), group in sorted(groups.items()):
        view_id = slug(f"{category} {band}")
        view_id = view_id if view_id not in ids.values() else f"{view_id}-{len(ids)}"
        ids[(category, band)] = view_id
        classes, cells = {}, {}
        for level in sorted({r.level for r in group}):
            level_rows = [r for r in group if r.level == level]
            values = [r.per_1000 for r in level_rows if r.per_1000 is not None]
            c = classify(values, "lower_is_worse", ctx.settings.classes, ctx.settings.scheme,
                         ctx.settings.sampled_above)
            classes[level] = tuple(Entry(v.label("per_1000", 1), v.colour) for v in c.classes)
            cells[level] = {r.district_id: coverage_cell(
                ctx, r, c.class_index(r.per_1000) if r.per_1000 is not None and c.classes else None, children_known)
                for r in level_rows}
        band_text = life_phase_label(band)
        year = max((r.year for r in group if r.year is not None), default=None)
        views.append(View(
            view_id, f"{category} ({band_text})",
            ("Angebote je 1.000 Kinder", "Angebote im Gebiet", f"Kinder {band_text}",
             "Nächstes Angebot (Luftlinie)", "Versorgungslücke"),
            classes, cells, direction="dunkler = weniger Angebote je 1.000 Kinder (mehr Handlungsbedarf)",
            notes=(*_notes(year), _reference_note(ctx, group)), year=year))
    level_ids = {r.level for r in rows}
    offers = ctx.analysis.offers
    return AnalysisMap(
        PAGE_ID, TITLE,
        "Wie viele Angebote gibt es je 1.000 Kinder der Zielgruppe, und wo fehlen sie dort, wo der "
        "Handlungsbedarf hoch ist? Die Punkte zeigen die Angebote der gewählten Kategorie; nahe beieinander "
        "liegende Angebote werden zu einer Zahl zusammengefasst, die sich per Klick aufklappt.",
        "Angebot", analysis_levels(ctx.districts, level_ids), tuple(views),
        "Angebote laut Träger- und Einrichtungsverzeichnis; Kinderzahlen aus den veröffentlichten Altersgruppen",
        city=ctx.city,
        mark=Mark("Versorgungslücke", f"dick schwarz umrandet: {gap_rule(ctx)}"),
        hidden_text={
            SECRET: "keine Versorgungsquote: die Altersgruppen sind zum Schutz der Betroffenen nicht veröffentlicht",
            TOO_FEW: "keine Versorgungsquote: Gebiet mit zu wenigen Einwohnern",
            NO_DATA: "keine Versorgungsquote: keine Kinder der Zielgruppe oder keine Angaben",
        },
        markers=markers(offers, ids),
        legend_extra={(view_id, level): marker_legend(sum(1 for o in offers if ids.get((o.category, o.age_band))
                                                          == view_id))
                      for view_id in ids.values() for level in level_ids},
        after_table=lambda prefix: gaps_list(ctx, groups, prefix) + offers_table(ctx, offers, prefix),
        scripts=SCRIPTS, styles=STYLES,
        controls=('<label class="schalter"><input type="checkbox" id="sm-angebote" checked> Standorte zeigen</label> '
                  '<label class="schalter"><input type="checkbox" id="sm-alle-angebote"> '
                  "auch andere Kategorien</label>"),
    )


def gap_rule(ctx: Context) -> str:
    """The supply-gap rule in words, from the parameters the analysis recorded."""
    min_class = int(ctx.analysis.parameter("offer_coverage", "min_need_class", 3))
    share = float(ctx.analysis.parameter("offer_coverage", "coverage_share", 0.5))
    near = ctx.analysis.parameter("offer_coverage", "near_m")
    text = (f"Handlungsbedarf {NEED_TEXT.get(min_class, 'hoch')} und weniger als "
            f"{format_number(share * 100, 0)} % der Angebote je 1.000 Kinder der ganzen Ebene")
    if near is not None:
        text += f" und kein Angebot näher als {distance_text(float(near))} (Luftlinie)"
    return text


def _reference_note(ctx: Context, group: list[CoverageRow]) -> str:
    share = float(ctx.analysis.parameter("offer_coverage", "coverage_share", 0.5))
    parts = []
    for level in sorted({r.level for r in group}, key=lambda lv: ctx.level_ranks.get(lv, 0)):
        ref = next((r.reference_per_1000 for r in group if r.level == level and r.reference_per_1000 is not None),
                   None)
        if ref is not None:
            parts.append(f"{ctx.level_label(level)} {format_number(ref, 1)} je 1.000 (Lücke unter "
                         f"{format_number(ref * share, 2)})")
    where = "; ".join(parts) if parts else "keine veröffentlichten Kinderzahlen"
    return f"Versorgungslücke: {gap_rule(ctx)}. Versorgung der ganzen Ebene: {where}."


def gaps_list(ctx: Context, groups: dict[tuple[str, str], list[CoverageRow]], prefix: str) -> str:
    """The supply gaps by rank: per category, target group and level the districts with their figures."""
    sections = []
    for (category, band), group in sorted(groups.items()):
        gaps = [r for r in group if r.supply_gap and r.per_1000 is not None]
        levels = []
        for level in sorted({r.level for r in gaps}, key=lambda lv: ctx.level_ranks.get(lv, 0)):
            items = []
            for r in sorted((r for r in gaps if r.level == level), key=lambda r: (r.gap_rank or 0, r.district_id)):
                district = ctx.by_id.get(r.district_id)
                name = escape(district.name) if district else escape(r.district_id)
                need = ctx.need_rows.get(r.district_id)
                need_text = NEED_CLASS.get(need.status_class, "–") if need and need.status_class else "–"
                distance = distance_text(r.distance_m)
                items.append(
                    f'<li><a href="{prefix}steckbriefe/{page_name(r.district_id)}">{name}</a>: '
                    f"{format_number(r.per_1000, 1)} je 1.000 Kinder ({format_count(r.offers)} Angebote, "
                    f"{format_count(r.children)} Kinder{'' if r.children_complete else ', unvollständig'}), "
                    f"Handlungsbedarf {need_text}"
                    + (f", nächstes Angebot {distance}" if distance else "") + "</li>")
            levels.append(f"<h4>{escape(ctx.level_label(level))}</h4><ol>{''.join(items)}</ol>")
        title = f"{escape(category)} ({escape(life_phase_label(band))})"
        body = "".join(levels) if levels else "<p>Keine Versorgungslücke nach dieser Regel.</p>"
        sections.append(f'<details class="luecken"><summary>{title}: {_gaps_text(len(gaps))}</summary>{body}</details>')
    return (f'<section class="versorgungsluecken"><h3>Versorgungslücken nach Rang</h3>'
            f"<p>{escape(gap_rule(ctx))}; Rang nach Handlungsbedarf (Statuswert), dann nach Versorgung.</p>"
            f'{"".join(sections)}</section>')


def _gaps_text(n: int) -> str:
    return "keine Versorgungslücke" if n == 0 else ("1 Versorgungslücke" if n == 1 else
                                                   f"{format_count(n)} Versorgungslücken")


def markers(offers: tuple[Offer, ...], ids: dict[tuple[str, str], str]) -> dict:
    """The cluster layer's points: ``[lat, lon, name, view id or null, category, target group]``."""
    return {
        "liste": [[o.lat, o.lon, o.name, ids.get((o.category, o.age_band)), o.category,
                   life_phase_label(o.age_band)] for o in offers],
        "texte": {"kategorie": "Kategorie", "zielgruppe": "Zielgruppe"},
    }


OFFER_SVG = ('<svg viewBox="0 0 18 18" width="18" height="18" aria-hidden="true" focusable="false">'
             '<circle cx="9" cy="9" r="6.5" fill="#08306b" stroke="#ffffff" stroke-width="2.5"/>'
             '<circle cx="9" cy="9" r="8" fill="none" stroke="#08306b" stroke-width="1.5"/></svg>')
CLUSTER_SVG = ('<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">'
               '<circle cx="12" cy="12" r="10.5" fill="#ffffff" stroke="#08306b" stroke-width="2.5"/>'
               '<text x="12" y="16" text-anchor="middle" font-size="11" font-weight="bold" fill="#08306b">3</text></svg>')


def marker_legend(count: int) -> str:
    """The two marker entries of the legend: one offer, several offers close together."""
    offers = f"{count} Angebot" if count == 1 else f"{format_count(count)} Angebote"
    return (
        '<ul class="markierungen">'
        f'<li><span class="feld zeichenfeld">{OFFER_SVG}</span><span>Standort eines Angebots der gewählten '
        f'Kategorie <span class="anzahl">({offers})</span></span></li>'
        f'<li><span class="feld zeichenfeld">{CLUSTER_SVG}</span><span>mehrere Angebote nahe beieinander; '
        "ein Klick (oder Enter) zeigt sie einzeln</span></li></ul>"
    )


def offers_table(ctx: Context, offers: tuple[Offer, ...], prefix: str) -> str:
    if not offers:
        return "<p>In dieser Veröffentlichung sind keine Angebote enthalten.</p>"
    rows = []
    for o in offers:
        district = ctx.by_id.get(o.district_id) if o.district_id else None
        where = (f'<a href="{prefix}steckbriefe/{page_name(district.district_id)}">{escape(district.name)}</a>'
                 if district else "außerhalb der Gebiete")
        rows.append(f'<tr><th scope="row">{escape(o.name)}</th><td>{escape(o.category)}</td>'
                    f"<td>{escape(life_phase_label(o.age_band))}</td><td>{where}</td></tr>")
    return (
        f'<details><summary>Alle Angebote als Liste ({format_count(len(offers))})</summary>'
        '<table class="angebote"><thead><tr><th scope="col">Angebot</th><th scope="col">Kategorie</th>'
        '<th scope="col">Zielgruppe</th><th scope="col">Gebiet</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></details>'
    )


def _notes(year: int | None) -> tuple[str, ...]:
    when = f" {year}" if year is not None else ""
    return (
        f"Angebote je 1.000 Kinder der Zielgruppe (Einwohner{when}). Kinderzahlen werden nur für Gebiete "
        "veröffentlicht, die groß genug sind; für größere Gebiete sind sie die Summe der veröffentlichten "
        "Teilgebiete („unvollständig“, wenn eines fehlt).",
        "Nächstes Angebot: Luftlinie vom Mittelpunkt des Gebiets zum nächsten Angebot der Kategorie.",
    )
