"""A small SVG preview of a map for the index: a coarse level, the first view, the same colours.

Decorative (``aria-hidden``): the link text next to it names the map. The level is the finest one with
at most ``MAX_AREAS`` districts (else the coarsest), simplified to the preview's resolution.
:func:`thumbnail` draws an indicator map (newest year), :func:`preview` any districts in given fills.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely

from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.map_data import HIDDEN_STYLES, PUBLISHED, IndicatorMap, LevelMap, display_status

WIDTH, HEIGHT, PAD = 160, 120, 2
MAX_AREAS = 60


def preview_level(levels: Sequence[LevelMap]) -> LevelMap | None:
    """The level a preview draws: the finest with at most ``MAX_AREAS`` districts, else the coarsest."""
    small = [lv for lv in levels if len(lv.districts) <= MAX_AREAS] or list(levels[:1])
    return small[-1] if small else None


def thumbnail(data: IndicatorMap) -> str:
    lv = preview_level(data.levels)
    if lv is None or data.default_year is None:
        return ""
    year = data.default_year
    cls = data.classes[(year, lv.level)]
    fills = []
    for d in lv.districts:
        value = data.values[year].get(d.district_id)
        status = display_status(value)
        fills.append(cls.colour(value.rate) if status == PUBLISHED else HIDDEN_STYLES[status]["fillColor"])
    return preview(lv.districts, fills)


def preview(districts: Sequence[District], fills: Sequence[str]) -> str:
    """The SVG of ``districts`` filled with ``fills`` (class colours or ``url(#sm-schraffur)``)."""
    if not districts:
        return ""
    geoms = np.array([d.geometry for d in districts], dtype=object)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    squeeze = math.cos(math.radians((ymin + ymax) / 2))
    width, height = max((xmax - xmin) * squeeze, 1e-9), max(ymax - ymin, 1e-9)
    scale = min((WIDTH - 2 * PAD) / width, (HEIGHT - 2 * PAD) / height)
    tolerance = 0.6 / scale  # about half a pixel of the preview
    try:
        simple = shapely.coverage_simplify(geoms, tolerance) if shapely.coverage_is_valid(geoms) else geoms
    except shapely.errors.GEOSException:
        simple = geoms
    dx = (WIDTH - width * scale) / 2
    dy = (HEIGHT - height * scale) / 2

    def path(geom) -> str:
        parts = []
        polygons = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        for poly in polygons:
            if poly.is_empty:
                continue
            for ring in [poly.exterior, *poly.interiors]:
                pts = [(dx + (x - xmin) * squeeze * scale, dy + (ymax - y) * scale) for x, y in ring.coords[:-1]]
                parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + "Z")
        return "".join(parts)

    shapes = [f'<path d="{path(geom)}" fill="{fill}"/>' for geom, fill in zip(simple, fills, strict=True)]
    return (
        f'<svg class="vorschau" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        'aria-hidden="true" focusable="false"><g stroke="#4d4d4d" stroke-width="0.6" fill-rule="evenodd">'
        + "".join(shapes) + "</g></svg>"
    )
