"""Crosswalks between area systems: counts on older boundaries carried onto the current ones.

A boundary reform (e.g. Berlin's LOR 2019 → LOR 2021) breaks time series. A crosswalk gives, for
each old district, the share of it that lies in each current leaf: by area (from the polygons) or by
population (from a table ``old, new, weight``). Counts are distributed by these shares, summed per
current leaf and rounded; every such row is flagged ``derived``. A leaf that receives anything from a
cell kept secret upstream is kept secret; from a missing cell, it is missing.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipelines.lib.ingest.symbols import FLAG_MISSING, FLAG_SECRET, FLAG_UNRELIABLE, FLAG_VALUE

MIN_WEIGHT = 0.001  # overlaps below this share of an old district are digitising slivers


def area_weights(old: gpd.GeoDataFrame, new_leaves: gpd.GeoDataFrame) -> pd.DataFrame:
    """``old_id, new_id, weight``: the share of each old district's area inside each current leaf."""
    og = old.geometry.to_numpy()
    ng = new_leaves.geometry.to_numpy()
    tree = shapely.STRtree(ng)
    left, right = tree.query(og, predicate="intersects")
    inter = shapely.area(shapely.intersection(og[left], ng[right]))
    frame = pd.DataFrame({"old_id": old["district_id"].to_numpy()[left],
                          "new_id": new_leaves["district_id"].to_numpy()[right],
                          "weight": inter / np.maximum(shapely.area(og[left]), 1e-9)})
    return normalise_weights(frame)


def normalise_weights(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[frame["weight"] >= MIN_WEIGHT].copy()
    frame["weight"] = frame["weight"] / frame.groupby("old_id")["weight"].transform("sum")
    return frame.reset_index(drop=True)


def _combine(flags: pd.Series) -> str:
    if flags.isin([FLAG_SECRET, FLAG_UNRELIABLE]).any():
        return FLAG_SECRET
    if (flags != FLAG_VALUE).any():
        return FLAG_MISSING
    return FLAG_VALUE


def _rounded(values: pd.Series) -> pd.Series:
    return np.floor(values.astype("float64") + 0.5)


def convert_counts(rows: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Rows keyed on old districts → rows on current leaves (same columns, ``derived`` set)."""
    if rows.empty:
        return rows.assign(derived=True)
    m = rows.merge(weights, left_on="district_id", right_on="old_id", how="inner")
    m["wnum"] = m["numerator"].astype("Float64").fillna(0).astype("float64") * m["weight"]
    m["wden"] = m["denominator"].astype("Float64").fillna(0).astype("float64") * m["weight"]
    keys = ["new_id", "year", "indicator_id"]
    g = m.groupby(keys, sort=True)
    out = g.agg(num=("wnum", "sum"), den=("wden", "sum"), source_id=("source_id", "first"),
                source_file=("source_file", "first"), source_row=("source_row", "min"),
                _key_column=("_key_column", "first")).reset_index()
    out["numerator_flag"] = g["numerator_flag"].apply(_combine).to_numpy()
    out["denominator_flag"] = g["denominator_flag"].apply(_combine).to_numpy()
    den = _rounded(out["den"])
    num = np.minimum(_rounded(out["num"]), den)
    out["numerator"] = pd.array(num.astype("int64"), dtype="Int64")
    out["denominator"] = pd.array(den.astype("int64"), dtype="Int64")
    out.loc[out["numerator_flag"] != FLAG_VALUE, "numerator"] = pd.NA
    out.loc[out["denominator_flag"] != FLAG_VALUE, "denominator"] = pd.NA
    out = out.rename(columns={"new_id": "district_id"})
    out["derived"] = True
    out["_ok"] = True
    return out.drop(columns=["num", "den"])


def convert_population(rows: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    m = rows.merge(weights, left_on="district_id", right_on="old_id", how="inner")
    m["population"] = m["population"].astype("float64") * m["weight"]
    out = m.groupby(["new_id", "year", "age_band"], as_index=False, sort=True)["population"].sum()
    out["population"] = _rounded(out["population"]).astype("int64")
    return out.rename(columns={"new_id": "district_id"})
