"""What an attacker knows: the published table turned into variables, a-priori intervals and sums.

Built only from the published table (and earlier releases), never from the protection code:

* a published numerator is a known value;
* "geheimgehalten": ``x ≥ 1`` when zeros are published (a zero would have been shown), else ``x ≥ 0``;
  also ``x ≥ 0`` where a sibling is "zu wenige Einwohner" (zeros beside small areas may be hidden);
  ``x ≤ n`` for the largest denominator the attacker can prove (below);
* "zu wenige Einwohner": ``x ≥ 0``; ``x ≤ n`` likewise, and ``n ≤ min_denominator − 1`` when the
  district's population is published and not small (then only the denominator rule can have hidden it);
* "keine Daten": unknown in ``[0, ∞)`` — no information;
* a cell published in an earlier release is known (its earlier value).

Denominators (``n_lower``, ``n_upper``): a published denominator is known; where it is not published
(``denominator_public = false``) a published numerator and its rate give an interval (:mod:`.rates`:
39 at 97.5 % is 40); the denominators of every indicator-year add up the hierarchy too, so a hidden
cell's denominator follows from its parent's and its siblings'.

The equations are ``parent = Σ children`` for every indicator-year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.audit.propagation import tighten
from pipelines.lib.audit.rates import denominator_bounds
from pipelines.lib.config import Protection

PUBLISHED = "veröffentlicht"
SECRET = "geheimgehalten"
TOO_FEW = "zu wenige Einwohner"
NO_DATA = "keine Daten"
KEY = ["indicator_id", "year", "district_id"]


@dataclass
class AttackerModel:
    table: pd.DataFrame  # the published rows, positional index
    parent: np.ndarray  # row of the parent, -1 for a city
    group: np.ndarray  # indicator-year id
    lo: np.ndarray  # a-priori lower bound
    hi: np.ndarray  # a-priori upper bound (inf = none)
    hidden: np.ndarray  # a cell whose value is protected (secret or too few)
    known_before: np.ndarray  # hidden now but published in an earlier release
    floor: np.ndarray  # what "geheimgehalten" tells about a cell: x ≥ 1 or x ≥ 0
    n_lower: np.ndarray  # the denominator an attacker can prove: published, from rates, from the hierarchy
    n_upper: np.ndarray


def parent_rows(table: pd.DataFrame) -> np.ndarray:
    """Row number of each row's parent within the same indicator-year (-1 for the city)."""
    lookup = pd.Series(
        np.arange(len(table)),
        index=pd.MultiIndex.from_frame(table[KEY].astype({"year": "int64"})),
    )
    if lookup.index.has_duplicates:
        raise ValueError("published table has duplicate (indicator_id, year, district_id) rows")
    wanted = pd.MultiIndex.from_arrays(
        [table["indicator_id"], table["year"].astype("int64"), table["parent_id"]]
    )
    pos = lookup.reindex(wanted).to_numpy(dtype="float64")
    is_city = table["parent_id"].isna().to_numpy()
    if np.isnan(pos[~is_city]).any():
        raise ValueError("published table: a parent_id does not exist in the same indicator-year")
    return np.where(is_city, -1, np.nan_to_num(pos, nan=-1)).astype(np.int64)


def build_model(
    published: pd.DataFrame,
    protection: Protection,
    earlier_releases: pd.DataFrame | None = None,
    multipliers: dict[str, float] | None = None,
) -> AttackerModel:
    """The attacker's knowledge; ``multipliers`` (indicator → unit multiplier) turn shown rates into
    denominators. Without them a rate beside a published numerator and no denominator is an error."""
    table = published.reset_index(drop=True)
    parent = parent_rows(table)
    group = table.groupby(["indicator_id", "year"], sort=False).ngroup().to_numpy(np.int64)
    status = table["status"].to_numpy(dtype=object)
    num = table["numerator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    den = table["denominator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    pop = (
        table["population"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        if "population" in table
        else np.full(len(table), np.nan)
    )

    is_pub = status == PUBLISHED
    is_secret = status == SECRET
    is_few = status == TOO_FEW
    den_small_only = is_few & (pop >= protection.min_population)

    # denominators: published, else from a shown numerator and rate; then their own hierarchy
    from_rate = is_pub & np.isnan(den)
    if multipliers is None:
        if "rate" in table and (from_rate & ~np.isnan(num) & table["rate"].notna().to_numpy()).any():
            raise ValueError("rates are shown beside numerators without denominators: the audit needs the "
                             "indicators (their multipliers) to work the denominators out")
        multipliers = {}
    r_lo, r_hi = denominator_bounds(table, multipliers, from_rate)
    n_lo = np.where(np.isnan(den), np.maximum(r_lo, np.where(is_pub, np.nan_to_num(num), 0.0)), den)  # n ≥ x
    n_hi = np.where(np.isnan(den), r_hi, den)
    n_hi = np.where(den_small_only, np.minimum(n_hi, protection.min_denominator - 1), n_hi)
    n_lower, n_upper, _ = tighten(parent, n_lo, n_hi)

    floor = zero_floor(parent, is_few) if protection.publish_zeros else np.zeros(len(table))
    lo = np.zeros(len(table))
    hi = np.full(len(table), np.inf)
    lo[is_pub] = num[is_pub]
    hi[is_pub] = num[is_pub]
    lo[is_secret] = floor[is_secret]
    hi[is_secret] = n_upper[is_secret]  # x ≤ n
    hi[is_few] = n_upper[is_few]

    hidden = is_secret | is_few
    known_before = np.zeros(len(table), dtype=bool)
    if earlier_releases is not None and len(earlier_releases):
        earlier = earlier_releases.loc[earlier_releases["numerator"].notna(), [*KEY, "numerator"]]
        earlier = earlier.drop_duplicates(KEY, keep="last").astype({"year": "int64"})
        merged = table[KEY].astype({"year": "int64"}).merge(earlier, on=KEY, how="left")
        before = merged["numerator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        fix = ~np.isnan(before) & ~is_pub
        known_before = fix & hidden
        lo[fix] = before[fix]
        hi[fix] = before[fix]
    return AttackerModel(table, parent, group, lo, hi, hidden, known_before, floor, n_lower, n_upper)


def zero_floor(parent: np.ndarray, too_few: np.ndarray) -> np.ndarray:
    """1 where a hidden cell cannot be 0 (zeros are published), 0 beside a "zu wenige Einwohner" sibling."""
    child = parent >= 0
    small_siblings = np.bincount(parent[child & too_few], minlength=len(parent))
    beside_small = child & (small_siblings[np.where(child, parent, 0)] > 0)
    return np.where(beside_small, 0.0, 1.0)
