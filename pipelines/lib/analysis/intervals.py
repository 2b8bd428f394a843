"""Confidence intervals for rates: Wilson score intervals for shares, exact Poisson for rates per 1,000.

Both functions are vectorised over numpy arrays and return NaN where the inputs are missing or the
denominator is zero.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def wilson(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the proportion ``x / n`` (as a fraction, not percent).

    >>> lo, hi = wilson(np.array([5.0]), np.array([50.0]))
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.0435, 0.2136)
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        lo = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return lo, hi


def poisson_exact(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval of the rate ``x / n`` for a Poisson count ``x`` (as a fraction)."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        lo_count = np.where(x > 0, stats.chi2.ppf(alpha / 2, 2 * x) / 2, 0.0)
        hi_count = stats.chi2.ppf(1 - alpha / 2, 2 * (x + 1)) / 2
        lo = np.where(n > 0, lo_count / n, np.nan)
        hi = np.where(n > 0, hi_count / n, np.nan)
    return lo, hi
