"""The independent disclosure audit of a candidate release.

``audit(published, log, protection)`` re-derives, from the published table alone (plus earlier
releases and any extra linear facts), the smallest and largest value an attacker can prove for every
hidden cell, and checks it against the cell's protection requirement:

* P1, P1+P2, P3, upstream: ``upper ≥ k``;
* P2, P1+P2: ``lower ≤ n − k``, ``n`` the published denominator, else the true one (``true_values`` or
  the log) and never more than the largest denominator the attacker can prove (from shown rates and
  the hierarchy: the complement ``n − x`` is then at most ``n_upper − lower``);
* every hidden cell: ``upper − lower ≥ protection_interval`` and never a single value.

The requirement comes from the rule and ``k`` in the private log, recomputed here; it is relaxed only
where the truth makes it unattainable or pointless: a P3 cell with 2 examined children cannot reach
``upper ≥ 3`` (capped by the true denominator when ``true_values`` are given, else by the log's
numbers), and with zeros published a hidden zero may be known.

Published cells are checked too: no published numerator may break P1/P2/P3 (P2 and P3 also where the
denominator is not published but follows from the numerator and its rate), no hidden cell may show a
numerator or a rate, every hidden cell must be in the log. With ``true_values`` the audit also checks
that every true value lies inside its bounds (otherwise the attacker model would be wrong, e.g. a
hidden zero while zeros are published).

Bounds: sum hierarchies only → exact fixpoint propagation (:mod:`.propagation`, linear time, runs of
whole indicator-years at a time); with extra :class:`~.linear.LinearConstraint` s (linked tables, allocation
amounts, cross-year facts) or ``method="lp"`` → HiGHS LP/IP per connected component (:mod:`.linear`).
A rate shown for a hidden cell beside its denominator is such a fact too (:mod:`.rates`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.audit.denominators import denominator_groups
from pipelines.lib.audit.linear import LinearConstraint, Rows, solve_bounds
from pipelines.lib.audit.model import (
    KEY,
    PUBLISHED,
    SECRET,
    TOO_FEW,
    AttackerModel,
    CellIndex,
    build_model,
    numbers,
    status_is,
)
from pipelines.lib.audit.propagation import tighten
from pipelines.lib.audit.rates import rate_constraints
from pipelines.lib.config import Indicator, Protection, Relation

NEEDS_K = {"P1", "P1+P2", "P3", "upstream"}
NEEDS_COMPLEMENT = {"P2", "P1+P2"}


@dataclass(frozen=True)
class AuditResult:
    cells: pd.DataFrame  # one row per hidden cell: keys, rule, lower, upper, requirement, passed, reason
    violations: pd.DataFrame  # published-table problems: keys, reason

    @property
    def at_risk(self) -> pd.DataFrame:
        return self.cells[~self.cells["passed"]]

    @property
    def passed(self) -> bool:
        return bool(self.cells["passed"].all()) and self.violations.empty


def audit(
    published: pd.DataFrame,
    log: pd.DataFrame,
    protection: Protection,
    *,
    true_values: pd.DataFrame | None = None,
    earlier_releases: pd.DataFrame | None = None,
    constraints: Sequence[LinearConstraint] = (),
    indicators: dict[str, Indicator] | None = None,
    method: str = "auto",
    relations: Sequence[Relation] = (),
    population: pd.DataFrame | None = None,
) -> AuditResult:
    """Audit ``published`` against the private suppression ``log`` (see the module docstring).

    ``method``: ``"auto"`` (propagation, HiGHS only for components with extra constraints),
    ``"lp"`` (HiGHS everywhere) or ``"propagation"`` (no extra constraints allowed).
    ``relations`` (their ``shared_denominator`` ones) and the catalogue's ``denominator_label`` s tell which
    indicators share a denominator; ``population``: the published age bands (see :mod:`.denominators`).
    """
    if method not in ("auto", "lp", "propagation"):
        raise ValueError(f"unknown method {method!r}")
    if constraints and method == "propagation":
        raise ValueError("extra linear constraints need method 'auto' or 'lp'")
    multipliers = {i: ind.multiplier for i, ind in indicators.items()} if indicators is not None else None
    groups = denominator_groups(indicators, relations, published) if indicators is not None else None
    model = build_model(published, protection, earlier_releases, multipliers, denominator_groups=groups,
                        population=population)
    t = model.table
    hidden_rows = np.flatnonzero(model.hidden)
    if multipliers is not None:  # a rate of a hidden cell (a violation anyway) narrows its numerator
        constraints = [*constraints, *rate_constraints(t, multipliers, model.hidden, model.n_lower, model.n_upper)]
        if constraints and method == "propagation":
            method = "auto"

    truth = _truth(model, true_values) if true_values is not None else None
    req = _requirements(model, log, protection, truth, hidden_rows)  # aligned with hidden_rows
    lower, upper, feasible = _bounds(model, constraints, method, req, hidden_rows)

    cells = t.loc[hidden_rows, [*KEY, "status"]].copy()
    for name in ("rule", "k", "min_upper", "max_lower", "min_width", "min_complement"):
        cells[name] = req[name]
    cells["lower"] = lower[hidden_rows]
    cells["upper"] = upper[hidden_rows]
    # the complement n − x: at most the largest denominator minus the smallest count
    cells["complement_upper"] = np.minimum(model.c_upper[hidden_rows], model.n_upper[hidden_rows] - lower[hidden_rows])
    cells["denominator_upper"] = model.n_upper[hidden_rows]
    reasons = []
    for i, row in zip(hidden_rows, cells.itertuples(index=False), strict=True):
        r = []
        if not feasible[i]:
            r.append("widersprüchliche Veröffentlichung")
        if model.known_before[i]:
            r.append("früher veröffentlicht")
        if row.upper < row.min_upper:
            r.append(f"Obergrenze {row.upper:g} < {row.min_upper:g}")
        if row.lower > row.max_lower:
            r.append(f"Untergrenze {row.lower:g} > {row.max_lower:g}")
        if row.upper - row.lower < row.min_width:
            r.append(f"Intervall {row.lower:g}–{row.upper:g} zu schmal")
        if row.complement_upper < row.min_complement:
            r.append(f"Komplement (Nenner − Zähler) höchstens {row.complement_upper:g} < {row.min_complement:g}")
        if row.rule is None:
            r.append("fehlt im Protokoll")
        reasons.append("; ".join(r))
    cells["reason"] = reasons
    if truth is not None:
        true_num = truth.at(hidden_rows, "numerator")
        inside = np.isnan(true_num) | (
            (true_num >= cells["lower"].to_numpy()) & (true_num <= cells["upper"].to_numpy())
        )
        cells["true_in_bounds"] = inside
        cells.loc[~inside, "reason"] = cells.loc[~inside, "reason"].map(
            lambda s: f"{s}; wahrer Wert außerhalb" if s else "wahrer Wert außerhalb"
        )
    cells["passed"] = cells["reason"] == ""
    cells = cells.reset_index(drop=True)
    del req, lower, upper, feasible
    violations = _published_violations(model, log, protection, indicators, truth)
    elsewhere = _published_on_other_districts(model, earlier_releases)
    if len(elsewhere):
        violations = pd.concat([violations, elsewhere], ignore_index=True)
    return AuditResult(cells=cells, violations=violations)


def _published_on_other_districts(model: AttackerModel, earlier: pd.DataFrame | None) -> pd.DataFrame:
    """Cells of indicator-years that an earlier release published on districts not in this table (another
    area system): old minus new figures would give the slivers between the two systems away."""
    if earlier is None or earlier.empty:
        return pd.DataFrame(columns=[*KEY, "reason"])
    index = model.index or CellIndex.of(model.table)
    indicator, year, district = index.codes(earlier)
    present = np.bincount(index.district[index.district >= 0], minlength=len(index.districts)) > 0
    in_table = (district >= 0) & present[np.maximum(district, 0)]
    gone = earlier["numerator"].notna().to_numpy() & ~in_table
    gone_groups = index.group_keys(indicator[gone], year[gone])
    withheld = np.zeros(len(index.indicators) * index.n_years, dtype=bool)  # by indicator-year
    withheld[gone_groups[gone_groups >= 0]] = True
    again = withheld[index.group_keys(index.indicator, index.year)]
    found = model.table.loc[again, KEY].astype({"year": "int64"}).reset_index(drop=True)
    return found.assign(reason="Jahr früher auf anderen Gebieten (anderer Gebietsstand) veröffentlicht")


def _bounds(model: AttackerModel, constraints, method: str, req, req_rows: np.ndarray) -> tuple:
    """Bounds of every cell; ``req`` holds the requirements of the rows ``req_rows`` (the hidden ones)."""
    if method == "propagation" or (method == "auto" and not constraints):
        # the a-priori bounds are not needed after this: tightened where they are
        lower, upper, feasible = tighten(model.parent, model.lo, model.hi, in_place=True)
        return lower, upper, _group_all(model, feasible)
    lower, upper, feasible = tighten(model.parent, model.lo, model.hi)
    feasible = np.broadcast_to(feasible, lower.shape).copy()
    # components: indicator-years joined by constraints
    n_groups = int(model.group.max()) + 1 if len(model.group) else 0
    comp = np.arange(n_groups)

    def find(a: int) -> int:
        while comp[a] != a:
            comp[a] = comp[comp[a]]
            a = comp[a]
        return a

    index = model.index or CellIndex.of(model.table)
    terms = pd.DataFrame([(a, int(b), c) for con in constraints for a, b, c in con.terms], columns=KEY,
                         dtype=object).astype({"year": "int64"})
    term_rows = index.rows(terms) if len(terms) else np.zeros(0, dtype=np.int64)
    extra = []
    start = 0
    for con in constraints:
        keys = list(con.terms)
        idx = term_rows[start:start + len(keys)]
        start += len(keys)
        if (idx < 0).any():
            raise KeyError(f"constraint {con.label!r} names cells that are not in the published table")
        groups = model.group[idx]
        for g in groups[1:]:
            a, b = find(int(groups[0])), find(int(g))
            comp[max(a, b)] = min(a, b)
        extra.append((idx, np.array([con.terms[k] for k in keys], dtype="float64"), con))
    roots = np.array([find(g) for g in range(n_groups)])
    if method == "auto":
        wanted = {int(r) for idx, _, _ in extra for r in roots[model.group[idx]]}
    else:
        wanted = set(roots.tolist())

    rows_of = roots[model.group]
    for r in sorted(wanted):
        nodes = np.flatnonzero(rows_of == r)
        rows = Rows()
        kids = pd.Series(nodes[model.parent[nodes] >= 0]).groupby(
            model.parent[nodes][model.parent[nodes] >= 0]
        )
        for p, ch in kids:
            ch = ch.to_numpy()
            rows.add(np.r_[p, ch], np.r_[1.0, -np.ones(len(ch))], 0.0, 0.0)
        for idx, coefs, con in extra:
            if roots[model.group[idx[0]]] == r:
                rows.add(idx, coefs, con.lower, con.upper)
        targets = nodes[model.hidden[nodes]]

        def needs_integer(node: int, low: float, high: float, _req=req) -> bool:
            margin = 3
            i = int(np.searchsorted(req_rows, node))  # targets are hidden: among req_rows
            return (
                high - low < max(margin, _req["min_width"][i] + margin)
                or high < _req["min_upper"][i] + margin
                or low > _req["max_lower"][i] - margin
            )

        found, ok = solve_bounds(model.lo, model.hi, rows, targets, needs_integer)
        if not ok:
            feasible[nodes] = False
            continue
        for node, (lo_, hi_) in found.items():
            lower[node], upper[node] = lo_, hi_
    return lower, upper, _group_all(model, feasible)


def _group_all(model: AttackerModel, feasible: np.ndarray) -> np.ndarray:
    """A contradiction anywhere in an indicator-year makes all its bounds meaningless."""
    bad = np.zeros(int(model.group.max()) + 1 if len(model.group) else 0, dtype=bool)
    bad[model.group[~feasible]] = True
    return ~bad[model.group]


@dataclass(frozen=True)
class _Truth:
    """The true values by table row: which row of the true values holds each table row's (-1: none)."""

    where: np.ndarray
    numerator: np.ndarray  # the true values' columns (NaN throughout where absent)
    denominator: np.ndarray

    def at(self, rows: np.ndarray, column: str) -> np.ndarray:
        """The true ``column`` of the table rows ``rows`` (NaN where unknown)."""
        at = self.where[rows]
        return np.where(at >= 0, getattr(self, column)[np.maximum(at, 0)], np.nan) if len(at) else np.zeros(0)


def _truth(model: AttackerModel, true_values: pd.DataFrame) -> _Truth:
    """The true numerator and denominator of every row (NaN where unknown), looked up by key."""
    index = model.index or CellIndex.of(model.table)
    where = np.full(len(model.table), -1, dtype=np.int32 if len(true_values) < 2**31 else np.int64)
    hits = 0
    chunk = 1 << 20
    for start in range(0, len(true_values), chunk):
        rows = index.rows(true_values.iloc[start:start + chunk])
        hit = np.flatnonzero(rows >= 0)
        where[rows[hit]] = start + hit
        hits += len(hit)
    if hits > int((where >= 0).sum()):  # two rows of the true values went to one cell
        raise ValueError("true values have several rows for one (indicator_id, year, district_id)")
    return _Truth(where, numbers(true_values, "numerator"), numbers(true_values, "denominator"))


def _logged(model: AttackerModel, log: pd.DataFrame) -> pd.DataFrame:
    """The log's first row of every key (as drop_duplicates on the keys), with the table row it names
    (``_row``, -1 for none)."""
    first = log[~log.duplicated(KEY)] if len(log) else log
    index = model.index or CellIndex.of(model.table)
    return first.assign(_row=index.rows(first) if len(first) else np.zeros(0, dtype=np.int64))


def _requirements(model: AttackerModel, log: pd.DataFrame, protection: Protection, truth: _Truth | None,
                  rows: np.ndarray) -> dict:
    """The requirement of every cell in ``rows`` (ascending table rows: the hidden cells), aligned with
    ``rows``: the rule and k in the log, min_upper, max_lower, min_width."""
    t = model.table.iloc[rows]
    n_rows = len(rows)
    entries = _logged(model, log)
    entry_rows = entries["_row"].to_numpy()
    at = np.searchsorted(rows, entry_rows)  # each entry's place among rows, if it is one of them
    hit = (at < n_rows) & (rows[np.minimum(at, n_rows - 1)] == entry_rows) if n_rows else at < 0
    place = at[hit]

    def logged(col: str, fill: float) -> np.ndarray:
        out = np.full(n_rows, fill)
        if col in entries:
            out[place] = entries[col].astype("Float64").to_numpy(dtype="float64", na_value=fill)[hit]
        return out

    rule = np.full(n_rows, None, dtype=object)
    log_rule = entries["rule"]
    rule[place] = log_rule.astype(object).where(log_rule.notna(), None).to_numpy(dtype=object)[hit]
    has_rule = np.zeros(n_rows, dtype=bool)
    has_rule[place] = log_rule.notna().to_numpy()[hit]
    if "k" not in entries:
        raise KeyError("the suppression log has no column k")
    k = logged("k", np.nan)
    k = np.where(np.isnan(k), float(protection.k), k)
    den = numbers(t, "denominator")
    true_den = truth.at(rows, "denominator") if truth is not None else np.full(n_rows, np.nan)
    n_known = np.where(np.isnan(den), true_den, den)

    needs_k = model.hidden[rows] & ~has_rule  # unlogged: as P1
    needs_k[place] |= log_rule.isin(NEEDS_K).to_numpy()[hit]
    needs_c = np.zeros(n_rows, dtype=bool)
    needs_c[place] = log_rule.isin(NEEDS_COMPLEMENT).to_numpy()[hit]
    few = status_is(t, TOO_FEW)
    if truth is not None:  # every hidden cell whose true value would be a P1 or P2 case, P3 cells included
        true_x = truth.at(rows, "numerator")
        needs_k |= (true_x >= 1) & (true_x <= k - 1)
        needs_c |= (n_known - true_x >= 1) & (n_known - true_x <= k - 1)
    floor = np.where(status_is(t, SECRET), model.floor[rows], 0.0)
    width = float(max(1, protection.protection_interval))

    min_upper = np.where(needs_k, k, -np.inf)
    min_width = np.full(n_rows, width)
    # cap what a known denominator makes unattainable (a published one, or that of a "geheimgehalten" cell,
    # which the attacker knows or may know: never under min_denominator). A "zu wenige Einwohner" cell's
    # denominator is itself protected: 1 child with the finding must look like up to k (its requirement is
    # not capped when the true values are known; without them, by the log's numbers)
    has_n = ~np.isnan(n_known) & ~(few & (truth is not None))
    min_upper = np.where(has_n, np.minimum(min_upper, n_known), min_upper)
    min_width = np.where(has_n, np.minimum(min_width, np.maximum(n_known - floor, 0.0)), min_width)
    cap = few & np.isnan(n_known)
    min_upper = np.where(cap, np.minimum(min_upper, logged("min_upper", np.inf)), min_upper)
    min_width = np.where(cap, np.minimum(min_width, logged("min_width", np.inf)), min_width)

    # P2: n − x stays ≥ k possible; n published, else true (truth or log), at most what the attacker proves
    n_ref = np.where(np.isnan(den), true_den, den)
    max_lower = np.where(np.isnan(n_ref), np.inf, n_ref - k)
    max_lower = np.where(np.isnan(den), np.minimum(max_lower, logged("max_lower", np.inf)), max_lower)
    max_lower = np.minimum(max_lower, model.n_upper[rows] - k)
    max_lower = np.where(needs_c & ~few, np.maximum(max_lower, floor), np.inf)
    # and jointly: the largest complement the attacker cannot rule out is at least k (where n is hidden too)
    min_complement = np.where(needs_c, k, -np.inf)
    if truth is not None and protection.publish_zeros:  # a known zero is what publishing zeros means
        zero = truth.at(rows, "numerator") == 0
        min_upper = np.where(zero, -np.inf, min_upper)
        max_lower = np.where(zero, np.inf, max_lower)
        min_width = np.where(zero, 0.0, min_width)  # (the complement of a zero still counts: 0 of 1 child)
    # a group of nobody (an uninhabited area: true denominator 0) says nothing about anyone
    nobody = true_den == 0
    min_upper = np.where(nobody, -np.inf, min_upper)
    max_lower = np.where(nobody, np.inf, max_lower)
    min_width = np.where(nobody, 0.0, min_width)
    min_complement = np.where(nobody, -np.inf, min_complement)
    return {
        "rule": rule,
        "k": k.astype(int),
        "min_upper": min_upper,
        "max_lower": max_lower,
        "min_width": min_width,
        "min_complement": min_complement,
    }


def _published_violations(model: AttackerModel, log: pd.DataFrame, protection: Protection, indicators,
                          truth: _Truth | None = None):
    t = model.table
    index = model.index or CellIndex.of(t)
    num = numbers(t, "numerator")
    den = numbers(t, "denominator")
    if indicators is not None:
        k_map = {i: protection.k_for(ind) for i, ind in indicators.items()}
    else:
        k_map = log.groupby("indicator_id")["k"].max().to_dict() if len(log) else {}
    # k of every indicator, then of every row (a row without an indicator: the default)
    k_of = np.array([k_map.get(i, protection.k) for i in index.indicators], dtype="float64")
    codes = index.indicator.astype(np.int64)
    k = np.append(k_of, float(protection.k))[np.where(codes >= 0, codes, len(k_of))]
    pub = status_is(t, PUBLISHED)
    found = []

    def add(mask: np.ndarray, reason: str) -> None:
        if mask.any():
            found.append(t.loc[mask, KEY].assign(reason=reason))

    add(pub & (num >= 1) & (num <= k - 1), "P1: kleine Zahl veröffentlicht")
    complement = den - num
    add(pub & (complement >= 1) & (complement <= k - 1), "P2: kleines Komplement veröffentlicht")
    del complement
    if "population" in t:  # (a missing population compares as False: nothing to add)
        add(pub & (numbers(t, "population") < protection.min_population), "P3: zu wenige Einwohner veröffentlicht")
    add(~np.isnan(num) & (den < protection.min_denominator), "P3: kleiner Nenner veröffentlicht")
    # a denominator that is not published but follows from numerator and rate (and the hierarchy)
    private = pub & ~np.isnan(num) & np.isnan(den)
    at = np.flatnonzero(private)
    small_c = np.zeros(len(t), dtype=bool)
    small_n = np.zeros(len(t), dtype=bool)
    c_lo, c_hi = model.n_lower[at] - num[at], model.n_upper[at] - num[at]
    small_c[at] = (c_lo >= 1) & (c_hi <= k[at] - 1)  # the attacker proves 1 ≤ n − x ≤ k − 1
    small_n[at] = model.n_upper[at] < protection.min_denominator
    if truth is not None and "rate" in t:  # the rule: P2 and P3 on the true n wherever a rate is shown
        rated = np.flatnonzero(private & t["rate"].notna().to_numpy())
        true_n, x = truth.at(rated, "denominator"), num[rated]
        small_c[rated] |= (true_n - x >= 1) & (true_n - x <= k[rated] - 1)
        small_n[rated] |= true_n < protection.min_denominator
    add(small_c, "P2: kleines Komplement veröffentlicht (Nenner aus der Quote ableitbar)")
    add(small_n, "P3: kleiner Nenner veröffentlicht (aus der Quote ableitbar)")
    add(status_is(t, TOO_FEW) & ~np.isnan(den), "P3: Nenner veröffentlicht")
    add(~pub & ~np.isnan(num), "Zähler einer verborgenen Zelle veröffentlicht")
    add(pub & np.isnan(num), "veröffentlichte Zelle ohne Zähler")
    if "rate" in t:
        rate = numbers(t, "rate")
        add(~pub & ~np.isnan(rate), "Quote einer verborgenen Zelle veröffentlicht")
    logged = np.zeros(len(t), dtype=bool)
    if len(log):
        at = index.rows(log)
        logged[at[at >= 0]] = True
    add(pub & logged, "im Protokoll als verborgen, aber veröffentlicht")
    if not found:
        return pd.DataFrame(columns=[*KEY, "reason"])
    return pd.concat(found, ignore_index=True)
