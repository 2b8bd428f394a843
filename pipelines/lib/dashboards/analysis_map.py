"""The figures of one analysis map (need index, hot spots, offers, allocation) and the JSON its page draws.

An analysis map has levels (as indicator maps) and *views* instead of years: the indicators of the hot
spots, the offer categories, the two allocation measures. Per view and level every district has a
:class:`Cell`; the page embeds them as ``<script type="application/json" id="sm-daten">`` under
``ansichten[v].werte[level][feature]``:

* ``[status code]`` for a district without a value — the bare code, nothing else (the release audit
  checks this, see :mod:`pipelines.lib.audit.site`);
* ``[0, class, mark, symbol, field, …]`` otherwise: the class index into ``ansichten[v].farben[level]``,
  ``1`` when the district is outlined (e.g. "besonderer Handlungsbedarf"), a symbol index or ``null``,
  then the German-formatted texts of the view's ``felder``.

Every figure comes from the published mart's analysis tables, which are computed from published
values only; where a table has no value the reason is taken from the published statuses
(:func:`hidden_reason`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pipelines.lib.dashboards.formatting import NO_DATA, PUBLISHED, SECRET, STATUS_TEXT, TOO_FEW
from pipelines.lib.dashboards.geo import District, bounds
from pipelines.lib.dashboards.map_data import (
    HIDDEN_EXPLANATION,
    HIDDEN_STYLES,
    STATUS_CODES,
    LevelMap,
    level_json,
)

ANALYSES_DIR = "auswertungen"
MARK_STYLE = {"color": "#000000", "weight": 3.5}


@dataclass(frozen=True)
class Entry:
    """One legend class: label (German, formatted) and fill colour."""

    label: str
    colour: str
    note: str = ""


@dataclass(frozen=True)
class Cell:
    status: str = NO_DATA
    cls: int | None = None
    fields: tuple[str | None, ...] = ()
    mark: bool = False
    symbol: int | None = None

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED and self.cls is not None


@dataclass(frozen=True)
class View:
    view_id: str
    name: str  # in the view switch and the legend heading
    fields: tuple[str, ...]  # labels of the cell texts (tooltip rows, table columns)
    classes: dict[str, tuple[Entry, ...]]  # level → classes
    cells: dict[str, dict[str, Cell]]  # level → district → cell
    direction: str = ""  # "höher = mehr Handlungsbedarf …"
    notes: tuple[str, ...] = ()  # legend paragraphs (plain text)
    year: int | None = None

    def cell(self, level: str, district_id: str) -> Cell:
        return self.cells.get(level, {}).get(district_id) or Cell()


@dataclass(frozen=True)
class Mark:
    """How outlined districts look and what the legend calls them."""

    label: str
    explanation: str
    style: dict = field(default_factory=lambda: dict(MARK_STYLE))


@dataclass(frozen=True)
class Symbol:
    """A symbol drawn on a district (``form``: ``oben`` or ``unten``, a triangle) and its legend text."""

    form: str
    label: str


@dataclass(frozen=True)
class AnalysisMap:
    page_id: str  # file name stem in ``auswertungen/``
    title: str
    intro: str  # one paragraph above the map (plain text)
    view_label: str  # label of the view switch ("Indikator", "Angebot", "Darstellung")
    levels: tuple[LevelMap, ...]
    views: tuple[View, ...]
    source: str
    city: District | None = None
    mark: Mark | None = None
    symbols: tuple[Symbol, ...] = ()
    symbol_toggle: str = ""  # label of the checkbox that shows the symbols
    hidden_text: dict[str, str] = field(default_factory=dict)  # status → legend explanation
    legend_extra: dict[tuple[str, str], str] = field(default_factory=dict)  # (view, level) → HTML
    after_table: Callable[[str], str] | None = None  # prefix → HTML below the values table (the offers)
    markers: dict | None = None  # offers page: the points for the cluster layer
    scripts: tuple[str, ...] = ("auswertung.js",)  # assets/… scripts after leaflet.js
    styles: tuple[str, ...] = ()  # further assets/… stylesheets after leaflet.css
    controls: str = ""  # further controls (HTML) after the view and level switches

    @property
    def default_level(self) -> LevelMap | None:
        return self.levels[-1] if self.levels else None

    @property
    def years(self) -> list[int]:
        return sorted({v.year for v in self.views if v.year is not None})

    def explanation(self, status: str) -> str:
        return self.hidden_text.get(status, HIDDEN_EXPLANATION[status])


def hidden_reason(statuses: Iterable[str], population: int | None, min_population: int) -> str:
    """The status a district without an analysis value is drawn with, from published facts only.

    Too small a district ("zu wenige Einwohner"), else any protected input ("geheimgehalten"), else
    inputs that are all too small, else "keine Daten".
    """
    statuses = list(statuses)
    if population is not None and population < min_population:
        return TOO_FEW
    if SECRET in statuses:
        return SECRET
    if statuses and all(s == TOO_FEW for s in statuses):
        return TOO_FEW
    return NO_DATA


def analysis_levels(districts: list[District], level_ids: Iterable[str]) -> tuple[LevelMap, ...]:
    """The map levels (coarse to fine) among ``level_ids``, districts ordered by id."""
    wanted = set(level_ids)
    by_level: dict[str, list[District]] = {}
    for d in sorted(districts, key=lambda d: (d.level_rank, d.district_id)):
        if d.level in wanted:
            by_level.setdefault(d.level, []).append(d)
    return tuple(LevelMap(g[0].level, g[0].level_label, tuple(g)) for g in by_level.values())


def shown_status(cell: Cell) -> str:
    """The status a cell is drawn with: published, or one of the three styles without a value."""
    if cell.published:
        return PUBLISHED
    return cell.status if cell.status in HIDDEN_STYLES else NO_DATA


def compact(cell: Cell) -> list:
    """The page cell (see the module docstring)."""
    if not cell.published:
        return [STATUS_CODES.index(shown_status(cell))]
    return [0, cell.cls, 1 if cell.mark else 0, cell.symbol, *cell.fields]


def payload(data: AnalysisMap, levels: tuple[LevelMap, ...], profile_prefix: str) -> dict:
    """The JSON the page script reads."""
    out = {
        "art": "auswertung",
        "texte": {"ebene": "Ebene", "ansicht": data.view_label, "status": "Status",
                  "steckbrief": "Klicken: Steckbrief des Gebiets", "gebiet": "Gebiet"},
        "status": [STATUS_TEXT[s] for s in STATUS_CODES],
        "stile": [None, *[HIDDEN_STYLES[s] for s in STATUS_CODES[1:]]],
        "ebenen": [{"id": lv.level, "name": lv.label, "geo": level_json(lv, profile_prefix)} for lv in levels],
        "ansichten": [
            {
                "id": v.view_id,
                "name": v.name,
                "jahr": v.year,
                "felder": list(v.fields),
                "farben": [[e.colour for e in v.classes.get(lv.level, ())] for lv in levels],
                "werte": [[compact(v.cell(lv.level, d.district_id)) for d in lv.districts] for lv in levels],
            }
            for v in data.views
        ],
        "markierung": data.mark.style if data.mark else None,
        "zeichen": [{"form": s.form, "name": s.label} for s in data.symbols],
        "grenzen": bounds([d for lv in levels for d in lv.districts]) if any(lv.districts for lv in levels) else None,
    }
    if data.symbols:
        out["punkte"] = [[_label_point(d) for d in lv.districts] for lv in levels]
    if data.markers is not None:
        out["angebote"] = data.markers
    return out


def _label_point(d: District) -> list[float]:
    """[lat, lon] of a point well inside the district (for its symbol)."""
    from shapely.ops import polylabel

    geom = d.geometry
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    try:
        point = polylabel(geom, tolerance=5e-5) if geom.geom_type == "Polygon" else geom.representative_point()
    except Exception:
        point = geom.representative_point()
    return [round(point.y, 6), round(point.x, 6)]
