"""General linear attacker models solved with HiGHS: min and max of every hidden variable.

Used when the published figures are linked by more than one sum hierarchy: linked tables, allocation
amounts computed from hidden counts, multi-year sums from earlier releases, … Each such fact is a
:class:`LinearConstraint` ``lower ≤ Σ coef · x ≤ upper`` over cells named by
``(indicator_id, year, district_id)``. The model of one connected component (indicator-years linked by
constraints) is built once; for every hidden variable only the objective changes (HiGHS re-uses the
basis: a warm start), minimised and maximised. LP bounds are rounded inwards to integers. Where the
rounded LP interval is narrower than ``ip_width`` (default 3) or within ``ip_width`` of the
requirement, the integer program is solved too (without total unimodularity an LP interval can be
wider than the integer one).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np

INF = highspy.kHighsInf
_UNBOUNDED = {highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible}


@dataclass(frozen=True)
class LinearConstraint:
    """``lower ≤ Σ coef · x[cell] ≤ upper``; cells are ``(indicator_id, year, district_id)``."""

    terms: Mapping[tuple[str, int, str], float]
    lower: float = -math.inf
    upper: float = math.inf
    label: str = ""


@dataclass
class Rows:
    """Sparse rows over node indices: ``lower ≤ Σ coef · x[node] ≤ upper``."""

    nodes: list[np.ndarray] = field(default_factory=list)
    coefs: list[np.ndarray] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)

    def add(self, nodes, coefs, lower: float, upper: float) -> None:
        self.nodes.append(np.asarray(nodes, dtype=np.int64))
        self.coefs.append(np.asarray(coefs, dtype="float64"))
        self.lower.append(lower)
        self.upper.append(upper)


def _highs() -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def solve_bounds(
    lo: np.ndarray,
    hi: np.ndarray,
    rows: Rows,
    targets: np.ndarray,
    needs_integer: Callable[[int, float, float], bool],
) -> tuple[dict[int, tuple[float, float]], bool]:
    """Bounds of ``targets`` (node indices) subject to ``rows`` and ``lo ≤ x ≤ hi``.

    Returns ``({node: (lower, upper)}, feasible)``. Nodes with ``lo == hi`` are constants.
    """
    involved = np.unique(np.concatenate([*rows.nodes, targets])) if rows.nodes else np.unique(targets)
    free = involved[lo[involved] < hi[involved]]
    col = {int(v): i for i, v in enumerate(free)}
    h = _highs()
    if len(free):
        h.addVars(len(free), lo[free], np.where(np.isfinite(hi[free]), hi[free], INF))
    for nodes, coefs, lower, upper in zip(rows.nodes, rows.coefs, rows.lower, rows.upper, strict=True):
        is_var = np.array([int(v) in col for v in nodes], dtype=bool)
        const = float(np.dot(coefs[~is_var], lo[nodes[~is_var]])) if (~is_var).any() else 0.0
        lo_r = lower - const if math.isfinite(lower) else -INF
        hi_r = upper - const if math.isfinite(upper) else INF
        if not is_var.any():
            if lo_r > 1e-9 or hi_r < -1e-9:
                return {}, False
            continue
        idx = np.array([col[int(v)] for v in nodes[is_var]], dtype=np.int32)
        h.addRow(lo_r, hi_r, len(idx), idx, coefs[is_var])

    result: dict[int, tuple[float, float]] = {}
    if len(free):
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return {}, False
    ip: highspy.Highs | None = None
    previous: int | None = None
    for t in targets:
        t = int(t)
        if t not in col:
            result[t] = (float(lo[t]), float(hi[t]))
            continue
        j = col[t]
        if previous is not None:
            h.changeColCost(previous, 0.0)
        h.changeColCost(j, 1.0)
        previous = j
        low = _optimum(h, j, highspy.ObjSense.kMinimize)
        high = _optimum(h, j, highspy.ObjSense.kMaximize)
        low = math.ceil(low - 1e-6)
        high = math.floor(high + 1e-6) if math.isfinite(high) else math.inf
        if needs_integer(t, low, high):
            if ip is None:
                ip = _highs()
                ip.passModel(h.getLp())
                n = h.getNumCol()
                ip.changeColsIntegrality(
                    n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
                )
            ip.changeColsCost(
                ip.getNumCol(), np.arange(ip.getNumCol(), dtype=np.int32), np.zeros(ip.getNumCol())
            )
            ip.changeColCost(j, 1.0)
            low = round(_optimum(ip, j, highspy.ObjSense.kMinimize))
            high_ip = _optimum(ip, j, highspy.ObjSense.kMaximize)
            high = round(high_ip) if math.isfinite(high_ip) else math.inf
        result[t] = (float(low), float(high))
    return result, True


def _optimum(h: highspy.Highs, j: int, sense) -> float:
    h.changeObjectiveSense(sense)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return float(h.getInfo().objective_function_value)
    if status in _UNBOUNDED:  # the model is known feasible: the objective is unbounded
        return math.inf if sense == highspy.ObjSense.kMaximize else -math.inf
    raise RuntimeError(f"HiGHS: {h.modelStatusToString(status)}")
