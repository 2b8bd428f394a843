"""The profiles of all districts, written group by group, each group read from the mart by its worker.

A group's worker reads the values of its districts and of the city (:func:`~.mart.read_district_values`),
so that memory follows the group, not the mart: a national mart's ten million values are never held at
once. The groups are consecutive slices of the districts, and each page depends only on its district,
so the pages are the same however they are grouped.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.map_data import series_map
from pipelines.lib.dashboards.mart import (
    IndicatorMeta,
    RunInfo,
    open_mart,
    read_benchmarks,
    read_district_values,
)
from pipelines.lib.dashboards.page_csv import csv_name, profile_rows, write_csv
from pipelines.lib.dashboards.page_frame import PROFILES_DIR, page_name
from pipelines.lib.dashboards.profile_page import render_profile
from pipelines.lib.parallel import MIN_ITEMS

GROUPS = 32  # enough for several per worker on any machine we serve
MAX_GROUP = 500  # districts a group; with 60 indicators × 15 years 450,000 values (each read scans the mart)


def district_groups(districts: list[District]) -> list[list[District]]:
    """Consecutive slices of ``districts``: one slice for a small site (not worth a worker), else at
    least :data:`GROUPS` of at most :data:`MAX_GROUP` districts."""
    if len(districts) < MIN_ITEMS:
        return [districts] if districts else []
    size = min(MAX_GROUP, math.ceil(len(districts) / GROUPS))
    return [districts[i:i + size] for i in range(0, len(districts), size)]


@dataclass(frozen=True)
class ProfileSite:
    """What every profile shares: the mart, the hierarchy, the indicators and their years, the links."""

    mart: Path
    out_dir: Path
    run: RunInfo
    indicators: list[IndicatorMeta]
    years: dict[str, tuple[int, ...]]  # indicator id -> every year with rows
    by_id: dict[str, District]
    children: dict[str, list[District]]
    indicator_pages: dict[str, str]  # indicator id -> href from a profile
    sections: Callable[[District], tuple[str, ...]]  # the analysis sections of a district's profile
    decimals: int
    timezone: str
    write: Callable[[Path, str], None]
    ranges: dict[tuple[str, int, str], tuple[float, float, float, float]] = field(default_factory=dict)
    # (indicator, year, level) → published rates of the level: min, quartiles, max (:func:`~.mart.read_level_ranges`)

    @property
    def city(self) -> District | None:
        return next((d for d in self.by_id.values() if d.level_rank == 0), None)

    def path(self, district: District) -> Path:
        return self.out_dir / PROFILES_DIR / page_name(district.district_id)

    def write_group(self, group: list[District]) -> list[Path]:
        """Read the values of ``group`` (and the city) and write their profiles."""
        city = self.city
        parents = sorted({d.parent_id for d in group if d.parent_id and d.parent_id in self.by_id})
        ids = sorted({d.district_id for d in group} | set(parents) | ({city.district_id} if city else set()))
        with open_mart(self.mart, spatial=False) as con:
            values = read_district_values(con, ids)
            compared = read_benchmarks(con, district_ids=ids)
        vs_city: dict[str, dict[int, dict[str, str]]] = {}
        for (indicator_id, year, district_id), (city_label, _parent_label) in compared.items():
            if city_label is not None:
                vs_city.setdefault(indicator_id, {}).setdefault(year, {})[district_id] = city_label
        maps = [series_map(ind, self.years.get(ind.indicator_id, ()), values.get(ind.indicator_id, {}), city,
                           vs_city.get(ind.indicator_id))
                for ind in self.indicators]
        paths = []
        for d in group:
            path = self.path(d)
            write_csv(path.with_name(csv_name(d.district_id)), profile_rows(d, maps, self.decimals))
            self.write(path, render_profile(d, self.by_id, self.children.get(d.district_id, []), maps, self.run,
                                            indicator_pages=self.indicator_pages, decimals=self.decimals,
                                            timezone=self.timezone, sections=self.sections(d),
                                            ranges=self.ranges))
            paths.append(path)
        return paths
