"""The need index map (``auswertungen/handlungsbedarf.html``): status class, dynamics and their type.

Colour is the status class (1 niedrig … 4 sehr hoch, ColorBrewer YlOrRd, darker = more need); the
dynamics are drawn as symbols (▲ verschlechtert, ▼ verbessert), so the 4 × 3 "Typ" does not depend on
telling twelve colours apart. Districts with "besonderem Handlungsbedarf" are outlined; the legend
holds the type matrix with the number of districts per type and the types the rule marks.
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.analysis_context import Context
from pipelines.lib.dashboards.analysis_map import (
    AnalysisMap,
    Cell,
    Entry,
    Mark,
    Symbol,
    View,
    analysis_levels,
)
from pipelines.lib.dashboards.analysis_mart import NeedRow, SensitivityRow
from pipelines.lib.dashboards.classify import palette
from pipelines.lib.dashboards.formatting import NO_DATA, PUBLISHED, SECRET, TOO_FEW, format_number
from pipelines.lib.dashboards.legend import swatch

PAGE_ID = "handlungsbedarf"
TITLE = "Handlungsbedarf"
CLASS_LABELS = {1: "niedrig", 2: "mittel", 3: "hoch", 4: "sehr hoch"}
COLOURS = palette(4, "higher_is_worse")  # class 1 … 4
DYNAMICS = ("verbessert", "stabil", "verschlechtert")
UNKNOWN_DYNAMICS = "nicht bestimmbar"
SYMBOLS = (Symbol("oben", "Dynamik verschlechtert: der Bedarf wächst"),
           Symbol("unten", "Dynamik verbessert: der Bedarf sinkt"))
SYMBOL_OF = {"verschlechtert": 0, "verbessert": 1}
FIELDS = ("Statusklasse", "Dynamik", "Typ", "Statuswert (z)", "Besonderer Handlungsbedarf",
          "Einbezogene Indikatoren")
DEFAULT_RULES = ("sehr hoch:*", "hoch:*", "mittel:verschlechtert")


def class_text(status_class: int) -> str:
    return f"{status_class} – {CLASS_LABELS[status_class]}"


def type_text(row: NeedRow) -> str:
    return f"Status {CLASS_LABELS[row.status_class]}, Dynamik {row.dynamics_label or UNKNOWN_DYNAMICS}"


def rules(ctx: Context) -> tuple[str, ...]:
    listed = ctx.analysis.parameter("need_index", "special_need")
    return tuple(str(r) for r in listed) if isinstance(listed, list) else DEFAULT_RULES


def rule_text(ctx: Context) -> str:
    """``"Status sehr hoch (jede Dynamik), Status hoch (jede Dynamik) oder Status mittel mit Dynamik …"``."""
    texts = []
    for rule in rules(ctx):
        status, _, dynamics = (part.strip() for part in rule.partition(":"))
        status_text = "jeder Status" if status == "*" else f"Status {status}"
        texts.append(f"{status_text} (jede Dynamik)" if dynamics in ("*", "") else
                     f"{status_text} mit Dynamik {dynamics}")
    if len(texts) <= 1:
        return "".join(texts)
    return ", ".join(texts[:-1]) + " oder " + texts[-1]


def matches(ctx: Context, status: str, dynamics: str | None) -> bool:
    """Whether a type (status label, dynamics label or None) counts as "besonderer Handlungsbedarf"."""
    for rule in rules(ctx):
        rs, _, rd = (part.strip() for part in rule.partition(":"))
        if rs in ("*", status) and (rd in ("*", "") or (dynamics is not None and rd == dynamics)):
            return True
    return False


def need_cell(ctx: Context, row: NeedRow, total: int) -> Cell:
    if row.status_class not in CLASS_LABELS:
        return Cell(ctx.need_reason(row.year, row.district_id))
    special = "nein"
    if row.special_need:
        special = f"ja ({row.special_need_rule})" if row.special_need_rule else "ja"
    dynamics = row.dynamics_label or f"{UNKNOWN_DYNAMICS} (Werte {row.base_year} fehlen)"
    used = f"{row.components_used} von {total} ({format_number(row.weight_share * 100, 0)} % des Gewichts)"
    z = format_number(row.status_z, 2) if row.status_z is not None else None
    return Cell(PUBLISHED, row.status_class - 1,
                (class_text(row.status_class), dynamics, type_text(row), z, special, used),
                mark=row.special_need, symbol=SYMBOL_OF.get(row.dynamics_label or ""))


def need_map(ctx: Context) -> AnalysisMap | None:
    rows = ctx.analysis.need
    if not rows:
        return None
    components = ctx.analysis.need_components
    total = len(components) or max(r.components_used for r in rows)
    cells: dict[str, dict[str, Cell]] = {}
    for row in rows:
        cells.setdefault(row.level, {})[row.district_id] = need_cell(ctx, row, total)
    levels = analysis_levels(ctx.districts, cells)
    year, base = rows[0].year, rows[0].base_year
    classes = tuple(Entry(class_text(c), COLOURS[c - 1]) for c in CLASS_LABELS)
    view = View(
        "typ", "Statusklasse und Dynamik", FIELDS, {lv.level: classes for lv in levels}, cells,
        direction="höher = mehr Handlungsbedarf: Klasse 4 „sehr hoch“ ist am dunkelsten",
        notes=_notes(ctx, components, year, base), year=year,
    )
    sources = sorted({part.strip() for c in components if c in ctx.indicators
                      for part in ctx.indicators[c].source.split(",") if part.strip()})
    return AnalysisMap(
        PAGE_ID, TITLE,
        "Der Handlungsbedarfsindex fasst mehrere Indikatoren je Gebiet zu einer Statusklasse zusammen "
        "(höher = mehr Handlungsbedarf); die Dynamik zeigt, ob sich die Lage seit "
        f"{base} verschlechtert oder verbessert hat. Status und Dynamik zusammen ergeben den Typ des Gebiets.",
        "Darstellung", levels, (view,),
        "Handlungsbedarfsindex aus veröffentlichten Indikatorwerten" + (f" ({', '.join(sources)})" if sources else ""),
        city=ctx.city,
        mark=Mark("Gebiet mit besonderem Handlungsbedarf", f"dick schwarz umrandet: {rule_text(ctx)}"),
        symbols=SYMBOLS, symbol_toggle="Dynamik als Zeichen zeigen",
        hidden_text={
            SECRET: "kein Index: zu viele der einbezogenen Werte sind zum Schutz der Betroffenen geheimgehalten",
            TOO_FEW: "kein Index: das Gebiet ist zu klein für eine aussagekräftige Auswertung",
            NO_DATA: "kein Index: für zu wenige der einbezogenen Indikatoren liegen Werte vor",
        },
        legend_extra={("typ", lv.level): type_matrix(ctx, lv.level, cells.get(lv.level, {}), rows)
                      for lv in levels},
        after_table=lambda _prefix: sensitivity_section(ctx, levels),
    )


def type_matrix(ctx: Context, level: str, cells: dict[str, Cell], rows: tuple[NeedRow, ...]) -> str:
    """The type table of one level: districts per dynamics (rows) and status class (columns)."""
    counts: dict[tuple[int, str | None], int] = {}
    for row in rows:
        if row.level == level and row.district_id in cells and cells[row.district_id].published:
            key = (row.status_class, row.dynamics_label)
            counts[key] = counts.get(key, 0) + 1
    dynamics: list[str | None] = list(DYNAMICS)
    if any(dyn is None for _c, dyn in counts):
        dynamics.append(None)
    head = "".join(f'<th scope="col" title="{escape(class_text(c))}">{swatch(COLOURS[c - 1])}{c}</th>'
                   for c in CLASS_LABELS)
    body = []
    for d in dynamics:
        tds = []
        for c in CLASS_LABELS:
            special = matches(ctx, CLASS_LABELS[c], d)
            cls = ' class="besonders"' if special else ""
            tds.append(f"<td{cls}>{counts.get((c, d), 0)}{' ★' if special else ''}</td>")
        body.append(f'<tr><th scope="row">{escape(d or UNKNOWN_DYNAMICS)}</th>{"".join(tds)}</tr>')
    return (
        '<table class="typen"><caption>Typ: Dynamik × Statusklasse (Zahl der Gebiete)</caption>'
        f'<thead><tr><th scope="col">Dynamik</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        '<p class="erklaerung">Spalten: Statusklasse 1 niedrig bis 4 sehr hoch. ★ und fett umrandet: Typen mit '
        "besonderem Handlungsbedarf.</p>"
    )


def sensitivity_section(ctx: Context, levels) -> str:
    """How robust the classes are: districts changing class when one weight moves by ±10 %, per level."""
    by_level: dict[str, dict[tuple[str, str], dict[int, SensitivityRow]]] = {}
    for row in ctx.analysis.sensitivity:
        by_level.setdefault(row.level, {}).setdefault((row.component_type, row.component), {})[row.percent] = row
    tables = []
    for lv in levels:
        components = by_level.get(lv.level)
        if not components:
            continue
        percents = sorted({p for changes in components.values() for p in changes})
        head = "".join(f'<th scope="col">Gewicht {"+" if p > 0 else "−"}{abs(p)} %</th>' for p in percents)
        body = []
        for (kind, name), changes in sorted(components.items(), key=lambda kv: (kv[0][0] != "Bereich", kv[0])):
            label = f"Bereich {name}" if kind == "Bereich" else ctx.label(name)
            cells = "".join(
                f"<td>{changes[p].changed} von {changes[p].classified}</td>" if p in changes else "<td>–</td>"
                for p in percents)
            body.append(f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>')
        tables.append(f'<table class="empfindlichkeit"><caption>{escape(lv.label)}: Gebiete, die die '
                      f'Statusklasse wechseln</caption><thead><tr><th scope="col">Verändertes Gewicht</th>{head}'
                      f'</tr></thead><tbody>{"".join(body)}</tbody></table>')
    if not tables:
        return ""
    return ('<section class="methode" aria-labelledby="sm-empfindlichkeit">'
            '<h2 id="sm-empfindlichkeit">Wie stabil ist die Einteilung?</h2>'
            "<p>Die Gewichte der Bereiche und Indikatoren sind Festlegungen. Um zu zeigen, wie sehr die Klassen "
            "von ihnen abhängen, wurde jedes Gewicht einzeln um 10 % gesenkt und erhöht und der Index neu "
            "berechnet. Die Tabellen zeigen, wie viele der eingeteilten Gebiete dann in eine andere "
            "Statusklasse fallen. Wenige Wechsel bedeuten: die Einteilung hängt kaum an der genauen Gewichtung."
            "</p>" + "".join(tables) + "</section>")


def _notes(ctx: Context, components: tuple[str, ...], year: int, base: int) -> tuple[str, ...]:
    labels = ", ".join(ctx.label(c) for c in components)
    method = ctx.analysis.parameter("need_index", "classes", "sd")
    cuts = ctx.analysis.parameter("need_index", "cuts", [-1.0, 1.0, 1.5])
    if method == "quantiles":
        classes = "Die Klassen werden nach Quantilen der Ebene gebildet."
    else:
        a, b, c = (format_number(float(x), 1) for x in cuts)
        classes = (f"Klassen in Standardabweichungen vom Mittel der Ebene: unter {a} niedrig, {a} bis unter {b} "
                   f"mittel, {b} bis unter {c} hoch, ab {c} sehr hoch.")
    cut = format_number(float(ctx.analysis.parameter("need_index", "dynamics_cut", 1.0)), 1)
    return (
        f"Der Index {year} fasst {len(components)} Indikatoren zusammen ({labels}), je Ebene standardisiert "
        "und nach Bereichen gewichtet; ungünstige Werte erhöhen ihn immer. " + classes,
        f"Dynamik: dieselbe Rechnung mit den Veränderungen {base}–{year}; über +{cut} Standardabweichungen "
        f"„verschlechtert“, unter −{cut} „verbessert“, sonst „stabil“.",
        "Im Monitoring Soziale Stadtentwicklung Berlin laufen die Klassen umgekehrt: Klasse 4 „sehr hoch“ "
        "entspricht dort „Status sehr niedrig“.",
    )
