"""The protection stage: primary rules, secondary suppression, the published cells and the private log.

``protect(cells, indicators, protection)`` takes every indicator × year × district cell at every level
(the warehouse's ``int_indicator_cells``) and returns the cells that may be published plus the private
suppression log. Every hidden cell gets one public status — "geheimgehalten", or "zu wenige Einwohner"
for P3 — and the reason (P1, P2, P1+P2, P3, upstream, secondary) goes only into the log, together with
the requirement the independent audit must verify (``min_upper``, ``max_lower``, ``min_width``; no
values).

Published denominators: where the indicator's denominator is public and the cell is not P3 (hidden
cells keep their denominator: ``x ≤ n`` is part of the attacker model). Rates are given only for
published numerators (``rate`` is NA for every hidden cell), rounded to ``rate_decimals`` — for
private denominators too, so ``x / rate`` gives such a denominator away up to the rounding: the
protection treats it as known (P2, ``x ≤ n``) and ``denominator_public = false`` only keeps the
``denominator`` column empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipelines.lib.config import Indicator, Protection
from pipelines.lib.protection.area_systems import REASON as AREA_SYSTEM
from pipelines.lib.protection.area_systems import published_elsewhere
from pipelines.lib.protection.denominators import protect_denominators
from pipelines.lib.protection.forest import build_forest
from pipelines.lib.protection.optimal import suppress_optimal
from pipelines.lib.protection.primary import (
    RULE_SECONDARY,
    STATUS_HIDDEN,
    STATUS_MISSING,
    STATUS_PUBLISHED,
    STATUS_SMALL,
    classify,
    with_denominators,
)
from pipelines.lib.protection.secondary import Pattern, suppress

REQUIRED_COLUMNS = (
    "indicator_id",
    "year",
    "district_id",
    "parent_id",
    "level_rank",
    "numerator",
    "denominator",
    "population",
    "is_upstream_hidden",
)
KEEP_DENOMINATOR = "keep_denominator_hidden"  # optional column: a denominator withheld before, unchanged

STATUSES = [STATUS_PUBLISHED, STATUS_HIDDEN, STATUS_SMALL, STATUS_MISSING]
UNIT_COLUMNS = ["indicator_id", "year", "method", "reason", "greedy_cost", "cost", "seconds"]
LOG_COLUMNS = ["indicator_id", "year", "district_id", "rule", "k", "min_upper", "max_lower", "min_width"]


@dataclass(frozen=True)
class ProtectionResult:
    """``published``: the protected cells; ``log``: the private suppression log."""

    published: pd.DataFrame
    log: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)  # hidden cells by rule (+ "unresolved")
    withheld: pd.DataFrame | None = None  # indicator-years left out: published before on other districts
    withheld_denominators: pd.DataFrame | None = None  # keys of published counts whose denominator is hidden
    # secondary = "optimal": one row per indicator-year with complements (UNIT_COLUMNS); method "greedy" = fallback
    units: pd.DataFrame | None = None

    @property
    def fallback_units(self) -> pd.DataFrame:
        """Indicator-years that kept the greedy pattern under ``secondary = "optimal"`` (and why)."""
        if self.units is None:
            return pd.DataFrame(columns=UNIT_COLUMNS)
        return self.units[self.units["method"] == "greedy"].reset_index(drop=True)

    @property
    def unresolved(self) -> pd.DataFrame:
        """Hidden cells whose requirement could not be met (empty in a normal run)."""
        return self.log[self.log["unresolved"]]


def protect(
    cells: pd.DataFrame,
    indicators: dict[str, Indicator],
    protection: Protection,
    *,
    earlier_releases: pd.DataFrame | None = None,
    denominator_groups: dict[str, str] | None = None,
    denominators: bool = True,
) -> ProtectionResult:
    """Primary and secondary suppression of every indicator-year hierarchy.

    ``denominators``: protect the denominator table too (:mod:`.denominators`; ``denominator_groups``:
    indicator → its shared denominator); ``False`` gives the protection of the counts alone, as before
    (for comparisons only).

    ``earlier_releases`` (``indicator_id, year, district_id, numerator``): numerators already
    published for the same cells. Such a cell is known to an attacker even if hidden now, so it is
    never chosen as a complement; a primary cell published before cannot be protected any more and
    is reported as unresolved. Indicator-years that earlier releases published on districts that no
    longer exist (another area system) are left out (:mod:`.area_systems`).
    """
    missing_cols = [c for c in REQUIRED_COLUMNS if c not in cells.columns]
    if missing_cols:
        raise KeyError(f"cells lack columns: {missing_cols}")
    withheld = published_elsewhere(cells, earlier_releases)
    frame = cells.reset_index(drop=True)
    if len(withheld):
        keys = pd.MultiIndex.from_frame(frame[["indicator_id", "year"]].astype({"year": "int64"}))
        frame = frame[~keys.isin(pd.MultiIndex.from_frame(withheld))].reset_index(drop=True)
    forest = build_forest(frame)
    prim = classify(frame, indicators, protection, forest)
    known = _known_before(frame, earlier_releases)
    dens = None
    if denominators:
        keep = (frame[KEEP_DENOMINATOR].fillna(False).to_numpy(dtype=bool) if KEEP_DENOMINATOR in frame
                else None)
        dens = protect_denominators(frame, prim, protection, denominator_groups, keep=keep)
        prim = with_denominators(prim, dens.upper, dens.tiny, protection)

    x = prim.x
    pattern = counts_pattern(forest, prim, known)
    units = None
    if protection.secondary == "optimal":
        # integer costs (cells: a tie-break below 1 on top): a gap of 0.5 proves the optimum (the fewest cells)
        opt = suppress_optimal(forest, pattern, budget=protection.time_budget,
                               cost=secondary_cost(protection.cost, x, frame), gap=0.5)
        secondary, unresolved = opt.secondary, opt.unresolved
        units = _units(frame, forest, opt)
    else:
        secondary, unresolved = suppress(forest, pattern)
    hidden = prim.primary | secondary
    withheld_den = dens.withheld if dens is not None else np.zeros(len(frame), dtype=bool)
    if dens is not None:
        unresolved = unresolved | (dens.unresolved & hidden)

    rule = prim.rule.copy()
    rule[secondary] = RULE_SECONDARY
    status = np.where(
        prim.missing,
        STATUS_MISSING,
        np.where(prim.p3, STATUS_SMALL, np.where(hidden, STATUS_HIDDEN, STATUS_PUBLISHED)),
    )
    published_num = ~hidden & ~prim.missing
    keep = [c for c in frame.columns if c not in ("numerator", "denominator", "is_upstream_hidden", KEEP_DENOMINATOR)]
    out = frame[keep].copy()
    out["numerator"] = pd.array(np.where(published_num, x, np.nan), dtype="Float64").astype("Int64")
    den = np.where(prim.denominator_published & ~withheld_den, prim.n, np.nan)
    out["denominator"] = pd.array(den, dtype="Float64").astype("Int64")
    out["rate"] = _rates(frame, indicators, protection, published_num & ~withheld_den, x, prim.n)
    out["status"] = pd.Categorical(status, categories=STATUSES)  # a byte a cell: national results are big

    log = frame.loc[hidden, ["indicator_id", "year", "district_id"]].copy()
    log["rule"] = rule[hidden]
    log["k"] = prim.k[hidden].astype(int)
    log["min_upper"] = pd.array(np.where(np.isfinite(prim.min_upper), prim.min_upper, 0.0)[hidden])
    log["max_lower"] = pd.array(np.where(np.isfinite(prim.max_lower), prim.max_lower, np.nan)[hidden])
    log["min_width"] = pd.array(prim.min_width[hidden])
    for col in ("min_upper", "max_lower", "min_width"):
        log[col] = log[col].astype("Float64").round().astype("Int64")
    log["unresolved"] = unresolved[hidden]
    log = log.reset_index(drop=True)

    counts = {str(r): int(c) for r, c in log["rule"].value_counts().sort_index().items()}
    counts["unresolved"] = int(log["unresolved"].sum())
    withheld_keys = frame.loc[withheld_den, ["indicator_id", "year", "district_id"]].reset_index(drop=True)
    return ProtectionResult(published=out, log=log, counts=counts,
                            withheld=withheld.assign(reason=AREA_SYSTEM),
                            withheld_denominators=withheld_keys, units=units)


def counts_pattern(forest, prim, known: np.ndarray) -> Pattern:
    """The secondary suppression's inputs for the counts (``prim``: the :class:`~.primary.Primary`)."""
    x = prim.x
    hideable = ~prim.primary & ~prim.missing & ~np.isnan(x) & ~known
    hideable &= (x != 0) | prim.zeros_hideable
    depth_weight = 4.0 ** (forest.depth.max() - forest.depth) if forest.size else np.zeros(0)
    return Pattern(
        x=x,
        primary=prim.primary,
        missing=prim.missing,
        known=known,
        hideable=hideable,
        hidden_lo=prim.hidden_lo,
        hidden_hi=prim.hidden_hi,
        min_upper=prim.min_upper,
        max_lower=prim.max_lower,
        min_width=prim.min_width,
        cost=(np.nan_to_num(x) + 1.0) * depth_weight,
    )


def secondary_cost(kind: str, x: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
    """What the optimal secondary suppression minimises per hidden complement.

    ``cells``: the number of hidden cells (ties broken towards small values, best effort: the tie-break
    adds less than 1 in all); ``values``: the sum of
    the hidden counts (+1 a cell), so large counts stay visible; ``population``: the inhabitants of the
    hidden districts (+1), so the districts where most people live stay on the map.
    """
    value = np.nan_to_num(x) + 1.0
    if kind == "values":
        return value
    if kind == "population":
        pop = pd.to_numeric(frame["population"], errors="coerce").to_numpy(dtype=float)
        return np.nan_to_num(pop) + 1.0
    if kind != "cells":
        raise ValueError(f"unknown secondary cost {kind!r}")
    return 1.0 + value / (value.sum() + 1.0)


def _units(frame: pd.DataFrame, forest, opt) -> pd.DataFrame:
    roots = np.flatnonzero(forest.parent < 0)
    order = np.argsort(forest.tree[roots])
    keys = frame.loc[roots[order], ["indicator_id", "year"]].reset_index(drop=True)
    units = keys.assign(method=opt.status, reason=opt.reason, greedy_cost=opt.greedy_cost, cost=opt.cost,
                       seconds=opt.seconds)
    return units[units["method"] != "none"].reset_index(drop=True)


def _known_before(frame: pd.DataFrame, earlier: pd.DataFrame | None) -> np.ndarray:
    if earlier is None or earlier.empty:
        return np.zeros(len(frame), dtype=bool)
    keys = ["indicator_id", "year", "district_id"]
    done = earlier.loc[earlier["numerator"].notna(), keys].drop_duplicates().assign(_known=True)
    merged = frame[keys].merge(done, on=keys, how="left")
    return merged["_known"].fillna(False).to_numpy(dtype=bool)


def _rates(frame, indicators, protection, published_num, x, n) -> pd.Series:
    mult = frame["indicator_id"].map({i: ind.multiplier for i, ind in indicators.items()}).to_numpy(float)
    ok = published_num & ~np.isnan(n) & (n > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(ok, x / n * mult, np.nan)
    return pd.Series(pd.array(np.round(rate, protection.rate_decimals), dtype="Float64"), index=frame.index)
