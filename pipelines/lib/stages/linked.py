"""Linked tables protected together: suppression repeated until the audit passes with the relations.

Each indicator-year is suppressed on its own hierarchy first. Where a declared relation (a subset, a
sum of parts) lets an attacker narrow a hidden cell, the related cells of the same district and year
are hidden too ("linked") and the suppression runs again, until the audit with all relation
constraints passes or nothing more can be hidden (the blocking audit of the release then stops it).
"""

from __future__ import annotations

import pandas as pd

from pipelines.lib.audit import audit
from pipelines.lib.audit.relations import LINKED_KINDS, relation_constraints
from pipelines.lib.config import Config
from pipelines.lib.protection import ProtectionResult, protect

KEY = ["indicator_id", "year", "district_id"]
MAX_ROUNDS = 8
RULE_LINKED = "linked"


def _related(at_risk: pd.DataFrame, config: Config) -> set[tuple[str, int, str]]:
    partners: dict[str, set[str]] = {}
    for rel in config.relations:
        if rel.kind in LINKED_KINDS:
            for member in rel.members:
                partners.setdefault(member, set()).update(m for m in rel.members if m != member)
    return {(other, int(year), district)
            for indicator, year, district in at_risk[KEY].itertuples(index=False)
            for other in partners.get(indicator, ())}


def protect_linked(cells: pd.DataFrame, config: Config, known: pd.DataFrame | None = None) -> ProtectionResult:
    """``protect`` every table, then hide linked cells until the relations give nothing away."""
    indicators = {i.id: i for i in config.indicators}
    linked = [r for r in config.relations if r.kind in LINKED_KINDS]
    forced: set[tuple[str, int, str]] = set()
    frame = cells.copy()
    for _ in range(MAX_ROUNDS):
        result = protect(frame, indicators, config.protection, earlier_releases=known)
        constraints = relation_constraints(result.published, linked) if linked else []
        if not constraints:
            break
        check = audit(result.published, result.log, config.protection, constraints=constraints,
                      indicators=indicators, true_values=cells)
        if check.passed:
            break
        published = result.published
        candidates = _related(check.at_risk, config)
        keys = pd.MultiIndex.from_frame(published[KEY].astype({"year": "int64"}))
        hideable = published.loc[keys.isin(list(candidates)) & (published["status"] == "veröffentlicht")
                                 & (published["numerator"].fillna(0) > 0), KEY]
        new = {(i, int(y), d) for i, y, d in hideable.itertuples(index=False)} - forced
        if not new:
            break
        forced |= new
        force = pd.MultiIndex.from_frame(frame[KEY].astype({"year": "int64"})).isin(list(forced))
        frame["is_upstream_hidden"] = cells["is_upstream_hidden"].astype(bool).to_numpy() | force
    if forced:
        log = result.log
        was_upstream = pd.MultiIndex.from_frame(
            cells.loc[cells["is_upstream_hidden"].astype(bool), KEY].astype({"year": "int64"}))
        keys = pd.MultiIndex.from_frame(log[KEY].astype({"year": "int64"}))
        relabel = keys.isin(list(forced)) & ~keys.isin(was_upstream) & (log["rule"] == "upstream").to_numpy()
        log.loc[relabel, "rule"] = RULE_LINKED
        counts = {str(r): int(c) for r, c in log["rule"].value_counts().sort_index().items()}
        counts["unresolved"] = int(log["unresolved"].sum())
        result = ProtectionResult(published=result.published, log=log, counts=counts)
    return result
