"""Primary suppression rules, the attacker's a-priori intervals and each cell's protection requirement.

Rules (thresholds from :class:`~pipelines.lib.config.Protection`, ``k`` per indicator):

* **P1 threshold** – ``1 ≤ x ≤ k−1``.
* **P2 complement** – ``1 ≤ n−x ≤ k−1`` wherever the denominator is known to an attacker: published
  (``denominator_public``) or derivable from a published count and its rate (``n ≈ x / rate``, up to
  the rate's rounding). A published count always carries its rate, so P2 applies to every cell with a
  denominator, public or not; ``denominator_public = false`` only keeps the denominator column empty.
* **P3 small populations** – population below ``min_population`` or denominator below
  ``min_denominator``: neither numerator nor denominator is published ("zu wenige Einwohner").
* **upstream** – the source already kept the cell secret.
* **P4 zeros** – with ``publish_zeros`` a zero is never hidden by P1/P2 or as a complement, so an
  attacker knows every "geheimgehalten" cell is ≥ 1. A P3 cell's status says nothing about its value,
  so its lower bound stays 0.
* **zeros beside small areas** – the exception to P4: among the parts of a district that has a P3 part,
  a zero may be hidden as a complement, so there a "geheimgehalten" cell is only known to be ≥ 0
  (:func:`beside_small_area`). The rule depends on public statuses only, so an attacker (and the audit)
  can tell where it applies. Without it a region whose only non-zero part is a P3 area with a tiny
  (derivable) denominator, beside published zeros, could never be protected: the region's status gives
  ``x ≥ 1``, its parts give ``x ≤ n`` of the P3 area, and nothing that may be hidden widens that.

Missing cells ("keine Daten") are unknowns in ``[0, ∞)``: they carry no information.

What the attacker knows a priori about a hidden cell: ``x ≥ 1`` (status "geheimgehalten", zeros
published and not beside a small area) or ``x ≥ 0``; ``x ≤ n`` for its denominator (published, or
worked out from the published rates of its parent and siblings: taken as known exactly, which is at
least what an attacker can derive); for a P3 cell ``x ≤ n`` with ``n`` bounded by the denominator
hierarchy and, when the district's published population is not small, ``n ≤ min_denominator − 1``
(the status can then only come from the denominator rule).

Requirements (checked against the attacker's exact bounds ``[L, U]``):

* P1, P3, upstream: ``U ≥ k``; P2: ``L ≤ n − k``; every hidden cell: ``U − L ≥ protection_interval``
  (at least 1: never a single value).
* With zeros published a hidden cell whose value is 0 (only P3 or upstream cells) has no
  requirement: knowing it is 0 is what publishing zeros means anyway.
* A requirement is capped by what the true denominator allows (``U ≥ min(k, n)``, width at most
  ``n − lower``): a cell with 2 examined children cannot have an upper bound of 3.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from pipelines.lib.config import Indicator, Protection
from pipelines.lib.protection.bounds import propagate
from pipelines.lib.protection.forest import Forest
from pipelines.lib.vocabulary import NO_DATA as STATUS_MISSING  # noqa: F401 (the protection's names)
from pipelines.lib.vocabulary import PUBLISHED as STATUS_PUBLISHED  # noqa: F401
from pipelines.lib.vocabulary import SECRET as STATUS_HIDDEN  # noqa: F401
from pipelines.lib.vocabulary import TOO_FEW as STATUS_SMALL  # noqa: F401

RULE_P1 = "P1"
RULE_P2 = "P2"
RULE_P1_P2 = "P1+P2"
RULE_P3 = "P3"
RULE_UPSTREAM = "upstream"
RULE_SECONDARY = "secondary"


@dataclass(frozen=True)
class Primary:
    """Per-cell arrays (positional, aligned with the cells frame)."""

    x: np.ndarray  # numerator, NaN = unknown
    n: np.ndarray  # denominator, NaN = unknown
    k: np.ndarray
    missing: np.ndarray  # "keine Daten"
    p3: np.ndarray  # "zu wenige Einwohner"
    small_population: np.ndarray  # the district's population is under min_population
    zeros_hideable: np.ndarray  # a zero here may be hidden (no publish_zeros, or beside a small area)
    rule: np.ndarray  # object: primary rule or None
    denominator_published: np.ndarray
    hidden_lo: np.ndarray  # a-priori lower bound if hidden
    hidden_hi: np.ndarray  # a-priori upper bound if hidden
    min_upper: np.ndarray  # -inf where no requirement
    max_lower: np.ndarray  # +inf where no requirement
    min_width: np.ndarray

    @property
    def primary(self) -> np.ndarray:
        return pd.notna(self.rule)


def classify(
    cells: pd.DataFrame, indicators: dict[str, Indicator], protection: Protection, forest: Forest
) -> Primary:
    """Apply P1–P3 and upstream secrecy; derive a-priori intervals and requirements."""
    ids = cells["indicator_id"].to_numpy()
    unknown = sorted(set(ids) - set(indicators))
    if unknown:
        raise KeyError(f"indicators missing from the catalogue: {unknown}")
    k_of = {i: protection.k_for(ind) for i, ind in indicators.items()}
    public_of = {i: bool(ind.denominator_public) for i, ind in indicators.items()}  # the column only
    k = np.array([k_of[i] for i in ids], dtype="float64")
    public = np.array([public_of[i] for i in ids], dtype=bool)

    x = cells["numerator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    n = cells["denominator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    pop = cells["population"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    upstream = cells["is_upstream_hidden"].fillna(False).to_numpy(dtype=bool)

    small_pop = pop < protection.min_population  # NaN compares False
    small_den = n < protection.min_denominator
    missing = np.isnan(x) & ~upstream
    p3 = (small_pop | small_den) & ~missing
    upstream = upstream & ~p3 & ~missing
    # (a cell hidden upstream, or kept hidden by the stage, whose count is known keeps its P1/P2 rule)
    open_ = ~missing & ~p3
    p1 = open_ & (x >= 1) & (x <= k - 1)
    comp = n - x  # NaN where the denominator is unknown: no P2
    p2 = open_ & (comp >= 1) & (comp <= k - 1)  # public or not: the rate gives n away

    rule = np.full(len(x), None, dtype=object)
    rule[upstream] = RULE_UPSTREAM
    rule[p1 & ~p2] = RULE_P1
    rule[p2 & ~p1] = RULE_P2
    rule[p1 & p2] = RULE_P1_P2
    rule[p3] = RULE_P3

    # Known to an attacker: every denominator outside P3, published or worked out from count and rate.
    den_known = ~(small_pop | small_den) & ~np.isnan(n)
    den_pub = public & den_known  # what the denominator column shows

    # The denominator hierarchy an attacker sees.
    n_lo = np.where(den_known, n, 0.0)
    n_hi = np.where(den_known, n, np.inf)
    p3_den_known_small = p3 & ~small_pop & ~np.isnan(pop)
    n_hi = np.where(p3_den_known_small, np.minimum(n_hi, protection.min_denominator - 1), n_hi)
    n_hi_tree = propagate(forest, n_lo, n_hi).upper
    n_hi_tree = np.where(p3_den_known_small, np.minimum(n_hi_tree, protection.min_denominator - 1), n_hi_tree)

    # beside a "keine Daten" part too: an earlier or later release may show it as "zu wenige Einwohner", and a
    # hidden cell's ≥ 1 there would narrow that release's parts (found by the property test over time)
    zeros_hideable = (beside_small_area(forest, p3 | missing) if protection.publish_zeros
                      else np.ones(len(x), dtype=bool))
    hidden_lo = np.where(p3 | zeros_hideable, 0.0, 1.0)
    hidden_hi = np.where(den_known, n, n_hi_tree)

    has_n = ~np.isnan(n)
    needs_k = np.isin(rule, [RULE_P1, RULE_P1_P2, RULE_P3, RULE_UPSTREAM])
    needs_c = np.isin(rule, [RULE_P2, RULE_P1_P2])
    min_upper = np.where(needs_k, np.where(has_n, np.minimum(k, n), k), -np.inf)
    max_lower = np.where(needs_c, np.maximum(n - k, hidden_lo), np.inf)
    width = float(max(1, protection.protection_interval))
    min_width = np.where(has_n, np.clip(n - hidden_lo, 0.0, width), width)
    if protection.publish_zeros:  # a zero may be known: zeros are published anyway (P3 / upstream zeros)
        zero = x == 0
        min_upper = np.where(zero, -np.inf, min_upper)
        max_lower = np.where(zero, np.inf, max_lower)
        min_width = np.where(zero, 0.0, min_width)

    return Primary(
        x=x,
        n=n,
        k=k,
        missing=missing,
        p3=p3,
        small_population=small_pop,
        zeros_hideable=zeros_hideable,
        rule=rule,
        denominator_published=den_pub,
        hidden_lo=hidden_lo,
        hidden_hi=hidden_hi,
        min_upper=min_upper,
        max_lower=max_lower,
        min_width=min_width,
    )


def beside_small_area(forest: Forest, p3: np.ndarray) -> np.ndarray:
    """Cells whose parent has a P3 ("zu wenige Einwohner") part: there zeros may be hidden."""
    child = forest.parent >= 0
    small_parts = np.bincount(forest.parent[child & p3], minlength=forest.size)
    return child & (small_parts[np.where(child, forest.parent, 0)] > 0)


def with_denominators(prim: Primary, upper: np.ndarray, tiny: np.ndarray, protection: Protection) -> Primary:
    """The requirements and a-priori intervals once the denominators are protected too
    (:mod:`.denominators`): every P3 cell whose true value is a P1 or P2 case gets the requirement of a
    primary cell; a tiny denominator (1 to k − 1) is bounded by the attacker's ``upper``, every other
    known denominator is taken as known exactly (``x ≤ n``: at least what an attacker can derive)."""
    x, n, k = prim.x, prim.n, prim.k
    has_n = ~np.isnan(n)
    hidden_hi = np.where(tiny, upper, np.where(has_n, n, prim.hidden_hi))
    p1_case = (x >= 1) & (x <= k - 1)
    p2_case = (n - x >= 1) & (n - x <= k - 1)
    width = float(max(1, protection.protection_interval))
    min_upper = np.where(prim.p3 & p1_case, k, prim.min_upper)
    min_width = np.where(tiny & (x >= 1), width, prim.min_width)
    max_lower = np.where(prim.p3 & p2_case, np.maximum(np.where(tiny, upper, n) - k, prim.hidden_lo), prim.max_lower)
    if protection.publish_zeros:
        zero = x == 0
        min_upper = np.where(zero, -np.inf, min_upper)
        max_lower = np.where(zero, np.inf, max_lower)
        min_width = np.where(zero, 0.0, min_width)
    return replace(prim, hidden_hi=hidden_hi, min_upper=min_upper, max_lower=max_lower, min_width=min_width)
