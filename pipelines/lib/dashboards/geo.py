"""District geometries for the web: read from the mart, simplified per level, WGS 84, 6 decimals.

The mart stores geometries in the projected workspace CRS. Each level is a polygon coverage, so it
is simplified with coverage simplification (shared borders stay shared, no gaps or slivers appear)
before it is reprojected to EPSG:4326 for Leaflet. Rounding to 6 decimals (about 10 cm) keeps shared
vertices identical because identical inputs round identically.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from pyproj import CRS, Transformer

DEFAULT_TOLERANCE_M = 3.0
DECIMALS = 6


@dataclass(frozen=True)
class District:
    district_id: str
    name: str
    level: str
    level_label: str
    level_rank: int
    parent_id: str | None
    geometry: shapely.Geometry  # EPSG:4326, simplified and rounded
    population: int | None = None
    area_km2: float | None = None

    @cached_property
    def geojson(self) -> dict:
        """The geometry as a GeoJSON mapping, computed once (every map page of the level embeds it)."""
        return shapely.geometry.mapping(self.geometry)


def read_districts(con, crs: str, tolerance: float = DEFAULT_TOLERANCE_M) -> list[District]:
    """All districts of the mart, ordered by level rank and id, ready for the web."""
    rows = con.execute(
        """
        select district_id, name, level, level_label, level_rank, parent_id, ST_AsWKB(geometry),
               population, area_km2
        from districts order by level_rank, district_id
        """
    ).fetchall()
    geoms = shapely.from_wkb([bytes(r[6]) for r in rows]) if rows else np.array([], dtype=object)
    levels: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        levels.setdefault(row[2], []).append(i)
    web = np.empty(len(rows), dtype=object)
    for indices in levels.values():
        web[indices] = web_geometries(geoms[indices], crs, tolerance)
    return [
        District(
            district_id=r[0], name=r[1], level=r[2], level_label=r[3], level_rank=int(r[4]),
            parent_id=r[5], geometry=web[i], population=None if r[7] is None else int(r[7]),
            area_km2=None if r[8] is None else float(r[8]),
        )
        for i, r in enumerate(rows)
    ]


def web_geometries(geoms: np.ndarray, crs: str, tolerance: float = DEFAULT_TOLERANCE_M) -> np.ndarray:
    """One level's geometries: coverage-simplified in ``crs``, reprojected to EPSG:4326, rounded."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return geoms
    source = CRS.from_user_input(crs)
    if tolerance > 0 and source.is_projected:
        geoms = simplify_level(geoms, tolerance)
    transformer = Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)

    def to_wgs84(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([x, y]), DECIMALS)

    return shapely.transform(geoms, to_wgs84)


def simplify_level(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Coverage simplification if the level is a valid coverage, else topology-preserving per polygon."""
    geoms = np.asarray(geoms, dtype=object)
    polygonal = all(shapely.get_type_id(g) in (3, 6) for g in geoms)
    if polygonal and bool(shapely.coverage_is_valid(geoms)):
        return shapely.coverage_simplify(geoms, tolerance)
    return shapely.simplify(geoms, tolerance, preserve_topology=True)


def bounds(districts: list[District]) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of the districts, for ``fit_bounds``."""
    xmin, ymin, xmax, ymax = shapely.total_bounds([d.geometry for d in districts])
    return [[float(ymin), float(xmin)], [float(ymax), float(xmax)]]
