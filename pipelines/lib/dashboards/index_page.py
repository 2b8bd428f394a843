"""The start page: city, data date, run, method and data protection, the maps by domain and life phase."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from pipelines.lib.config import DOMAINS
from pipelines.lib.dashboards.formatting import (
    format_count,
    format_date,
    format_timestamp,
    life_phase_label,
    life_phase_order,
)
from pipelines.lib.dashboards.mart import IndicatorMeta, RunInfo
from pipelines.lib.dashboards.page_frame import hatch_defs
from pipelines.lib.dashboards.search_index import SEARCH_INDEX, search_section


@dataclass(frozen=True)
class IndexEntry:
    indicator: IndicatorMeta
    href: str  # relative to the site root
    year: int | None
    thumbnail: str = ""  # decorative inline SVG preview
    coverage: tuple[int, int] | None = None  # finest level in ``year``: (districts with a published value, all)


@dataclass(frozen=True)
class AnalysisEntry:
    """An analysis map (need index, hot spots, offers, allocation) on the start page."""

    title: str
    href: str  # relative to the site root
    note: str  # levels and year
    thumbnail: str = ""


def render_index(
    run: RunInfo,
    entries: list[IndexEntry],
    *,
    min_population: int,
    timezone: str = "Europe/Berlin",
    scheme_text: str = "natürlichen Brüchen (Fisher-Jenks)",
    classes: int = 5,
    links: tuple[tuple[str, str], ...] = (("Alle Gebiete mit Steckbrief", "gebiete.html"),),
    analyses: tuple[AnalysisEntry, ...] | list[AnalysisEntry] = (),
    search: bool = False,
) -> str:
    """The complete HTML of ``index.html``; ``links``: further pages (label, href), e.g. a data catalogue;
    ``analyses``: the analysis maps, shown above the indicator maps; ``search``: the search form, reading
    ``suchindex.js`` (:mod:`search_index`)."""
    city = escape(run.city_name)
    body = [
        '<header class="kopf">',
        f"<h1>Sozialmonitor {city}</h1>",
        f'<p class="meta">Datenstand: {escape(format_date(run.data_date))} · '
        f"Auswertungslauf {escape(run.run_id)} vom {escape(format_timestamp(run.created_epoch, timezone))}</p>",
        "</header>",
        hatch_defs(),
        '<main class="inhalt">',
        search_section() if search else "",
        _links(links),
        _analyses(analyses),
        '<h2 id="karten">Karten</h2>',
    ]
    if not entries:
        body.append("<p>In dieser Veröffentlichung sind keine Indikatoren enthalten.</p>")
    domains = list(DOMAINS) + sorted({e.indicator.domain for e in entries} - set(DOMAINS))
    for domain in domains:
        in_domain = [e for e in entries if e.indicator.domain == domain]
        if not in_domain:
            continue
        body.append(f"<section><h2>{escape(domain)}</h2>")
        for phase in life_phase_order([e.indicator.life_phase for e in in_domain]):
            body.append(f'<h3>Lebensphase {escape(life_phase_label(phase))}</h3><ul class="karten">')
            for e in sorted((e for e in in_domain if e.indicator.life_phase == phase),
                            key=lambda e: (e.indicator.label, e.indicator.indicator_id)):
                year = f" ({e.year})" if e.year is not None else " (keine Daten)"
                body.append(f'<li><a href="{escape(e.href)}">{e.thumbnail}<span>{escape(e.indicator.label)}</span></a>'
                            f'<span class="jahr">{year}</span>{_coverage(e.coverage)}</li>')
            body.append("</ul>")
        body.append("</section>")
    body.append(_method(min_population, scheme_text, classes, bool(analyses)))
    body.append("</main>")
    body.append(
        '<footer class="fuss">Erstellt mit Sozialmonitor (Version '
        f"{escape(run.software_version)}) aus dem veröffentlichten Datenbestand.</footer>"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Sozialmonitor {city} – Übersicht</title>\n"
        '<link rel="stylesheet" href="assets/sozialmonitor.css">\n'
        "</head>\n<body>\n" + "\n".join(body) + "\n"
        + (f'<script src="{SEARCH_INDEX}"></script>\n<script src="assets/suche.js"></script>\n' if search else "")
        + "</body>\n</html>\n"
    )


def _coverage(coverage: tuple[int, int] | None) -> str:
    """How much of the finest level shows a value (public: it counts statuses, not people)."""
    if not coverage or not coverage[1]:
        return ""
    shown, total = coverage
    share = f"{round(100 * shown / total)} %"
    return (f'<span class="abdeckung" title="{shown} von {total} Gebieten der kleinsten Ebene mit '
            f'veröffentlichtem Wert">{share} der Gebiete mit Wert</span>')


def _analyses(entries) -> str:
    if not entries:
        return ""
    items = "".join(
        f'<li><a href="{escape(e.href)}">{e.thumbnail}<span>{escape(e.title)}</span></a>'
        f'<span class="jahr">{escape(e.note)}</span></li>' for e in entries)
    return (
        '<section><h2 id="auswertungen">Auswertungen</h2>'
        "<p>Zusammenfassende Karten aus den veröffentlichten Indikatorwerten: wo der Handlungsbedarf am "
        "größten ist, wo er sich räumlich häuft, wie die Angebote dazu passen und wie Mittel nach Bedarf "
        f'verteilt werden.</p><ul class="karten">{items}</ul></section>'
    )


def _links(links) -> str:
    items = "".join(f'<li><a href="{escape(href)}">{escape(label)}</a></li>' for label, href in links)
    return f'<nav class="seiten" aria-label="Weitere Seiten"><ul>{items}</ul></nav>' if items else ""


ANALYSES_TEXT = (
    "<p>Der Handlungsbedarfsindex fasst mehrere Indikatoren zusammen: höher bedeutet mehr Handlungsbedarf "
    "(Statusklasse 1 „niedrig“ bis 4 „sehr hoch“); Dreiecke zeigen die Dynamik, dick umrandet sind Gebiete "
    "mit besonderem Handlungsbedarf. Die Auswertungen werden nur aus veröffentlichten Werten berechnet; "
    "Gebiete ohne Wert sind dort wie auf den Indikatorkarten gekennzeichnet.</p>"
)


def _method(min_population: int, scheme_text: str, classes: int, analyses: bool = False) -> str:
    return (
        '<section class="hinweis">'
        "<h2>So lesen Sie die Karten</h2>"
        "<p>Jede Karte zeigt einen Indikator, zunächst für das neueste Jahr und die kleinste "
        "Gebietsebene; Ebene und Jahr lassen sich über der Karte wählen. Werte sind Anteile "
        "(in %) oder Raten (je 1.000) an der jeweiligen Bezugsgruppe. Die Farbklassen werden je Ebene und "
        f"Jahr nach {escape(scheme_text)} nur aus veröffentlichten Werten gebildet, höchstens {classes} "
        "Klassen. Dunkler bedeutet immer höheren Handlungsbedarf: Bei Indikatoren, bei denen niedrige "
        "Werte ungünstig sind (etwa Betreuungsquoten), sind niedrige Werte dunkel. Ein Klick auf ein Gebiet "
        "öffnet seinen Steckbrief.</p>"
        + (ANALYSES_TEXT if analyses else "") +
        "<p>Das 95 %-Konfidenzintervall (KI) zeigt, wie stark ein Wert allein durch Zufall schwanken kann. "
        "Bei kleinen Gebieten ist es breit; kleine Unterschiede zwischen Gebieten sollten deshalb "
        "vorsichtig gedeutet werden.</p>"
        "<h2>Datenschutz</h2>"
        "<p>Damit keine Rückschlüsse auf einzelne Personen oder Familien möglich sind, werden kleine "
        "Fallzahlen nicht veröffentlicht. Solche Gebiete sind schraffiert und als "
        "„geheimgehalten (Datenschutz)“ gekennzeichnet. Damit sich ein verborgener Wert nicht aus "
        "Summen zurückrechnen lässt, können weitere Gebiete geheimgehalten sein. Bei jeder Karte steht, "
        "welcher Anteil der Gebiete der kleinsten Ebene im gezeigten Jahr einen Wert hat.</p>"
        f"<p>Gebiete mit weniger als {format_count(min_population)} Einwohnerinnen und Einwohnern oder mit einer zu "
        "kleinen Bezugsgruppe werden nicht ausgewiesen („zu wenige Einwohner“, hellgrau mit "
        "gepunktetem Rand). „keine Daten“ (weiß) bedeutet, dass für das Gebiet keine Angaben "
        "vorliegen.</p>"
        "</section>"
    )
