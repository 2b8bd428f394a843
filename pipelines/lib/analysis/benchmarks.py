"""Benchmarks of published indicator values: against the city and the parent district, and over time.

A district's 95 % interval is compared with the benchmark value (Fingertips): above it → "höher", below
→ "niedriger", overlapping → "ähnlich"; with a direction, "höher" becomes "schlechter" (higher is
worse) or "besser" (lower is worse). The change over the last ``years_back`` years is given in the
indicator's unit (percentage points for shares) with the MOVER interval of the difference — for
shares Newcombe's hybrid score interval (method 10), for rates the same combination of the exact /
Byar intervals; where it includes zero the change is "keine klare Veränderung". Every comparison
needs both of its inputs published, else it is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.analysis.intervals import mover_difference, poisson_interval, wilson
from pipelines.lib.analysis.published import PUBLISHED
from pipelines.lib.config import Config

SIMILAR = "ähnlich"
NO_CLEAR_CHANGE = "keine klare Veränderung"
COLUMNS = [
    "district_id", "year", "indicator_id", "level", "rate", "ci_low", "ci_high",
    "city_rate", "vs_city", "parent_rate", "vs_parent",
    "base_year", "base_rate", "change", "change_ci_low", "change_ci_high", "change_label",
]


@dataclass(frozen=True)
class BenchmarkSettings:
    """``[benchmarks]``: years_back (change over how many years, default 2), confidence (0.95)."""

    years_back: int = 2
    confidence: float = 0.95

    @classmethod
    def from_config(cls, config: Config) -> BenchmarkSettings:
        raw = config.section("benchmarks")
        return cls(years_back=int(raw.get("years_back", 2)), confidence=float(raw.get("confidence", 0.95)))


def compare(lo, hi, reference, direction: np.ndarray) -> np.ndarray:
    """Label each interval ``[lo, hi]`` against ``reference`` (None where anything is missing).

    >>> compare(np.array([1.0, 3.0, 1.0]), np.array([2.0, 4.0, 4.0]), np.array([2.5, 2.5, 2.5]),
    ...         np.array(["higher_is_worse", "lower_is_worse", "none"])).tolist()
    ['besser', 'besser', 'ähnlich']
    """
    lo, hi, reference = (np.asarray(a, dtype=float) for a in (lo, hi, reference))
    higher = lo > reference
    lower = hi < reference
    worse_if_higher = direction == "higher_is_worse"
    worse_if_lower = direction == "lower_is_worse"
    label = np.where(higher, "höher", np.where(lower, "niedriger", SIMILAR)).astype(object)
    label = np.where(worse_if_higher & higher, "schlechter", label)
    label = np.where(worse_if_higher & lower, "besser", label)
    label = np.where(worse_if_lower & higher, "besser", label)
    label = np.where(worse_if_lower & lower, "schlechter", label)
    missing = np.isnan(lo) | np.isnan(hi) | np.isnan(reference)
    return np.where(missing, None, label)


def change_label(lo, hi, direction: np.ndarray) -> np.ndarray:
    """"gestiegen"/"gesunken" (or "verbessert"/"verschlechtert" with a direction), or no clear change."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    up, down = lo > 0, hi < 0
    label = np.where(up, "gestiegen", np.where(down, "gesunken", NO_CLEAR_CHANGE)).astype(object)
    label = np.where((direction == "higher_is_worse") & up, "verschlechtert", label)
    label = np.where((direction == "higher_is_worse") & down, "verbessert", label)
    label = np.where((direction == "lower_is_worse") & up, "verbessert", label)
    label = np.where((direction == "lower_is_worse") & down, "verschlechtert", label)
    return np.where(np.isnan(lo) | np.isnan(hi), None, label)


def _intervals(x, n, units, confidence) -> tuple[np.ndarray, np.ndarray]:
    lo = np.full(len(x), np.nan)
    hi = np.full(len(x), np.nan)
    share = units == "share"
    lo[share], hi[share] = wilson(x[share], n[share], confidence)
    lo[~share], hi[~share] = poisson_interval(x[~share], n[~share], confidence)
    return lo, hi


def _num(series: pd.Series) -> np.ndarray:
    return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def benchmark(values: pd.DataFrame, config: Config, settings: BenchmarkSettings) -> pd.DataFrame:
    """One row per district × year × indicator with a published rate (see the module docstring).

    ``values``: the published indicator values with ``parent_id``, ``level``, ``level_rank`` and the rates
    the analysis stage computed.
    """
    v = values[(values["status"] == PUBLISHED) & values["rate"].notna()].copy()
    direction = v["indicator_id"].map({i.id: i.direction for i in config.indicators}).to_numpy(dtype=object)
    units = v["indicator_id"].map({i.id: i.unit for i in config.indicators}).to_numpy(dtype=object)
    mult = v["indicator_id"].map({i.id: i.multiplier for i in config.indicators}).to_numpy(dtype=float)
    rate_of = v.set_index(["indicator_id", "year", "district_id"])["rate"]
    city = v[v["level_rank"] == 0].set_index(["indicator_id", "year"])["rate"]
    v["city_rate"] = _num(city.reindex(pd.MultiIndex.from_frame(v[["indicator_id", "year"]])).reset_index(drop=True))
    v["parent_rate"] = _num(
        rate_of.reindex(pd.MultiIndex.from_frame(v[["indicator_id", "year", "parent_id"]])).reset_index(drop=True)
    )
    lo, hi = _num(v["ci_low"]), _num(v["ci_high"])
    is_city = (v["level_rank"] == 0).to_numpy()
    v["vs_city"] = np.where(is_city, None, compare(lo, hi, v["city_rate"].to_numpy(), direction))
    v["vs_parent"] = compare(lo, hi, v["parent_rate"].to_numpy(), direction)

    # change over years_back years, from the published counts of both years
    base = v[["indicator_id", "year", "district_id", "numerator", "denominator", "rate"]].copy()
    base["year"] = base["year"] + settings.years_back
    base = base.rename(columns={"numerator": "x0", "denominator": "n0", "rate": "base_rate"})
    v = v.merge(base, on=["indicator_id", "year", "district_id"], how="left")
    x1, n1, x0, n0 = (_num(v[c]) for c in ("numerator", "denominator", "x0", "n0"))
    lo1, hi1 = _intervals(x1, n1, units, settings.confidence)
    lo0, hi0 = _intervals(x0, n0, units, settings.confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_lo, d_hi = mover_difference(x1 / n1, lo1, hi1, x0 / n0, lo0, hi0)
        change = x1 / n1 - x0 / n0
    has_base = ~np.isnan(x0) & ~np.isnan(n0) & (np.nan_to_num(n0) > 0)
    v["base_year"] = np.where(has_base, v["year"] - settings.years_back, np.nan)
    v["change"] = np.where(has_base, np.round(change * mult, 4), np.nan)
    v["change_ci_low"] = np.where(has_base, np.round(d_lo * mult, 4), np.nan)
    v["change_ci_high"] = np.where(has_base, np.round(d_hi * mult, 4), np.nan)
    v["change_label"] = change_label(v["change_ci_low"], v["change_ci_high"], direction)
    v["base_rate"] = v["base_rate"].where(has_base)
    out = v[COLUMNS].copy()
    out["base_year"] = out["base_year"].astype("Int64")
    for col in ("rate", "ci_low", "ci_high", "city_rate", "parent_rate", "base_rate", "change",
                "change_ci_low", "change_ci_high"):
        out[col] = out[col].astype("Float64")
    return out.sort_values(["indicator_id", "year", "district_id"]).reset_index(drop=True)
