"""Prevention offers: points from a table (x/y columns, decimal comma allowed) or a geometry file."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipelines.lib.config import Config, OfferSource
from pipelines.lib.findings import Finding
from pipelines.lib.ingest.checks import cell_findings, required_columns
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.tables import Table, as_text

OFFER_COLUMNS = ["offer_id", "name", "category", "age_band", "geometry"]
OFFER_FIELDS = ("offer_id", "name", "category", "age_band")


def empty_offers(config: Config) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in OFFER_FIELDS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=config.crs), crs=config.crs)


def parse_coordinates(text: pd.Series) -> np.ndarray:
    """Coordinates as floats; a decimal comma or point is accepted, NaN where it is no number."""
    cleaned = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace(",", ".", regex=False)
    ok = cleaned.str.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)").to_numpy(dtype=bool, na_value=False)
    out = np.full(len(text), np.nan)
    if ok.any():
        out[ok] = cleaned[ok].astype("float64").to_numpy()
    return out


def read_offer_table(table: Table, source: OfferSource, config: Config):
    """Offers table → (GeoDataFrame in the workspace CRS, findings)."""
    wanted = {c: source.columns.get(c, c) for c in OFFER_FIELDS}
    wanted["x"] = source.x
    wanted["y"] = source.y
    cols, findings = required_columns(table, wanted)
    if cols is None:
        return None, findings
    coords = {}
    ok = np.ones(len(table.frame), dtype=bool)
    for axis in ("x", "y"):
        frame_col = table.frame[cols[axis]]
        if pd.api.types.is_numeric_dtype(frame_col.dtype):
            values = frame_col.astype("float64").to_numpy()
        else:
            values = parse_coordinates(table.text(cols[axis]))
        bad = ~np.isfinite(values)
        if bad.any():
            pos = np.flatnonzero(bad)
            findings += cell_findings("SM-E401", table, cols[axis], pos, table.text(cols[axis]).to_numpy()[pos])
        coords[axis] = values
        ok &= ~bad
    data = {c: table.text(cols[c]).to_numpy() for c in OFFER_FIELDS}
    frame = pd.DataFrame(data)
    frame["_row"] = table.rows
    frame["_key_column"] = cols["offer_id"]
    points = shapely.points(np.where(ok, coords["x"], 0.0), np.where(ok, coords["y"], 0.0))
    gdf = gpd.GeoDataFrame(frame, geometry=points, crs=source.crs or config.crs)[ok]
    return gdf, findings


def read_offer_geometries(path: Path, file: str, source: OfferSource, config: Config):
    """Offers as a point geometry file (GeoJSON, GeoPackage, Shapefile)."""
    from pipelines.lib.ingest.geometry import read_geometry_file

    gdf, findings = read_geometry_file(path, file, None)
    if gdf is None:
        return None, findings
    present = ", ".join(f"„{c}“" for c in gdf.columns if c != gdf.geometry.name)
    cols = {}
    for c in OFFER_FIELDS:
        name = source.columns.get(c, c)
        if name not in gdf.columns:
            findings.append(finding("SM-E105", file, f"„{name}“", column=name, hint=f"Vorhandene Spalten: {present}."))
        cols[c] = name
    if findings:
        return None, findings
    if gdf.crs is None:
        findings.append(finding("SM-E203", file))
        gdf = gdf.set_crs(source.crs or config.crs, allow_override=True)
    frame = pd.DataFrame({c: as_text(gdf[cols[c]]).to_numpy() for c in OFFER_FIELDS})
    frame["_row"] = np.arange(2, len(gdf) + 2)
    frame["_key_column"] = cols["offer_id"]
    geoms = gdf.geometry.to_numpy()
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms) | (shapely.get_type_id(geoms) != 0)
    for p in np.flatnonzero(bad)[:50]:
        findings.append(finding("SM-E401", file, "keine Punktgeometrie", row=p + 2, column=cols["offer_id"],
                                value=frame["offer_id"].iat[p]))
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=gdf.crs)[~bad], findings


def finish_offers(parts: list[tuple[str, gpd.GeoDataFrame]], config: Config, city: shapely.Geometry | None):
    """Reproject, check ids (empty, duplicate) and position; return (offers, findings)."""
    findings: list[Finding] = []
    frames = []
    for file, gdf in parts:
        gdf = gdf.to_crs(config.crs)
        gdf["_file"] = file
        frames.append(gdf)
    if not frames:
        return empty_offers(config), findings
    offers = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=config.crs)
    empty_id = (offers["offer_id"] == "").to_numpy()
    for _, r in offers[empty_id].head(50).iterrows():
        findings.append(finding("SM-E313", r["_file"], "Nummer des Angebots", row=r["_row"], column=r["_key_column"],
                                value=""))
    dup = offers["offer_id"].duplicated(keep="first").to_numpy() & ~empty_id
    for _, r in offers[dup].head(50).iterrows():
        findings.append(finding("SM-E303", r["_file"], f"Angebot „{r['offer_id']}“ kommt mehrfach vor",
                                row=r["_row"], column=r["_key_column"], value=r["offer_id"]))
    if city is not None and not city.is_empty:
        outside = ~shapely.contains_xy(city.buffer(1000.0), offers.geometry.x.to_numpy(), offers.geometry.y.to_numpy())
        for _, r in offers[outside].head(50).iterrows():
            findings.append(finding("SM-W402", r["_file"], f"„{r['name']}“", row=r["_row"], column=r["_key_column"],
                                    value=r["offer_id"]))
    keep = ~empty_id & ~dup
    return gpd.GeoDataFrame(offers.loc[keep, OFFER_COLUMNS].reset_index(drop=True), geometry="geometry",
                            crs=config.crs), findings
