"""Fisher-Jenks natural breaks, exact and vectorised with numpy.

mapclassify's ``FisherJenks`` needs numba to be fast; without it one classification of 576 values takes
half a second, and a site classifies every indicator × year × level. This is the same optimal
partition (minimal within-class sum of squared deviations, Fisher 1958) as a dynamic programme over
prefix sums, one numpy row operation per class. Above ``sampled_above`` values the breaks are computed
on an evenly spaced sample of the sorted values that keeps the minimum and the maximum — the idea of
mapclassify's ``FisherJenksSampled``, with a deterministic sample so the same values give the same map.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def fisher_jenks_breaks(values, k: int) -> list[float]:
    """The upper bounds of ``k`` optimal classes of ``values`` (the last bound is the maximum)."""
    data = np.sort(np.asarray(values, dtype=float))
    n = len(data)
    if n == 0:
        return []
    k = min(k, len(np.unique(data)))
    if k <= 1:
        return [float(data[-1])]
    s1 = np.concatenate([[0.0], np.cumsum(data)])
    s2 = np.concatenate([[0.0], np.cumsum(data * data)])
    # cost[i, m]: one class over data[m..i] (rows: last index i, columns: first index m; inf for m > i),
    # from broadcast prefix sums, in place, and each row contiguous for the argmin below
    size, upper = _sizes(n) if n <= 1500 else _sizes.__wrapped__(n)  # keep at most 4 × 20 MB
    squares = np.subtract.outer(s1[1:], s1[:-1])
    cost = np.subtract.outer(s2[1:], s2[:-1])
    np.multiply(squares, squares, out=squares)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(squares, size, out=squares)
    cost -= squares
    np.maximum(cost, 0.0, out=cost)
    cost[upper] = np.inf
    best = cost[:, 0].copy()  # best[i]: one class over data[0..i]
    rows = np.arange(n)
    choices = []
    for _ in range(1, k):
        # a new class data[m..i] after the best split of data[0..m-1]
        previous = np.concatenate([[np.inf], best[:-1]])
        total = cost + previous[None, :]
        choice = np.argmin(total, axis=1)
        best = total[rows, choice]
        choices.append(choice)
    breaks = [float(data[-1])]
    i = n - 1
    for choice in reversed(choices):
        m = int(choice[i])
        breaks.append(float(data[m - 1]))
        i = m - 1
    return sorted(breaks)


@lru_cache(maxsize=4)  # a site classifies its levels over and over: a few sizes recur
def _sizes(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The class sizes ``i - m + 1`` (float, rows i, columns m) and where they are empty (m > i)."""
    size = np.subtract.outer(np.arange(1, n + 1, dtype=float), np.arange(n, dtype=float))
    return size, size < 1


def sampled(values, size: int) -> np.ndarray:
    """``size`` evenly spaced order statistics of ``values``, always with the minimum and maximum."""
    data = np.sort(np.asarray(values, dtype=float))
    if len(data) <= size:
        return data
    return data[np.unique(np.linspace(0, len(data) - 1, size).round().astype(int))]
