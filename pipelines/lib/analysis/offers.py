"""Offers against need: coverage per 1,000 children, supply gaps and the distance to the nearest offer.

The offers are public (locations of services); the reference population is the published ``population``
table (age bands of the smallest districts, only where the protection stage published them). Per
district of every level with more than one district (or of the configured ``levels``), offer category and
target age band:

* ``offers``: offers inside the district; ``children``: published inhabitants of the population age
  bands inside the target band (offer band ``a-b`` means ages a to under b; population band ``a-b``
  ages a to b); for a larger district the sum over its published smallest districts
  (``children_complete`` false where one of them is not published);
* ``offers_per_1000`` = offers / children × 1,000;
* ``reference_per_1000``: the coverage of the whole level, Σ offers / Σ children × 1,000 over its
  districts with a coverage (published figures only);
* ``distance_m``: from the district's centre to the nearest offer of the category (the centroid: no
  finer population is published);
* ``supply_gap`` ("Versorgungslücke"): need class at least ``min_need_class`` (hoch or sehr hoch) and a
  coverage below ``coverage_share`` of the level's (a district without any offer has coverage 0); with
  ``near_m`` set, a district whose nearest offer lies within that distance of its centre is no gap.
  ``gap_rank`` ranks the gaps by need (status z-score, descending), then coverage (ascending), then
  district key.

Everything is derived from published tables of the candidate mart (need class, published age bands,
public offers and district geometry): a district without a published coverage is never a gap.
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
    "offers_per_1000", "reference_per_1000", "distance_m", "need_class", "supply_gap", "gap_rank",
]


@dataclass(frozen=True)
class OfferSettings:
    """``[offers_analysis]``: levels (default: every level with more than one district), min_need_class
    (3 = hoch), coverage_share (0.5: below half the level's coverage), near_m (none: distance not used)."""

    levels: tuple[str, ...] | None = None
    min_need_class: int = 3
    coverage_share: float = 0.5
    near_m: float | None = None

    @classmethod
    def from_config(cls, config: Config) -> OfferSettings:
        raw = config.section("offers_analysis")
        levels = raw.get("levels", [raw["level"]] if "level" in raw else None)
        near = raw.get("near_m")
        return cls(levels=tuple(str(x) for x in levels) if levels is not None else None,
                   min_need_class=int(raw.get("min_need_class", 3)),
                   coverage_share=float(raw.get("coverage_share", 0.5)),
                   near_m=float(near) if near is not None else None)

    def levels_of(self, districts: pd.DataFrame) -> list[str]:
        """The levels to analyse, coarsest first."""
        ranked = districts.groupby("level", sort=False).agg(rank=("level_rank", "min"), n=("district_id", "size"))
        ranked = ranked.sort_values("rank")
        if self.levels is not None:
            return [lv for lv in ranked.index if lv in self.levels]
        return [lv for lv, n in ranked["n"].items() if n > 1]


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
    """The coverage table (see the module docstring) of every level; empty without offers."""
    if offers is None or offers.empty:
        return pd.DataFrame(columns=COLUMNS)
    leaves = _leaf_of(districts)
    year = int(population["year"].max()) if len(population) else None
    pop = population[population["year"] == year] if year is not None else population
    pop_wide = pop.pivot_table(index="district_id", columns="age_band", values="population", aggfunc="sum")
    frames = [_level_coverage(level, offers, pop_wide, districts, leaves, year)
              for level in settings.levels_of(districts)]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    need_of = (need[need["year"] == need["year"].max()].set_index("district_id") if need is not None and len(need)
               else pd.DataFrame(columns=["status_class", "status_z"]))
    out["need_class"] = out["district_id"].map(need_of["status_class"]).astype("Int64")
    status_z = out["district_id"].map(need_of["status_z"]).astype(float)
    out["supply_gap"] = supply_gaps(out, settings)
    out["gap_rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    for _, g in out[out["supply_gap"]].assign(_z=status_z).groupby(["level", "category", "age_band"]):
        ordered = g.sort_values(["_z", "offers_per_1000", "district_id"], ascending=[False, True, True])
        out.loc[ordered.index, "gap_rank"] = np.arange(1, len(ordered) + 1)
    out["children"] = out["children"].astype("Float64").round(0).astype("Int64")
    for col in ("offers_per_1000", "reference_per_1000"):
        out[col] = out[col].round(4).astype("Float64")
    out["distance_m"] = out["distance_m"].round(1).astype("Float64")
    out["year"] = out["year"].astype("Int64")
    return out[COLUMNS]


def supply_gaps(coverage: pd.DataFrame, settings: OfferSettings) -> pd.Series:
    """The rule (module docstring) on a frame with ``need_class``, ``offers_per_1000``,
    ``reference_per_1000`` and ``distance_m``: only districts with a published coverage can be gaps."""
    per_1000 = coverage["offers_per_1000"].astype(float)
    needy = coverage["need_class"].astype("Float64").fillna(0).astype(float) >= settings.min_need_class
    low = per_1000.notna() & (per_1000 < settings.coverage_share * coverage["reference_per_1000"].astype(float))
    gap = needy & low
    if settings.near_m is not None:
        gap &= ~(coverage["distance_m"].astype(float) <= settings.near_m)
    return gap.astype(bool)


def _level_coverage(level: str, offers: gpd.GeoDataFrame, pop_wide: pd.DataFrame, districts: gpd.GeoDataFrame,
                    leaves: dict[str, list[str]], year: int | None) -> pd.DataFrame:
    """Offers, children, coverage, the level's reference coverage and distances of one level's districts."""
    geo = districts[districts["level"] == level].sort_values("district_id").reset_index(drop=True)
    joined = gpd.sjoin(offers[["offer_id", "category", "age_band", "geometry"]], geo[["district_id", "geometry"]],
                       how="left", predicate="within")
    centres = geo.geometry.centroid
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
        covered = ~np.isnan(per_1000)
        total = children.to_numpy(dtype=float)[covered].sum()
        reference = counts.to_numpy()[covered].sum() / total * 1000 if total > 0 else np.nan
        rows.append(pd.DataFrame({
            "district_id": geo["district_id"].to_numpy(), "level": level, "year": year,
            "category": category, "age_band": band, "offers": counts.to_numpy().astype(int),
            "children": children.to_numpy(dtype=float), "children_complete": complete.to_numpy(dtype=bool),
            "offers_per_1000": per_1000, "reference_per_1000": reference, "distance_m": nearest[category],
        }))
    return pd.concat(rows, ignore_index=True)


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
