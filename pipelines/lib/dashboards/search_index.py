"""The search of the start page: a small index of names, codes and links, written at release time.

``suchindex.js`` at the site root sets ``window.smSuchindex``: one entry per district (its profile) and
per indicator (its map), ``[kind, name, code, detail, href]`` — texts only, no value, no status, so the
index says nothing the list of districts and the catalogue do not say. A script file, not JSON: a page
opened from disk (``file://``) may load a script but not fetch a file. ``assets/suche.js`` searches it
in the browser (offline).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.mart import IndicatorMeta
from pipelines.lib.dashboards.page_frame import INDICATORS_DIR, js_json, profile_href

SEARCH_INDEX = "suchindex.js"
KIND_DISTRICT, KIND_INDICATOR = "Gebiet", "Indikator"


def search_entries(districts: list[District], indicators: list[IndicatorMeta], indicator_pages: dict[str, str]
                   ) -> list[list[str]]:
    """``[kind, name, code, detail, href]`` of every district and indicator, hrefs from the site root;
    ``indicator_pages``: indicator id → its map page from the site root."""
    entries = [[KIND_DISTRICT, d.name, d.district_id, d.level_label, profile_href(d.district_id, "")]
               for d in sorted(districts, key=lambda d: (d.level_rank, d.name, d.district_id))]
    entries += [[KIND_INDICATOR, i.label, i.indicator_id, i.domain,
                 indicator_pages.get(i.indicator_id, f"{INDICATORS_DIR}/")]
                for i in sorted(indicators, key=lambda i: (i.label, i.indicator_id))]
    return entries


def search_script(entries: list[list[str]]) -> str:
    return f"window.smSuchindex = {js_json(entries)};\n"


def write_search_index(out_dir: Path, entries: list[list[str]], write) -> Path:
    path = Path(out_dir) / SEARCH_INDEX
    write(path, search_script(entries))
    return path


def search_section() -> str:
    """The search form of the start page (``assets/suche.js`` fills the hit list)."""
    return (
        '<section class="suche" role="search" aria-labelledby="sm-suche-titel">'
        '<h2 id="sm-suche-titel">Suche nach Gebiet oder Indikator</h2>'
        '<label for="sm-suche">Name oder Schlüssel</label> '
        '<input type="search" id="sm-suche" autocomplete="off" spellcheck="false" '
        'aria-controls="sm-treffer" aria-describedby="sm-suche-hilfe" placeholder="z. B. Altstadt oder Kinderarmut">'
        '<p id="sm-suche-hilfe" class="erklaerung">Mit den Pfeiltasten einen Treffer wählen, mit der Eingabetaste '
        "öffnen. Ein Gebiet öffnet seinen Steckbrief, ein Indikator seine Karte.</p>"
        '<p id="sm-suche-anzahl" class="anzahl" aria-live="polite"></p>'
        '<ul id="sm-treffer" class="treffer"></ul>'
        '<noscript><p>Die Suche braucht JavaScript. Alle Gebiete stehen in der Liste „Alle Gebiete“, alle '
        "Indikatoren unter „Karten“.</p></noscript></section>"
    )
