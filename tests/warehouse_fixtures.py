"""Tiny hand-built inputs for warehouse tests: a city, two districts, four areas."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from pipelines.lib.config import parse_config

LEVELS = [{"id": "stadt", "label": "Stadt"}, {"id": "bezirk", "label": "Bezirk"},
          {"id": "gebiet", "label": "Gebiet"}]


def tiny_config(root, relations=()):
    raw = {
        "relations": list(relations),
        "city": {"name": "Teststadt", "crs": "EPSG:25832"},
        "levels": LEVELS,
        "geometries": [{"path": "g.gpkg", "level_column": "level", "key": "id", "name": "name", "parent": "p"}],
        "indicators": [
            {"id": "quote", "label": "Quote", "domain": "Soziales", "life_phase": "0-18",
             "direction": "higher_is_worse", "unit": "share"},
            {"id": "rate", "label": "Rate", "domain": "Gesundheit", "life_phase": "3-6",
             "direction": "lower_is_worse", "unit": "per_1000"},
            {"id": "teil", "label": "Teil", "domain": "Soziales", "life_phase": "0-3",
             "direction": "higher_is_worse", "unit": "share"},
        ],
    }
    return parse_config(raw, root)


def tiny_districts() -> gpd.GeoDataFrame:
    rows = [
        ("0", "Teststadt", "stadt", None, box(0, 0, 2000, 2000)),
        ("01", "West", "bezirk", "0", box(0, 0, 1000, 2000)),
        ("02", "Ost", "bezirk", "0", box(1000, 0, 2000, 2000)),
        ("0101", "West-Süd", "gebiet", "01", box(0, 0, 1000, 1000)),
        ("0102", "West-Nord", "gebiet", "01", box(0, 1000, 1000, 2000)),
        ("0201", "Ost-Süd", "gebiet", "02", box(1000, 0, 2000, 1000)),
        ("0202", "Ost-Nord", "gebiet", "02", box(1000, 1000, 2000, 2000)),
    ]
    return gpd.GeoDataFrame(rows, columns=["district_id", "name", "level", "parent_id", "geometry"],
                            crs="EPSG:25832")


def counts_frame(rows) -> pd.DataFrame:
    """rows: (district, year, indicator, numerator, denominator[, numerator_flag])"""
    out = []
    for i, r in enumerate(rows):
        d, y, ind, num, den = r[:5]
        flag = r[5] if len(r) > 5 else ("value" if num is not None else "missing")
        out.append({"district_id": d, "year": y, "indicator_id": ind, "numerator": num, "denominator": den,
                    "numerator_flag": flag, "denominator_flag": "value" if den is not None else "missing",
                    "source_id": "test", "source_file": "test.csv", "source_row": i + 2})
    frame = pd.DataFrame(out)
    for col in ("numerator", "denominator"):
        frame[col] = frame[col].astype("Int64")
    return frame


@dataclass
class FakeInputs:
    districts: gpd.GeoDataFrame
    counts: pd.DataFrame
    population: pd.DataFrame
    offers: gpd.GeoDataFrame | None = None
    files: list = field(default_factory=list)
    findings: list = field(default_factory=list)


def population_frame(by_leaf: dict[str, int], year: int = 2024) -> pd.DataFrame:
    rows = []
    for district, total in by_leaf.items():
        rows.append((district, year, "0-17", total // 4))
        rows.append((district, year, "18+", total - total // 4))
    return pd.DataFrame(rows, columns=["district_id", "year", "age_band", "population"])
