"""Offers against need: coverage per 1,000 children, supply gaps and the distance to the nearest offer.

The offers are public (locations of services); the reference population is the published ``population``
table (age bands of the smallest districts, only where the protection stage published them). Per
district of ``level``, offer category and target age band:

* ``offers``: offers inside the district; ``children``: published inhabitants of the population age
  bands inside the target band (offer band ``a-b`` means ages a to under b; population band ``a-b``
  ages a to b); for a larger district the sum over its published smallest districts
  (``children_complete`` false where one of them is not published);
* ``offers_per_1000`` = offers / children × 1,000;
* ``distance_m``: from the district's centre to the nearest offer of the category (the centroid: no
  finer population is published);
* ``supply_gap`` ("Versorgungslücke"): need class hoch or sehr hoch and coverage below the level's
  median for that category and band; ``gap_rank`` ranks the gaps by need (status z-score, descending),
  then coverage (ascending), then district key.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipelines.lib.config import Config

COLUMNS = [
    "district_id", "level", "year", "category", "age_band", "offers", "children", "children_complete",
    "offers_per_1000", "distance_m", "need_class", "supply_gap", "gap_rank",
]


@dataclass(frozen=True)
class OfferSettings:
    """``[offers_analysis]``: level (default: the smallest), min_need_class (3 = hoch)."""

    level: str | None = None
    min_need_class: int = 3

    @classmethod
    def from_config(cls, config: Config) -> OfferSettings:
        raw = config.section("offers_analysis")
        return cls(level=raw.get("level", config.leaf_level), min_need_class=int(raw.get("min_need_class", 3)))


def age_range(band: str, *, upper_exclusive: bool) -> tuple[float, float]:
    """Ages ``[low, high)`` of an age band: ``"3-6"`` (offers, exclusive) or ``"3-5"`` (population), ``"65+"``.

    >>> age_range("3-6", upper_exclusive=True), age_range("3-5", upper_exclusive=False), age_range("65+", upper_exclusive=False)
    ((3.0, 6.0), (3.0, 6.0), (65.0, inf))
    """
    band = str(band).strip().replace("–", "-")
    m = re.fullmatch(r"(\d+)\s*\+", band)
    if m:
        return float(m.group(1)), math.inf
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", band)
    if not m:
        raise ValueError(f"unknown age band {band!r}")
    low, high = float(m.group(1)), float(m.group(2))
    return low, high if upper_exclusive else high + 1


def bands_within(target: str, population_bands) -> list[str]:
    """Population bands lying inside an offer's target band."""
    lo, hi = age_range(target, upper_exclusive=True)
    found = []
    for band in population_bands:
        try:
            a, b = age_range(band, upper_exclusive=False)
        except ValueError:
            continue
        if a >= lo and b <= hi:
            found.append(band)
    return found


def _leaf_of(districts: pd.DataFrame) -> dict[str, list[str]]:
    """Every district → the smallest districts below it (itself for a smallest district)."""
    children: dict[str, list[str]] = {}
    for d, p in zip(districts["district_id"], districts["parent_id"], strict=True):
        if p is not None and not (isinstance(p, float) and math.isnan(p)):
            children.setdefault(p, []).append(d)

    def leaves(d: str) -> list[str]:
        kids = children.get(d)
        return [d] if not kids else [x for k in kids for x in leaves(k)]

    return {d: leaves(d) for d in districts["district_id"]}


def offer_coverage(offers: gpd.GeoDataFrame, population: pd.DataFrame, districts: gpd.GeoDataFrame,
                   need: pd.DataFrame | None, settings: OfferSettings) -> pd.DataFrame:
    """The coverage table (see the module docstring); empty without offers."""
    if offers is None or offers.empty:
        return pd.DataFrame(columns=COLUMNS)
    geo = districts[districts["level"] == settings.level].sort_values("district_id").reset_index(drop=True)
    leaves = _leaf_of(districts)
    year = int(population["year"].max()) if len(population) else None
    pop = population[population["year"] == year] if year is not None else population
    pop_wide = pop.pivot_table(index="district_id", columns="age_band", values="population", aggfunc="sum")
    joined = gpd.sjoin(offers[["offer_id", "category", "age_band", "geometry"]], geo[["district_id", "geometry"]],
                       how="left", predicate="within")
    centres = geo.geometry.centroid
    need_of = (need[need["level"] == settings.level].set_index("district_id") if need is not None and len(need)
               else pd.DataFrame(columns=["status_class", "status_z"]))
    districts_of_leaves = pd.DataFrame([(d, leaf) for d in geo["district_id"] for leaf in leaves[d]],
                                       columns=["district_id", "leaf"])
    present = districts_of_leaves["leaf"].isin(pop_wide.index)
    n_leaves = districts_of_leaves.groupby("district_id").size().reindex(geo["district_id"], fill_value=0)
    n_have = present.groupby(districts_of_leaves["district_id"]).sum().reindex(geo["district_id"], fill_value=0)
    nearest = {}  # category -> distance from each district's centre to the nearest offer of the category
    rows = []
    for category, band in offers[["category", "age_band"]].drop_duplicates().sort_values(["category", "age_band"]).itertuples(index=False):
        bands = bands_within(band, pop_wide.columns)
        inside = joined[(joined["category"] == category) & (joined["age_band"] == band)]
        counts = inside["district_id"].value_counts().reindex(geo["district_id"], fill_value=0)
        if category not in nearest:
            nearest[category] = _nearest_distance(centres, offers.loc[offers["category"] == category].geometry)
        if bands:
            per_leaf = districts_of_leaves["leaf"].map(pop_wide[bands].sum(axis=1))
            children = per_leaf.groupby(districts_of_leaves["district_id"]).sum().reindex(geo["district_id"])
            children = children.where(n_have > 0)
        else:
            children = pd.Series(np.nan, index=geo["district_id"])
        complete = (n_have == n_leaves) & bool(bands)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_1000 = np.where(children > 0, counts / children * 1000, np.nan)
        rows.append(pd.DataFrame({
            "district_id": geo["district_id"].to_numpy(), "level": settings.level, "year": year,
            "category": category, "age_band": band, "offers": counts.to_numpy().astype(int),
            "children": children.to_numpy(dtype=float), "children_complete": complete.to_numpy(dtype=bool),
            "offers_per_1000": per_1000, "distance_m": nearest[category],
        }))
    out = pd.concat(rows, ignore_index=True)
    out["need_class"] = out["district_id"].map(need_of["status_class"]).astype("Int64")
    status_z = out["district_id"].map(need_of["status_z"]).astype(float)
    median = out.groupby(["category", "age_band"])["offers_per_1000"].transform("median")
    needy = out["need_class"].fillna(0).astype(int) >= settings.min_need_class
    out["supply_gap"] = needy & out["offers_per_1000"].notna() & (out["offers_per_1000"] < median)
    out["gap_rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    for _, g in out[out["supply_gap"]].assign(_z=status_z).groupby(["category", "age_band"]):
        ordered = g.sort_values(["_z", "offers_per_1000", "district_id"], ascending=[False, True, True])
        out.loc[ordered.index, "gap_rank"] = np.arange(1, len(ordered) + 1)
    out["children"] = out["children"].astype("Float64").round(0).astype("Int64")
    out["offers_per_1000"] = out["offers_per_1000"].round(4).astype("Float64")
    out["distance_m"] = out["distance_m"].round(1).astype("Float64")
    out["year"] = out["year"].astype("Int64")
    return out[COLUMNS]


def _nearest_distance(centres: gpd.GeoSeries, points: gpd.GeoSeries) -> np.ndarray:
    """The distance from each centre to the nearest of ``points`` (NaN without points), with an R-tree."""
    geoms = points[~points.is_empty & points.notna()].to_numpy()
    if len(geoms) == 0:
        return np.full(len(centres), np.nan)
    (which, _), distance = shapely.STRtree(geoms).query_nearest(centres.to_numpy(), return_distance=True,
                                                                all_matches=False)
    out = np.full(len(centres), np.nan)
    out[which] = distance
    return out
