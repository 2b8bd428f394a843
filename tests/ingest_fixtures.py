"""Tiny workspaces for the ingest tests: a square-grid city with three levels.

Leaves (level ``gebiet``) are 1 km squares in EPSG:25832 in a row: ``0101 0102 0201 0202``;
the Bezirke ``01`` (west) and ``02`` (east) hold two leaves each; the city ``0`` holds both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from pipelines.lib.config import Config, parse_config
from pipelines.lib.findings import Finding
from pipelines.lib.ingest import Inputs, load_inputs

CRS = "EPSG:25832"
X0, Y0, SIZE = 500_000.0, 5_600_000.0, 1000.0
LEAVES = ["0101", "0102", "0201", "0202"]
LEAF_NAMES = ["Altstadt", "Neustadt", "Hafen", "Heide"]
BEZIRKE = ["01", "02"]
INDICATORS = ["armut", "kita"]


def leaf_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"gebiet_id": LEAVES, "name": LEAF_NAMES, "ober_id": [k[:2] for k in LEAVES]},
        geometry=[box(X0 + i * SIZE, Y0, X0 + (i + 1) * SIZE, Y0 + SIZE) for i in range(4)],
        crs=CRS,
    )


def bezirk_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"gebiet_id": BEZIRKE, "name": ["West", "Ost"], "ober_id": ["0", "0"]},
        geometry=[box(X0, Y0, X0 + 2 * SIZE, Y0 + SIZE), box(X0 + 2 * SIZE, Y0, X0 + 4 * SIZE, Y0 + SIZE)],
        crs=CRS,
    )


def city_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"gebiet_id": ["0"], "name": ["Teststadt"]}, geometry=[box(X0, Y0, X0 + 4 * SIZE, Y0 + SIZE)], crs=CRS
    )


_DEFAULT_GPKG: list[bytes] = []  # the unmodified GeoPackage, built once per test session


def write_gpkg(tmp: Path, leaves: gpd.GeoDataFrame | None = None, name: str = "geo.gpkg") -> Path:
    path = tmp / "data_raw" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if leaves is None and _DEFAULT_GPKG:
        path.write_bytes(_DEFAULT_GPKG[0])
        return path
    city_frame().to_file(path, layer="stadt", driver="GPKG")
    bezirk_frame().to_file(path, layer="bezirke", driver="GPKG")
    (leaf_frame() if leaves is None else leaves).to_file(path, layer="gebiete", driver="GPKG")
    if leaves is None:
        _DEFAULT_GPKG.append(path.read_bytes())
    return path


def gpkg_sources(name: str = "geo.gpkg") -> list[dict]:
    path = f"data_raw/{name}"
    return [
        {"path": path, "layer": "stadt", "level": "stadt", "key": "gebiet_id", "name": "name"},
        {"path": path, "layer": "bezirke", "level": "bezirk", "key": "gebiet_id", "name": "name", "parent": "ober_id"},
        {"path": path, "layer": "gebiete", "level": "gebiet", "key": "gebiet_id", "name": "name", "parent": "ober_id"},
    ]


def indicator(ind_id: str) -> dict:
    return {"id": ind_id, "label": ind_id.title(), "domain": "Soziales", "life_phase": "0-18",
            "direction": "higher_is_worse", "unit": "share"}


def make_config(tmp: Path, *, geometries: list[dict] | None = None, counts: list[dict] | None = None,
                **extra: Any) -> Config:
    """A config for ``tmp``; geometries default to the GeoPackage (written if absent)."""
    if geometries is None:
        if not (tmp / "data_raw" / "geo.gpkg").exists():
            write_gpkg(tmp)
        geometries = gpkg_sources()
    raw = {
        "city": {"name": "Teststadt", "crs": CRS},
        "levels": [{"id": "stadt"}, {"id": "bezirk"}, {"id": "gebiet"}],
        "geometries": geometries,
        "counts": counts or [],
        "indicators": [indicator(i) for i in INDICATORS],
        **extra,
    }
    return parse_config(raw, tmp)


def write_bytes(tmp: Path, rel: str, data: bytes) -> Path:
    path = tmp / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_text(tmp: Path, rel: str, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes(tmp, rel, text.encode(encoding))


LONG_HEADER = ("Gebiet", "Jahr", "Indikator", "Zähler", "Nenner")
LONG_COLUMNS = {"district_id": "Gebiet", "year": "Jahr", "indicator_id": "Indikator",
                "numerator": "Zähler", "denominator": "Nenner"}


def long_rows(year: int = 2023, indicators=("armut",), num="5", den="50") -> list[tuple]:
    """A complete long table body: every leaf × indicator with the same cells."""
    return [(k, str(year), ind, num, den) for ind in indicators for k in LEAVES]


def csv_text(rows, sep: str = ";", header=LONG_HEADER, newline: str = "\n") -> str:
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return newline.join(lines) + newline


def long_source(path: str, **kw) -> dict:
    return {"id": kw.pop("id", "quelle"), "path": path, "format": "long", "columns": dict(LONG_COLUMNS), **kw}


def load_csv_counts(tmp: Path, text: str | bytes, *, file_encoding: str = "utf-8", name: str = "zahlen.csv",
                    **source_kw) -> Inputs:
    """Write one long counts CSV and load the workspace."""
    rel = f"data_raw/{name}"
    data = text if isinstance(text, bytes) else text.encode(file_encoding)
    write_bytes(tmp, rel, data)
    return load_inputs(make_config(tmp, counts=[long_source(rel, **source_kw)]))


def of_code(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def counts_of(inputs: Inputs, district: str, indicator_id: str = "armut", year: int = 2023) -> pd.Series:
    c = inputs.counts
    rows = c[(c.district_id == district) & (c.indicator_id == indicator_id) & (c.year == year)]
    assert len(rows) == 1, rows
    return rows.iloc[0]
