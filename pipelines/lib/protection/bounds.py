"""Exact attacker bounds on a hierarchy by two-pass interval message passing.

Every node ``v`` has an a-priori interval ``[lo_v, hi_v]`` (a published value is a point; a hidden
cell is ``[0 or 1, n or ∞]``) and every inner node satisfies ``x_p = Σ x_c``. The constraint matrix
of such a tree is a network matrix (each variable is +1 in its parent's equation and −1 in its own),
hence totally unimodular: the integer bounds equal the LP bounds and every integer in between is
attainable.

* bottom-up: ``B_v = [lo_v, hi_v] ∩ Σ_c B_c`` — the values ``x_v`` can take given its subtree;
* top-down: ``A_c = T_p − Σ_{s≠c} B_s`` — what the rest of the tree allows — and
  ``T_c = B_c ∩ A_c``, with ``T_root = B_root``.

Because the subtrees below a node are independent and Minkowski sums of integer intervals are
integer intervals, ``T_v`` is exactly the projection of the feasible set onto ``x_v`` after these two
passes (no further iteration is needed). ``A`` and ``B`` are returned too: the secondary suppression
uses them to see which side of a cell pins it down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.lib.protection.forest import Forest


@dataclass(frozen=True)
class Bounds:
    lower: np.ndarray  # T.lo
    upper: np.ndarray  # T.hi (may be inf)
    below_lo: np.ndarray  # B.lo
    below_hi: np.ndarray  # B.hi
    above_lo: np.ndarray  # A.lo (-inf at roots)
    above_hi: np.ndarray  # A.hi (inf at roots)
    child_lo: np.ndarray  # Σ children B.lo (-inf for leaves)
    child_hi: np.ndarray  # Σ children B.hi (inf for leaves)

    @property
    def infeasible(self) -> np.ndarray:
        return self.lower > self.upper


def propagate(forest: Forest, lo: np.ndarray, hi: np.ndarray) -> Bounds:
    """Exact bounds of every node given a-priori intervals ``lo``/``hi`` (float, ``hi`` may be inf)."""
    n = forest.size
    blo = lo.astype("float64").copy()
    bhi = hi.astype("float64").copy()
    cs_lo = np.zeros(n)
    cs_hi_fin = np.zeros(n)
    cs_hi_inf = np.zeros(n)
    has_children = forest.child_ptr[1:] > forest.child_ptr[:-1]
    for d in range(len(forest.by_depth) - 1, 0, -1):
        idx = forest.by_depth[d]
        p = forest.parent[idx]
        cs_lo += np.bincount(p, blo[idx], minlength=n)
        fin = np.isfinite(bhi[idx])
        cs_hi_fin += np.bincount(p[fin], bhi[idx][fin], minlength=n)
        cs_hi_inf += np.bincount(p[~fin], minlength=n)
        q = forest.by_depth[d - 1]
        q = q[has_children[q]]
        blo[q] = np.maximum(blo[q], cs_lo[q])
        bhi[q] = np.minimum(bhi[q], np.where(cs_hi_inf[q] > 0, np.inf, cs_hi_fin[q]))

    tlo = blo.copy()
    thi = bhi.copy()
    alo = np.full(n, -np.inf)
    ahi = np.full(n, np.inf)
    for d in range(1, len(forest.by_depth)):
        idx = forest.by_depth[d]
        p = forest.parent[idx]
        own_inf = ~np.isfinite(bhi[idx])
        others_lo = cs_lo[p] - blo[idx]
        others_hi = np.where(
            cs_hi_inf[p] - own_inf > 0, np.inf, cs_hi_fin[p] - np.where(own_inf, 0.0, bhi[idx])
        )
        alo[idx] = tlo[p] - others_hi
        ahi[idx] = thi[p] - others_lo
        tlo[idx] = np.maximum(blo[idx], alo[idx])
        thi[idx] = np.minimum(bhi[idx], ahi[idx])

    child_lo = np.where(has_children, cs_lo, -np.inf)
    child_hi = np.where(has_children, np.where(cs_hi_inf > 0, np.inf, cs_hi_fin), np.inf)
    return Bounds(tlo, thi, blo, bhi, alo, ahi, child_lo, child_hi)
