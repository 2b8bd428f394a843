"""Confidence intervals for rates and for the difference of two rates.

* :func:`wilson` — Wilson score interval for shares;
* :func:`poisson_exact` — exact (Garwood) interval for rates per 1,000 with small counts;
* :func:`byar` — Byar's approximation of the exact Poisson interval for larger counts;
* :func:`poisson_interval` — exact up to ``byar_from − 1`` events, Byar from ``byar_from`` on;
* :func:`mover_difference` — the interval of ``p1 − p2`` from the two single intervals (MOVER). With
  Wilson intervals this is Newcombe's hybrid score interval (Newcombe 1998, method 10).

All functions are vectorised over numpy arrays and return NaN where the inputs are missing or the
denominator is zero.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

BYAR_FROM = 100  # events; below, the exact interval


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the proportion ``x / n`` (as a fraction, not percent).

    >>> lo, hi = wilson(np.array([5.0]), np.array([50.0]))
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.0435, 0.2136)
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        lo = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return lo, hi


def poisson_exact(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval of the rate ``x / n`` for a Poisson count ``x`` (as a fraction).

    >>> lo, hi = poisson_exact(np.array([10.0]), np.array([1.0]))
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (4.7954, 18.3904)
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        lo_count = np.where(x > 0, stats.chi2.ppf(alpha / 2, 2 * x) / 2, 0.0)
        hi_count = stats.chi2.ppf(1 - alpha / 2, 2 * (x + 1)) / 2
        lo = np.where(n > 0, lo_count / n, np.nan)
        hi = np.where(n > 0, hi_count / n, np.nan)
    return lo, hi


def byar(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation of the exact Poisson interval of ``x / n`` (as a fraction).

    ``lower = x (1 − 1/(9x) − z/(3√x))³``, ``upper = (x+1) (1 − 1/(9(x+1)) + z/(3√(x+1)))³``
    (Breslow and Day 1987; the method of the English public health observatories for counts ≥ 10).
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo_count = np.where(x > 0, x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3, 0.0)
        x1 = x + 1
        hi_count = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
        lo = np.where(n > 0, lo_count / n, np.nan)
        hi = np.where(n > 0, hi_count / n, np.nan)
    return lo, hi


def poisson_interval(x, n, confidence: float = 0.95, byar_from: int = BYAR_FROM) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson interval for counts below ``byar_from``, Byar's approximation from there on (each
    computed only where it is used: the exact one takes a χ² quantile per count)."""
    x, n = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(n, dtype=float))
    shape = x.shape
    x, n = x.ravel(), n.ravel()
    large = x >= byar_from
    lo, hi = np.empty(len(x)), np.empty(len(x))
    lo[~large], hi[~large] = poisson_exact(x[~large], n[~large], confidence)
    lo[large], hi[large] = byar(x[large], n[large], confidence)
    return lo.reshape(shape), hi.reshape(shape)


def mover_difference(p1, lo1, hi1, p2, lo2, hi2) -> tuple[np.ndarray, np.ndarray]:
    """Interval of ``p1 − p2`` from the two single intervals (method of variance estimates recovery).

    ``lower = d − √((p1 − l1)² + (u2 − p2)²)``, ``upper = d + √((u1 − p1)² + (p2 − l2)²)``. With Wilson
    limits this is Newcombe's hybrid score interval (method 10): 56/70 − 48/80 gives 0.0524 to 0.3339.
    """
    p1, lo1, hi1, p2, lo2, hi2 = (np.asarray(a, dtype=float) for a in (p1, lo1, hi1, p2, lo2, hi2))
    d = p1 - p2
    return d - np.sqrt((p1 - lo1) ** 2 + (hi2 - p2) ** 2), d + np.sqrt((hi1 - p1) ** 2 + (p2 - lo2) ** 2)


def newcombe(x1, n1, x2, n2, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval (method 10) of ``x1/n1 − x2/n2`` (as fractions)."""
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    lo1, hi1 = wilson(x1, n1, confidence)
    lo2, hi2 = wilson(x2, n2, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        return mover_difference(x1 / n1, lo1, hi1, x2 / n2, lo2, hi2)
