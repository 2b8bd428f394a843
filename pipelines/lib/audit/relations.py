"""Linked tables as audit constraints: declared relations between indicators' numerators.

``subset`` (part ≤ whole) and ``sum`` (Σ parts = total) hold for every district and year; wherever a
member is hidden, the relation is a linear fact an attacker can use together with the hierarchy sums.
Shared denominators add nothing here: equal denominators give equal P3 statuses, and published
denominators are read from each table already.
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
