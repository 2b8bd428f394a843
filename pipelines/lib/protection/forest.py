"""The hierarchy of every indicator-year as one array-based forest.

All indicator-years are processed together: every cell is a node, every indicator-year a tree whose
root is the city. A node's parent is found by ``(indicator_id, year, parent_id)``. The arrays let the
bound propagation in :mod:`.bounds` run level by level over all trees at once (vectorised), which is
what keeps national scale (≈ 11,000 municipalities × many indicators × years) feasible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

KEYS = ["indicator_id", "year", "district_id"]


@dataclass(frozen=True)
class Forest:
    """Parent pointers, depths and tree ids of ``n`` nodes (rows ``0..n-1`` of the cells frame)."""

    parent: np.ndarray  # int64, -1 for a root
    depth: np.ndarray  # int64, 0 for a root
    tree: np.ndarray  # int64 tree id (one per indicator-year)
    by_depth: tuple[np.ndarray, ...]  # node indices at depth 0, 1, …
    child_ptr: np.ndarray  # CSR: children of node i are child_idx[child_ptr[i]:child_ptr[i+1]]
    child_idx: np.ndarray

    @property
    def size(self) -> int:
        return len(self.parent)

    @property
    def n_trees(self) -> int:
        return int(self.tree.max()) + 1 if self.size else 0

    def children(self, node: int) -> np.ndarray:
        return self.child_idx[self.child_ptr[node] : self.child_ptr[node + 1]]

    def siblings(self, node: int) -> np.ndarray:
        p = self.parent[node]
        if p < 0:
            return np.empty(0, dtype=np.int64)
        kids = self.children(p)
        return kids[kids != node]


def build_forest(cells: pd.DataFrame) -> Forest:
    """Link every row of ``cells`` (positional index) to its parent row; check it is a forest."""
    n = len(cells)
    frame = cells[[*KEYS, "parent_id"]].reset_index(drop=True)
    nodes = frame[KEYS].assign(_row=np.arange(n, dtype=np.int64))
    if nodes.duplicated(KEYS).any():
        dup = nodes[nodes.duplicated(KEYS, keep=False)].head(3).to_dict("records")
        raise ValueError(f"duplicate cells (indicator_id, year, district_id): {dup}")
    links = frame[["indicator_id", "year", "parent_id"]].merge(
        nodes.rename(columns={"district_id": "parent_id", "_row": "_parent"}),
        on=["indicator_id", "year", "parent_id"],
        how="left",
        sort=False,
    )
    parent = links["_parent"].to_numpy(dtype="float64")
    has_parent_id = frame["parent_id"].notna().to_numpy()
    if np.isnan(parent[has_parent_id]).any():
        bad = frame[has_parent_id & np.isnan(parent)].head(3).to_dict("records")
        raise ValueError(f"cells whose parent is not in the same indicator-year: {bad}")
    parent = np.where(has_parent_id, parent, -1).astype(np.int64)

    tree = frame.groupby(["indicator_id", "year"], sort=True, dropna=False).ngroup().to_numpy(np.int64)
    roots_per_tree = np.bincount(tree[parent < 0], minlength=tree.max() + 1 if n else 0)
    if n and (roots_per_tree != 1).any():
        raise ValueError("every indicator-year needs exactly one root (the city, parent_id empty)")

    depth = np.zeros(n, dtype=np.int64)
    has = parent >= 0
    for _ in range(n + 1):
        new = np.where(has, depth[np.where(has, parent, 0)] + 1, 0)
        if np.array_equal(new, depth):
            break
        depth = new
    else:  # pragma: no cover - only a cycle gets here
        raise ValueError("the hierarchy contains a cycle")
    max_depth = int(depth.max()) if n else -1
    by_depth = tuple(np.flatnonzero(depth == d) for d in range(max_depth + 1))

    order = np.argsort(np.where(has, parent, n), kind="stable")
    counts = np.bincount(parent[has], minlength=n) if n else np.zeros(0, dtype=np.int64)
    child_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    child_idx = order[: int(has.sum())].astype(np.int64)
    return Forest(parent, depth, tree, by_depth, child_ptr, child_idx)
