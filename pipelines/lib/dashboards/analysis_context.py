"""What every analysis page and profile section needs to know: districts, indicators, published statuses."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.lib.dashboards.analysis_map import hidden_reason
from pipelines.lib.dashboards.analysis_mart import AnalysisData, NeedRow
from pipelines.lib.dashboards.formatting import format_rate
from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.map_data import display_status
from pipelines.lib.dashboards.mart import IndicatorMeta, MartCells
from pipelines.lib.dashboards.settings import MapSettings

NEED_INDEX = "need_index"  # the hot-spot "indicator" of the need index's status score


@dataclass(frozen=True)
class Context:
    districts: list[District]
    metas: list[IndicatorMeta]
    cells: MartCells  # the published indicator values, read by indicator-year when needed
    analysis: AnalysisData
    settings: MapSettings = field(default_factory=MapSettings)
    min_population: int = 300
    decimals: int = 1
    by_id: dict[str, District] = field(init=False)
    indicators: dict[str, IndicatorMeta] = field(init=False)
    need_rows: dict[str, NeedRow] = field(init=False)
    level_ranks: dict[str, int] = field(init=False)
    _level_labels: dict[str, str] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "by_id", {d.district_id: d for d in self.districts})
        object.__setattr__(self, "level_ranks", {d.level: d.level_rank for d in self.districts})
        object.__setattr__(self, "_level_labels", {d.level: d.level_label for d in self.districts})
        object.__setattr__(self, "need_rows", {r.district_id: r for r in self.analysis.need})
        object.__setattr__(self, "indicators", {m.indicator_id: m for m in self.metas})
        self.cells.preload(self.analysed_cells())

    @property
    def city(self) -> District | None:
        return next((d for d in self.districts if d.level_rank == 0), None)

    def level_label(self, level: str) -> str:
        return self._level_labels.get(level, level)

    def label(self, indicator_id: str) -> str:
        meta = self.indicators.get(indicator_id)
        return meta.label if meta else indicator_id

    def analysed_cells(self) -> set[tuple[str, int]]:
        """The indicator-years the analysis pages look up: the need index's components in the years of
        its rows, and the hot-spot indicators (read in one go; anything else is read when asked for)."""
        a = self.analysis
        need_years = {r.year for r in a.need} | {r.year for r in a.hotspots if r.indicator_id == NEED_INDEX}
        pairs = {(c, y) for c in a.need_components for y in need_years if y is not None}
        pairs |= {(r.indicator_id, r.year) for r in a.hotspots if r.indicator_id != NEED_INDEX and r.year is not None}
        return {(i, y) for i, y in pairs if i in self.indicators}

    def _value(self, indicator_id: str, year: int | None, district_id: str):
        if indicator_id not in self.indicators or year is None:
            return None
        return self.cells.get(indicator_id, year).get(district_id)

    def status(self, indicator_id: str, year: int | None, district_id: str) -> str:
        """The published status of one indicator cell ("keine Daten" where there is none)."""
        return display_status(self._value(indicator_id, year, district_id))

    def rate_text(self, indicator_id: str, year: int | None, district_id: str) -> str | None:
        """The published rate in its unit (``"12,5 %"``), None where it is not published."""
        value = self._value(indicator_id, year, district_id)
        if value is None or not value.published:
            return None
        return format_rate(value.rate, self.indicators[indicator_id].unit, self.decimals)

    def reason(self, indicator_ids, year: int | None, district_id: str) -> str:
        """Why a district has no analysis value built from ``indicator_ids`` (see :func:`hidden_reason`)."""
        district = self.by_id.get(district_id)
        population = district.population if district is not None else None
        return hidden_reason([self.status(i, year, district_id) for i in indicator_ids], population,
                             self.min_population)

    def need_reason(self, year: int | None, district_id: str) -> str:
        return self.reason(self.analysis.need_components, year, district_id)
