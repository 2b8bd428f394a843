"""The figures of one indicator map: levels, years, classes and the compact cells the page script draws.

Geometry is embedded once per level; the values of every year follow as arrays aligned with the
features, so that switching the year restyles the map without reloading. A cell is ``[status]`` for
a district without a published value, and ``[0, rate, ci_low, ci_high, numerator, denominator,
class, comparison]`` (German-formatted strings, ``null`` where not published) otherwise, with a ninth
element ``1`` where the numerator is derived (share × denominator, a crosswalk: no interval). Nothing but
published figures is read (see :mod:`mart`), so no hidden value can reach a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipelines.lib.dashboards.classify import Classification, classify
from pipelines.lib.dashboards.comparison import CODES, TEXT, comparisons
from pipelines.lib.dashboards.formatting import (
    DERIVED_MARK,
    NO_DATA,
    NO_INTERVAL_DERIVED,
    PUBLISHED,
    SECRET,
    STATUS_TEXT,
    TOO_FEW,
    format_count,
    format_interval,
    format_numbers,
    format_rate,
)
from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.mart import IndicatorMeta, Value
from pipelines.lib.dashboards.page_frame import HATCH_ID, RawJson, js_json, page_name
from pipelines.lib.dashboards.settings import MapSettings

STATUS_CODES = (PUBLISHED, SECRET, TOO_FEW, NO_DATA)
_STATUS_CODE = {status: i for i, status in enumerate(STATUS_CODES)}
_COMPARISON_CODE = {comparison: i for i, comparison in enumerate(CODES)}
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


@dataclass(frozen=True)
class LevelMap:
    level: str
    label: str
    districts: tuple[District, ...]


@dataclass(frozen=True)
class IndicatorMap:
    indicator: IndicatorMeta
    years: tuple[int, ...]  # ascending
    levels: tuple[LevelMap, ...]  # coarse to fine; the finest is shown first
    classes: dict[tuple[int, str], Classification]  # (year, level) → classes of published values
    values: dict[int, dict[str, Value]]
    compared: dict[int, dict[str, str]]  # year → district → comparison with the city
    city: District | None
    cells: dict[tuple[int, int], dict[str, list]] = field(default_factory=dict, compare=False, repr=False)
    # (year, decimals) → the page cells, filled by :func:`year_cells`

    @property
    def default_year(self) -> int | None:
        return self.years[-1] if self.years else None

    @property
    def default_level(self) -> LevelMap | None:
        return self.levels[-1] if self.levels else None


def display_status(value: Value | None) -> str:
    """The status a district is drawn with: a published cell without a rate counts as "keine Daten"."""
    if value is None:
        return NO_DATA
    if value.published:
        return PUBLISHED
    return value.status if value.status in HIDDEN_STYLES else NO_DATA


def map_levels(districts: list[District]) -> list[LevelMap]:
    """The map levels: every level below the city (the city alone if there is nothing else)."""
    by_level: dict[str, list[District]] = {}
    for d in sorted(districts, key=lambda d: (d.level_rank, d.district_id)):
        by_level.setdefault(d.level, []).append(d)
    groups = [g for g in by_level.values() if g[0].level_rank > 0] or list(by_level.values())
    return [LevelMap(g[0].level, g[0].level_label, tuple(g)) for g in groups]


def map_classes(
    indicator: IndicatorMeta, levels: tuple[LevelMap, ...], values: dict[int, dict[str, Value]],
    settings: MapSettings,
) -> dict[tuple[int, str], Classification]:
    """(year, level) → classes of the published values of that level and year."""
    classes = {}
    for year in sorted(values):
        cells = values[year]
        for lv in levels:
            published = [cells[d.district_id].rate for d in lv.districts
                         if d.district_id in cells and cells[d.district_id].published]
            classes[(year, lv.level)] = classify(
                published, indicator.direction, settings.classes, settings.scheme, settings.sampled_above)
    return classes


def indicator_map(
    indicator: IndicatorMeta,
    districts: list[District],
    values: dict[int, dict[str, Value]],
    settings: MapSettings,
    benchmarks: dict[int, dict[str, str]] | None = None,
    classes: dict[tuple[int, str], Classification] | None = None,
) -> IndicatorMap:
    """Classes per level and year (from published values of that level only) and city comparisons.

    ``benchmarks`` (year → district → comparison) will come from the mart's ``indicator_benchmarks``;
    ``classes``: from :func:`map_classes` where they were computed already (by a worker).
    """
    levels = tuple(map_levels(districts))
    city = next((d for d in districts if d.level_rank == 0), None)
    years = tuple(sorted(values))
    if classes is None:
        classes = map_classes(indicator, levels, values, settings)
    compared = {
        year: comparisons(values[year], city.district_id if city else None, indicator.direction,
                          (benchmarks or {}).get(year))
        for year in years
    }
    return IndicatorMap(indicator, years, levels, classes, values, compared, city)


def series_map(
    indicator: IndicatorMeta, years: tuple[int, ...], values: dict[int, dict[str, Value]], city: District | None,
    benchmarks: dict[int, dict[str, str]] | None = None,
) -> IndicatorMap:
    """The figures of one indicator for a few districts only (the rows of their profiles): every year of
    the indicator, the values of the districts in ``values`` (which must hold the city's too), their
    comparisons with the city in the newest year (the one a profile shows; ``benchmarks`` from the mart's
    ``indicator_benchmarks`` where given), no levels or classes."""
    values = {year: values.get(year, {}) for year in years}
    city_id = city.district_id if city else None
    compared = {year: comparisons(values[year], city_id, indicator.direction, (benchmarks or {}).get(year))
                for year in years[-1:]}
    return IndicatorMap(indicator, tuple(years), (), {}, values, compared, city)


def year_cells(data: IndicatorMap, year: int, decimals: int) -> dict[str, list]:
    """District id → compact page cell (see the module docstring) of every district on the map levels in
    ``year``; a level's figures are formatted and classified together, once per map."""
    key = (year, decimals)
    if key in data.cells:
        return data.cells[key]
    values, compared = data.values[year], data.compared[year]
    out: dict[str, list] = {}
    for lv in data.levels:
        ids, shown = [], []
        for d in lv.districts:
            value = values.get(d.district_id)
            if value is None or not value.published:
                out[d.district_id] = [_STATUS_CODE[display_status(value)]]
            else:
                ids.append(d.district_id)
                shown.append(value)
        if shown:
            cells = _published_cells(shown, data.classes[(year, lv.level)], data.indicator, decimals)
            for district_id, value, cell in zip(ids, shown, cells, strict=True):
                comparison = compared.get(district_id)
                cell.append(_COMPARISON_CODE[comparison] if comparison is not None else None)
                if value.is_derived:
                    cell.append(1)
                out[district_id] = cell
    data.cells[key] = out
    return out


def _published_cells(values: list[Value], classification: Classification, indicator: IndicatorMeta,
                     decimals: int) -> list[list]:
    """``[0, rate, ci_low, ci_high, numerator, denominator, class]`` of published values of one level."""
    rates = [v.rate for v in values]
    with_ci = [v.ci_low is not None and v.ci_high is not None for v in values]
    lows = format_numbers([v.ci_low if ok else 0.0 for v, ok in zip(values, with_ci, strict=True)], decimals)
    highs = format_numbers([v.ci_high if ok else 0.0 for v, ok in zip(values, with_ci, strict=True)], decimals)
    numerators = [None if v.numerator is None else format_count(v.numerator) for v in values]
    denominators = ([None if v.denominator is None else format_count(v.denominator) for v in values]
                    if indicator.denominator_public else [None] * len(values))
    # Classification.class_index for all values at once (bisect_left, beyond the last break → last class)
    classes = np.minimum(np.searchsorted(np.asarray(classification.breaks, dtype=float), rates, side="left"),
                         len(classification.classes) - 1).tolist()
    return [[0, r, lo if ok else None, hi if ok else None, n, d, c] for r, lo, hi, ok, n, d, c in zip(
        format_numbers(rates, decimals), lows, highs, with_ci, numerators, denominators, classes, strict=True)]


def city_text(value: Value | None, unit: str, decimals: int) -> str:
    """``"22,5 % (95 %-KI: 21,9 – 23,1)"`` or the status of the city's cell (a derived numerator: the rate and
    the mark, no interval)."""
    if value is not None and value.published:
        text = format_rate(value.rate, unit, decimals)
        if value.ci_low is not None and value.ci_high is not None:
            text += f" (95 %-KI: {format_interval(value.ci_low, value.ci_high, decimals)})"
        elif value.is_derived:
            text += f" ({DERIVED_MARK}; {NO_INTERVAL_DERIVED})"
        return text
    return STATUS_TEXT[display_status(value)]


def level_geojson(lv: LevelMap, profile_prefix: str) -> dict:
    """The geometry of one level with public, value-free properties only."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": d.district_id,
                "properties": {"name": d.name, "steckbrief": profile_prefix + page_name(d.district_id)},
                "geometry": d.geojson,
            }
            for d in lv.districts
        ],
    }


_LEVEL_JSON: dict[tuple[str, str, tuple[str, ...]], RawJson] = {}


def level_json(lv: LevelMap, profile_prefix: str) -> RawJson:
    """:func:`level_geojson` as page JSON, encoded once per process: every map of the site embeds it."""
    key = (profile_prefix, lv.level, tuple(d.district_id for d in lv.districts))
    if key not in _LEVEL_JSON:
        _LEVEL_JSON[key] = RawJson(js_json(level_geojson(lv, profile_prefix)))
    return _LEVEL_JSON[key]


HIDDEN_CODES = (_STATUS_CODE[SECRET], _STATUS_CODE[TOO_FEW])  # withheld cells ("keine Daten" is no protection)
MOSTLY_HIDDEN = 0.5


def coarse_switch(data: IndicatorMap, levels: tuple[LevelMap, ...], year: int, decimals: int) -> int | None:
    """Where the finest level of ``levels`` has more than half of its cells withheld in ``year``: the index
    of the coarsest level with no withheld cell and a published one (the map that shows the topic without
    holes), else None."""
    if len(levels) < 2:
        return None
    cells = year_cells(data, year, decimals)
    finest = [cells[d.district_id][0] for d in levels[-1].districts]
    if not finest or sum(c in HIDDEN_CODES for c in finest) <= MOSTLY_HIDDEN * len(finest):
        return None
    for i, lv in enumerate(levels[:-1]):
        codes = [cells[d.district_id][0] for d in lv.districts]
        if codes and not any(c in HIDDEN_CODES for c in codes) and _STATUS_CODE[PUBLISHED] in codes:
            return i
    return None


def page_data(data: IndicatorMap, levels: tuple[LevelMap, ...], decimals: int, profile_prefix: str) -> dict:
    """The JSON the page script reads (``<script type="application/json" id="sm-daten">``)."""
    ind = data.indicator
    denominator = f"Nenner ({ind.denominator_label})" if ind.denominator_label else "Nenner"
    return {
        "einheit": " " + (ind.unit_label or ""),
        "texte": {
            "ebene": "Ebene", "jahr": "Jahr", "rate": "Anteil" if ind.unit == "share" else "Rate",
            "ki": "95 %-KI", "zaehler": "Zähler", "nenner": denominator, "vergleich": "Vergleich",
            "status": "Status", "steckbrief": "Klicken: Steckbrief des Gebiets",
            "abgeleitet": DERIVED_MARK, "ohne_ki": NO_INTERVAL_DERIVED,
        },
        "status": [STATUS_TEXT[s] for s in STATUS_CODES],
        "stile": [None, *[HIDDEN_STYLES[s] for s in STATUS_CODES[1:]]],
        "vergleiche": [TEXT[c] for c in CODES],
        "jahre": list(data.years),
        "richtung": ind.direction,
        "stadt": {str(year): _city_rate(data, year, decimals) for year in data.years},
        "ebenen": [
            {"id": lv.level, "name": lv.label, "geo": level_json(lv, profile_prefix)}
            for lv in levels
        ],
        "farben": {
            str(year): [[c.colour for c in data.classes[(year, lv.level)].classes] for lv in levels]
            for year in data.years
        },
        # year → the level to offer when the finest is mostly withheld (:func:`coarse_switch`), where there is one
        "grob": {str(year): i for year in data.years
                 if (i := coarse_switch(data, levels, year, decimals)) is not None},
        "werte": {
            str(year): [[cells[d.district_id] for d in lv.districts] for lv in levels]
            for year, cells in ((year, year_cells(data, year, decimals)) for year in data.years)
        },
    }


def _city_rate(data: IndicatorMap, year: int, decimals: int) -> str | None:
    """The city's published rate in ``year`` as the cells write rates (None where it is not published)."""
    value = data.values[year].get(data.city.district_id) if data.city is not None else None
    return format_numbers([value.rate], decimals)[0] if value is not None and value.published else None
