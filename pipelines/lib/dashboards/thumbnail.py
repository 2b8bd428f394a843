"""A small SVG preview of an indicator map for the index: a coarse level, newest year, same colours.

Decorative (``aria-hidden``): the link text next to it names the map. The level is the finest one with
at most ``MAX_AREAS`` districts (else the coarsest), simplified to the preview's resolution.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from pipelines.lib.dashboards.map_data import HIDDEN_STYLES, PUBLISHED, IndicatorMap, display_status

WIDTH, HEIGHT, PAD = 160, 120, 2
MAX_AREAS = 60


def thumbnail(data: IndicatorMap) -> str:
    levels = [lv for lv in data.levels if len(lv.districts) <= MAX_AREAS] or list(data.levels[:1])
    if not levels or data.default_year is None:
        return ""
    lv = levels[-1]
    year = data.default_year
    geoms = np.array([d.geometry for d in lv.districts], dtype=object)
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

    cls = data.classes[(year, lv.level)]
    shapes = []
    for d, geom in zip(lv.districts, simple, strict=True):
        value = data.values[year].get(d.district_id)
        status = display_status(value)
        fill = cls.colour(value.rate) if status == PUBLISHED else HIDDEN_STYLES[status]["fillColor"]
        shapes.append(f'<path d="{path(geom)}" fill="{fill}"/>')
    return (
        f'<svg class="vorschau" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        'aria-hidden="true" focusable="false"><g stroke="#4d4d4d" stroke-width="0.6" fill-rule="evenodd">'
        + "".join(shapes) + "</g></svg>"
    )

