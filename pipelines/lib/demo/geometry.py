"""District polygons of the demo city: a clean four-level hierarchy.

The hierarchy is built top down so that every district lies inside its parent: Voronoi cells of
Bezirk seeds clip the city outline, region seeds inside each Bezirk clip the Bezirk, Planungsraum
seeds inside each region clip the region. Seeds are spread with a few Lloyd iterations so cells are
compact.

Clipping in floating point leaves borders that agree only up to rounding and vertices that exist on
one side of a border only. To get an exact coverage (shared borders with identical vertices, no gaps,
no overlaps) all Planungsraum boundaries are noded together on a 1 cm grid and polygonised into faces;
each face goes to the Planungsraum it came from. The upper levels are then the unions of their
children, so a parent is exactly the union of its children and every level is a valid coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely import MultiPolygon, Polygon

from pipelines.lib.demo.names import NamePool, bezirk_names

CRS = "EPSG:25832"
GRID = 0.01  # metres; every output vertex lies on this grid
CITY_CENTER = (490_000.0, 5_600_000.0)
KM2_PER_PLANUNGSRAUM = 0.95
MIN_CITY_KM2 = 40.0
CITY_KEY = "09999000"  # AGS-like, with a leading zero on purpose
CITY_NAME = "Musterstadt"
LEVELS = ("stadt", "bezirk", "bezirksregion", "planungsraum")
# kinds of Planungsräume with few inhabitants; every other one is "wohnen"
SMALL_KINDS = ("gewerbe", "park", "neubau")
_SMALL_PREFIX = {"gewerbe": "Gewerbegebiet", "park": "Volkspark", "neubau": "Neubaugebiet"}
_LLOYD_ITERATIONS = 3


@dataclass(frozen=True)
class Layout:
    """The city's districts on every level.

    ``districts`` has the columns ``district_id, name, level, parent_id, kind, geometry``; the city
    row comes first, then the Bezirke, Bezirksregionen and Planungsräume in key order. ``kind`` is
    set on Planungsräume only: ``wohnen`` or one of :data:`SMALL_KINDS`.
    """

    districts: gpd.GeoDataFrame

    def level(self, level: str) -> gpd.GeoDataFrame:
        return self.districts[self.districts["level"] == level].reset_index(drop=True)

    @property
    def planungsraeume(self) -> gpd.GeoDataFrame:
        return self.level("planungsraum")

    @property
    def outline(self) -> Polygon:
        return self.level("stadt").geometry.iloc[0]


def build_layout(
    bezirke: int,
    regionen_per_bezirk: int,
    planungsraeume_per_region: int,
    rng: np.random.Generator,
    name_rng: np.random.Generator,
) -> Layout:
    """Build the polygons, keys and names of all four levels."""
    if min(bezirke, regionen_per_bezirk, planungsraeume_per_region) < 1:
        raise ValueError("every level needs at least one district")
    plr_counts = uneven_counts(bezirke * regionen_per_bezirk, planungsraeume_per_region, rng)
    area = max(MIN_CITY_KM2, KM2_PER_PLANUNGSRAUM * sum(plr_counts)) * 1e6
    outline = city_outline(area, rng)

    # top down: (bezirk index, region index, cell) for every Planungsraum, in key order
    rough: list[Polygon] = []
    owner: list[tuple[int, int]] = []
    bezirk_cells = _order_cells(split_polygon(outline, bezirke, rng), outline, central_first=True)
    counts = iter(plr_counts)
    for b, bezirk in enumerate(bezirk_cells):
        regions = _order_cells(split_polygon(bezirk, regionen_per_bezirk, rng), bezirk)
        for r, region in enumerate(regions):
            for cell in _order_cells(split_polygon(region, next(counts), rng), region):
                rough.append(cell)
                owner.append((b, r))

    plr_geoms = clean_coverage(rough, list(owner))
    return _assemble(plr_geoms, owner, bezirke, regionen_per_bezirk, rng, name_rng)


def uneven_counts(groups: int, mean: int, rng: np.random.Generator) -> list[int]:
    """``groups`` counts around ``mean`` (±2 at most) that add up to ``groups * mean``.

    Offsets come in pairs (+d, −d) so the total stays as requested while the fan-out is uneven; the
    spread is small enough that no group shrinks to a single child when ``mean`` ≥ 2.
    """
    spread = min(2, (mean - 1) // 2)
    offsets = np.zeros(groups, dtype=int)
    if spread > 0:
        half = groups // 2
        d = rng.integers(0, spread + 1, size=half)
        offsets[: 2 * half] = np.concatenate([d, -d])
        offsets = offsets[rng.permutation(groups)]
    return [int(mean + o) for o in offsets]


def city_outline(area: float, rng: np.random.Generator) -> Polygon:
    """A smooth, slightly irregular star-shaped outline with the given area (m²) on the grid."""
    theta = np.linspace(0.0, 2.0 * np.pi, 256, endpoint=False)
    phases = rng.uniform(0.0, 2.0 * np.pi, size=3)
    wobble = (
        1.0
        + 0.10 * np.sin(2 * theta + phases[0])
        + 0.06 * np.sin(3 * theta + phases[1])
        + 0.03 * np.sin(5 * theta + phases[2])
    )
    unit = Polygon(np.column_stack([wobble * np.cos(theta), wobble * np.sin(theta)]))
    scale = np.sqrt(area / unit.area)
    coords = np.column_stack(
        [CITY_CENTER[0] + scale * wobble * np.cos(theta), CITY_CENTER[1] + scale * wobble * np.sin(theta)]
    )
    return shapely.set_precision(Polygon(coords), GRID)


def split_polygon(polygon: Polygon, n: int, rng: np.random.Generator) -> list[Polygon]:
    """Split ``polygon`` into ``n`` compact connected cells (clipped Voronoi cells, Lloyd-relaxed)."""
    if n == 1:
        return [polygon]
    seeds = sample_points(polygon, n, rng)
    for _ in range(_LLOYD_ITERATIONS):
        cells = _clipped_voronoi(polygon, seeds)
        centroids = shapely.centroid(cells)
        inside = shapely.contains(polygon, centroids)
        seeds = np.where(inside, centroids, shapely.point_on_surface(cells))
        seeds = shapely.get_coordinates(seeds)
    return _clipped_voronoi(polygon, seeds).tolist()


def clean_coverage(cells: list[Polygon], groups: list) -> list[Polygon]:
    """Turn nearly matching cells into an exact coverage on the :data:`GRID`.

    Boundaries are noded together (snap rounding), polygonised into faces, and every face is given
    to the cell it overlaps. Fragments that end up detached from their cell join the neighbour in the
    same group (same parent) with which they share the longest border.
    """
    cells_arr = np.array(cells, dtype=object)
    noded = shapely.union_all(shapely.boundary(cells_arr), grid_size=GRID)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = faces[shapely.area(faces) > 0]
    tree = shapely.STRtree(cells_arr)
    probe = shapely.point_on_surface(faces)
    face_idx, cell_idx = tree.query(probe, predicate="within")
    assign = np.full(len(faces), -1)
    assign[face_idx[::-1]] = cell_idx[::-1]  # first hit wins
    for f in np.flatnonzero(assign < 0):
        candidates = tree.query(faces[f], predicate="intersects")
        if len(candidates):
            overlap = shapely.area(shapely.intersection(faces[f], cells_arr[candidates]))
            assign[f] = candidates[int(np.argmax(overlap))]
        else:
            assign[f] = int(tree.query_nearest(faces[f])[0])

    result = [shapely.union_all(faces[assign == i], grid_size=GRID) for i in range(len(cells))]
    return _reattach_fragments(result, groups)


def _reattach_fragments(polys: list, groups: list) -> list[Polygon]:
    """Make every cell a single polygon: smaller parts go to the best-touching sibling."""
    polys = list(polys)
    for i, geom in enumerate(polys):
        if not isinstance(geom, MultiPolygon):
            continue
        parts = sorted(geom.geoms, key=lambda p: -p.area)
        polys[i] = parts[0]
        for part in parts[1:]:
            siblings = [j for j in range(len(polys)) if j != i and groups[j] == groups[i]]
            others = [j for j in range(len(polys)) if j != i]
            target = _longest_border(part, polys, siblings) or _longest_border(part, polys, others)
            if target is None:  # pragma: no cover - a detached part always touches some cell
                raise RuntimeError("detached fragment without neighbour")
            polys[target] = shapely.union_all([polys[target], part], grid_size=GRID)
    if any(isinstance(p, MultiPolygon) for p in polys):  # a merge may have left a new multipart
        return _reattach_fragments(polys, groups)
    return polys


def _longest_border(part: Polygon, polys: list, candidates: list[int]) -> int | None:
    best, best_len = None, 0.0
    for j in candidates:
        shared = shapely.intersection(part.boundary, polys[j].boundary).length
        if shared > best_len:
            best, best_len = j, shared
    return best


def sample_points(polygon: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniformly distributed points inside ``polygon`` as an (n, 2) array."""
    minx, miny, maxx, maxy = polygon.bounds
    found: list[np.ndarray] = [np.empty((0, 2))]
    total = 0
    while total < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n, 2))
        xy = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(xy)
        total += len(xy)
    return np.concatenate(found)[:n]


def _clipped_voronoi(polygon: Polygon, seeds: np.ndarray) -> np.ndarray:
    """Voronoi cells of ``seeds`` (in seed order) clipped to ``polygon``, each one connected."""
    points = shapely.multipoints(seeds)
    diagram = shapely.voronoi_polygons(points, extend_to=polygon, ordered=True)
    cells = shapely.intersection(shapely.get_parts(diagram), polygon)
    return np.array(_reattach_fragments(list(_polygonal(cells)), [0] * len(cells)), dtype=object)


def _polygonal(geoms: np.ndarray) -> list:
    """Drop line or point debris that clipping may add to a cell."""
    out = []
    for g in geoms:
        parts = [p for p in shapely.get_parts(g) if isinstance(p, Polygon) and p.area > 0]
        out.append(parts[0] if len(parts) == 1 else MultiPolygon(parts))
    return out


def _order_cells(cells: list[Polygon], parent: Polygon, central_first: bool = False) -> list[Polygon]:
    """Number cells clockwise from north around the parent's centre (the central one first)."""
    if len(cells) == 1:
        return cells
    center = parent.centroid
    pts = shapely.get_coordinates(shapely.centroid(np.array(cells, dtype=object)))
    dx, dy = pts[:, 0] - center.x, pts[:, 1] - center.y
    angle = np.mod(np.arctan2(dx, dy), 2.0 * np.pi)  # 0 = north, clockwise
    order = list(np.argsort(angle, kind="stable"))
    if central_first:
        central = int(np.argmin(np.hypot(dx, dy)))
        order.remove(central)
        order.insert(0, central)
    return [cells[i] for i in order]


def _assemble(
    plr_geoms: list[Polygon],
    owner: list[tuple[int, int]],
    n_bezirke: int,
    n_regions: int,
    rng: np.random.Generator,
    name_rng: np.random.Generator,
) -> Layout:
    names = NamePool(name_rng)
    kinds = _small_kinds(owner, rng)
    rows: list[dict] = []
    plr_rows: list[dict] = []
    region_rows: list[dict] = []
    bezirk_rows: list[dict] = []
    b_names = bezirk_names(n_bezirke, 0, name_rng)
    for b in range(n_bezirke):
        b_key = f"{b + 1:02d}"
        b_parts = []
        for r in range(n_regions):
            r_key = f"{b_key}{r + 1:02d}"
            members = [i for i, o in enumerate(owner) if o == (b, r)]
            for p, i in enumerate(members):
                kind = kinds[i]
                name = names.take() if kind == "wohnen" else names.take_prefixed(_SMALL_PREFIX[kind])
                plr_rows.append(
                    {
                        "district_id": f"{r_key}{p + 1:04d}",
                        "name": name,
                        "level": "planungsraum",
                        "parent_id": r_key,
                        "kind": kind,
                        "geometry": plr_geoms[i],
                    }
                )
            r_geom = shapely.union_all([plr_geoms[i] for i in members], grid_size=GRID)
            b_parts.append(r_geom)
            region_rows.append(
                {
                    "district_id": r_key,
                    "name": names.take(),
                    "level": "bezirksregion",
                    "parent_id": b_key,
                    "kind": None,
                    "geometry": r_geom,
                }
            )
        bezirk_rows.append(
            {
                "district_id": b_key,
                "name": b_names[b],
                "level": "bezirk",
                "parent_id": CITY_KEY,
                "kind": None,
                "geometry": shapely.union_all(b_parts, grid_size=GRID),
            }
        )
    city = shapely.union_all([r["geometry"] for r in bezirk_rows], grid_size=GRID)
    rows.append(
        {
            "district_id": CITY_KEY,
            "name": CITY_NAME,
            "level": "stadt",
            "parent_id": None,
            "kind": None,
            "geometry": city,
        }
    )
    rows += bezirk_rows + region_rows + plr_rows
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    gdf = gdf.astype({"district_id": "str", "name": "str", "level": "str"})
    return Layout(districts=gdf)


def _small_kinds(owner: list[tuple[int, int]], rng: np.random.Generator) -> list[str]:
    """Mark about 3 % of the Planungsräume (at least one) as thinly populated, in distinct regions."""
    n = len(owner)
    kinds = ["wohnen"] * n
    n_small = max(1, round(0.03 * n)) if n > 1 else 0  # a one-area city stays inhabited
    regions = sorted(set(owner))
    # prefer regions with several Planungsräume so a region never consists of a park alone
    big = [g for g in regions if sum(o == g for o in owner) > 1] or regions
    chosen = [big[i] for i in rng.permutation(len(big))[:n_small]]
    for k, group in enumerate(chosen):
        members = [i for i, o in enumerate(owner) if o == group]
        kinds[members[int(rng.integers(len(members)))]] = SMALL_KINDS[k % len(SMALL_KINDS)]
    return kinds
