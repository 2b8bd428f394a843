"""Protecting the denominator table with the counts: where a tiny denominator is itself the risk.

A "zu wenige Einwohner" cell publishes neither count nor denominator, but its denominator is its
parent's minus its siblings' (published, or given away by count and rate), and indicators with the
same denominator (a ``shared_denominator`` relation or the same ``denominator_label``) share it. With
``x ≤ n``, a derivable denominator of 1 or 2 tells the count of one or two identifiable persons: a
count of 1 is "at most 1", a count of 0 is "none of the 2" (the complement ``n − x`` is a P2 case).

So the denominators get their own secondary suppression, on one hierarchy per denominator (group of
indicators sharing it) and year, with the machinery of :mod:`.secondary`:

* primary: every P3 cell (its denominator is never published); a P3 cell whose denominator ``n`` is
  1 to k − 1 ("tiny") needs the attacker's upper bound of ``n`` to reach ``k`` where its count is a P1
  case (so the count can be k) and ``k + x`` where its complement is a P2 case (so ``n − x`` can be k);
* complements: denominators of cells outside P3. Such a cell's status says ``n ≥ min_denominator``
  (else it would be P3), and ``n ≥ x`` of every member's count; a P3 cell beside a published
  population of at least ``min_population`` has ``n ≤ min_denominator − 1``;
* a hidden denominator is withheld in every indicator of its group, with the rate of each of those
  cells (the count and rate would give it back); the stage withholds the population bands of such a
  district-year too (a denominator may be a sum of age bands).

The counts' suppression then uses the attacker's denominator bounds only for tiny P3 cells; every other
denominator is taken as known exactly (``x ≤ n`` with the true ``n``), which is at least what an
attacker can derive, so the counts' bounds are never wider than his.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.config import Indicator, Protection, Relation
from pipelines.lib.protection.bounds import propagate
from pipelines.lib.protection.forest import build_forest
from pipelines.lib.protection.secondary import Pattern, attacker_interval, suppress

GROUP = "_denominator_group"


def shared_denominators(indicators: dict[str, Indicator], relations=(), cells: pd.DataFrame | None = None
                        ) -> dict[str, str]:
    """Indicator → its denominator group: ``shared_denominator`` relations, and the same
    ``denominator_label`` wherever the true denominators agree (``cells``)."""
    ids = sorted(indicators)
    root = {i: i for i in ids}

    def find(a: str) -> str:
        while root[a] != a:
            a = root[a]
        return a

    def join(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            root[max(ra, rb)] = min(ra, rb)

    for rel in relations:
        if isinstance(rel, Relation) and rel.kind == "shared_denominator":
            members = [m for m in rel.members if m in root]
            for m in members[1:]:
                join(members[0], m)
    labels: dict[str, list[str]] = {}
    for i in ids:
        label = (indicators[i].denominator_label or "").strip()
        if label:
            labels.setdefault(label, []).append(i)
    den = None
    if cells is not None:
        den = cells.loc[cells["denominator"].notna().to_numpy(), ["indicator_id", "year", "district_id", "denominator"]]
        den = den.astype({"indicator_id": str, "district_id": str, "year": "int64"})
    for members in labels.values():
        for m in members[1:]:
            if den is None or _agree(den, members[0], m):
                join(members[0], m)
    return {i: find(i) for i in ids}


def _agree(den: pd.DataFrame, a: str, b: str) -> bool:
    both = den[den["indicator_id"] == a].merge(den[den["indicator_id"] == b], on=["year", "district_id"])
    return bool((both["denominator_x"] == both["denominator_y"]).all())


@dataclass(frozen=True)
class DenominatorProtection:
    """Per cell (aligned with the cells frame)."""

    withheld: np.ndarray  # bool: a denominator hidden as a complement (outside P3)
    upper: np.ndarray  # the attacker's largest denominator (inf where unbounded)
    tiny: np.ndarray  # bool: a P3 cell whose true denominator is 1 to k − 1
    unresolved: np.ndarray  # bool: a tiny denominator whose requirement could not be met


def protect_denominators(frame: pd.DataFrame, prim, protection: Protection, groups: dict[str, str] | None,
                         known: np.ndarray | None = None, keep: np.ndarray | None = None) -> DenominatorProtection:
    """Secondary suppression of the denominators (see the module docstring). ``prim``: the
    :class:`~.primary.Primary` of ``frame``; ``known``: denominators published before (never complements);
    ``keep``: denominators withheld before with the same value (they stay withheld)."""
    size = len(frame)
    x, n, k = prim.x, prim.n, prim.k
    has_n = ~np.isnan(n)
    tiny = prim.p3 & has_n & (n >= 1) & (n <= k - 1)
    none = np.zeros(size, dtype=bool)
    keep = np.zeros(size, dtype=bool) if keep is None else keep & ~prim.p3 & has_n
    if not tiny.any() and not keep.any():
        return DenominatorProtection(none, np.where(has_n, n, np.inf), tiny, none)

    group_of = groups or {}
    ids = frame["indicator_id"].astype(str).to_numpy()
    g = pd.Series([group_of.get(i, i) for i in ids], dtype=object).to_numpy()
    keys = pd.DataFrame({"indicator_id": g, "year": frame["year"].to_numpy(),
                         "district_id": frame["district_id"].astype(str).to_numpy()})
    rep_code, _ = pd.factorize(pd.MultiIndex.from_frame(keys))
    rep_code = rep_code.astype(np.int64)
    first = np.unique(rep_code, return_index=True)[1]
    parents = frame["parent_id"].astype(object).to_numpy()[first]
    reps = keys.iloc[first].reset_index(drop=True)
    reps["parent_id"] = [None if pd.isna(v) else str(v) for v in parents]
    forest = build_forest(reps)
    m = len(reps)

    def per_rep(values: np.ndarray, fill: float, how) -> np.ndarray:
        out = np.full(m, fill)
        how.at(out, rep_code, values)
        return out

    value = n[first]
    p3 = per_rep(prim.p3.astype(float), 0.0, np.maximum) > 0
    kept = per_rep(keep.astype(float), 0.0, np.maximum) > 0
    missing = np.isnan(value)
    p1_case = (x >= 1) & (x <= k - 1)
    p2_case = (n - x >= 1) & (n - x <= k - 1)
    need = np.where(tiny & p1_case, k, -np.inf)
    need = np.maximum(need, np.where(tiny & p2_case, k + x, -np.inf))
    min_upper = per_rep(need, -np.inf, np.maximum)
    x_known = np.where(np.isnan(x), 0.0, x)
    floor = per_rep(x_known, 0.0, np.maximum)  # n ≥ x of every member
    pop_big = per_rep((prim.p3 & ~prim.small_population).astype(float), 0.0, np.maximum) > 0
    hidden_lo = np.where(p3, 0.0, np.maximum(floor, float(protection.min_denominator)))
    hidden_hi = np.where(p3 & pop_big, float(protection.min_denominator - 1), np.inf)
    earlier = per_rep(known.astype(float), 0.0, np.maximum) > 0 if known is not None else np.zeros(m, dtype=bool)
    depth_weight = 4.0 ** (forest.depth.max() - forest.depth)
    pattern = Pattern(
        x=value,
        primary=p3 | kept,
        missing=missing,
        known=earlier & ~p3,
        hideable=~p3 & ~kept & ~missing & ~earlier,
        hidden_lo=hidden_lo,
        hidden_hi=hidden_hi,
        min_upper=min_upper,
        max_lower=np.full(m, np.inf),
        min_width=np.zeros(m),
        cost=(np.nan_to_num(value) + 1.0) * depth_weight,
    )
    secondary, unresolved = suppress(forest, pattern)
    lo, hi = attacker_interval(pattern, p3 | kept | secondary)
    upper = propagate(forest, lo, hi).upper
    return DenominatorProtection(
        withheld=((secondary | kept) & ~p3)[rep_code],
        upper=upper[rep_code],
        tiny=tiny,
        unresolved=(unresolved & (min_upper > -np.inf))[rep_code],
    )
