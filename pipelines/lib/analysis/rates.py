"""Rates and 95 % confidence intervals of the published indicator values, in each indicator's unit.

Shares: Wilson score intervals. Rates per 1,000 (or 100,000): exact Poisson intervals below
:data:`~pipelines.lib.analysis.intervals.BYAR_FROM` events, Byar's approximation from there on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.lib.analysis.intervals import poisson_interval, wilson
from pipelines.lib.config import Config

RATE_DECIMALS = 4  # stored precision; displays round further


def compute_rates(values: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Add ``rate``, ``ci_low`` and ``ci_high`` from published ``numerator`` and ``denominator``.

    A rate exists only where both are published: a hidden cell never gets a rate or interval.
    """
    out = values.copy()
    x = out["numerator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    n = out["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    published = (out["status"] == "veröffentlicht").to_numpy() & ~np.isnan(x) & ~np.isnan(n) & (np.nan_to_num(n) > 0)
    units = out["indicator_id"].map({i.id: i.unit for i in config.indicators}).to_numpy()
    mult = out["indicator_id"].map({i.id: i.multiplier for i in config.indicators}).to_numpy(dtype=float)
    lo = np.full(len(out), np.nan)
    hi = np.full(len(out), np.nan)
    share = published & (units == "share")
    count = published & (units != "share")
    lo[share], hi[share] = wilson(x[share], n[share])
    lo[count], hi[count] = poisson_interval(x[count], n[count])
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(published, x / n, np.nan)
    out["rate"] = np.round(rate * mult, RATE_DECIMALS)
    out["ci_low"] = np.round(lo * mult, RATE_DECIMALS)
    out["ci_high"] = np.round(hi * mult, RATE_DECIMALS)
    for col in ("rate", "ci_low", "ci_high"):
        out[col] = out[col].where(published, None).astype("Float64")
    return out
