"""Minimum-cost secondary suppression per tree: an integer program on HiGHS with generated cuts.

The attacker's feasible values of one indicator-year form a flow problem. Write ``d_v = x'_v − x_v``
for a candidate table ``x'``: every inner node's equation ``x_p = Σ x_c`` is a vertex, plus one ground
vertex ``G``; cell ``v`` is an arc from its own equation (``G`` for a leaf) to its parent's (``G`` for
the root) that may carry ``d_v`` in ``[−(x_v − lo_v), hi_v − x_v]`` when hidden and nothing when
published. Conservation at every equation vertex is exactly the table's additivity, so the tables an
attacker cannot rule out are the circulations of this network (the same polytope :mod:`.bounds`
projects exactly). Raising ``x_v`` by ``δ`` means sending ``δ`` round a cycle through arc ``v``: the
attacker's upper bound is ``min(hi_v, x_v + F)`` with ``F`` the maximum flow from the arc's head to its
tail through the other arcs, and by max-flow/min-cut ``F`` is the smallest capacity of a cut between
them. Lowering is the same flow the other way round.

So with ``y_j = 1`` for a hidden complement, a requirement "``upper ≥ min_upper``, ``lower ≤ max_lower``,
``upper − lower ≥ min_width``" of a hidden cell ``v`` is linear in ``y`` for every cut ``S``:

    g↑_v ≤ Σ_{j crossing S} cap_j(S) · y_j,   g↑_v ≥ min_upper_v − x_v,   g↑_v + g↓_v ≥ min_width_v

(and the same for ``g↓``; a complement's own width requirement is multiplied by ``y_v``). There are
exponentially many cuts, so they are generated: solve the integer program with the cuts found so far
(warm-started from the greedy pattern, which satisfies every cut), compute the maximum flows of every
hidden cell in its solution, add the minimum cut of every requirement it breaks, repeat. When no cut is
broken the solution is a valid pattern, and optimal among all valid patterns because only valid
inequalities were used. A tree whose time budget runs out keeps the best verified pattern (the greedy
one unless an integer solution found on the way passed the check), and so does a tree the model does
not cover (cells without data, unresolved requirements, inconsistent data): ``fallback`` says which.
Every pattern is checked once more with :func:`.secondary.evaluate` before it is returned.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from pipelines.lib.protection.forest import Forest
from pipelines.lib.protection.secondary import Pattern, evaluate, suppress

STATUS_NONE = "none"  # no complement needed
STATUS_OPTIMAL = "optimal"
STATUS_IMPROVED = "improved"  # time budget reached, a verified pattern cheaper than the greedy one
STATUS_GREEDY = "greedy"  # fallback: the greedy pattern

_TOL = 1e-6


@dataclass(frozen=True)
class OptimalResult:
    secondary: np.ndarray  # bool per node
    unresolved: np.ndarray  # bool per node
    status: np.ndarray  # per tree: one of the STATUS_* strings
    reason: np.ndarray  # per tree: why it fell back ("" otherwise)
    greedy_cost: np.ndarray  # per tree: cost of the greedy complements
    cost: np.ndarray  # per tree: cost of the returned complements
    seconds: np.ndarray  # per tree: time spent on the integer program

    @property
    def fallback(self) -> np.ndarray:
        return self.status == STATUS_GREEDY


def suppress_optimal(
    forest: Forest,
    pattern: Pattern,
    *,
    budget: float = 10.0,
    cost: np.ndarray | None = None,
    gap: float = 1e-9,
) -> OptimalResult:
    """Minimum-``cost`` complements per tree (``cost`` defaults to ``pattern.cost``); ``budget``:
    seconds per tree before the greedy pattern is kept; ``gap``: the solver stops when no pattern can be
    cheaper by more than this (with integer costs, any gap below 1 is exact)."""
    cost = pattern.cost if cost is None else cost
    greedy, unresolved = suppress(forest, pattern)
    n_trees = forest.n_trees
    status = np.full(n_trees, STATUS_NONE, dtype=object)
    reason = np.full(n_trees, "", dtype=object)
    greedy_cost = (
        np.bincount(forest.tree[greedy], cost[greedy], minlength=n_trees) if n_trees else np.zeros(0)
    )
    hidden = pattern.primary | greedy
    if n_trees == 0:
        return OptimalResult(greedy, unresolved, status, reason, greedy_cost, greedy_cost.copy(), np.zeros(0))
    order = np.argsort(forest.tree, kind="stable")
    bounds = np.searchsorted(forest.tree[order], np.arange(n_trees + 1))
    bad_tree = np.zeros(n_trees, dtype=bool)
    bad_tree[forest.tree[unresolved]] = True
    has_secondary = np.bincount(forest.tree[greedy], minlength=n_trees) > 0
    pos = np.full(forest.size, -1, dtype=np.int64)
    seconds = np.zeros(n_trees)
    for t in np.flatnonzero(has_secondary):
        nodes = order[bounds[t] : bounds[t + 1]]
        if bad_tree[t]:
            status[t], reason[t] = STATUS_GREEDY, "unresolved"
            continue
        if pattern.missing[nodes].any() or np.isnan(pattern.x[nodes]).any():
            status[t], reason[t] = STATUS_GREEDY, "cells without data"
            continue
        pos[nodes] = np.arange(len(nodes))
        started = time.monotonic()
        solved = _Tree(forest, pattern, nodes, pos, cost[nodes]).solve(hidden[nodes], budget, gap)
        seconds[t] = time.monotonic() - started
        pos[nodes] = -1
        if isinstance(solved, str):
            status[t], reason[t] = STATUS_GREEDY, solved
            continue
        local_hidden, proven = solved
        hidden[nodes] = local_hidden
        status[t] = STATUS_OPTIMAL if proven else STATUS_IMPROVED

    # the independent check of the tree model: every tree whose pattern fails goes back to greedy
    _, fail = evaluate(forest, pattern, hidden)
    broken = np.zeros(n_trees, dtype=bool)
    broken[forest.tree[fail]] = True
    broken &= ~bad_tree
    if broken.any():
        back = broken[forest.tree]
        hidden[back] = (pattern.primary | greedy)[back]
        status[broken], reason[broken] = STATUS_GREEDY, "failed verification"
    secondary = hidden & ~pattern.primary
    _, fail = evaluate(forest, pattern, hidden)
    final_cost = np.bincount(forest.tree[secondary], cost[secondary], minlength=n_trees)
    return OptimalResult(secondary, fail, status, reason, greedy_cost, final_cost, seconds)


class _Tree:
    """The integer program of one tree (local node numbering ``0..m-1``)."""

    def __init__(
        self, forest: Forest, pattern: Pattern, nodes: np.ndarray, pos: np.ndarray, cost: np.ndarray
    ):
        m = len(nodes)
        self.m = m
        parent = forest.parent[nodes]
        self.parent = np.where(parent >= 0, pos[np.maximum(parent, 0)], -1)
        inner = np.zeros(m, dtype=bool)
        inner[self.parent[self.parent >= 0]] = True
        vert = np.full(m, -1, dtype=np.int64)
        vert[inner] = np.arange(int(inner.sum()))
        self.ground = int(inner.sum())
        self.n_vert = self.ground + 1
        self.tail = np.where(inner, vert, self.ground)
        self.head = np.where(self.parent >= 0, vert[np.maximum(self.parent, 0)], self.ground)

        self.sub = _subforest(self.parent, forest.depth[nodes])
        self.sub_pattern = Pattern(
            **{f.name: getattr(pattern, f.name)[nodes] for f in dataclasses.fields(pattern)}
        )
        x = pattern.x[nodes]
        self.x = x
        self.primary = pattern.primary[nodes]
        self.cand = pattern.hideable[nodes] & ~self.primary
        self.up_cap = pattern.hidden_hi[nodes] - x  # may be inf
        self.down_cap = x - pattern.hidden_lo[nodes]
        self.cost = cost
        need_up = pattern.min_upper[nodes] - x
        need_down = x - pattern.max_lower[nodes]
        width = pattern.min_width[nodes]
        self.need_up = np.where(np.isfinite(need_up), np.maximum(need_up, 0.0), 0.0)
        self.need_down = np.where(np.isfinite(need_down), np.maximum(need_down, 0.0), 0.0)
        self.width = np.maximum(width, 0.0)
        top_up = np.maximum(self.need_up, self.width)
        top_down = np.maximum(self.need_down, self.width)
        self.ub_up = np.minimum(np.maximum(self.up_cap, 0.0), top_up)
        self.ub_down = np.minimum(np.maximum(self.down_cap, 0.0), top_down)
        self.req = (self.primary | self.cand) & ((self.need_up > 0) | (self.need_down > 0) | (self.width > 0))
        self.flow_cap = int(max(self.ub_up.max(initial=0.0), self.ub_down.max(initial=0.0))) + 1

    # ------------------------------------------------------------------ model
    def _doable(self) -> np.ndarray:
        """Cells whose own a-priori interval can meet their requirement at all."""
        return (
            (self.ub_up >= self.need_up - _TOL)
            & (self.ub_down >= self.need_down - _TOL)
            & (self.ub_up + self.ub_down >= self.width - _TOL)
        )

    def solve(
        self, greedy_hidden: np.ndarray, budget: float, gap: float = 1e-9
    ) -> tuple[np.ndarray, bool] | str:
        start = time.monotonic()
        doable = self._doable()
        if (self.primary & self.req & ~doable).any():
            return "requirement beyond the cell's own interval"
        if (self.tail == self.head).any() and (self.primary & self.req).any():
            return "single-cell tree"
        cand = np.flatnonzero(self.cand)
        req = np.flatnonzero(self.req)
        self.y_col = np.full(self.m, -1, dtype=np.int64)
        self.y_col[cand] = np.arange(len(cand))
        self.up_col = np.full(self.m, -1, dtype=np.int64)
        self.down_col = np.full(self.m, -1, dtype=np.int64)
        self.up_col[req] = len(cand) + 2 * np.arange(len(req))
        self.down_col[req] = self.up_col[req] + 1
        n_cols = len(cand) + 2 * len(req)

        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", gap)
        h.setOptionValue("threads", 1)
        inf = highspy.kHighsInf
        col_cost = np.zeros(n_cols)
        col_cost[: len(cand)] = self.cost[cand]
        lo = np.zeros(n_cols)
        hi = np.zeros(n_cols)
        hi[: len(cand)] = np.where(doable[cand], 1.0, 0.0)  # a complement that cannot be protected stays out
        prim_req = self.primary[req]
        lo[self.up_col[req]] = np.where(prim_req, self.need_up[req], 0.0)
        lo[self.down_col[req]] = np.where(prim_req, self.need_down[req], 0.0)
        hi[self.up_col[req]] = self.ub_up[req]
        hi[self.down_col[req]] = self.ub_down[req]
        h.addVars(n_cols, lo, hi)
        h.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int32), col_cost)
        h.changeColsIntegrality(
            len(cand),
            np.arange(len(cand), dtype=np.int32),
            np.array([highspy.HighsVarType.kInteger] * len(cand)),
        )
        for v in req:
            u, d = int(self.up_col[v]), int(self.down_col[v])
            if self.primary[v]:
                if self.width[v] > 0:
                    h.addRow(self.width[v], inf, 2, np.array([u, d], dtype=np.int32), np.array([1.0, 1.0]))
                continue
            y = int(self.y_col[v])
            h.addRow(-inf, 0.0, 2, np.array([u, y], dtype=np.int32), np.array([1.0, -self.ub_up[v]]))
            h.addRow(-inf, 0.0, 2, np.array([d, y], dtype=np.int32), np.array([1.0, -self.ub_down[v]]))
            for col, need in ((u, self.need_up[v]), (d, self.need_down[v])):
                if need > 0:
                    h.addRow(0.0, inf, 2, np.array([col, y], dtype=np.int32), np.array([1.0, -need]))
            if self.width[v] > 0:
                h.addRow(
                    0.0, inf, 3, np.array([u, d, y], dtype=np.int32), np.array([1.0, 1.0, -self.width[v]])
                )
        self.h = h
        self._local_cuts(req)

        warm = self._warm_start(greedy_hidden)
        best_hidden, best_cost = greedy_hidden.copy(), float(self.cost[greedy_hidden & self.cand].sum())
        why = "time budget"
        while True:
            left = budget - (time.monotonic() - start)
            if left <= 0:
                break
            h.setOptionValue("time_limit", max(left, 1e-3))
            sol = highspy.HighsSolution()
            sol.col_value = list(warm)
            sol.value_valid = True
            h.setSolution(sol)
            h.run()
            model_status = h.getModelStatus()
            proven = model_status == highspy.HighsModelStatus.kOptimal
            if not proven and h.getInfo().primal_solution_status != 2:  # no feasible integer solution
                if model_status != highspy.HighsModelStatus.kTimeLimit:
                    why = f"solver: {h.modelStatusToString(model_status)}"
                break
            values = np.asarray(h.getSolution().col_value)
            hidden = self.primary.copy()
            hidden[cand] = values[: len(cand)] > 0.5
            added, failing = self._separate(hidden)
            if failing and not added:  # the flows and the propagation disagree: leave it to the greedy
                return "no cut for a failing requirement"
            if added == 0:
                c = float(self.cost[hidden & self.cand].sum())
                if c <= best_cost + _TOL:
                    best_hidden, best_cost = hidden, c
                    if proven:
                        return best_hidden, True
                break
            if not proven:
                break
        if best_cost < float(self.cost[greedy_hidden & self.cand].sum()) - _TOL:
            return best_hidden, False
        return why

    def _local_cuts(self, req: np.ndarray) -> None:
        """The cuts round a single sum: a cell's parent's sum (its siblings and parent) and its own sum
        (its children) — the classic "another hidden cell in each sum, with enough room" (batched)."""
        node_of = np.flatnonzero(self.tail != self.ground)  # the inner node of each equation vertex
        node_of = node_of[np.argsort(self.tail[node_of])]
        up_cap = np.where(np.isfinite(self.up_cap), self.up_cap, np.inf)
        starts, index, value, upper = [], [], [], []
        nnz = 0
        for v in req:
            for up in (True, False):
                source, sink = (self.head[v], self.tail[v]) if up else (self.tail[v], self.head[v])
                ub = self.ub_up[v] if up else self.ub_down[v]
                g = int(self.up_col[v] if up else self.down_col[v])
                for w, w_is_source in ((source, True), (sink, False)):
                    if w == self.ground:
                        continue
                    own = node_of[w]
                    kids = self.sub.children(own)
                    # S = {w}: the sum's own arc leaves forward (a rise), the children's backward (a fall);
                    # S = all but w: the other way round
                    arcs = np.concatenate([[own], kids])
                    caps = (
                        np.concatenate([[up_cap[own]], self.down_cap[kids]])
                        if w_is_source
                        else np.concatenate([[self.down_cap[own]], up_cap[kids]])
                    )
                    keep = arcs != v
                    arcs, caps = arcs[keep], np.minimum(caps[keep], ub)
                    const = float(caps[self.primary[arcs]].sum())
                    if const >= ub - _TOL:
                        continue
                    use = self.cand[arcs] & (caps > 0)
                    starts.append(nnz)
                    cols = np.concatenate([[g], self.y_col[arcs[use]]])
                    index.append(cols)
                    value.append(np.concatenate([[1.0], -caps[use]]))
                    upper.append(const)
                    nnz += len(cols)
        if starts:
            self.h.addRows(
                len(starts),
                np.full(len(starts), -highspy.kHighsInf),
                np.array(upper),
                nnz,
                np.array(starts, dtype=np.int32),
                np.concatenate(index).astype(np.int32),
                np.concatenate(value),
            )

    def _warm_start(self, hidden: np.ndarray) -> np.ndarray:
        values = np.zeros(self.h.getNumCol())
        cand = self.cand
        values[self.y_col[cand]] = hidden[cand].astype(float)
        bounds, _ = evaluate(self.sub, self.sub_pattern, hidden)
        on = self.req & hidden  # the attacker's exact bounds are x + the maximum flows
        values[self.up_col[on]] = np.minimum(self.ub_up[on], bounds.upper[on] - self.x[on])
        values[self.down_col[on]] = np.minimum(self.ub_down[on], self.x[on] - bounds.lower[on])
        return values

    # ------------------------------------------------------------------ flows and cuts
    def _capacities(self, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cap = float(self.flow_cap)
        up = np.where(hidden, np.minimum(np.nan_to_num(self.up_cap, posinf=cap), cap), 0.0)
        down = np.where(hidden, np.minimum(self.down_cap, cap), 0.0)
        return np.maximum(up, 0.0).astype(np.int64), np.maximum(down, 0.0).astype(np.int64)

    def _max_flow(self, caps: tuple[np.ndarray, np.ndarray], v: int, up: bool) -> tuple[int, np.ndarray]:
        """Maximum flow that lets cell ``v`` rise (``up``) or fall, and the source side of a minimum cut."""
        source, sink = (self.head[v], self.tail[v]) if up else (self.tail[v], self.head[v])
        if source == sink:
            side = np.zeros(self.n_vert, dtype=bool)
            return 0, side
        u, d = caps
        keep = np.arange(self.m) != v
        rows = np.concatenate([self.tail[keep], self.head[keep]])
        cols = np.concatenate([self.head[keep], self.tail[keep]])
        data = np.concatenate([u[keep], d[keep]])
        nz = data > 0
        cap = csr_matrix((data[nz].astype(np.int32), (rows[nz], cols[nz])), shape=(self.n_vert, self.n_vert))
        cap.sum_duplicates()
        result = maximum_flow(cap, int(source), int(sink))
        residual = (cap - result.flow).tocsr()
        residual.data = np.where(residual.data > 0, 1, 0)
        residual.eliminate_zeros()
        side = np.zeros(self.n_vert, dtype=bool)
        side[source] = True
        frontier = [int(source)]
        while frontier:
            a = frontier.pop()
            for b in residual.indices[residual.indptr[a] : residual.indptr[a + 1]]:
                if not side[b]:
                    side[b] = True
                    frontier.append(int(b))
        return int(result.flow_value), side

    def _separate(self, hidden: np.ndarray) -> tuple[int, int]:
        """Add the minimum cut of every requirement the pattern ``hidden`` breaks; return how many cuts
        and how many failing cells."""
        _, fail = evaluate(self.sub, self.sub_pattern, hidden)
        caps = self._capacities(hidden)
        added = 0
        for v in np.flatnonzero(self.req & fail):
            f_up, s_up = self._max_flow(caps, v, True)
            f_down, s_down = self._max_flow(caps, v, False)
            g_up, g_down = min(self.ub_up[v], f_up), min(self.ub_down[v], f_down)
            ok = (
                g_up >= self.need_up[v] - _TOL
                and g_down >= self.need_down[v] - _TOL
                and g_up + g_down >= self.width[v] - _TOL
            )
            if ok:
                continue
            if f_up < self.ub_up[v] - _TOL:
                added += self._add_cut(v, True, s_up)
            if f_down < self.ub_down[v] - _TOL:
                added += self._add_cut(v, False, s_down)
        return added, int(fail.sum())

    def _add_cut(self, v: int, up: bool, side: np.ndarray) -> int:
        """``g_v ≤ Σ capacity of the arcs leaving the source side`` (cell ``v``'s own arc excluded)."""
        ub = self.ub_up[v] if up else self.ub_down[v]
        forward = side[self.tail] & ~side[self.head]  # can carry a rise of the cell: cap up
        backward = side[self.head] & ~side[self.tail]  # can carry a fall: cap down
        coef = np.where(forward, self.up_cap, 0.0) + np.where(backward, self.down_cap, 0.0)
        coef = np.minimum(np.nan_to_num(coef, posinf=ub), ub)
        coef[v] = 0.0
        const = float(coef[self.primary].sum())
        if const >= ub - _TOL:
            return 0
        js = np.flatnonzero(self.cand & (coef > 0))
        g = int(self.up_col[v] if up else self.down_col[v])
        idx = np.concatenate([[g], self.y_col[js]]).astype(np.int32)
        val = np.concatenate([[1.0], -coef[js]])
        self.h.addRow(-highspy.kHighsInf, const, len(idx), idx, val)
        return 1


def _subforest(parent: np.ndarray, depth: np.ndarray) -> Forest:
    """One tree as a :class:`.forest.Forest` of its own (local parent numbers)."""
    m = len(parent)
    has = parent >= 0
    by_depth = tuple(np.flatnonzero(depth == d) for d in range(int(depth.max()) + 1))
    order = np.argsort(np.where(has, parent, m), kind="stable")
    counts = np.bincount(parent[has], minlength=m)
    child_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Forest(parent, depth, np.zeros(m, dtype=np.int64), by_depth, child_ptr, order[: int(has.sum())])
