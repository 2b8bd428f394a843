"""The allocation map (``auswertungen/mittelverteilung.html``): euros per child and the difference to a
per-capita split.

Two views of the same table: euros per child of the reference group (sequential ColorBrewer YlGnBu,
darker = more euros per child) and the amount minus what a split by head count alone would give
(diverging BrBG, see :mod:`diverging`). Districts whose inputs were estimated from published figures of
larger districts are outlined with a dashed line.
"""

from __future__ import annotations

from pipelines.lib.dashboards.analysis_context import Context
from pipelines.lib.dashboards.analysis_map import AnalysisMap, Cell, Entry, Mark, View, analysis_levels
from pipelines.lib.dashboards.analysis_mart import AllocationRow
from pipelines.lib.dashboards.classify import classify
from pipelines.lib.dashboards.diverging import diverging
from pipelines.lib.dashboards.formatting import NO_DATA, PUBLISHED, format_count, format_number

PAGE_ID = "mittelverteilung"
TITLE = "Mittelverteilung"
ESTIMATED = "geschätzt aus übergeordneten Gebieten"
PER_CHILD, DIFFERENCE = "je-kind", "differenz"


def euros(value: float, decimals: int = 0) -> str:
    return f"{format_number(value, decimals)} €"


def signed_euros(value: int) -> str:
    return ("+" if value > 0 else "") + euros(value)


def fields(ctx: Context) -> tuple[str, ...]:
    reference = ctx.analysis.parameter("allocation", "reference_indicator", "kinderarmut")
    meta = ctx.indicators.get(reference)
    group = f"Bezugsgruppe ({meta.denominator_label})" if meta and meta.denominator_label else "Bezugsgruppe"
    return ("Betrag", "Anteil am Budget", "Euro je Kind", group, "Bei Verteilung nach Kopfzahl",
            "Differenz", "Eingangswerte")


def texts(row: AllocationRow) -> tuple[str | None, ...]:
    return (
        euros(row.amount), f"{format_number(row.share * 100, 1)} %",
        euros(row.amount_per_child, 2) if row.amount_per_child is not None else None,
        format_count(round(row.reference_population)), euros(row.per_capita_amount),
        signed_euros(row.difference), row.input_source,
    )


def allocation_map(ctx: Context) -> AnalysisMap | None:
    rows = ctx.analysis.allocation
    if not rows:
        return None
    labels = fields(ctx)
    per_child_classes, difference_classes, per_child_cells, difference_cells = {}, {}, {}, {}
    for level in sorted({r.level for r in rows}):
        level_rows = [r for r in rows if r.level == level]
        per_child = classify([r.amount_per_child for r in level_rows if r.amount_per_child is not None], "none",
                             ctx.settings.classes, ctx.settings.scheme, ctx.settings.sampled_above)
        difference = diverging([r.difference for r in level_rows])
        per_child_classes[level] = tuple(Entry(c.label("€", 2), c.colour) for c in per_child.classes)
        difference_classes[level] = tuple(Entry(_difference_label(c), c.colour) for c in difference.classes)
        per_child_cells[level] = {
            r.district_id: Cell(PUBLISHED, per_child.class_index(r.amount_per_child), texts(r),
                                mark=r.input_source == ESTIMATED)
            if r.amount_per_child is not None and per_child.classes else Cell(NO_DATA)
            for r in level_rows}
        difference_cells[level] = {
            r.district_id: Cell(PUBLISHED, difference.class_index(r.difference), texts(r),
                                mark=r.input_source == ESTIMATED)
            for r in level_rows}
    year = rows[0].year
    notes = _notes(ctx, rows)
    views = (
        View(PER_CHILD, "Euro je Kind", labels, per_child_classes, per_child_cells,
             direction="dunkler = mehr Euro je Kind der Bezugsgruppe", notes=notes, year=year),
        View(DIFFERENCE, "Differenz zur Verteilung nach Kopfzahl", labels, difference_classes, difference_cells,
             direction="blaugrün = mehr als bei einer Verteilung nur nach Kopfzahl, braun = weniger; "
                       "je dunkler, desto größer der Unterschied", notes=notes, year=year),
    )
    return AnalysisMap(
        PAGE_ID, TITLE,
        "Wie verteilt sich das Budget nach Bedarf auf die Gebiete? „Ungleiches ungleich behandeln“: Gebiete mit "
        "mehr Bedarf erhalten je Kind mehr als bei einer Verteilung nur nach der Kopfzahl.",
        "Darstellung", analysis_levels(ctx.districts, {r.level for r in rows}), views,
        "Bedarfsgerechte Mittelverteilung aus veröffentlichten Indikatorwerten", city=ctx.city,
        mark=Mark("Eingangswerte geschätzt", "gestrichelt umrandet: die Zahlen des Gebiets sind nicht "
                  "veröffentlicht und wurden aus den veröffentlichten Zahlen übergeordneter Gebiete geschätzt",
                  {"color": "#000000", "weight": 2.5, "dashArray": "6 4"}),
        hidden_text={NO_DATA: "kein Betrag je Kind: keine Bezugsgruppe im Gebiet"},
    )


def _difference_label(c) -> str:
    text = c.label("€", 0)
    return text.replace("0 €", "0 € (wie nach Kopfzahl)") if c.lower == c.upper == 0 else text


def _notes(ctx: Context, rows: tuple[AllocationRow, ...]) -> tuple[str, ...]:
    budget = sum(r.amount for r in rows)
    method = rows[0].method
    if method == "formula":
        components = ctx.analysis.parameter("allocation", "components", {}) or {}
        parts = [f"{format_number(float(w) * 100, 0)} % nach dem Anteil an „{ctx.label(k)}“"
                 for k, w in components.items()]
        how = "nach einer Formel: " + ", ".join(parts) if parts else "nach einer Formel"
    else:
        multipliers = ctx.analysis.parameter("allocation", "class_multipliers", {}) or {}
        parts = [f"{k} {format_number(float(v), 2)}" for k, v in multipliers.items()]
        how = "nach der Bezugsgruppe mal einem Faktor je Statusklasse des Handlungsbedarfs" + (
            f" ({', '.join(parts)})" if parts else "")
    return (
        f"Budget {euros(budget)} für {rows[0].year}, verteilt {how}. Beträge in ganzen Euro (Verfahren der "
        "größten Reste); zusammen ergeben sie genau das Budget.",
        "Gebiete, deren Zahlen nicht veröffentlicht sind, erhalten eine Schätzung aus den veröffentlichten Zahlen "
        "der übergeordneten Gebiete; geheimgehaltene Zahlen gehen nie in einen Betrag ein.",
    )
