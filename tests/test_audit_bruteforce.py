"""Audit bounds versus brute-force enumeration of every integer table consistent with the publication."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.lib.audit import audit
from pipelines.lib.config import Protection
from pipelines.lib.protection.bounds import propagate
from pipelines.lib.protection.forest import build_forest

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@st.composite
def hidden_tables(draw):
    """A random 2–4 level tree with small leaf counts; up to 8 hidden cells; all denominators public."""
    depth = draw(st.integers(2, 4))
    rows = []
    counter = itertools.count()

    def grow(name, parent, rank):
        if rank == depth - 1 or (rank > 0 and draw(st.booleans()) and rank >= 1):
            x = draw(st.integers(0, 4))
            n = x + draw(st.integers(0, 2))
            rows.append([name, parent, rank, x, n])
            return x, n
        kids = draw(st.integers(2, 3))
        x = n = 0
        for _ in range(kids):
            cx, cn = grow(f"d{next(counter)}", name, rank + 1)
            x, n = x + cx, n + cn
        rows.append([name, parent, rank, x, n])
        return x, n

    grow("city", None, 0)
    frame = pd.DataFrame(rows, columns=["district_id", "parent_id", "level_rank", "numerator", "denominator"])
    zeros = draw(st.booleans())
    eligible = [i for i in range(len(frame)) if not zeros or frame.loc[i, "numerator"] > 0]
    chosen = draw(st.lists(st.sampled_from(eligible), max_size=8, unique=True)) if eligible else []
    hidden = np.zeros(len(frame), dtype=bool)
    hidden[chosen] = True
    return frame, hidden, zeros


def brute_force(frame: pd.DataFrame, hidden: np.ndarray, zeros: bool):
    """Min and max of every hidden cell over all consistent integer tables (leaves enumerated)."""
    floor = 1 if zeros else 0
    ids = frame["district_id"].tolist()
    parent = frame["parent_id"].tolist()
    is_leaf = ~frame["district_id"].isin(frame["parent_id"]).to_numpy()
    x = frame["numerator"].to_numpy()
    n = frame["denominator"].to_numpy()
    # leaf membership matrix: node i contains leaf j
    index = {d: i for i, d in enumerate(ids)}
    leaves = np.flatnonzero(is_leaf)
    member = np.zeros((len(ids), len(leaves)), dtype=np.int64)
    for j, leaf in enumerate(leaves):
        node = leaf
        while node is not None:
            member[node, j] = 1
            node = index.get(parent[node])
    free = [j for j, leaf in enumerate(leaves) if hidden[leaf]]
    ranges = [np.arange(floor, n[leaves[j]] + 1) for j in free]
    grid = np.array(np.meshgrid(*ranges, indexing="ij")).reshape(len(free), -1) if free else np.zeros((0, 1))
    values = np.repeat(x[leaves][:, None], grid.shape[1], axis=1)
    values[free, :] = grid
    totals = member @ values  # every node's value per candidate table
    ok = np.ones(grid.shape[1], dtype=bool)
    for i in range(len(ids)):
        if hidden[i]:
            ok &= (totals[i] >= floor) & (totals[i] <= n[i])
        else:
            ok &= totals[i] == x[i]
    assert ok.any(), "the true table must be consistent"
    return {ids[i]: (totals[i, ok].min(), totals[i, ok].max()) for i in np.flatnonzero(hidden)}


def as_published(frame: pd.DataFrame, hidden: np.ndarray):
    pub = frame.assign(indicator_id="a", year=2024, population=1000)
    pub["status"] = np.where(hidden, "geheimgehalten", "veröffentlicht")
    pub["numerator"] = pd.array(np.where(hidden, np.nan, frame["numerator"]), dtype="Float64").astype("Int64")
    pub["denominator"] = pub["denominator"].astype("Int64")
    log = pub.loc[hidden, ["indicator_id", "year", "district_id"]].assign(rule="secondary", k=3)
    truth = frame.assign(indicator_id="a", year=2024)
    return pub, log, truth


@SETTINGS
@given(hidden_tables())
def test_audit_bounds_equal_brute_force(table):
    frame, hidden, zeros = table
    expected = brute_force(frame, hidden, zeros)
    pub, log, truth = as_published(frame, hidden)
    prot = Protection(publish_zeros=zeros)
    for method in ("propagation", "lp"):
        result = audit(pub, log, prot, true_values=truth, method=method)
        got = {r.district_id: (r.lower, r.upper) for r in result.cells.itertuples()}
        assert got == expected, method
        assert result.cells["true_in_bounds"].all()


@SETTINGS
@given(hidden_tables())
def test_protection_bounds_equal_brute_force(table):
    frame, hidden, zeros = table
    expected = brute_force(frame, hidden, zeros)
    cells = frame.assign(indicator_id="a", year=2024)
    forest = build_forest(cells)
    x = frame["numerator"].to_numpy(float)
    n = frame["denominator"].to_numpy(float)
    lo = np.where(hidden, 1.0 if zeros else 0.0, x)
    hi = np.where(hidden, n, x)
    bounds = propagate(forest, lo, hi)
    got = {frame.loc[i, "district_id"]: (bounds.lower[i], bounds.upper[i]) for i in np.flatnonzero(hidden)}
    assert got == expected
