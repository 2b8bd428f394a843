"""Rates as attacker knowledge: a rate written with d decimals beside a published denominator is an
interval on the numerator.

``rate = x / n · multiplier`` rounded to ``d`` decimals means
``n · (rate − h) / multiplier ≤ x ≤ n · (rate + h) / multiplier`` with ``h = ½ · 10^−d`` (closed: the
attacker does not know the rounding convention). ``d`` is read off the figure itself, as an attacker
would: the fewest decimals that write it exactly. With 40 examined children even a rate with no
decimals pins a count of 2. A hidden cell must therefore never carry a rate; the audit reports one as
a violation and, through these constraints, shows how far it narrows the count.
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


def rate_constraints(table: pd.DataFrame, multipliers: dict[str, float], hidden: np.ndarray) -> list[LinearConstraint]:
    """One interval per ``hidden`` row that carries a rate and a denominator."""
    if "rate" not in table:
        return []
    rate = table["rate"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    den = table["denominator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    out = []
    for i in np.flatnonzero(hidden & ~np.isnan(rate) & ~np.isnan(den)):
        row = table.iloc[i]
        mult = multipliers.get(row["indicator_id"])
        if not mult:
            continue
        half = 0.5 * 10.0 ** -decimals(rate[i])
        key = (row["indicator_id"], int(row["year"]), row["district_id"])
        out.append(LinearConstraint(terms={key: 1.0}, lower=den[i] * (rate[i] - half) / mult,
                                    upper=den[i] * (rate[i] + half) / mult, label=f"rate:{key}"))
    return out
