"""Secondary (complementary) suppression on the hierarchy of every indicator-year.

The loop works on all trees at once:

1. compute the attacker's exact bounds of every hidden cell (:func:`.bounds.propagate`);
2. for every cell whose requirement fails, see which side pins it down — its children (the bottom-up
   interval ``B``) or its parent and siblings (the top-down interval ``A``) — and hide one published
   cell on that side that adds real uncertainty. A cell's usefulness is its distance from the bound
   it would get when hidden: ``x − max(lower, Σ children lower)`` to let the failing cell rise,
   ``min(upper, Σ children upper) − x`` to let it fall. With zeros published a hidden 1 adds nothing
   upwards. Among useful cells the cheapest that covers the shortfall wins (cost = value, weighted
   heavily by level, so low levels and small values are preferred); otherwise the most useful one. When
   no sibling helps, the parent is hidden (or, if already hidden, the parent's own bound is widened
   the same way), so a region total that the city table would give away is handled by going up;
3. repeat until every requirement holds. If a round finds nothing to hide, every hideable cell of the
   trees still failing is hidden (the strongest possible pattern);
4. drop redundant complements: try publishing each secondary cell again, most expensive first (one
   per tree per pass, trees are independent); keep it published if no requirement starts failing.
   Publishing more never widens a bound, so a cell that was needed stays needed: after the pass
   removing any single remaining complement breaks a requirement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.lib.protection.bounds import Bounds, propagate
from pipelines.lib.protection.forest import Forest


@dataclass(frozen=True)
class Pattern:
    """Per-node inputs of the secondary suppression."""

    x: np.ndarray  # true values (NaN = unknown)
    primary: np.ndarray  # bool: hidden by a primary rule
    missing: np.ndarray  # bool: "keine Daten", always unknown in [0, ∞)
    known: np.ndarray  # bool: published in an earlier release, so known even when hidden now
    hideable: np.ndarray  # bool: may become a complement
    hidden_lo: np.ndarray
    hidden_hi: np.ndarray
    min_upper: np.ndarray
    max_lower: np.ndarray
    min_width: np.ndarray
    cost: np.ndarray


def attacker_interval(pattern: Pattern, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A-priori interval of every node for the given hidden set."""
    secret = hidden & ~pattern.known
    lo = np.where(pattern.missing, 0.0, np.where(secret, pattern.hidden_lo, pattern.x))
    hi = np.where(pattern.missing, np.inf, np.where(secret, pattern.hidden_hi, pattern.x))
    return lo, hi


def failing(pattern: Pattern, hidden: np.ndarray, bounds: Bounds) -> np.ndarray:
    """Hidden nodes whose requirement does not hold."""
    lower, upper = bounds.lower, bounds.upper
    bad = (upper < pattern.min_upper) | (lower > pattern.max_lower) | (upper - lower < pattern.min_width)
    return hidden & (bad | bounds.infeasible)


def evaluate(forest: Forest, pattern: Pattern, hidden: np.ndarray) -> tuple[Bounds, np.ndarray]:
    lo, hi = attacker_interval(pattern, hidden)
    bounds = propagate(forest, lo, hi)
    return bounds, failing(pattern, hidden, bounds)


def suppress(forest: Forest, pattern: Pattern, max_rounds: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(secondary, unresolved)`` boolean masks."""
    hidden = pattern.primary.copy()
    bounds, fail = evaluate(forest, pattern, hidden)
    fallback_used = np.zeros(forest.n_trees, dtype=bool)
    for _ in range(max_rounds):
        if not fail.any():
            break
        picker = _Picker(forest, pattern, hidden, bounds)
        picks: set[int] = set()
        for c in np.flatnonzero(fail):
            picks.update(picker.fix(int(c)))
        picks = {p for p in picks if not hidden[p]}
        if not picks:
            trees = np.unique(forest.tree[fail])
            trees = trees[~fallback_used[trees]]
            if len(trees) == 0:
                break
            fallback_used[trees] = True
            picks = set(np.flatnonzero(pattern.hideable & ~hidden & np.isin(forest.tree, trees)).tolist())
            if not picks:
                break
        hidden[list(picks)] = True
        bounds, fail = evaluate(forest, pattern, hidden)

    secondary = hidden & ~pattern.primary
    _prune(forest, pattern, hidden, secondary, fail)
    _, fail = evaluate(forest, pattern, hidden)
    return hidden & ~pattern.primary, fail


def _prune(forest: Forest, pattern: Pattern, hidden: np.ndarray, secondary: np.ndarray, fail: np.ndarray):
    """Publish again every complement whose removal keeps all requirements (in place on ``hidden``)."""
    unresolved_trees = np.zeros(forest.n_trees, dtype=bool)
    unresolved_trees[forest.tree[fail]] = True
    cand = np.flatnonzero(secondary & ~unresolved_trees[forest.tree])
    if len(cand) == 0:
        return
    order = np.lexsort((-cand, -pattern.cost[cand], forest.tree[cand]))  # per tree, most expensive first
    cand = cand[order]
    trees = forest.tree[cand]
    starts = np.flatnonzero(np.r_[True, trees[1:] != trees[:-1]])
    ends = np.r_[starts[1:], len(cand)]
    pos = starts.copy()
    while True:
        active = pos < ends
        if not active.any():
            return
        trial = cand[pos[active]]
        hidden[trial] = False
        _, fail_now = evaluate(forest, pattern, hidden)
        broken = np.zeros(forest.n_trees, dtype=bool)
        broken[forest.tree[fail_now]] = True
        restore = trial[broken[forest.tree[trial]]]
        hidden[restore] = True
        pos[active] += 1


class _Picker:
    """Chooses complements for failing cells from the current bounds."""

    def __init__(self, forest: Forest, pattern: Pattern, hidden: np.ndarray, bounds: Bounds):
        self.f = forest
        self.p = pattern
        self.hidden = hidden
        self.b = bounds
        avail = pattern.hideable & ~hidden
        self.avail = avail
        x = np.nan_to_num(pattern.x)
        # usefulness of a published node if it were hidden
        self.down_slack = np.where(avail, x - np.maximum(pattern.hidden_lo, bounds.child_lo), 0.0)
        self.up_slack = np.where(avail, np.minimum(pattern.hidden_hi, bounds.child_hi) - x, 0.0)
        self.is_leaf = forest.child_ptr[1:] == forest.child_ptr[:-1]

    def fix(self, c: int) -> list[int]:
        p, b = self.p, self.b
        lower, upper = b.lower[c], b.upper[c]
        if lower > upper:  # inconsistent data: widen both sides
            return self._pick(c, "up", 1.0) + self._pick(c, "down", 1.0)
        need_up = max(0.0, p.min_upper[c] - upper)
        need_down = max(0.0, lower - p.max_lower[c])
        rest = max(0.0, p.min_width[c] - (upper - lower) - need_up - need_down)
        picks: list[int] = []
        if need_up > 0:
            picks += self._pick(c, "up", need_up + rest)
            rest = 0.0
        if need_down > 0:
            picks += self._pick(c, "down", need_down + rest)
            rest = 0.0
        if rest > 0:
            first, second = ("up", "down") if upper < p.hidden_hi[c] else ("down", "up")
            picks += self._pick(c, first, rest) or self._pick(c, second, rest)
        return picks

    def _pick(self, v: int, side: str, deficit: float) -> list[int]:
        f, b = self.f, self.b
        for _ in range(len(f.by_depth) + 1):
            picks: list[int] = []
            if side == "up":
                below_binds = b.below_hi[v] <= b.above_hi[v]
                above_binds = b.above_hi[v] <= b.below_hi[v]
                child_slack, sibling_slack = self.up_slack, self.down_slack
            else:
                below_binds = b.below_lo[v] >= b.above_lo[v]
                above_binds = b.above_lo[v] >= b.below_lo[v]
                child_slack, sibling_slack = self.down_slack, self.up_slack
            recurse = None
            if below_binds and not self.is_leaf[v]:
                c = self._best(f.children(v), child_slack, deficit)
                if c is not None:
                    picks.append(c)
            if above_binds and f.parent[v] >= 0:
                c = self._best(f.siblings(v), sibling_slack, deficit)
                if c is not None:
                    picks.append(c)
                else:
                    parent = int(f.parent[v])
                    if self.avail[parent]:
                        picks.append(parent)
                    elif self.hidden[parent]:
                        recurse = parent
            if picks or recurse is None:
                return picks
            v = recurse
        return []

    def _best(self, cands: np.ndarray, slack: np.ndarray, deficit: float) -> int | None:
        cands = cands[self.avail[cands]]
        if len(cands) == 0:
            return None
        s = slack[cands]
        useful = cands[s > 0]
        if len(useful) == 0:
            inner = cands[~self.is_leaf[cands]]  # may become useful once its children are hidden too
            if len(inner) == 0:
                return None
            return int(inner[np.argmin(self.p.cost[inner])])
        su = slack[useful]
        cover = useful[su >= deficit]
        if len(cover):
            return int(cover[np.argmin(self.p.cost[cover])])
        best = su.max()
        top = useful[su == best]
        return int(top[np.argmin(self.p.cost[top])])
