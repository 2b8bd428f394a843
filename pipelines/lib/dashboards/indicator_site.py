"""The map pages of one indicator, built from the mart in the process that writes them.

``indikatoren/<id>.html`` and, at national scale, ``indikatoren/<id>/<unit>.html``, with the table of
every level and year beside them (``indikatoren/<id>.csv``, :mod:`page_csv`). Each call reads the
indicator's values itself (:func:`~.mart.read_all_values`), classifies and compares them, writes the
pages and returns only what the index needs: a worker never sends values back, and the run's process
never holds the values of every indicator at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.index_page import IndexEntry
from pipelines.lib.dashboards.indicator_page import render_indicator_page
from pipelines.lib.dashboards.map_data import indicator_map, map_levels
from pipelines.lib.dashboards.mart import IndicatorMeta, RunInfo, open_mart, read_all_values, read_benchmarks
from pipelines.lib.dashboards.page_csv import csv_name, indicator_rows, write_csv
from pipelines.lib.dashboards.page_frame import INDICATORS_DIR, page_name
from pipelines.lib.dashboards.page_plan import page_plan
from pipelines.lib.dashboards.settings import MapSettings
from pipelines.lib.dashboards.thumbnail import thumbnail


@dataclass(frozen=True)
class IndicatorPages:
    page: Path
    entry: IndexEntry
    unit_pages: dict[str, Path] = field(default_factory=dict)  # top-level unit id -> page


@dataclass(frozen=True)
class IndicatorSite:
    """What every indicator's pages share: the mart, the districts and pages, the run and the settings."""

    mart: Path
    out_dir: Path
    run: RunInfo
    districts: list[District]
    plan: tuple  # the levels of the overview page and of each unit's page (:func:`page_plan`)
    settings: MapSettings
    decimals: int
    timezone: str
    write: Callable[[Path, str], None]

    @classmethod
    def of(cls, mart: Path, out_dir: Path, run: RunInfo, districts: list[District], settings: MapSettings,
           decimals: int, timezone: str, write: Callable[[Path, str], None]) -> IndicatorSite:
        plan = page_plan(tuple(map_levels(districts)), districts, settings)
        return cls(mart, out_dir, run, districts, plan, settings, decimals, timezone, write)

    def pages(self, indicator: IndicatorMeta) -> IndicatorPages:
        """Read, classify, compare and write the pages of ``indicator`` (see the module docstring)."""
        with open_mart(self.mart, spatial=False) as con:
            values = read_all_values(con, indicator.indicator_id)
            published = read_benchmarks(con, indicator_id=indicator.indicator_id)
        benchmarks: dict[int, dict[str, str]] = {}  # the comparisons the analysis stage published
        for (_indicator, year, district_id), (vs_city, _vs_parent) in published.items():
            if vs_city is not None:
                benchmarks.setdefault(year, {})[district_id] = vs_city
        data = indicator_map(indicator, self.districts, values, self.settings, benchmarks)
        ind_id = indicator.indicator_id
        overview_levels, units = self.plan
        unit_links = [(name, f"{page_name(ind_id)[:-5]}/{page_name(unit_id)}") for unit_id, name, _ in units]
        page = self.out_dir / INDICATORS_DIR / page_name(ind_id)
        write_csv(page.with_name(csv_name(ind_id)), indicator_rows(data, self.decimals))
        self.write(page, render_indicator_page(data, self.run, levels=overview_levels, decimals=self.decimals,
                                               timezone=self.timezone, unit_links=unit_links,
                                               csv_href=csv_name(ind_id)))
        written = {}
        for unit_id, name, levels in units:
            unit_page = self.out_dir / INDICATORS_DIR / page_name(ind_id)[:-5] / page_name(unit_id)
            self.write(unit_page, render_indicator_page(data, self.run, levels=levels, scope=name, prefix="../../",
                                                        decimals=self.decimals, timezone=self.timezone,
                                                        csv_href=f"../{csv_name(ind_id)}"))
            written[unit_id] = unit_page
        entry = IndexEntry(indicator, f"{INDICATORS_DIR}/{page_name(ind_id)}", data.default_year, thumbnail(data))
        return IndicatorPages(page, entry, written)
