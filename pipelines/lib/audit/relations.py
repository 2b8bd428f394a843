"""Linked tables as audit constraints: declared relations between indicators' numerators.

``subset`` (part ≤ whole) and ``sum`` (Σ parts = total) hold for every district and year; wherever a
member is hidden, the relation is a linear fact an attacker can use together with the hierarchy sums.
Shared denominators add nothing here: equal denominators give equal P3 statuses, and published
denominators are read from each table already.

A multi-year total (published as an indicator of its own, keyed by the period's last year) is the
same kind of fact across years: :func:`multi_year_constraints`.
"""

from __future__ import annotations

import pandas as pd

from pipelines.lib.audit.linear import LinearConstraint
from pipelines.lib.audit.model import SECRET, TOO_FEW
from pipelines.lib.config import Relation

LINKED_KINDS = ("subset", "sum")


def relation_constraints(table: pd.DataFrame, relations: tuple[Relation, ...] | list[Relation]) -> list[LinearConstraint]:
    """One constraint per relation, year and district in which at least one member is hidden."""
    out: list[LinearConstraint] = []
    for rel in relations:
        if rel.kind not in LINKED_KINDS:
            continue
        members = list(rel.members)
        part = table.loc[table["indicator_id"].isin(members), ["indicator_id", "year", "district_id", "status"]]
        wide = part.pivot_table(index=["year", "district_id"], columns="indicator_id", values="status",
                                aggfunc="first")
        wide = wide.dropna(subset=[m for m in members if m in wide.columns])
        if any(m not in wide.columns for m in members):
            continue
        hidden = wide[members].isin([SECRET, TOO_FEW]).any(axis=1)
        if rel.kind == "subset":
            coefs = {members[0]: 1.0, members[1]: -1.0}
            bounds = {"upper": 0.0}
        else:
            coefs = {m: 1.0 for m in members[:-1]} | {members[-1]: -1.0}
            bounds = {"lower": 0.0, "upper": 0.0}
        for year, district in wide.index[hidden.to_numpy()]:
            terms = {(m, int(year), district): c for m, c in coefs.items()}
            out.append(LinearConstraint(terms=terms, label=f"{rel.kind}:{'+'.join(members)}:{year}:{district}",
                                        **bounds))
    return out


def multi_year_constraints(table: pd.DataFrame, indicator: str, total: str, years: int) -> list[LinearConstraint]:
    """``total(Y, d) = Σ indicator(y, d)`` for ``y`` in the ``years`` years up to ``Y``, wherever one is hidden."""
    cells = table.loc[table["indicator_id"].isin([indicator, total]), ["indicator_id", "year", "district_id", "status"]]
    status = {(i, int(y), d): s for i, y, d, s in cells.itertuples(index=False)}
    out: list[LinearConstraint] = []
    for (ind, year, district), st in status.items():
        if ind != total:
            continue
        parts = [(indicator, y, district) for y in range(year - years + 1, year + 1)]
        if any(p not in status for p in parts):
            continue
        if st in (SECRET, TOO_FEW) or any(status[p] in (SECRET, TOO_FEW) for p in parts):
            terms = {p: 1.0 for p in parts} | {(ind, year, district): -1.0}
            out.append(LinearConstraint(terms=terms, lower=0.0, upper=0.0,
                                        label=f"multi_year:{indicator}:{year - years + 1}-{year}:{district}"))
    return out
