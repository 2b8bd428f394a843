"""Rates as attacker knowledge: a rate written with d decimals is an interval on the numerator (beside
a known denominator) or on the denominator (beside a published numerator).

``rate = x / n · multiplier`` rounded to ``d`` decimals means ``r − h ≤ x / n · multiplier ≤ r + h``
with ``h = ½ · 10^−d`` (closed: the attacker does not know the rounding convention). So

* beside a denominator known within ``[n_lo, n_hi]`` (published, or worked out from the hierarchy):
  ``n_lo · (r − h) / multiplier ≤ x ≤ n_hi · (r + h) / multiplier`` (:func:`rate_constraints`). With 40
  examined children even a rate with no decimals pins a count of 2. A hidden cell must therefore never
  carry a rate; the audit reports one as a violation and, through these constraints, shows how far it
  narrows the count;
* beside a published numerator: ``x · multiplier / (r + h) ≤ n ≤ x · multiplier / (r − h)``
  (:func:`denominator_bounds`): 39 at 97.5 % means 40, "all but one". A private denominator
  (``denominator_public = false``) is therefore private only where no rate is shown.

``d`` is read off the figures as an attacker would: the most decimals any rate of the same indicator
shows (the column's precision; a rate of 97.0 in a column of 97.5 and 12.3 is 97.0 ± 0.05), and at least
the fewest decimals that write the figure itself exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipelines.lib.audit.linear import LinearConstraint

MAX_DECIMALS = 10


def decimals(value: float) -> int:
    """The fewest decimals (up to 10) that write ``value`` exactly."""
    for d in range(MAX_DECIMALS + 1):
        if math.isclose(round(value, d), value, rel_tol=0.0, abs_tol=1e-9):
            return d
    return MAX_DECIMALS


def _decimals(values: np.ndarray) -> np.ndarray:
    """:func:`decimals` of every value (NaN → 0), vectorised."""
    out = np.full(len(values), MAX_DECIMALS, dtype=np.int64)
    todo = ~np.isnan(values)
    out[~todo] = 0
    for d in range(MAX_DECIMALS + 1):
        exact = todo & (np.abs(np.round(values, d) - values) <= 1e-9)
        out[exact] = d
        todo &= ~exact
    return out


def half_steps(table: pd.DataFrame) -> np.ndarray:
    """``h = ½ · 10^−d`` of every row's rate, ``d`` the precision of its indicator's rate column."""
    rate = _rates(table)
    own = _decimals(rate)
    codes, uniques = pd.factorize(table["indicator_id"])
    column = np.zeros(len(uniques), dtype=np.int64)
    np.maximum.at(column, codes[~np.isnan(rate)], own[~np.isnan(rate)])
    d = np.maximum(own, column[codes])
    return 0.5 * 10.0 ** -d.astype("float64")


def _rates(table: pd.DataFrame) -> np.ndarray:
    if "rate" not in table:
        return np.full(len(table), np.nan)
    return table["rate"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def _multipliers(table: pd.DataFrame, multipliers: dict[str, float]) -> np.ndarray:
    codes, uniques = pd.factorize(table["indicator_id"])
    per_indicator = np.array([float(multipliers.get(i) or np.nan) for i in uniques], dtype="float64")
    return per_indicator[codes] if len(uniques) else np.zeros(0)


def denominator_bounds(
    table: pd.DataFrame, multipliers: dict[str, float], shown: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(n_lo, n_hi)`` from numerator and rate for every ``shown`` row that carries both (else 0, ∞)."""
    num = table["numerator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    rate = _rates(table)
    mult = _multipliers(table, multipliers)
    n_lo = np.zeros(len(table))
    n_hi = np.full(len(table), np.inf)
    use = shown & ~np.isnan(num) & ~np.isnan(rate) & ~np.isnan(mult)
    if not use.any():
        return n_lo, n_hi
    x, r, m, h = num[use], rate[use], mult[use], half_steps(table)[use]
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.ceil(x * m / (r + h) - 1e-9)
        hi = np.where(r - h > 0, np.floor(x * m / (r - h) + 1e-9), np.inf)
    n_lo[use] = np.maximum(np.nan_to_num(lo, nan=0.0, posinf=0.0), x)  # and x ≤ n
    n_hi[use] = np.nan_to_num(hi, nan=np.inf)
    return n_lo, n_hi


def rate_constraints(
    table: pd.DataFrame,
    multipliers: dict[str, float],
    hidden: np.ndarray,
    n_lower: np.ndarray | None = None,
    n_upper: np.ndarray | None = None,
) -> list[LinearConstraint]:
    """One interval per ``hidden`` row that carries a rate beside a bounded denominator.

    ``n_lower``/``n_upper``: what the attacker knows of every row's denominator (default: the published
    ``denominator`` column).
    """
    rate = _rates(table)
    if np.isnan(rate[hidden]).all():
        return []
    den = table["denominator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    n_lo = den if n_lower is None else n_lower
    n_hi = den if n_upper is None else n_upper
    mult = _multipliers(table, multipliers)
    half = half_steps(table)
    out = []
    for i in np.flatnonzero(hidden & ~np.isnan(rate) & np.isfinite(n_hi) & ~np.isnan(mult)):
        row = table.iloc[i]
        lo = np.nan_to_num(n_lo[i]) * max(rate[i] - half[i], 0.0) / mult[i]
        key = (row["indicator_id"], int(row["year"]), row["district_id"])
        out.append(LinearConstraint(terms={key: 1.0}, lower=lo, upper=n_hi[i] * (rate[i] + half[i]) / mult[i],
                                    label=f"rate:{key}"))
    return out
