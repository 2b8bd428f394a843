"""Rates and 95 % confidence intervals of the published indicator values, in each indicator's unit.

Shares: Wilson score intervals. Rates per 1,000 (or 100,000): exact Poisson intervals below
:data:`~pipelines.lib.analysis.intervals.BYAR_FROM` events, Byar's approximation from there on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.lib.analysis.intervals import poisson_interval, wilson
from pipelines.lib.analysis.published import PUBLISHED
from pipelines.lib.config import Config

RATE_DECIMALS = 4  # stored precision; displays round further


def rate_arrays(x: np.ndarray, n: np.ndarray, published: np.ndarray, share: np.ndarray,
                multiplier: np.ndarray, derived: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``rate``, ``ci_low`` and ``ci_high`` in the indicator's unit, rounded (NaN where there is none).

    ``x``, ``n``: numerator and denominator as floats (NaN: not published); ``published``: the cell's
    status; ``share``: Wilson, else Poisson; ``multiplier``: of the indicator's unit; ``derived``: the
    numerator was derived (share × denominator, a crosswalk), not counted. A rate exists only where the cell
    and both counts are published and the denominator is positive; an interval only where, in addition, the
    numerator was counted (Wilson and Poisson describe counted cases, not a derived figure).
    """
    published = published & ~np.isnan(x) & ~np.isnan(n) & (np.nan_to_num(n) > 0)
    counted = published if derived is None else published & ~np.asarray(derived, dtype=bool)
    lo = np.full(len(x), np.nan)
    hi = np.full(len(x), np.nan)
    shares = counted & share
    counts = counted & ~share
    lo[shares], hi[shares] = wilson(x[shares], n[shares])
    lo[counts], hi[counts] = poisson_interval(x[counts], n[counts])
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(published, x / n, np.nan)
    return tuple(np.round(a * multiplier, RATE_DECIMALS) for a in (rate, lo, hi))


def compute_rates(values: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Add ``rate``, ``ci_low`` and ``ci_high`` from published ``numerator`` and ``denominator``.

    A rate exists only where both are published: a hidden cell never gets a rate or interval; a derived
    numerator (``is_derived``) gets a rate but no interval.
    """
    out = values.copy()
    x = out["numerator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    n = out["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    units = out["indicator_id"].map({i.id: i.unit for i in config.indicators}).to_numpy()
    mult = out["indicator_id"].map({i.id: i.multiplier for i in config.indicators}).to_numpy(dtype=float)
    derived = (out["is_derived"].fillna(False).to_numpy(dtype=bool) if "is_derived" in out.columns else None)
    columns = rate_arrays(x, n, (out["status"] == PUBLISHED).to_numpy(), units == "share", mult, derived)
    for col, column in zip(("rate", "ci_low", "ci_high"), columns, strict=True):
        out[col] = pd.array(column, dtype="Float64")  # NaN → missing
    return out
