"""Denominators as the attacker's unknowns, and their coupling with the counts.

A denominator that is not published (a "zu wenige Einwohner" cell, a private or withheld denominator)
is still an unknown the attacker can narrow down, from what is published:

* **hierarchy sums** – the denominators of an indicator-year add up the district hierarchy like the
  counts: a hidden one is its parent's minus its siblings';
* **shared denominators** – indicators with the same denominator (a ``shared_denominator`` relation, or
  the same denominator definition ``denominator_label`` in the catalogue, where the published figures
  agree) have *one* denominator per district and year: what one indicator publishes, the other's hidden
  denominator is (:func:`denominator_groups`);
* **population bands** – the published ``population`` table (age bands of the smallest districts): a
  denominator that equals a sum of adjacent age bands wherever both are published (children under 3 =
  band "0-2") is that sum in every district-year with published bands (:func:`band_values`);
* the bounds :mod:`.model` already reads: published denominators, rates beside published counts,
  ``n ≤ min_denominator − 1`` where "zu wenige Einwohner" stands beside a published population of at
  least ``min_population``.

Counts and denominators are coupled cell by cell: ``0 ≤ x ≤ n``, and the complement ``c = n − x``
adds up the hierarchy too (both do). :func:`joint_bounds` tightens the three hierarchies (counts,
denominators, complements) and the per-cell equations ``x + c = n`` to a common fixpoint. Every step
only removes values no consistent table has, so the result is never narrower than what the attacker
can prove; it is bounds consistency, exact on a single tree, and checked against an integer program
on small random tables (``tests/test_protection_over_time_properties.py``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from pipelines.lib.audit.propagation import tighten

MIN_BAND_MATCHES = 3  # the attacker takes a denominator for a band sum only on this much evidence
MAX_ROUNDS = 200


def denominator_groups(indicators, relations=(), table: pd.DataFrame | None = None) -> dict[str, str]:
    """Indicator → the name of its denominator (indicators with one name share one denominator).

    Members of a ``shared_denominator`` relation share one; so do indicators with the same non-empty
    ``denominator_label``, unless the published ``table`` shows different denominators for them in the
    same district and year (then the label does not mean the same count)."""
    ids = sorted(indicators)
    parent = {i: i for i in ids}

    def find(a: str) -> str:
        while parent[a] != a:
            a = parent[a]
        return a

    def join(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for rel in relations:
        if rel.kind == "shared_denominator":
            members = [m for m in rel.members if m in parent]
            for m in members[1:]:
                join(members[0], m)
    by_label: dict[str, list[str]] = {}
    for i in ids:
        label = (indicators[i].denominator_label or "").strip()
        if label:
            by_label.setdefault(label, []).append(i)
    published = _published_denominators(table) if table is not None else None
    for members in by_label.values():
        for m in members[1:]:
            if published is None or _agree(published, members[0], m):
                join(members[0], m)
    return {i: find(i) for i in ids}


def _published_denominators(table: pd.DataFrame) -> pd.DataFrame | None:
    if "denominator" not in table:
        return None
    den = table[["indicator_id", "year", "district_id", "denominator"]]
    den = den[den["denominator"].notna().to_numpy()]
    return den.astype({"indicator_id": str, "district_id": str, "year": "int64"})


def _agree(published: pd.DataFrame | None, a: str, b: str) -> bool:
    if published is None:
        return True
    left = published[published["indicator_id"] == a]
    right = published[published["indicator_id"] == b]
    both = left.merge(right, on=["year", "district_id"], suffixes=("_a", "_b"))
    return bool((both["denominator_a"] == both["denominator_b"]).all())


def _band_start(band: str) -> float:
    found = re.match(r"\s*(\d+)", str(band))
    return float(found.group(1)) if found else np.inf


def band_values(table: pd.DataFrame, population: pd.DataFrame | None) -> np.ndarray:
    """The denominator of every row that the published age bands fix (NaN elsewhere).

    For every indicator the attacker tries each run of adjacent age bands: a run whose sum equals the
    published denominator in every district-year where both are published (at least
    ``MIN_BAND_MATCHES`` of them) is taken as the indicator's denominator wherever the bands are
    published, hidden or not."""
    out = np.full(len(table), np.nan)
    if population is None or population.empty or "denominator" not in table:
        return out
    pop = population.astype({"district_id": str, "year": "int64"})
    bands = sorted(pop["age_band"].astype(str).unique(), key=_band_start)
    wide = pop.pivot_table(index=["district_id", "year"], columns="age_band", values="population",
                           aggfunc="first").reindex(columns=bands)
    wide = wide[wide.notna().all(axis=1)]  # all bands or none are published
    if wide.empty:
        return out
    cum = np.concatenate([np.zeros((len(wide), 1)), np.cumsum(wide.to_numpy(dtype="float64"), axis=1)], axis=1)
    runs = [(a, b) for a in range(len(bands)) for b in range(a + 1, len(bands) + 1)]
    sums = np.stack([cum[:, b] - cum[:, a] for a, b in runs], axis=1)  # (district-years, runs)
    keys = pd.MultiIndex.from_frame(
        table[["district_id", "year"]].astype({"district_id": str, "year": "int64"}))
    at = wide.index.get_indexer(keys)
    den = table["denominator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    codes, uniques = pd.factorize(table["indicator_id"])
    for code in range(len(uniques)):
        rows = np.flatnonzero((codes == code) & (at >= 0))
        if not len(rows):
            continue
        seen = rows[~np.isnan(den[rows])]
        if len(seen) < MIN_BAND_MATCHES:
            continue
        match = (sums[at[seen]] == den[seen, None]).all(axis=0)
        if match.any():
            out[rows] = sums[at[rows], int(np.argmax(match))]
    return out


def year_population(table: pd.DataFrame, population: pd.DataFrame | None) -> np.ndarray:
    """Every row's population in its own year as the attacker knows it: the sum of the published age bands
    of its district-year (NaN where they are not all published).

    Not the districts table's population: that is the latest year's, and a district that grew past
    ``min_population`` would make an earlier "zu wenige Einwohner" look like a small denominator."""
    out = np.full(len(table), np.nan)
    if population is None or population.empty or not len(table):
        return out
    pop = population.astype({"district_id": str, "year": "int64"})
    n_bands = pop["age_band"].nunique()
    whole = pop.groupby(["district_id", "year"])["population"].agg(["sum", "count"])
    whole = whole[whole["count"] == n_bands]  # all bands or none are published
    keys = pd.MultiIndex.from_frame(
        table[["district_id", "year"]].astype({"district_id": str, "year": "int64"}))
    at = whole.index.get_indexer(keys)
    found = at >= 0
    out[found] = whole["sum"].to_numpy(dtype="float64")[at[found]]
    return out


def shared_variables(table: pd.DataFrame, groups: dict[str, str] | None, index) -> tuple[np.ndarray, int]:
    """The denominator variable of every row: one per (denominator group, year, district)."""
    group_of = groups or {}
    names = [group_of.get(str(i), str(i)) for i in index.indicators]
    group_code = pd.factorize(pd.Index(names))[0].astype(np.int64)
    ind = index.indicator.astype(np.int64)
    g = np.where(ind >= 0, group_code[np.maximum(ind, 0)], -1)
    key = (g * index.n_years + index.year.astype(np.int64)) * max(len(index.districts), 1) + index.district
    var, distinct = pd.factorize(key)
    return var.astype(np.int64), len(distinct)


def variable_parents(parent: np.ndarray, var: np.ndarray, n_vars: int) -> np.ndarray:
    """The parent variable of every denominator variable (-1 for a city)."""
    out = np.full(n_vars, -1, dtype=np.int64)
    child = parent >= 0
    out[var[child]] = var[parent[child]]
    return out


def to_variables(values_lo: np.ndarray, values_hi: np.ndarray, var: np.ndarray, n_vars: int):
    """Row intervals intersected into one interval per variable."""
    lo = np.full(n_vars, -np.inf)
    hi = np.full(n_vars, np.inf)
    np.maximum.at(lo, var, values_lo)
    np.minimum.at(hi, var, values_hi)
    return lo, hi


def joint_bounds(parent, x_lo, x_hi, var, var_parent, n_lo, n_hi, max_rounds: int = MAX_ROUNDS):
    """Counts ``x`` (per row), denominators ``n`` (per variable) and complements ``c = n − x`` (per row)
    tightened together: every hierarchy's sums, ``x + c = n`` per row, ``x, c ≥ 0``.

    Returns ``(x_lo, x_hi, n_lo, n_hi, c_lo, c_hi)`` (new arrays)."""
    x_lo, x_hi = np.maximum(np.asarray(x_lo, dtype="float64"), 0.0), np.asarray(x_hi, dtype="float64").copy()
    n_lo, n_hi = np.maximum(np.asarray(n_lo, dtype="float64"), 0.0), np.asarray(n_hi, dtype="float64").copy()
    c_lo = np.zeros(len(x_lo))
    c_hi = np.full(len(x_lo), np.inf)
    for _ in range(max_rounds):
        before = (x_lo.copy(), x_hi.copy(), n_lo.copy(), n_hi.copy(), c_lo.copy(), c_hi.copy())
        # per row: x + c = n
        row_n_lo, row_n_hi = n_lo[var], n_hi[var]
        x_hi = np.minimum(x_hi, row_n_hi - c_lo)
        x_lo = np.maximum(x_lo, row_n_lo - c_hi)
        c_hi = np.minimum(c_hi, row_n_hi - x_lo)
        c_lo = np.maximum(c_lo, row_n_lo - x_hi)
        lo_v, hi_v = to_variables(x_lo + c_lo, x_hi + c_hi, var, len(n_lo))
        n_lo, n_hi = np.maximum(n_lo, lo_v), np.minimum(n_hi, hi_v)
        # the hierarchies
        x_lo, x_hi, _ = tighten(parent, x_lo, x_hi, in_place=True)
        c_lo, c_hi, _ = tighten(parent, c_lo, c_hi, in_place=True)
        n_lo, n_hi, _ = tighten(var_parent, n_lo, n_hi, in_place=True)
        after = (x_lo, x_hi, n_lo, n_hi, c_lo, c_hi)
        if all(np.array_equal(a, b, equal_nan=True) for a, b in zip(before, after, strict=True)):
            break
        if any((lo > hi).any() for lo, hi in ((x_lo, x_hi), (n_lo, n_hi), (c_lo, c_hi))):
            break  # a contradiction: the bounds mean nothing (reported as infeasible)
    return x_lo, x_hi, n_lo, n_hi, c_lo, c_hi
