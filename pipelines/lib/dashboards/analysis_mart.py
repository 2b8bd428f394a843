"""Reading the analysis tables of the published mart: need index, hot spots, offers, allocation.

Like :mod:`mart`, only the published mart is read. A table that is missing (an older release) or empty
simply gives no rows; the pages and profile sections then say so. Offer locations come from the mart's
public ``offers`` table, reprojected to WGS 84 with the district (of the coverage level) they lie in.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from pyproj import CRS, Transformer

from pipelines.lib.dashboards.geo import DECIMALS


@dataclass(frozen=True)
class NeedRow:
    district_id: str
    level: str
    year: int
    base_year: int
    status_z: float | None
    status_class: int | None  # 1..4, None: no index
    components_used: int
    weight_share: float
    dynamics_label: str | None  # verbessert | stabil | verschlechtert
    special_need: bool
    special_need_rule: str | None


@dataclass(frozen=True)
class SensitivityRow:
    """How many districts of a level change status class when one weight moves by ``percent``."""

    level: str
    component_type: str  # Bereich | Indikator
    component: str
    percent: int
    changed: int
    classified: int


@dataclass(frozen=True)
class HotspotRow:
    district_id: str
    level: str
    year: int
    indicator_id: str  # or "need_index"
    value: float | None
    q_value: float | None
    label: str


@dataclass(frozen=True)
class CoverageRow:
    district_id: str
    level: str
    year: int | None
    category: str
    age_band: str
    offers: int
    children: int | None
    children_complete: bool
    per_1000: float | None
    reference_per_1000: float | None  # the whole level's coverage: the gap rule's yardstick
    distance_m: float | None
    supply_gap: bool
    gap_rank: int | None


@dataclass(frozen=True)
class AllocationRow:
    district_id: str
    level: str
    year: int
    method: str
    input_source: str
    share: float
    amount: int
    reference_population: float
    amount_per_child: float | None
    per_capita_amount: int
    difference: int


@dataclass(frozen=True)
class Offer:
    offer_id: str
    name: str
    category: str
    age_band: str
    lat: float
    lon: float
    district_id: str | None  # the district of the coverage level it lies in


@dataclass(frozen=True)
class AnalysisData:
    need: tuple[NeedRow, ...] = ()
    sensitivity: tuple[SensitivityRow, ...] = ()
    hotspots: tuple[HotspotRow, ...] = ()
    coverage: tuple[CoverageRow, ...] = ()
    allocation: tuple[AllocationRow, ...] = ()
    offers: tuple[Offer, ...] = ()
    parameters: dict[tuple[str, str], object] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)  # indicator id → weight in the need index

    def parameter(self, analysis: str, name: str, default=None):
        return self.parameters.get((analysis, name), default)

    @property
    def need_components(self) -> tuple[str, ...]:
        """The indicators the need index combines (its parameters, else the catalogue's weights)."""
        listed = self.parameter("need_index", "indicators")
        if isinstance(listed, list):
            return tuple(str(i) for i in listed)
        return tuple(sorted(i for i, w in self.weights.items() if w > 0))


def table_exists(con, name: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where table_name = ?", [name]).fetchone()[0])


def read_analysis(con, crs: str) -> AnalysisData:
    """Every analysis table the mart holds (empty tuples for missing tables)."""
    coverage = _coverage(con)
    level = _finest(con, {r.level for r in coverage})
    return AnalysisData(
        need=_need(con), sensitivity=_sensitivity(con), hotspots=_hotspots(con), coverage=coverage, allocation=_allocation(con),
        offers=_offers(con, crs, level), parameters=_parameters(con), weights=_weights(con),
    )


def _finest(con, levels: set[str]) -> str | None:
    """The finest of ``levels`` (the offers list names the district of that level an offer lies in)."""
    if not levels:
        return None
    ranks = dict(con.execute("select level, min(level_rank) from districts group by level").fetchall())
    return max(sorted(levels), key=lambda lv: ranks.get(lv, -1))


def _rows(con, table: str, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall() if table_exists(con, table) else []


def _num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _int(value) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def _need(con) -> tuple[NeedRow, ...]:
    rows = _rows(con, "need_index",
                 "select district_id, level, year, base_year, status_z, status_class, components_used, "
                 "weight_share, dynamics_label, special_need, special_need_rule from need_index "
                 "order by level, district_id")
    return tuple(NeedRow(r[0], r[1], int(r[2]), int(r[3]), _num(r[4]), _int(r[5]), int(r[6]), float(r[7]),
                         r[8], bool(r[9]), r[10]) for r in rows)


def _sensitivity(con) -> tuple[SensitivityRow, ...]:
    rows = _rows(con, "need_index_sensitivity",
                 "select level, component_type, component, weight_change_percent, districts_changed, "
                 "districts_classified from need_index_sensitivity "
                 "order by level, component_type, component, weight_change_percent")
    return tuple(SensitivityRow(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in rows)


def _hotspots(con) -> tuple[HotspotRow, ...]:
    rows = _rows(con, "hotspots",
                 "select district_id, level, year, indicator_id, value, q_value, label from hotspots "
                 "order by indicator_id, district_id")
    return tuple(HotspotRow(r[0], r[1], int(r[2]), r[3], _num(r[4]), _num(r[5]), r[6]) for r in rows)


def _coverage(con) -> tuple[CoverageRow, ...]:
    rows = _rows(con, "offer_coverage",
                 "select district_id, level, year, category, age_band, offers, children, children_complete, "
                 "offers_per_1000, reference_per_1000, distance_m, supply_gap, gap_rank from offer_coverage "
                 "order by category, age_band, district_id")
    return tuple(CoverageRow(r[0], r[1], _int(r[2]), r[3], r[4], int(r[5]), _int(r[6]), bool(r[7]), _num(r[8]),
                             _num(r[9]), _num(r[10]), bool(r[11]), _int(r[12])) for r in rows)


def _allocation(con) -> tuple[AllocationRow, ...]:
    rows = _rows(con, "allocation",
                 "select district_id, level, year, method, input_source, share, amount, reference_population, "
                 "amount_per_child, per_capita_amount, difference from allocation order by district_id")
    return tuple(AllocationRow(r[0], r[1], int(r[2]), r[3], r[4], float(r[5]), int(r[6]), float(r[7]), _num(r[8]),
                               int(r[9]), int(r[10])) for r in rows)


def _parameters(con) -> dict[tuple[str, str], object]:
    out = {}
    for analysis, name, value in _rows(con, "analysis_parameters",
                                       "select analysis, parameter, value from analysis_parameters"):
        try:
            out[(analysis, name)] = json.loads(value)
        except (TypeError, ValueError):
            out[(analysis, name)] = value
    return out


def _weights(con) -> dict[str, float]:
    columns = {r[0] for r in con.execute(
        "select column_name from duckdb_columns() where table_name = 'indicators'").fetchall()}
    if "weight" not in columns:
        return {}
    return {r[0]: float(r[1] or 0.0) for r in con.execute("select indicator_id, weight from indicators").fetchall()}


def _offers(con, crs: str, level: str | None) -> tuple[Offer, ...]:
    """The offers in WGS 84 (6 decimals) with the district of ``level`` that contains them."""
    if not table_exists(con, "offers"):
        return ()
    rows = con.execute(
        """
        with inside as (
            select o.offer_id, min(d.district_id) as district_id
            from offers o join (select district_id, geometry from districts where level = ?) d
              on st_within(o.geometry, d.geometry)
            group by o.offer_id
        )
        select o.offer_id, o.name, o.category, o.age_band, st_x(st_centroid(o.geometry)),
               st_y(st_centroid(o.geometry)), i.district_id
        from offers o left join inside i using (offer_id)
        order by o.category, o.age_band, o.name, o.offer_id
        """,
        [level],
    ).fetchall()
    if not rows:
        return ()
    transformer = Transformer.from_crs(CRS.from_user_input(crs), CRS.from_epsg(4326), always_xy=True)
    out = []
    for offer_id, name, category, band, x, y, district in rows:
        lon, lat = transformer.transform(x, y)
        out.append(Offer(str(offer_id), name, category, band, round(lat, DECIMALS), round(lon, DECIMALS), district))
    return tuple(out)
