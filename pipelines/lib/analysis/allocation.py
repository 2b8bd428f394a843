"""Needs-based allocation of a budget to the districts of one level, from published figures only.

Two methods (``[allocation] method``):

* ``"formula"`` (plusKITA-style): a district's share is ``Σ_k w_k · x_ik / Σ_i x_ik`` over the configured
  components ``k`` (published numerators, e.g. 75 % children in SGB II households + 25 % language
  findings);
* ``"need_class"``: a district's share is proportional to ``multiplier[need class] × reference population``.

Amounts are whole euros by largest-remainder rounding (floor of each exact quota, the remaining euros
to the largest fractional parts, ties by district key), so they sum exactly to the budget. Beside each
amount: the amount per child of the reference population (the denominator of ``reference_indicator``),
what a per-capita split of the same budget would give and the difference.

Hidden inputs: a district of the level whose count is not published gets an estimate from published
figures only — its nearest published ancestor's count minus the published counts of that ancestor's
other parts, split among the unpublished parts by their published population (never below zero).
Hidden values therefore never influence a published amount. ``allocation_terms`` publishes the linear
combination of published counts behind every amount (``quota = Σ coefficient · numerator``), and the
release audit adds ``amount − 1 ≤ quota ≤ amount + 1`` as linear constraints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipelines.lib.audit import LinearConstraint
from pipelines.lib.config import Config
from pipelines.lib.vocabulary import PUBLISHED

ESTIMATED = "geschätzt aus übergeordneten Gebieten"
PUBLISHED_SOURCE = PUBLISHED
COLUMNS = [
    "district_id", "level", "year", "method", "input_source", "share", "amount", "reference_population",
    "amount_per_child", "per_capita_amount", "difference",
]
TERM_COLUMNS = ["district_id", "indicator_id", "year", "source_district_id", "coefficient"]
DEFAULT_CLASS_MULTIPLIERS = {"niedrig": 0.75, "mittel": 1.0, "hoch": 1.25, "sehr hoch": 1.5}


@dataclass(frozen=True)
class AllocationSettings:
    """``[allocation]`` of ``sozialmonitor.toml``."""

    budget: int = 1_000_000
    level: str | None = None
    method: str = "formula"  # "formula" | "need_class"
    components: dict[str, float] = field(default_factory=lambda: {"kinderarmut": 0.75, "sprachdefizit": 0.25})
    class_multipliers: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CLASS_MULTIPLIERS))
    reference_indicator: str = "kinderarmut"
    year: int | None = None

    @classmethod
    def from_config(cls, config: Config) -> AllocationSettings:
        raw = config.section("allocation")
        base = cls()
        method = raw.get("method", base.method)
        if method not in ("formula", "need_class"):
            raise ValueError("[allocation] method must be 'formula' or 'need_class'")
        components = {k: float(v) for k, v in raw.get("components", base.components).items()}
        total = sum(components.values())
        if method == "formula" and (not components or total <= 0):
            raise ValueError("[allocation] components need positive weights")
        return cls(
            budget=int(raw.get("budget", base.budget)),
            level=raw.get("level", config.leaf_level),
            method=method,
            components={k: v / total for k, v in components.items()},
            class_multipliers={**base.class_multipliers,
                               **{k: float(v) for k, v in raw.get("class_multipliers", {}).items()}},
            reference_indicator=raw.get("reference_indicator", base.reference_indicator),
            year=int(raw["year"]) if "year" in raw else None,
        )


def largest_remainder(quotas, keys, total: int) -> np.ndarray:
    """Whole numbers summing exactly to ``total``: floors, then one more for the largest remainders.

    Ties in the remainder are broken by ``keys`` (ascending).

    >>> largest_remainder([1.5, 1.5, 1.0], ["b", "a", "c"], 4).tolist()
    [1, 2, 1]
    """
    q = np.asarray(quotas, dtype=float)
    base = np.floor(q + 1e-9).astype(np.int64)
    rest = int(total - base.sum())
    frac = np.round(q - base, 9)
    order = sorted(range(len(q)), key=lambda i: (-frac[i], str(keys[i])))
    out = base.copy()
    if rest > 0:
        for i in order[:rest]:
            out[i] += 1
    elif rest < 0:
        raise ValueError("quotas exceed the total")
    return out


def resolve(values: dict[str, float], children: dict[str, list[str]], level_of: dict[str, str],
            weights: dict[str, float], root: str, level: str) -> dict[str, dict[str, float]]:
    """Each district of ``level`` as a linear combination ``{published district: coefficient}``.

    ``values``: published counts (unpublished districts absent). Top-down from ``root``: a published
    district is itself; the unpublished children of a district share what its published children leave
    of it, in proportion to ``weights`` (published population), never below zero.
    """
    out: dict[str, dict[str, float]] = {}

    def value(expr: dict[str, float]) -> float:
        return sum(c * values[d] for d, c in expr.items())

    def expand(node: str, expr: dict[str, float]) -> None:
        if level_of[node] == level:
            out[node] = expr
            return
        kids = children.get(node, [])
        known = [c for c in kids if c in values]
        unknown = [c for c in kids if c not in values]
        for c in known:
            expand(c, {c: 1.0})
        if not unknown:
            return
        rest = dict(expr)
        for c in known:
            rest[c] = rest.get(c, 0.0) - 1.0
        rest = {d: c for d, c in rest.items() if abs(c) > 1e-15}
        if value(rest) <= 0:
            rest = {}
        w = np.array([max(weights.get(u, 0.0), 0.0) for u in unknown], dtype=float)
        share = w / w.sum() if w.sum() > 0 else np.full(len(unknown), 1 / len(unknown))
        for u, s in zip(unknown, share, strict=True):
            expand(u, {d: c * s for d, c in rest.items()})

    if root in values:
        expand(root, {root: 1.0})
    return out


def _hierarchy(districts: pd.DataFrame):
    children: dict[str, list[str]] = {}
    for d, p in zip(districts["district_id"], districts["parent_id"], strict=True):
        if isinstance(p, str):
            children.setdefault(p, []).append(d)
    for kids in children.values():
        kids.sort()
    level_of = dict(zip(districts["district_id"], districts["level"], strict=True))
    weights = dict(zip(districts["district_id"], districts["population"].astype(float).fillna(0.0), strict=True))
    root = districts.loc[districts["level_rank"] == 0, "district_id"].iloc[0]
    return children, level_of, weights, root


def _published(values: pd.DataFrame, indicator: str, year: int, column: str) -> dict[str, float]:
    v = values[(values["indicator_id"] == indicator) & (values["year"] == year) & values[column].notna()]
    if column == "numerator":
        v = v[v["status"] == "veröffentlicht"]
    return dict(zip(v["district_id"], v[column].astype(float), strict=True))


def allocate(values: pd.DataFrame, districts: pd.DataFrame, need: pd.DataFrame | None, settings: AllocationSettings
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The allocation table and its terms (see the module docstring)."""
    children, level_of, weights, root = _hierarchy(districts)
    level = settings.level
    ids = sorted(d for d, lv in level_of.items() if lv == level)
    needed = list(settings.components) if settings.method == "formula" else []
    year = settings.year
    if year is None:
        ok = [y for y in sorted(values["year"].unique(), reverse=True)
              if all(root in _published(values, k, int(y), "numerator") for k in needed)
              and root in _published(values, settings.reference_indicator, int(y), "denominator")]
        if not ok:
            return pd.DataFrame(columns=COLUMNS), pd.DataFrame(columns=TERM_COLUMNS)
        year = int(ok[0])

    den = _published(values, settings.reference_indicator, year, "denominator")
    ref_expr = resolve(den, children, level_of, weights, root, level)
    reference = np.array([sum(c * den[d] for d, c in ref_expr.get(i, {}).items()) for i in ids])
    source = {i: PUBLISHED_SOURCE for i in ids}
    quota = np.zeros(len(ids))
    terms = []
    if settings.method == "formula":
        for k, wk in settings.components.items():
            pub = _published(values, k, year, "numerator")
            exprs = resolve(pub, children, level_of, weights, root, level)
            counts = np.array([sum(c * pub[d] for d, c in exprs.get(i, {}).items()) for i in ids])
            total = counts.sum()
            if total <= 0:
                continue
            factor = settings.budget * wk / total
            quota += factor * counts
            for i in ids:
                expr = exprs.get(i, {})
                if expr != {i: 1.0}:
                    source[i] = ESTIMATED
                terms += [{"district_id": i, "indicator_id": k, "year": year, "source_district_id": d,
                           "coefficient": factor * c} for d, c in sorted(expr.items())]
    else:
        classes = need[need["level"] == level].set_index("district_id")["status_label"] if need is not None else {}
        mult = np.array([settings.class_multipliers.get(classes.get(i), 1.0) if classes.get(i) is not None
                         else 1.0 for i in ids])
        weight = mult * reference
        quota = settings.budget * weight / weight.sum() if weight.sum() > 0 else np.zeros(len(ids))
    for i in ids:
        if ref_expr.get(i, {}) != {i: 1.0}:
            source[i] = ESTIMATED
    amount = largest_remainder(quota, ids, settings.budget)
    per_capita = largest_remainder(settings.budget * reference / reference.sum(), ids, settings.budget)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_child = np.where(reference > 0, amount / reference, np.nan)
    out = pd.DataFrame({
        "district_id": ids, "level": level, "year": year, "method": settings.method,
        "input_source": [source[i] for i in ids], "share": np.round(quota / settings.budget, 9),
        "amount": amount, "reference_population": np.round(reference, 1), "amount_per_child": np.round(per_child, 2),
        "per_capita_amount": per_capita, "difference": amount - per_capita,
    })
    out["amount_per_child"] = out["amount_per_child"].astype("Float64")
    return out[COLUMNS], pd.DataFrame(terms, columns=TERM_COLUMNS)


def allocation_constraints(allocation: pd.DataFrame, terms: pd.DataFrame) -> list[LinearConstraint]:
    """``amount − 1 ≤ Σ coefficient · numerator ≤ amount + 1`` for every formula amount.

    Largest-remainder rounding moves an exact quota by less than one euro either way.
    """
    constraints = []
    for (district, year), group in terms.groupby(["district_id", "year"], sort=True):
        amount = allocation.loc[allocation["district_id"] == district, "amount"]
        if amount.empty:
            continue
        coef: dict[tuple[str, int, str], float] = {}
        for row in group.itertuples(index=False):
            key = (row.indicator_id, int(row.year), row.source_district_id)
            coef[key] = coef.get(key, 0.0) + float(row.coefficient)
        a = float(amount.iloc[0])
        constraints.append(LinearConstraint(terms=coef, lower=a - 1 - 1e-6, upper=a + 1 + 1e-6,
                                            label=f"allocation {district} {year}"))
    return [c for c in constraints if not all(math.isclose(v, 0.0) for v in c.terms.values())]
