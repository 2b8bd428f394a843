"""The analysis sections of every profile: need index, hot spots, offers and allocation.

Each section shows the district's own row where the table has one. Where it has none — the analysis is
computed on another level — the section says so in German and, for a larger district, sums up its
parts (offers counted, amounts added, hot spots counted); for a smaller one it names the district whose
row applies. Texts are the same as on the maps (the cells of :mod:`analysis_map`), so a district
without a value shows the same reason here.
"""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards import hotspot_page, need_page, offers_page
from pipelines.lib.dashboards.allocation_page import ESTIMATED, euros, fields, texts
from pipelines.lib.dashboards.analysis_context import NEED_INDEX, Context
from pipelines.lib.dashboards.analysis_map import AnalysisMap, Cell
from pipelines.lib.dashboards.formatting import STATUS_TEXT, format_count, format_number, life_phase_label
from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.legend import areas
from pipelines.lib.dashboards.page_frame import page_name

SIGNIFICANT = (hotspot_page.HH, hotspot_page.LL, hotspot_page.HL, hotspot_page.LH)


class ProfileSections:
    """Per district, the HTML sections; ``maps``: the analysis maps built (page id → map, href)."""

    def __init__(self, ctx: Context, maps: dict[str, tuple[AnalysisMap, str]]):
        self.ctx = ctx
        self.maps = maps
        a = ctx.analysis
        self.need = {r.district_id: r for r in a.need}
        self.hotspots: dict[str, list] = {}
        for r in a.hotspots:
            self.hotspots.setdefault(r.district_id, []).append(r)
        self.coverage: dict[str, list] = {}
        for r in a.coverage:
            self.coverage.setdefault(r.district_id, []).append(r)
        self.allocation = {r.district_id: r for r in a.allocation}
        self.offers_in: dict[str, list] = {}
        self.offers_below: dict[str, dict[tuple[str, str], int]] = {}
        for o in a.offers:
            if o.district_id is None:
                continue
            self.offers_in.setdefault(o.district_id, []).append(o)
            for anc in self._ancestors(o.district_id):
                counts = self.offers_below.setdefault(anc.district_id, {})
                counts[(o.category, o.age_band)] = counts.get((o.category, o.age_band), 0) + 1
        self.amount_below: dict[str, list[int]] = {}
        for r in a.allocation:
            for anc in self._ancestors(r.district_id):
                self.amount_below.setdefault(anc.district_id, []).append(r.amount)
        self.hotspots_below: dict[str, dict[str, dict[str, int]]] = {}
        for r in a.hotspots:
            for anc in self._ancestors(r.district_id):
                per = self.hotspots_below.setdefault(anc.district_id, {}).setdefault(r.indicator_id, {})
                per[r.label] = per.get(r.label, 0) + 1

    def _ancestors(self, district_id: str) -> list[District]:
        out, seen = [], {district_id}
        d = self.ctx.by_id.get(district_id)
        while d is not None and d.parent_id and d.parent_id not in seen:
            seen.add(d.parent_id)
            d = self.ctx.by_id.get(d.parent_id)
            if d is not None:
                out.append(d)
        return out

    def _levels_text(self, levels) -> str:
        labels = [self.ctx.level_label(lv) for lv in sorted(set(levels), key=self._rank)]
        return " und ".join([", ".join(labels[:-1]), labels[-1]]) if len(labels) > 1 else "".join(labels)

    def _rank(self, level: str) -> int:
        return self.ctx.level_ranks.get(level, 0)

    def _link(self, page_id: str, district: District, text: str) -> str:
        if page_id not in self.maps:
            return ""
        href = self.maps[page_id][1]
        data = self.maps[page_id][0]
        if any(lv.level == district.level for lv in data.levels):
            href += f"#ebene={district.level}"
        return f'<p class="kartenlink"><a href="{escape(href)}">{escape(text)}</a></p>'

    def _ancestor_at(self, district: District, levels: set[str]) -> District | None:
        return next((a for a in self._ancestors(district.district_id) if a.level in levels), None)

    def sections(self, district: District) -> tuple[str, ...]:
        return (self.need_section(district), self.hotspot_section(district), self.offers_section(district),
                self.allocation_section(district))

    # -- need index -----------------------------------------------------------------------------------
    def need_section(self, district: District) -> str:
        parts = ['<section class="auswertung" aria-labelledby="sb-bedarf">',
                 '<h2 id="sb-bedarf">Handlungsbedarf</h2>']
        rows = self.ctx.analysis.need
        row = self.need.get(district.district_id)
        if not rows:
            parts.append("<p>In dieser Veröffentlichung ist kein Handlungsbedarfsindex enthalten.</p>")
        elif row is None:
            levels = self._levels_text({r.level for r in rows})
            parts.append(f"<p>Für die Ebene {escape(district.level_label)} wird kein Handlungsbedarfsindex "
                         f"berechnet; er liegt für die Ebene {escape(levels)} vor.</p>")
        else:
            total = len(self.ctx.analysis.need_components) or row.components_used
            cell = need_page.need_cell(self.ctx, row, total)
            if cell.published:
                parts.append(f"<p>Index {row.year} (höher = mehr Handlungsbedarf), Dynamik gegenüber "
                             f"{row.base_year}.</p>")
                if row.special_need:
                    parts.append('<p class="hervorhebung"><strong>Gebiet mit besonderem Handlungsbedarf</strong>'
                                 f"{' – ' + escape(row.special_need_rule) if row.special_need_rule else ''}</p>")
                parts.append(_pairs(need_page.FIELDS, cell.fields))
            else:
                parts.append(self._without(cell, "handlungsbedarf", "Für dieses Gebiet wird kein Index ausgewiesen"))
        parts.append(self._link("handlungsbedarf", district, "Karte: Handlungsbedarf"))
        parts.append("</section>")
        return "".join(parts)

    def _without(self, cell: Cell, page_id: str, lead: str) -> str:
        data = self.maps.get(page_id, (None, ""))[0]
        reason = data.explanation(cell.status) if data else STATUS_TEXT[cell.status]
        if reason.startswith(("kein Index: ", "kein Wert: ")):
            reason = reason.split(": ", 1)[1]
        return f"<p>{escape(lead)} ({escape(STATUS_TEXT[cell.status])}): {escape(reason)}.</p>"

    # -- hot spots ------------------------------------------------------------------------------------
    def hotspot_section(self, district: District) -> str:
        parts = ['<section class="auswertung" aria-labelledby="sb-schwerpunkte">',
                 '<h2 id="sb-schwerpunkte">Räumliche Schwerpunkte</h2>']
        rows = self.ctx.analysis.hotspots
        own = self.hotspots.get(district.district_id, [])
        if not rows:
            parts.append("<p>In dieser Veröffentlichung sind keine räumlichen Schwerpunkte enthalten.</p>")
        elif own:
            body = []
            for r in sorted(own, key=lambda r: (r.indicator_id != NEED_INDEX, self._name(r.indicator_id))):
                cell = hotspot_page.hotspot_cell(self.ctx, r)
                label, value, q = cell.fields if cell.published else (
                    f"kein Wert – {STATUS_TEXT[cell.status]}", None, None)
                body.append(f'<tr><th scope="row">{escape(self._name(r.indicator_id))}</th><td>{r.year}</td>'
                            f"<td>{escape(label)}</td><td class=\"zahl\">{escape(value or '–')}</td>"
                            f"<td class=\"zahl\">{escape(q or '–')}</td></tr>")
            parts.append('<table class="werte"><thead><tr><th scope="col">Indikator</th><th scope="col">Jahr</th>'
                         '<th scope="col">Einordnung</th><th scope="col">Wert</th><th scope="col">q-Wert</th>'
                         f'</tr></thead><tbody>{"".join(body)}</tbody></table>')
        else:
            levels = {r.level for r in rows}
            parts.append(f"<p>Räumliche Schwerpunkte werden für die Ebene {escape(self._levels_text(levels))} "
                         "berechnet.</p>")
            below = self.hotspots_below.get(district.district_id, {})
            items = []
            for ind in sorted(below, key=lambda i: (i != NEED_INDEX, self._name(i))):
                counts = below[ind]
                n = sum(counts.values())
                found = [f"{counts[label]} {label}" for label in SIGNIFICANT if counts.get(label)]
                items.append(f"<li>{escape(self._name(ind))}: {escape(', '.join(found) or 'keine')} "
                             f"(von {n} {'Gebiet' if n == 1 else 'Gebieten'})</li>")
            if items:
                parts.append(f"<p>Signifikante Teilgebiete von {escape(district.name)}:</p><ul>{''.join(items)}</ul>")
        parts.append(self._link("schwerpunkte", district, "Karte: Räumliche Schwerpunkte"))
        parts.append("</section>")
        return "".join(parts)

    def _name(self, indicator_id: str) -> str:
        return "Handlungsbedarfsindex" if indicator_id == NEED_INDEX else self.ctx.label(indicator_id)

    # -- offers ---------------------------------------------------------------------------------------
    def offers_section(self, district: District) -> str:
        parts = ['<section class="auswertung" aria-labelledby="sb-angebote">',
                 '<h2 id="sb-angebote">Angebote</h2>']
        rows = self.ctx.analysis.coverage
        own = self.coverage.get(district.district_id, [])
        if not rows:
            parts.append("<p>In dieser Veröffentlichung ist keine Auswertung der Angebote enthalten.</p>")
        elif own:
            known = any(r.children is not None for r in rows)
            body = []
            for r in own:
                cell = offers_page.coverage_cell(self.ctx, r, 0 if r.per_1000 is not None else None, known)
                per_1000 = cell.fields[0] if cell.published else STATUS_TEXT[cell.status]
                children = (format_count(r.children) if r.children is not None and cell.published else "–")
                gap = cell.fields[4] if cell.published else "–"
                body.append(
                    f'<tr><th scope="row">{escape(r.category)}</th><td>{escape(life_phase_label(r.age_band))}</td>'
                    f'<td class="zahl">{escape(per_1000)}</td><td class="zahl">{format_count(r.offers)}</td>'
                    f'<td class="zahl">{escape(children)}</td>'
                    f'<td class="zahl">{escape(offers_page.distance_text(r.distance_m) or "–")}</td>'
                    f"<td>{escape(gap)}</td></tr>")
            parts.append(
                '<table class="werte"><thead><tr><th scope="col">Kategorie</th><th scope="col">Zielgruppe</th>'
                '<th scope="col">Angebote je 1.000 Kinder</th><th scope="col">Angebote im Gebiet</th>'
                '<th scope="col">Kinder der Zielgruppe</th><th scope="col">Nächstes Angebot (Luftlinie)</th>'
                f'<th scope="col">Versorgungslücke</th></tr></thead><tbody>{"".join(body)}</tbody></table>')
            names = self.offers_in.get(district.district_id, [])
            if names:
                items = "".join(f"<li>{escape(o.name)} ({escape(o.category)}, "
                                f"{escape(life_phase_label(o.age_band))})</li>" for o in names)
                parts.append(f"<p>Angebote im Gebiet:</p><ul>{items}</ul>")
        else:
            levels = {r.level for r in rows}
            parts.append(f"<p>Die Versorgung je 1.000 Kinder wird für die Ebene {escape(self._levels_text(levels))} "
                         "berechnet.</p>")
            below = self.offers_below.get(district.district_id, {})
            if below:
                body = "".join(f'<tr><th scope="row">{escape(c)}</th><td>{escape(life_phase_label(b))}</td>'
                               f'<td class="zahl">{format_count(n)}</td></tr>' for (c, b), n in sorted(below.items()))
                parts.append('<table class="werte"><caption>Angebote in den Teilgebieten</caption><thead><tr>'
                             '<th scope="col">Kategorie</th><th scope="col">Zielgruppe</th>'
                             f'<th scope="col">Angebote</th></tr></thead><tbody>{body}</tbody></table>')
            else:
                parent = self._ancestor_at(district, levels)
                if parent is not None:
                    parts.append(f'<p>{escape(district.name)} gehört zu <a href="{page_name(parent.district_id)}">'
                                 f"{escape(parent.name)}</a>.</p>")
        parts.append(self._link("angebote", district, "Karte: Angebote und Bedarf"))
        parts.append("</section>")
        return "".join(parts)

    # -- allocation -----------------------------------------------------------------------------------
    def allocation_section(self, district: District) -> str:
        parts = ['<section class="auswertung" aria-labelledby="sb-mittel">',
                 '<h2 id="sb-mittel">Mittelverteilung</h2>']
        rows = self.ctx.analysis.allocation
        row = self.allocation.get(district.district_id)
        if not rows:
            parts.append("<p>In dieser Veröffentlichung ist keine Mittelverteilung enthalten.</p>")
        elif row is not None:
            parts.append(f"<p>Verteilung {row.year}.</p>")
            if row.input_source == ESTIMATED:
                parts.append('<p class="hervorhebung">Die Zahlen des Gebiets sind nicht veröffentlicht; der Betrag '
                             "beruht auf einer Schätzung aus den Zahlen übergeordneter Gebiete.</p>")
            parts.append(_pairs(fields(self.ctx), texts(row)))
        else:
            levels = {r.level for r in rows}
            parts.append(f"<p>Die Mittel werden auf die Gebiete der Ebene {escape(self._levels_text(levels))} "
                         "verteilt.</p>")
            below = self.amount_below.get(district.district_id)
            parent = self._ancestor_at(district, levels)
            if below:
                total = sum(r.amount for r in rows)
                share = f" ({format_number(sum(below) / total * 100, 1)} % des Budgets)" if total else ""
                parts.append(f"<p>Summe der {areas(len(below))} in {escape(district.name)}: "
                             f"<strong>{escape(euros(sum(below)))}</strong>{escape(share)}.</p>")
            elif parent is not None:
                amount = self.allocation[parent.district_id].amount if parent.district_id in self.allocation else None
                money = f" (Betrag {escape(euros(amount))})" if amount is not None else ""
                parts.append(f'<p>{escape(district.name)} gehört zu <a href="{page_name(parent.district_id)}">'
                             f"{escape(parent.name)}</a>{money}.</p>")
        parts.append(self._link("mittelverteilung", district, "Karte: Mittelverteilung"))
        parts.append("</section>")
        return "".join(parts)


def _pairs(labels, values) -> str:
    rows = "".join(f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>'
                   for label, value in zip(labels, values, strict=True) if value is not None)
    return f'<table class="werte paare"><tbody>{rows}</tbody></table>'
