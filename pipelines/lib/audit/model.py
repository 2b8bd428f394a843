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
from typing import NamedTuple

import numpy as np
import pandas as pd

from pipelines.lib.audit.denominators import (
    band_values,
    joint_bounds,
    shared_variables,
    to_variables,
    variable_parents,
    year_population,
)
from pipelines.lib.audit.rates import denominator_bounds
from pipelines.lib.config import Protection
from pipelines.lib.vocabulary import NO_DATA, PUBLISHED, SECRET, TOO_FEW

KEY = ["indicator_id", "year", "district_id"]


def _codes(values: pd.Series, uniques: pd.Index) -> np.ndarray:
    """Position of every value among ``uniques`` (-1 where it is not there or missing)."""
    if len(values) and len(uniques) and (
        pd.api.types.is_numeric_dtype(values.dtype) != pd.api.types.is_numeric_dtype(uniques.dtype)
    ):
        raise ValueError(f"cannot match keys of type {values.dtype} with keys of type {uniques.dtype}")
    codes, distinct = factorize(values)  # the few distinct values are looked up, not the millions of rows
    per_value = uniques.get_indexer(distinct)
    return np.where(codes >= 0, per_value[codes] if len(per_value) else -1, -1).astype(np.int64)


def factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 for missing) and the distinct values; a categorical's codes as they are."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64), pd.Index(values.cat.categories)
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), pd.Index(uniques)


class KeyCodes(NamedTuple):
    """A table's keys as integers: indicator and district codes with their distinct values, and the years
    with the first year and the number of years from it."""

    indicator: np.ndarray
    indicators: pd.Index
    district: np.ndarray
    districts: pd.Index
    years: np.ndarray
    first_year: int
    n_years: int


def key_codes(table: pd.DataFrame) -> KeyCodes:
    indicator, indicators = factorize(table["indicator_id"])
    district, districts = factorize(table["district_id"])
    years = table["year"].to_numpy().astype(np.int64)
    first = int(years.min()) if len(years) else 0
    n_years = int(years.max()) - first + 1 if len(years) else 1
    return KeyCodes(indicator, indicators, district, districts, years, first, n_years)


DENSE = 4  # a direct lookup table while the key space is at most this many times the rows


def _small(codes: np.ndarray) -> np.ndarray:
    """Codes (≥ −1) in the smallest integer type that holds them: ten million of them are kept."""
    top = int(codes.max()) if len(codes) else 0
    for kind in (np.int8, np.int16, np.int32):
        if top <= np.iinfo(kind).max:
            return codes.astype(kind)
    return codes.astype(np.int64)


@dataclass(frozen=True)
class CellIndex:
    """The published table's ``(indicator_id, year, district_id)`` keys as integers: other tables' rows
    (true values, the log, earlier releases, constraints) are looked up by position instead of merged on
    text columns, in a few passes over integer arrays."""

    indicators: pd.Index  # distinct indicator ids
    districts: pd.Index  # distinct district ids
    first_year: int
    n_years: int
    indicator: np.ndarray  # code of every row's indicator
    year: np.ndarray  # every row's year minus first_year
    district: np.ndarray  # code of every row's district
    lookup: np.ndarray  # row of every key (-1: none) where the key space is small, else empty
    sorted_keys: np.ndarray  # otherwise: the rows' keys, ascending
    order: np.ndarray  # and the row of each sorted key

    @classmethod
    def of(cls, table: pd.DataFrame) -> CellIndex:
        indicator, indicators, district, districts, years, first, n_years = key_codes(table)
        indicator, year, district = _small(indicator), _small(years - first), _small(district)
        small = np.int32 if len(years) < 2**31 else np.int64  # for row numbers
        del years
        empty = np.zeros(0, dtype=np.int64)
        index = cls(indicators, districts, first, n_years, indicator, year, district, empty, empty, empty)
        keys = index._keys(indicator, year, district)
        space = len(indicators) * n_years * max(len(districts), 1)
        if space <= DENSE * len(keys) + 1024:
            valid = keys >= 0
            if (np.bincount(keys[valid], minlength=space) > 1).any():
                raise ValueError("published table has duplicate (indicator_id, year, district_id) rows")
            lookup = np.full(space, -1, dtype=small)
            lookup[keys[valid]] = np.flatnonzero(valid)
            object.__setattr__(index, "lookup", lookup)
        else:
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            if len(sorted_keys) > 1 and (np.diff(sorted_keys[sorted_keys >= 0]) == 0).any():
                raise ValueError("published table has duplicate (indicator_id, year, district_id) rows")
            object.__setattr__(index, "sorted_keys", sorted_keys)
            object.__setattr__(index, "order", order)
        return index

    @property
    def n_rows(self) -> int:
        return len(self.indicator)

    def _keys(self, indicator: np.ndarray, year: np.ndarray, district: np.ndarray) -> np.ndarray:
        """One integer (int64) per key; -1 where a part is unknown."""
        valid = (indicator >= 0) & (district >= 0) & (year >= 0) & (year < self.n_years)
        keys = self.group_keys(indicator, year) * max(len(self.districts), 1) + district
        return np.where(valid, keys, -1)

    def group_keys(self, indicator: np.ndarray, year: np.ndarray) -> np.ndarray:
        """One integer (int64) per indicator-year; -1 where a part is unknown."""
        valid = (indicator >= 0) & (year >= 0) & (year < self.n_years)
        return np.where(valid, indicator.astype(np.int64) * self.n_years + year, -1)

    def codes(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indicator, year, district) codes of ``frame``'s rows in this index (-1 where unknown)."""
        years = frame["year"].astype("int64").to_numpy() - self.first_year
        return _codes(frame["indicator_id"], self.indicators), years, _codes(frame["district_id"], self.districts)

    def rows_of_keys(self, indicator: np.ndarray, year: np.ndarray, district: np.ndarray) -> np.ndarray:
        """The table row of every key, -1 where the table has no such row."""
        keys = self._keys(indicator, year, district)
        if len(self.lookup):
            return np.where(keys >= 0, self.lookup[np.maximum(keys, 0)], -1).astype(np.int64)
        if not len(self.sorted_keys):
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.sorted_keys, keys), len(self.sorted_keys) - 1)
        found = (keys >= 0) & (self.sorted_keys[at] == keys)
        return np.where(found, self.order[at], -1)

    def rows(self, frame: pd.DataFrame, chunk: int = 1 << 20) -> np.ndarray:
        """The table row of every row of ``frame`` (by its key columns), -1 where there is none; a million
        rows at a time (the temporary keys of ten million take a gigabyte)."""
        if len(frame) <= chunk:
            return self.rows_of_keys(*self.codes(frame))
        out = np.empty(len(frame), dtype=np.int64)
        for start in range(0, len(frame), chunk):
            out[start:start + chunk] = self.rows_of_keys(*self.codes(frame.iloc[start:start + chunk]))
        return out

    def scatter(self, frame: pd.DataFrame, values: np.ndarray, fill, *, keep: str = "first") -> np.ndarray:
        """``values`` (one per row of ``frame``) placed at the table rows of ``frame``'s keys, ``fill``
        elsewhere, as ``drop_duplicates(keep=keep)`` and a left merge on the keys would give them."""
        values = np.asarray(values)
        rows = self.rows(frame)
        out = np.full(self.n_rows, fill, dtype=values.dtype if len(values) else object)
        hit = np.flatnonzero(rows >= 0)
        if not (np.bincount(rows[hit], minlength=self.n_rows) > 1).any():  # one row per key: as it is
            out[rows[hit]] = values[hit]
            return out
        if keep == "last":
            hit = hit[::-1]
        first = first_of_each(rows[hit])
        out[rows[hit[first]]] = values[hit[first]]
        return out


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` by sorting (NumPy 2.4's hash-based ``unique`` takes minutes for ten million
    integers here)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def first_of_each(values: np.ndarray) -> np.ndarray:
    """Position of the first occurrence of each distinct value, ordered by value: what
    ``np.unique(values, return_index=True)[1]`` gives, by a stable sort (NumPy 2.4's hash-based ``unique``
    takes over 40 s for ten million integers here)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    return order[np.r_[True, ordered[1:] != ordered[:-1]]] if len(values) else order


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
    index: CellIndex | None = None  # the rows' keys as integers
    c_lower: np.ndarray | None = None  # the complement n − x an attacker can prove
    c_upper: np.ndarray | None = None


def status_is(table: pd.DataFrame, status: str) -> np.ndarray:
    """Rows whose status is ``status`` (a missing status is none)."""
    return np.asarray(table["status"].eq(status).fillna(False), dtype=bool)


def numbers(table: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as float64, missing values NaN (NaN throughout where the column is absent)."""
    if column not in table:
        return np.full(len(table), np.nan)
    values = table[column]
    if values.dtype == np.float64:  # as it is (read-only under copy-on-write): no copy of millions of rows
        return values.to_numpy()
    return values.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def parent_rows(table: pd.DataFrame, index: CellIndex | None = None) -> np.ndarray:
    """Row number of each row's parent within the same indicator-year (-1 for the city)."""
    index = index or CellIndex.of(table)
    is_city = table["parent_id"].isna().to_numpy()
    parent = _codes(table["parent_id"], index.districts)
    pos = index.rows_of_keys(index.indicator, index.year, parent)
    if (pos[~is_city] < 0).any():
        raise ValueError("published table: a parent_id does not exist in the same indicator-year")
    return np.where(is_city, -1, pos).astype(np.int32 if len(pos) < 2**31 else np.int64)


def build_model(
    published: pd.DataFrame,
    protection: Protection,
    earlier_releases: pd.DataFrame | None = None,
    multipliers: dict[str, float] | None = None,
    *,
    denominator_groups: dict[str, str] | None = None,
    population: pd.DataFrame | None = None,
) -> AttackerModel:
    """The attacker's knowledge; ``multipliers`` (indicator → unit multiplier) turn shown rates into
    denominators. Without them a rate beside a published numerator and no denominator is an error.

    ``denominator_groups`` (indicator → denominator name, :func:`.denominators.denominator_groups`): one
    denominator per group, district and year; ``population``: the published age bands
    (:func:`.denominators.band_values`). Counts, denominators and complements are then tightened
    together (:func:`.denominators.joint_bounds`)."""
    table = published.reset_index(drop=True)
    index = CellIndex.of(table)
    parent = parent_rows(table, index)
    group = _small(pd.factorize(index.group_keys(index.indicator, index.year), sort=False)[0])
    num = numbers(table, "numerator")
    den = numbers(table, "denominator")
    # the population of the cell's own year: recorded with the cells (the ledger), else the published bands
    pop = numbers(table, "population") if "population" in table else year_population(table, population)

    is_pub = status_is(table, PUBLISHED)
    is_secret = status_is(table, SECRET)
    is_few = status_is(table, TOO_FEW)
    den_small_only = is_few & (pop >= protection.min_population)
    del pop

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
    del r_lo, r_hi
    n_hi = np.where(den_small_only, np.minimum(n_hi, protection.min_denominator - 1), n_hi)
    bands = band_values(table, population)
    n_lo = np.where(np.isnan(bands), n_lo, np.maximum(n_lo, bands))
    n_hi = np.where(np.isnan(bands), n_hi, np.minimum(n_hi, bands))
    del bands

    # 0 or 1, kept for every row: four bytes each are exact
    # (beside a "keine Daten" part too: a missing part's figures may be anything, in this release or the next)
    beside = is_few | status_is(table, NO_DATA)
    floor = (zero_floor(parent, beside) if protection.publish_zeros else np.zeros(len(table))).astype(np.float32)
    lo = np.zeros(len(table))
    hi = np.full(len(table), np.inf)
    lo[is_pub] = num[is_pub]
    hi[is_pub] = num[is_pub]
    lo[is_secret] = floor[is_secret]

    hidden = is_secret | is_few
    known_before = np.zeros(len(table), dtype=bool)
    if earlier_releases is not None and len(earlier_releases):
        earlier = earlier_releases.loc[earlier_releases["numerator"].notna(), [*KEY, "numerator"]]
        # the last figure of a cell published several times, as drop_duplicates(keep="last") and a merge
        before = index.scatter(earlier, numbers(earlier, "numerator"), np.nan, keep="last")
        fix = ~np.isnan(before) & ~is_pub
        known_before = fix & hidden
        lo[fix] = before[fix]
        hi[fix] = before[fix]
    # one denominator per group, district and year; counts, denominators and complements together
    var, n_vars = shared_variables(table, denominator_groups, index)
    v_lo, v_hi = to_variables(n_lo, n_hi, var, n_vars)
    del n_lo, n_hi
    lo, hi, v_lo, v_hi, c_lower, c_upper = joint_bounds(
        parent, lo, hi, var, variable_parents(parent, var, n_vars), v_lo, v_hi)
    n_lower, n_upper = v_lo[var], v_hi[var]
    return AttackerModel(table, parent, group, lo, hi, hidden, known_before, floor, n_lower, n_upper, index,
                         c_lower, c_upper)


def zero_floor(parent: np.ndarray, too_few: np.ndarray) -> np.ndarray:
    """1 where a hidden cell cannot be 0 (zeros are published), 0 beside a "zu wenige Einwohner" (or "keine
    Daten") sibling."""
    child = parent >= 0
    small_siblings = np.bincount(parent[child & too_few], minlength=len(parent))
    beside_small = child & (small_siblings[np.where(child, parent, 0)] > 0)
    return np.where(beside_small, 0.0, 1.0)
