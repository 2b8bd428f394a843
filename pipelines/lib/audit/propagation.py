"""Exact bounds on sum hierarchies by bounds tightening to a fixpoint.

Each inner node gives one equation ``x_p = Σ x_c``. One sweep tightens, for every equation at once,
the parent to the interval sum of its children and every child to ``[lo_p − Σ others' hi,
hi_p − Σ others' lo]``. Sweeps repeat until nothing changes (information travels one level per
sweep, so about ``2 × depth`` sweeps), each run of whole trees (an indicator-year is one tree) on its own.

Why the fixpoint is exact: every variable sits in at most two equations (as a child and as a parent)
and the equations form a tree, so the constraint network is acyclic; sums of integer intervals are
integer intervals, so bounds consistency is full arc consistency; on an acyclic network arc
consistency implies that every value left in a domain extends to a full solution. The matrix is also
a network matrix (totally unimodular), so these bounds equal the LP bounds. Tests check both claims
against brute-force enumeration and HiGHS.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

BATCH = 1 << 18  # about this many nodes (whole trees) are tightened at a time


def tighten(parent: np.ndarray, lo: np.ndarray, hi: np.ndarray, max_sweeps: int = 10_000, *,
            in_place: bool = False):
    """Return ``(lower, upper, feasible)`` for nodes with parent pointers (``-1`` = root); ``in_place``:
    ``lo`` and ``hi`` (float64) become ``lower`` and ``upper`` (no copy of ten million bounds).

    Trees share no equation, so runs of whole trees (:func:`batches`) are tightened a quarter of a million
    nodes at a time (the sweeps' temporary arrays stay small), and a contradiction in one tree (its bounds
    mean nothing; they stay as they were when it showed) leaves the other trees' bounds as tight as they
    are without it."""
    lower = lo if in_place else np.asarray(lo, dtype="float64").copy()
    upper = hi if in_place else np.asarray(hi, dtype="float64").copy()
    for start, stop in batches(parent):
        local = parent[start:stop]
        local = np.where(local >= 0, local - start, -1)
        lower[start:stop], upper[start:stop] = _fixpoint(local, lower[start:stop], upper[start:stop], max_sweeps)
    return lower, upper, ~(lower > upper)


def batches(parent: np.ndarray, size: int | None = None) -> list[tuple[int, int]]:
    """``(start, stop)`` row ranges of about ``size`` nodes that no parent pointer crosses (whole trees:
    rows ordered by indicator-year, as the published table is). One range if no such cut exists."""
    size = size or BATCH
    n = len(parent)
    if n <= size:
        return [(0, n)] if n else []
    rows = np.arange(n, dtype=parent.dtype)
    linked = np.where(parent >= 0, parent, rows)  # each row's parent, or the row itself
    first, last = np.minimum(rows, linked), np.maximum(rows, linked)
    del linked
    # reach[j]: the last row linked to a row ≤ j; a range may start at j + 1 where that is j itself
    reach = np.full(n, -1, dtype=parent.dtype)
    np.maximum.at(reach, first, last)
    del first, last
    np.maximum.accumulate(reach, out=reach)
    starts = np.flatnonzero(reach[:-1] <= rows[:-1]) + 1
    bounds = [0]
    while True:
        i = int(np.searchsorted(starts, bounds[-1] + size))
        if i >= len(starts):
            break
        bounds.append(int(starts[i]))
    bounds.append(n)
    return [(a, b) for a, b in pairwise(bounds) if b > a]


def _roots(parent: np.ndarray) -> np.ndarray:
    """The root of every node's tree."""
    root = np.arange(len(parent))
    up = parent.copy()
    for _ in range(len(parent)):
        has = np.flatnonzero(up >= 0)
        if not len(has):
            break
        root[has] = up[has]
        up[has] = parent[up[has]]
    return root


def _fixpoint(parent: np.ndarray, lo: np.ndarray, hi: np.ndarray, max_sweeps: int):
    """Sweeps over one run of trees until nothing changes. A tree in which a node's bounds cross keeps the
    bounds of that sweep (they mean nothing), and the other trees go on to their fixpoint."""
    n = len(parent)
    child = np.flatnonzero(parent >= 0)
    par = parent[child]
    is_parent = np.bincount(par, minlength=n) > 0
    frozen = None  # the nodes of contradictory trees
    for _ in range(max_sweeps):
        c_lo, c_hi = lo[child], hi[child]
        sum_lo = np.bincount(par, c_lo, minlength=n)
        finite = np.isfinite(c_hi)
        sum_hi = np.bincount(par[finite], c_hi[finite], minlength=n)
        n_inf = np.bincount(par[~finite], minlength=n)
        sum_hi_all = np.where(n_inf > 0, np.inf, sum_hi)

        new_lo = lo.copy()
        new_hi = hi.copy()
        new_lo[is_parent] = np.maximum(lo[is_parent], sum_lo[is_parent])
        new_hi[is_parent] = np.minimum(hi[is_parent], sum_hi_all[is_parent])

        others_lo = sum_lo[par] - c_lo
        others_inf = n_inf[par] - (~finite)
        others_hi = np.where(others_inf > 0, np.inf, sum_hi[par] - np.where(finite, c_hi, 0.0))
        new_lo[child] = np.maximum(new_lo[child], lo[par] - others_hi)
        new_hi[child] = np.minimum(new_hi[child], hi[par] - others_lo)
        if frozen is not None:
            new_lo[frozen], new_hi[frozen] = lo[frozen], hi[frozen]

        # (a missing figure, NaN, stays missing: it must not keep the sweeps going)
        if np.array_equal(new_lo, lo, equal_nan=True) and np.array_equal(new_hi, hi, equal_nan=True):
            break
        lo, hi = new_lo, new_hi
        crossed = lo > hi
        if crossed.any():
            root = _roots(parent)
            bad = np.zeros(n, dtype=bool)
            bad[root[crossed]] = True
            frozen = bad[root] if frozen is None else frozen | bad[root]
            if frozen.all():
                break
    return lo, hi
