"""Releases over time: a release audited together with every earlier one.

An attacker keeps every release. A cell whose true value did not change between two releases is one
unknown in both (the attacker may assume what holds: unchanged values stay unchanged), so the sums of
every release constrain it together: an earlier complement published now, a district's rows missing from
the next delivery, a revised total beside an unchanged complement — each can pin a cell that each release
alone protects. The earlier releases come from the private ledger (``release_cells``: each release's
statuses, published figures and true values, :func:`pipelines.lib.release.ledger.release_patterns`).

Method: every release's own attacker model (:func:`.model.build_model`: its published figures,
statuses, denominators) gives each of its rows an interval; rows of different releases with the same
key and the same true count are one variable. The releases' hierarchies are tightened in turn, each
variable's interval being the intersection over its rows, until nothing changes (bounds consistency:
sound, every step removes only values no consistent pair of tables has). Only indicator-years in which
some release differs from the new one (a status, a figure, a true value, a district) are looked at: two
equal tables tell nothing that one does not.

Every hidden cell of every release must then keep its requirement, judged on its own true value as in
:mod:`.check` (P1 case: ``upper ≥ k``; P2 case: ``lower ≤ n − k``; ``upper − lower ≥`` the protection
interval unless the value is a zero, which publishing zeros gives away anyway). Reported are the cells
whose bounds are narrower together than in their own release alone (what each release alone allows is
the single-release audit's business).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.audit.denominators import (
    joint_bounds,
    shared_variables,
    to_variables,
    variable_parents,
    year_population,
)
from pipelines.lib.audit.linear import Rows, solve_bounds
from pipelines.lib.audit.model import SECRET, build_model, numbers, status_is
from pipelines.lib.config import Indicator, Protection

KEY = ["indicator_id", "year", "district_id"]
COLUMNS = [*KEY, "parent_id", "status", "numerator", "denominator", "population"]
NEW = "neu"
MAX_ROUNDS = 100
INTEGER_WIDTH = 3  # an LP interval narrower than this is solved as an integer program too


def new_release(published: pd.DataFrame, truth: pd.DataFrame, population: pd.DataFrame | None = None) -> pd.DataFrame:
    """The new release's cells in the ledger's form (``release_cells`` with ``true_*`` columns); with
    ``population`` (the release's published age bands) each cell's population of its own year
    (:func:`.denominators.year_population`), as the ledger records it."""
    table = published[[c for c in [*COLUMNS, "rate"] if c in published]].copy()
    if "population" not in table:
        table["population"] = year_population(published, population)
    for column in ("indicator_id", "district_id", "parent_id", "status"):
        if column in table:
            table[column] = table[column].astype(object).where(table[column].notna(), None)
            table[column] = [None if v is None else str(v) for v in table[column]]
    table["year"] = table["year"].astype("int64")
    true = truth[[*KEY, "numerator", "denominator"]].rename(
        columns={"numerator": "true_numerator", "denominator": "true_denominator"})
    true = true.astype({"indicator_id": str, "district_id": str, "year": "int64"})
    return table.merge(true, on=KEY, how="left")


def _normal(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out["year"] = out["year"].astype("int64")
    for column in ("indicator_id", "district_id"):
        out[column] = out[column].astype(str)
    return out


def _changed_groups(new: pd.DataFrame, earlier: dict[str, pd.DataFrame]) -> set[tuple[str, int]]:
    """Indicator-years in which some earlier release differs from the new one."""
    compare = ["status", "numerator", "denominator", "true_numerator"]
    left = new[[*KEY, *compare]]
    out: set[tuple[str, int]] = set()
    for table in earlier.values():
        both = left.merge(table[[*KEY, *compare]], on=KEY, how="outer", suffixes=("", "_old"), indicator=True)
        differs = both["_merge"] != "both"
        for column in compare:
            a, b = both[column], both[f"{column}_old"]
            differs |= ~((a == b).fillna(False) | (a.isna() & b.isna()))
        out |= set(map(tuple, both.loc[differs, ["indicator_id", "year"]].drop_duplicates().to_numpy().tolist()))
    return {(str(i), int(y)) for i, y in out}


@dataclass
class Together:
    """The releases' rows side by side (``rows``: every release's cells, column ``release``) with each row's
    bounds as its own release allows them (``alone_*``) and as all releases together allow them; ``n_*``
    per denominator variable (``dvar``: each row's), ``c_upper`` the complement's (``n − x``) upper bound."""

    rows: pd.DataFrame
    models: list
    lo: np.ndarray
    hi: np.ndarray
    alone_lo: np.ndarray
    alone_hi: np.ndarray
    alone_c: np.ndarray
    c_upper: np.ndarray
    n_lo: np.ndarray
    n_hi: np.ndarray
    dvar: np.ndarray
    hidden: np.ndarray  # each row hidden in its release


def releases_together(new: pd.DataFrame, earlier: dict[str, pd.DataFrame], protection: Protection,
                      indicators: dict[str, Indicator] | None = None,
                      denominator_groups: dict[str, str] | None = None) -> Together | None:
    """The joint bounds of the releases (see the module docstring); None where there is nothing to join
    (no earlier release, or none that differs from the new one)."""
    if not earlier:
        return None
    new = _normal(new)
    earlier = {run: _normal(t) for run, t in earlier.items()}
    groups = _changed_groups(new, earlier)
    if not groups:
        return None
    releases = {NEW: new, **earlier}
    multipliers = {i: ind.multiplier for i, ind in indicators.items()} if indicators is not None else {}
    tables, models = [], []
    for run, table in releases.items():
        keys = pd.MultiIndex.from_frame(table[["indicator_id", "year"]])
        part = table[keys.isin(list(groups))].reset_index(drop=True)
        if part.empty:
            continue
        part = part.sort_values(["indicator_id", "year"], kind="stable").reset_index(drop=True)
        model = build_model(part.drop(columns=[c for c in ("true_numerator", "true_denominator") if c in part]),
                            protection, multipliers=multipliers, denominator_groups=denominator_groups)
        tables.append(part.assign(release=run))
        models.append(model)
    if len(tables) < 2:
        return None
    sizes = [len(t) for t in tables]
    starts = np.cumsum([0, *sizes])
    allrows = pd.concat(tables, ignore_index=True)
    true_x = numbers(allrows, "true_numerator")
    # one variable per key and true value; a row without a true value is its own
    version = np.where(np.isnan(true_x), -1.0 - np.arange(len(true_x)), true_x)
    var, _ = pd.MultiIndex.from_arrays(
        [allrows["indicator_id"].to_numpy(dtype=object), allrows["year"].to_numpy(),
         allrows["district_id"].to_numpy(dtype=object), version]).factorize()
    if (var < 0).any():
        raise ValueError("cells of a release without indicator, year or district")
    # the denominators: one variable per release, group, year and district, linked across releases where
    # the true denominator is the same; the forests of all releases side by side
    parent, dvar, dparent, n_lo, n_hi, dkeys = [], [], [], [], [], []
    offset = 0
    for i, m in enumerate(models):
        v, n_vars = shared_variables(tables[i], denominator_groups, m.index)
        parent.append(np.where(m.parent >= 0, m.parent + starts[i], -1))
        dvar.append(v + offset)
        vp = variable_parents(m.parent, v, n_vars)
        dparent.append(np.where(vp >= 0, vp + offset, -1))
        lo_v, hi_v = to_variables(m.n_lower, m.n_upper, v, n_vars)
        n_lo.append(lo_v)
        n_hi.append(hi_v)
        first = np.full(n_vars, -1, dtype=np.int64)
        first[v[::-1]] = np.arange(len(v))[::-1]  # a row of every variable
        dkeys.append(first + starts[i])
        offset += n_vars
    parent, dvar, dparent = np.concatenate(parent), np.concatenate(dvar), np.concatenate(dparent)
    n_lo, n_hi, rep = np.concatenate(n_lo), np.concatenate(n_hi), np.concatenate(dkeys)
    group_of = denominator_groups or {}
    true_n = numbers(allrows, "true_denominator")[rep]
    d_version = np.where(np.isnan(true_n), -1.0 - np.arange(len(true_n)), true_n)
    nlink, _ = pd.MultiIndex.from_arrays(
        [allrows["indicator_id"].map(lambda i: group_of.get(i, i)).to_numpy(dtype=object)[rep],
         allrows["year"].to_numpy()[rep], allrows["district_id"].to_numpy(dtype=object)[rep], d_version]).factorize()

    def linked(lo_, hi_, link):
        v_lo = np.full(int(link.max()) + 1 if len(link) else 0, -np.inf)
        v_hi = np.full(len(v_lo), np.inf)
        np.maximum.at(v_lo, link, lo_)
        np.minimum.at(v_hi, link, hi_)
        return v_lo[link], v_hi[link]

    lo = np.concatenate([m.lo for m in models])
    hi = np.concatenate([m.hi for m in models])
    # each release alone (as its own audit sees it), then all of them together
    alone_lo, alone_hi, n_lo, n_hi, _, c_hi = joint_bounds(parent, lo, hi, dvar, dparent, n_lo, n_hi)
    alone_c = np.minimum(c_hi, n_hi[dvar] - alone_lo)
    lo, hi = alone_lo.copy(), alone_hi.copy()
    for _ in range(MAX_ROUNDS):
        x_lo, x_hi = linked(lo, hi, var)
        m_lo, m_hi = linked(n_lo, n_hi, nlink)
        x_lo, x_hi, m_lo, m_hi, _, c_new = joint_bounds(parent, x_lo, x_hi, dvar, dparent, m_lo, m_hi)
        same = (np.array_equal(x_lo, lo) and np.array_equal(x_hi, hi) and np.array_equal(m_lo, n_lo)
                and np.array_equal(m_hi, n_hi))
        lo, hi, n_lo, n_hi, c_hi = x_lo, x_hi, m_lo, m_hi, c_new
        if same or (lo > hi).any() or (n_lo > n_hi).any():
            break
    c_upper = np.minimum(c_hi, n_hi[dvar] - lo)
    hidden = np.concatenate([m.hidden for m in models])
    if not ((lo > hi).any() or (n_lo > n_hi).any()):  # (a contradiction is reported as it is)
        lo, hi, c_upper = _exact(allrows, group_of, hidden, var, nlink, dvar, parent, dparent,
                                 (lo, hi, n_lo, n_hi, c_upper))
    return Together(allrows, models, lo, hi, alone_lo, alone_hi, alone_c, c_upper, n_lo, n_hi, dvar, hidden)


def _exact(rows: pd.DataFrame, group_of: dict, hidden, var, nlink, dvar, parent, dparent, bounds):
    """The fixpoint's bounds of the hidden cells tightened by the linear program over the releases together
    (HiGHS, :func:`.linear.solve_bounds`): bounds consistency propagates one sum at a time and misses what
    follows from the difference of two releases' sums (a revised total beside unchanged small areas pins
    a changed cell, and with ``x ≤ n`` its neighbour's denominator). One program per denominator group and
    year that two or more releases publish; the variables are the linked counts, denominators and every
    row's complement ``c = n − x``, within the fixpoint's bounds."""
    lo, hi, n_lo, n_hi, c_upper = (np.array(b, dtype="float64") for b in bounds)
    years = rows["year"].to_numpy()
    group = rows["indicator_id"].map(lambda i: group_of.get(i, i)).to_numpy(dtype=object)
    component, _ = pd.MultiIndex.from_arrays([group, years]).factorize()
    releases = pd.Series(rows["release"].to_numpy()).groupby(component).nunique()
    row_n = nlink[dvar]  # each row's denominator variable, linked across releases
    for comp in releases.index[releases.to_numpy() >= 2]:
        members = np.flatnonzero(component == comp)
        if not hidden[members].any():
            continue
        xs, x_at = np.unique(var[members], return_inverse=True)
        ns, n_at = np.unique(row_n[members], return_inverse=True)
        n_rows = len(members)
        # nodes: counts, then denominators, then one complement per row
        node_lo = np.concatenate([_per_var(lo[members], x_at, len(xs), np.maximum),
                                  _per_var(n_lo[dvar[members]], n_at, len(ns), np.maximum), np.zeros(n_rows)])
        node_hi = np.concatenate([_per_var(hi[members], x_at, len(xs), np.minimum),
                                  _per_var(n_hi[dvar[members]], n_at, len(ns), np.minimum),
                                  np.maximum(c_upper[members], 0.0)])
        x_node = x_at
        n_node = len(xs) + n_at
        c_node = len(xs) + len(ns) + np.arange(n_rows)
        facts = Rows()
        for r in range(n_rows):  # x + c − n = 0
            facts.add([x_node[r], c_node[r], n_node[r]], [1.0, 1.0, -1.0], 0.0, 0.0)
        local = np.full(len(rows), -1, dtype=np.int64)
        local[members] = np.arange(n_rows)
        kids = parent[members]
        inside = (kids >= 0) & (local[np.maximum(kids, 0)] >= 0)
        for p_row, children in pd.Series(np.arange(n_rows)[inside]).groupby(local[kids[inside]]):
            facts.add([x_node[p_row], *x_node[children.to_numpy()]],
                      [1.0, *(-np.ones(len(children)))], 0.0, 0.0)  # counts add up
        # and so do the denominators: every release's variables under their parent variable
        vs = np.unique(dvar[members])
        up = dparent[vs]
        has = (up >= 0) & np.isin(up, vs)
        node_of = {int(v): len(xs) + int(np.searchsorted(ns, nlink[v])) for v in vs}
        seen: set[tuple[int, tuple[int, ...]]] = set()
        for p_var, children in pd.Series(vs[has]).groupby(up[has]):
            key = (node_of[int(p_var)], tuple(sorted(node_of[int(c)] for c in children)))
            if key not in seen:
                seen.add(key)
                facts.add([key[0], *key[1]], [1.0, *(-np.ones(len(key[1])))], 0.0, 0.0)
        targets = np.concatenate([x_node[hidden[members]], c_node[hidden[members]]])
        found, feasible = solve_bounds(node_lo, node_hi, facts, np.unique(targets),
                                       lambda _t, low, high: high - low < INTEGER_WIDTH)
        if not feasible:
            continue  # (the fixpoint found no contradiction; the program's tolerance did: keep the fixpoint's)
        for r in np.flatnonzero(hidden[members]):
            row = members[r]
            x_low, x_high = found[int(x_node[r])]
            lo[row], hi[row] = max(lo[row], x_low), min(hi[row], x_high)
            c_upper[row] = min(c_upper[row], found[int(c_node[r])][1])
    return lo, hi, c_upper


def _per_var(values: np.ndarray, at: np.ndarray, size: int, combine) -> np.ndarray:
    out = np.full(size, -np.inf if combine is np.maximum else np.inf)
    combine.at(out, at, values)
    return out


def audit_over_time(new: pd.DataFrame, earlier: dict[str, pd.DataFrame], protection: Protection,
                    indicators: dict[str, Indicator] | None = None,
                    denominator_groups: dict[str, str] | None = None) -> pd.DataFrame:
    """Hidden cells of any release (``release``: run id, or ``"neu"``) narrowed below their requirement by
    the releases together (see the module docstring). ``new`` and every table of ``earlier``: ledger form
    (:func:`new_release`)."""
    columns = ["release", *KEY, "status", "lower", "upper", "alone_lower", "alone_upper", "reason"]
    joint = releases_together(new, earlier, protection, indicators, denominator_groups)
    if joint is None:
        return pd.DataFrame(columns=columns)
    allrows, models, lo, hi = joint.rows, joint.models, joint.lo, joint.hi
    alone_lo, alone_hi, alone_c, c_upper = joint.alone_lo, joint.alone_hi, joint.alone_c, joint.c_upper
    true_x = numbers(allrows, "true_numerator")
    n_upper = joint.n_hi[joint.dvar]
    hidden = joint.hidden
    status = allrows["status"]
    secret = status_is(allrows, SECRET)
    n = numbers(allrows, "true_denominator")
    k_of = {i: protection.k_for(ind) for i, ind in (indicators or {}).items()}
    k = allrows["indicator_id"].map(lambda i: k_of.get(i, protection.k)).to_numpy(dtype="float64")
    width = float(max(1, protection.protection_interval))
    p1 = (true_x >= 1) & (true_x <= k - 1)
    p2 = (n - true_x >= 1) & (n - true_x <= k - 1)
    bad_complement = p2 & (c_upper < k)
    cap = secret & ~np.isnan(n)
    min_upper = np.where(p1, np.where(cap, np.minimum(k, n), k), -np.inf)
    max_lower = np.where(p2 & secret, np.minimum(np.where(np.isnan(n), np.inf, n), n_upper) - k, np.inf)
    floor = np.where(secret, np.concatenate([m.floor for m in models]), 0.0)
    min_width = np.where(cap, np.minimum(width, np.maximum(n - floor, 0.0)), width)
    min_width = np.where(true_x == 0, 0.0, min_width)
    narrower = (lo > alone_lo) | (hi < alone_hi) | (c_upper < alone_c)
    bad_upper = hi < min_upper
    bad_lower = lo > max_lower
    bad_width = hi - lo < min_width
    nobody = n == 0  # a group of nobody (an uninhabited area) says nothing about anyone
    bad = hidden & narrower & ((~nobody & (bad_upper | bad_lower | bad_width | bad_complement)) | (lo > hi))
    rows = np.flatnonzero(bad)
    reasons = []
    for r in rows:
        parts = []
        if lo[r] > hi[r]:
            parts.append("widersprüchliche Freigaben")
        if bad_upper[r]:
            parts.append(f"Obergrenze {hi[r]:g} < {min_upper[r]:g}")
        if bad_lower[r]:
            parts.append(f"Untergrenze {lo[r]:g} > {max_lower[r]:g}")
        if bad_width[r]:
            parts.append(f"Intervall {lo[r]:g}–{hi[r]:g} zu schmal")
        if bad_complement[r]:
            parts.append(f"Komplement (Nenner − Zähler) höchstens {c_upper[r]:g} < {k[r]:g}")
        reasons.append("; ".join(parts) + " (zusammen mit früheren Freigaben)")
    out = allrows.loc[rows, ["release", *KEY]].assign(status=status.to_numpy()[rows], lower=lo[rows],
                                                        upper=hi[rows], alone_lower=alone_lo[rows],
                                                        alone_upper=alone_hi[rows], reason=reasons)
    return out.reset_index(drop=True)[columns]
