"""Hot spots: local Moran's I with permutation inference and a false-discovery-rate correction.

For each key indicator, local Moran's I of empirical-Bayes smoothed rates (esda ``Moran_Local_Rate``,
from the published numerators and denominators); for the need index, plain local Moran on the status
score. Neighbours are queen contiguity of the published districts of one level that have a value —
a district without a value ("kein Wert") is left out before the weights are built, and a district that
then has no neighbour is labelled "keine Nachbarn". Pseudo p-values from ``permutations`` conditional
permutations (at least 9,999: with 999 the smallest p-value is 0.001 and a false-discovery-rate
correction over a few hundred districts finds nothing), Benjamini–Hochberg over the districts of one
map, fixed seed. Labels: hoch-hoch, niedrig-niedrig, hoch-niedrig, niedrig-hoch, nicht signifikant
(fewer than ``min_districts`` districts with neighbours: "zu wenige Gebiete").
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from pipelines.lib.config import Config

QUADRANTS = {1: "hoch-hoch", 2: "niedrig-hoch", 3: "niedrig-niedrig", 4: "hoch-niedrig"}
NOT_SIGNIFICANT = "nicht signifikant"
NO_VALUE = "kein Wert"
NO_NEIGHBOURS = "keine Nachbarn"
TOO_FEW = "zu wenige Gebiete"
NEED_INDEX = "need_index"  # the "indicator" id of the status index in the hotspots table
COLUMNS = ["district_id", "level", "year", "indicator_id", "method", "value", "local_i", "p_value", "q_value", "label"]


@dataclass(frozen=True)
class HotspotSettings:
    """``[hotspots]``: indicators, level (default: the smallest), permutations, alpha, seed."""

    indicators: tuple[str, ...] = ("kinderarmut", "sprachdefizit")
    level: str | None = None
    permutations: int = 9999
    alpha: float = 0.05
    seed: int = 20240601
    min_districts: int = 5
    need_index: bool = True

    @classmethod
    def from_config(cls, config: Config) -> HotspotSettings:
        raw = config.section("hotspots")
        known = {i.id for i in config.indicators}
        perms = int(raw.get("permutations", 9999))
        if perms < 9999:
            raise ValueError("[hotspots] permutations must be at least 9999")
        return cls(
            indicators=tuple(i for i in raw.get("indicators", cls.indicators) if i in known),
            level=raw.get("level", config.leaf_level),
            permutations=perms,
            alpha=float(raw.get("alpha", 0.05)),
            seed=int(raw.get("seed", cls.seed)),
            min_districts=int(raw.get("min_districts", 5)),
            need_index=bool(raw.get("need_index", True)),
        )


def benjamini_hochberg(p) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values) by ``scipy.stats.false_discovery_control``, NaN kept
    (the correction runs over the tests with a p-value only).

    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.2]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.2]
    """
    p = np.asarray(p, dtype=float)
    q = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        q[ok] = stats.false_discovery_control(p[ok], method="bh")
    return q


def local_moran(
    districts: gpd.GeoDataFrame,
    value=None,
    *,
    events=None,
    base=None,
    settings: HotspotSettings = HotspotSettings(),
) -> pd.DataFrame:
    """Local Moran labels of one map: plain on ``value`` or empirical-Bayes on ``events / base``.

    ``districts``: the districts of one level (``district_id``, geometry). Arrays align with its rows;
    NaN marks a district without a value. Returns ``district_id, value, local_i, p_value, q_value,
    label`` (``value``: the rate or the empirical-Bayes-standardised rate used).
    """
    from esda.moran import Moran_Local, Moran_Local_Rate
    from libpysal.weights import Queen

    rate_based = value is None
    if rate_based:
        e = np.asarray(events, dtype=float)
        b = np.asarray(base, dtype=float)
        has = ~np.isnan(e) & ~np.isnan(b) & (np.nan_to_num(b) > 0)
        shown = np.where(has, e / np.where(has, b, 1), np.nan)
    else:
        y = np.asarray(value, dtype=float)
        has = ~np.isnan(y)
        shown = y
    out = pd.DataFrame({"district_id": districts["district_id"].to_numpy(), "value": shown,
                        "local_i": np.nan, "p_value": np.nan, "q_value": np.nan})
    out["label"] = np.where(has, NOT_SIGNIFICANT, NO_VALUE).astype(object)
    idx = np.flatnonzero(has)
    if len(idx):
        sub = districts.iloc[idx].reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = Queen.from_dataframe(sub, use_index=False)
        islands = np.array([w.cardinalities[i] == 0 for i in range(len(sub))], dtype=bool)
        out.loc[idx[islands], "label"] = NO_NEIGHBOURS
        keep = idx[~islands]
        if len(keep) < settings.min_districts:
            out.loc[keep, "label"] = TOO_FEW
            return out
        if islands.any():
            sub = districts.iloc[keep].reset_index(drop=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                w = Queen.from_dataframe(sub, use_index=False)
        w.transform = "r"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if rate_based:
                lm = Moran_Local_Rate(e[keep], b[keep], w, permutations=settings.permutations,
                                      seed=settings.seed, keep_simulations=False)
            else:
                lm = Moran_Local(y[keep], w, permutations=settings.permutations, seed=settings.seed,
                                 keep_simulations=False)
        if rate_based:
            out.loc[keep, "value"] = np.asarray(lm.y, dtype=float)  # the EB-standardised rate
        q = benjamini_hochberg(lm.p_sim)
        out.loc[keep, "local_i"] = lm.Is
        out.loc[keep, "p_value"] = lm.p_sim
        out.loc[keep, "q_value"] = q
        significant = q <= settings.alpha
        labels = np.array([QUADRANTS[int(c)] for c in lm.q], dtype=object)
        out.loc[keep, "label"] = np.where(significant, labels, NOT_SIGNIFICANT)
    return out


def hotspots(values: pd.DataFrame, districts: gpd.GeoDataFrame, need: pd.DataFrame | None, config: Config,
             settings: HotspotSettings) -> pd.DataFrame:
    """Hot spots of every key indicator (latest year with data) and of the need index at ``settings.level``."""
    level = settings.level or config.leaf_level
    geo = districts[districts["level"] == level].sort_values("district_id").reset_index(drop=True)
    frames = []
    for ind in settings.indicators:
        v = values[(values["indicator_id"] == ind) & (values["status"] == "veröffentlicht")]
        if v.empty:
            continue
        year = int(v["year"].max())
        cells = v[v["year"] == year].set_index("district_id").reindex(geo["district_id"])
        x = cells["numerator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        n = cells["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        res = local_moran(geo, events=x, base=n, settings=settings)
        frames.append(res.assign(level=level, year=year, indicator_id=ind, method="Moran_Local_Rate (EB)"))
    if settings.need_index and need is not None and len(need):
        nd = need[need["level"] == level]
        if len(nd):
            score = nd.set_index("district_id")["status_score"].reindex(geo["district_id"])
            res = local_moran(geo, score.astype("Float64").to_numpy(dtype=float, na_value=np.nan), settings=settings)
            frames.append(res.assign(level=level, year=int(nd["year"].iloc[0]), indicator_id=NEED_INDEX,
                                     method="Moran_Local"))
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)[COLUMNS]
    for col in ("value", "local_i", "p_value", "q_value"):
        out[col] = out[col].astype(float).round(8).astype("Float64")
    return out
