"""Which levels go on a map's overview page and, at national scale, on one page per top-level unit."""

from __future__ import annotations

from collections.abc import Sequence

from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.map_data import LevelMap
from pipelines.lib.dashboards.settings import MapSettings


def page_plan(
    levels: Sequence[LevelMap], districts: list[District], settings: MapSettings
) -> tuple[tuple[LevelMap, ...], list[tuple[str, str, tuple[LevelMap, ...]]]]:
    """The levels of the overview page and, at national scale, ``(unit id, name, levels)`` per unit page.

    A map whose finest level has at most ``districts_per_page`` districts gets one page with every
    level. Larger ones get an overview with the levels that fit, and one page per top-level unit (the
    districts of the coarsest level below the city) with the unit's own districts on every finer level
    of the map — also for a map that shows one fine level only (hot spots, offers).
    """
    levels = tuple(levels)
    if not levels or len(levels[-1].districts) <= settings.districts_per_page:
        return levels, []
    overview = tuple(lv for lv in levels if len(lv.districts) <= settings.districts_per_page) or levels[:1]
    ranks = sorted({d.level_rank for d in districts if d.level_rank > 0})
    if not ranks:
        return overview, []
    top = sorted((d for d in districts if d.level_rank == ranks[0]), key=lambda d: d.district_id)
    top_ids = {d.district_id for d in top}
    parent = {d.district_id: d.parent_id for d in districts}

    def unit_of(district_id: str) -> str | None:
        seen = set()
        while district_id is not None and district_id not in seen:
            seen.add(district_id)
            if district_id in top_ids:
                return district_id
            district_id = parent.get(district_id)
        return None

    finer = [lv for lv in levels if lv.districts and lv.districts[0].level_rank > ranks[0]]
    members: dict[tuple[str | None, str], list] = {}  # (unit, level) → its districts, in the level's order
    for lv in finer:
        for d in lv.districts:
            members.setdefault((unit_of(d.district_id), lv.level), []).append(d)
    units = []
    for unit in top:
        unit_levels = tuple(LevelMap(lv.level, lv.label, tuple(members[(unit.district_id, lv.level)]))
                            for lv in finer if (unit.district_id, lv.level) in members)
        if unit_levels:
            units.append((unit.district_id, unit.name, unit_levels))
    return overview, units
