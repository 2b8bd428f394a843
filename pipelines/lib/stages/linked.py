"""Linked tables protected together: suppression repeated until the audit passes with the relations.

Each indicator-year is suppressed on its own hierarchy first. Where a linear fact across tables (a
declared relation: a subset, a sum of parts; a multi-year total) lets an attacker narrow a hidden cell,
the other published cells of that fact are hidden too ("linked") and the suppression runs again, until
the audit with all such facts passes or nothing more can be hidden (the blocking audit of the release
then stops it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from pipelines.lib.audit import LinearConstraint, audit
from pipelines.lib.audit.over_time import audit_over_time, new_release
from pipelines.lib.audit.relations import LINKED_KINDS, relation_constraints
from pipelines.lib.config import Config, Indicator, Protection, Relation
from pipelines.lib.protection import ProtectionResult, protect
from pipelines.lib.protection.denominators import shared_denominators
from pipelines.lib.protection.parts import join, part_of, protect_parts
from pipelines.lib.protection.protect import KEEP_DENOMINATOR

KEY = ["indicator_id", "year", "district_id"]
MAX_ROUNDS = 8
RULE_LINKED = "linked"
RULE_JOINT = "joint"  # hidden because counts, denominators and complements together narrowed a cell
RULE_EARLIER = "earlier"  # hidden in an earlier release with the same value: stays hidden
WITHHELD_EARLIER = "earlier_release"  # an indicator-year that, beside an earlier release, would narrow a cell

Facts = Callable[[pd.DataFrame], Sequence[LinearConstraint]]


def _partners(at_risk: pd.DataFrame, facts: Sequence[LinearConstraint]) -> set[tuple[str, int, str]]:
    """The other cells of every fact that involves a cell at risk."""
    risky = {(i, int(y), d) for i, y, d in at_risk[KEY].itertuples(index=False)}
    out: set[tuple[str, int, str]] = set()
    for fact in facts:
        terms = {(i, int(y), d) for i, y, d in fact.terms}
        if terms & risky:
            out |= terms - risky
    return out


def _widest_sibling(published: pd.DataFrame, at_risk: pd.DataFrame, cells: pd.DataFrame) -> set[tuple[str, int, str]]:
    """For every cell at risk, its published sibling with the largest true complement ``n − x``: hidden, it
    widens what the complements' sums (parent's minus siblings') leave for the cell at risk. (Where the
    counts and denominators are known exactly the tables' own suppression has seen to it; this is for the
    rest: complements beside "zu wenige Einwohner" cells, whose denominators are not known one by one.)"""
    if at_risk.empty:
        return set()
    frame = published[[*KEY, "parent_id", "status"]].astype({"indicator_id": str, "district_id": str,
                                                             "parent_id": str, "year": "int64"})
    true = cells[[*KEY, "numerator", "denominator"]].astype({"indicator_id": str, "district_id": str,
                                                            "year": "int64"})
    frame = frame.merge(true, on=KEY, how="left")
    frame["complement"] = (frame["denominator"] - frame["numerator"]).astype("Float64").fillna(-1)
    risky = at_risk[KEY].astype({"indicator_id": str, "district_id": str, "year": "int64"})
    risky = risky.merge(frame[[*KEY, "parent_id"]], on=KEY)
    # a zero may be hidden where a sibling is "zu wenige Einwohner" (zeros beside small areas)
    small = frame.loc[frame["status"] == "zu wenige Einwohner", ["indicator_id", "year", "parent_id"]]
    beside = pd.MultiIndex.from_frame(frame[["indicator_id", "year", "parent_id"]]).isin(
        pd.MultiIndex.from_frame(small.drop_duplicates()))
    shown = frame["status"] == "veröffentlicht"
    sibs = frame[shown & ((frame["numerator"].fillna(0) > 0) | ((frame["numerator"] == 0) & beside))]
    sibs = sibs.merge(risky[["indicator_id", "year", "parent_id"]].drop_duplicates(),
                      on=["indicator_id", "year", "parent_id"])
    best = sibs.sort_values("complement", ascending=False).drop_duplicates(["indicator_id", "year", "parent_id"])
    return {(i, int(y), d) for i, y, d in best[KEY].itertuples(index=False)}


def hidden_before(cells: pd.DataFrame, patterns: dict[str, pd.DataFrame] | None) -> set[tuple[str, int, str]]:
    """Cells hidden in an earlier release whose true count is still the same: they stay hidden (published
    now, an unchanged complement would give the earlier release's hidden cells back)."""
    if not patterns:
        return set()
    now = cells[[*KEY, "numerator"]].astype({"indicator_id": str, "district_id": str, "year": "int64"})
    out: set[tuple[str, int, str]] = set()
    for table in patterns.values():
        hidden = table.loc[table["status"].isin(["geheimgehalten", "zu wenige Einwohner"]),
                           [*KEY, "true_numerator"]].astype({"indicator_id": str, "district_id": str, "year": "int64"})
        same = hidden.merge(now, on=KEY)
        same = same[same["true_numerator"] == same["numerator"]]
        out |= {(i, int(y), d) for i, y, d in same[KEY].itertuples(index=False)}
    return out


def denominators_before(cells: pd.DataFrame, patterns: dict[str, pd.DataFrame] | None,
                        indicators: dict[str, Indicator]) -> np.ndarray:
    """Cells whose denominator an earlier release did not show (hidden cell, or withheld beside a shown
    count; indicators with public denominators) and whose true denominator is still the same: it stays
    withheld (shown now, it would give the earlier release's denominators back)."""
    out = np.zeros(len(cells), dtype=bool)
    if not patterns:
        return out
    public = {i for i, ind in indicators.items() if ind.denominator_public}
    now = cells[[*KEY, "denominator"]].astype({"indicator_id": str, "district_id": str, "year": "int64"})
    now = now.assign(_row=np.arange(len(cells)))
    for table in patterns.values():
        unshown = table[table["denominator"].isna() & (table["status"] != "keine Daten")
                        & table["indicator_id"].isin(public) & table["true_denominator"].notna()]
        unshown = unshown[[*KEY, "true_denominator"]].astype({"indicator_id": str, "district_id": str,
                                                              "year": "int64"})
        same = unshown.merge(now, on=KEY)
        out[same.loc[same["true_denominator"] == same["denominator"], "_row"].to_numpy()] = True
    return out


def protect_together(cells: pd.DataFrame, indicators: dict[str, Indicator], protection: Protection, facts: Facts,
                     known: pd.DataFrame | None = None, relations: Sequence[Relation] = (),
                     denominators: bool = True, patterns: dict[str, pd.DataFrame] | None = None) -> ProtectionResult:
    """``protect`` every table, then hide the partners of facts that narrow a hidden cell until none does.

    ``facts(published)`` returns the linear facts an attacker can read from a publication. ``patterns``:
    the earlier releases' cells from the ledger (:func:`~pipelines.lib.release.ledger.release_patterns`):
    a cell hidden there with an unchanged value stays hidden (rule ``earlier``), and the releases are audited
    together (:mod:`pipelines.lib.audit.over_time`).
    """
    groups = shared_denominators(indicators, relations, cells)
    forced: set[tuple[str, int, str]] = set()
    forced_joint: set[tuple[str, int, str]] = set()
    frame = cells  # never changed in place: a round that forces cells makes a new frame (a copy held gigabytes)
    earlier_hidden = hidden_before(cells, patterns) if denominators else set()
    base = cells["is_upstream_hidden"].astype(bool).to_numpy()
    if earlier_hidden:
        base = base | pd.MultiIndex.from_frame(cells[KEY].astype({"indicator_id": str, "district_id": str,
                                                                   "year": "int64"})).isin(list(earlier_hidden))
        frame = frame.assign(is_upstream_hidden=base)
    published_before = ({(str(i), int(y), str(d)) for i, y, d in known[KEY].itertuples(index=False)}
                        if known is not None and len(known) else set())
    kept_denominators = denominators_before(cells, patterns, indicators) if denominators else None
    if kept_denominators is not None and kept_denominators.any():
        frame = frame.assign(**{KEEP_DENOMINATOR: kept_denominators})
    options = {"earlier_releases": known, "denominator_groups": groups, "denominators": denominators}
    withheld: set[tuple[str, int]] = set()  # indicator-years left out: with an earlier release they narrow a cell

    def kept(table: pd.DataFrame) -> pd.DataFrame:
        if not withheld:
            return table
        years = pd.MultiIndex.from_frame(table[["indicator_id", "year"]].astype({"indicator_id": str, "year": "int64"}))
        return table[~years.isin(list(withheld))].reset_index(drop=True)

    def again(touched: set[str]) -> None:  # the parts with newly hidden cells or withheld years, anew
        fresh = protect_parts(kept(frame), indicators, protection, only=touched, **options)
        for part in touched:
            parts.pop(part, None)
        parts.update(fresh)
        if not parts:  # every indicator-year withheld: an empty release of these indicators
            parts[""] = protect(frame.iloc[:0], indicators, protection, denominator_groups=groups,
                                denominators=denominators)

    parts = protect_parts(frame, indicators, protection, **options)
    for _ in range(MAX_ROUNDS):
        result = join(parts)
        if not denominators:  # the counts alone, without the audit's stronger attacker (comparisons only)
            break
        constraints = list(facts(result.published))
        check = audit(result.published, result.log, protection, constraints=constraints,
                      indicators=indicators, true_values=cells, earlier_releases=known, relations=relations)
        over_time = (audit_over_time(new_release(result.published, cells), patterns, protection, indicators, groups)
                     if patterns else pd.DataFrame(columns=KEY))
        if check.passed and over_time.empty:
            break
        published = result.published
        candidates = _partners(check.at_risk, constraints)
        keys = pd.MultiIndex.from_frame(published[KEY].astype({"year": "int64"}))
        hideable = published.loc[keys.isin(list(candidates)) & (published["status"] == "veröffentlicht")
                                 & (published["numerator"].fillna(0) > 0), KEY]
        new = {(i, int(y), d) for i, y, d in hideable.itertuples(index=False)}
        joint: set[tuple[str, int, str]] = set()
        if denominators:  # cells at risk that no fact touches: the joint bounds of counts and denominators
            in_facts = {(i, int(y), d) for fact in constraints for i, y, d in fact.terms}
            risk = check.at_risk
            alone = [(i, int(y), d) not in in_facts for i, y, d in risk[KEY].itertuples(index=False)]
            joint = _widest_sibling(published, risk[np.asarray(alone, dtype=bool)], cells)
            joint |= _widest_sibling(published, over_time[KEY], cells)  # by key in the new release
        joint -= new | forced
        forced_joint |= joint
        new |= joint
        new -= forced | published_before  # a cell published before is known: hiding it now adds nothing
        if not new:
            # nothing of the new release left to hide where an earlier release's cell is narrowed (a revised
            # total over small areas, say): its indicator-year is left out of this release, and what the
            # earlier release published stays all that is known of it
            more = {(str(i), int(y)) for i, y in over_time[["indicator_id", "year"]].itertuples(index=False)}
            more -= withheld
            if not more:
                break
            withheld |= more
            again(set(part_of(pd.Series([i for i, _ in more]), groups)))
            continue
        forced |= new
        force = pd.MultiIndex.from_frame(frame[KEY].astype({"year": "int64"})).isin(list(forced))
        frame = frame.assign(is_upstream_hidden=base | force)
        # only the parts with newly hidden cells change: the others keep their result
        again(set(part_of(pd.Series([i for i, _, _ in new]), groups)))
    result = join(parts)  # (the last round's, if the rounds ran out: the blocking audit judges it)
    if withheld:
        result = _with_withheld(result, withheld)
    if earlier_hidden:
        result = _relabel(result, cells, earlier_hidden, RULE_EARLIER)
    if forced_joint:
        result = _relabel(result, cells, forced_joint, RULE_JOINT)
    if forced:
        result = _relabel(result, cells, forced - forced_joint, RULE_LINKED)
    return result


def _with_withheld(result: ProtectionResult, years: set[tuple[str, int]]) -> ProtectionResult:
    """The result with ``years`` among its withheld indicator-years (reason ``WITHHELD_EARLIER``)."""
    mine = pd.DataFrame(sorted(years), columns=["indicator_id", "year"]).assign(reason=WITHHELD_EARLIER)
    return dataclasses.replace(result, withheld=pd.concat([result.withheld, mine], ignore_index=True))


def _relabel(result: ProtectionResult, cells: pd.DataFrame, keys: set[tuple[str, int, str]], rule: str
             ) -> ProtectionResult:
    """Log rows of ``keys`` that the forcing made "upstream" get ``rule`` (cells the source hid keep theirs)."""
    log = result.log
    was_upstream = pd.MultiIndex.from_frame(
        cells.loc[cells["is_upstream_hidden"].astype(bool), KEY].astype({"indicator_id": str, "district_id": str,
                                                                         "year": "int64"}))
    at = pd.MultiIndex.from_frame(log[KEY].astype({"indicator_id": str, "district_id": str, "year": "int64"}))
    relabel = at.isin(list(keys)) & ~at.isin(was_upstream) & (log["rule"] == "upstream").to_numpy()
    log.loc[relabel, "rule"] = rule
    counts = {str(r): int(c) for r, c in log["rule"].value_counts().sort_index().items()}
    counts["unresolved"] = int(log["unresolved"].sum())
    return dataclasses.replace(result, log=log, counts=counts)


def protect_linked(cells: pd.DataFrame, config: Config, known: pd.DataFrame | None = None, *,
                   denominators: bool = True, patterns: dict[str, pd.DataFrame] | None = None) -> ProtectionResult:
    """``protect`` every table, then hide linked cells until the declared relations give nothing away."""
    indicators = {i.id: i for i in config.indicators}
    linked = [r for r in config.relations if r.kind in LINKED_KINDS]

    def facts(published: pd.DataFrame) -> list[LinearConstraint]:
        return relation_constraints(published, linked) if linked else []

    return protect_together(cells, indicators, config.protection, facts, known, config.relations, denominators,
                            patterns)
