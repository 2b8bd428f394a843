"""Row checks shared by counts, population and offers: district keys, years, required cells.

Findings for bad cells are built only for the offending rows (selected vectorised) and capped per
file, code and column so that a wholly broken column does not produce millions of findings.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.lib.findings import Finding
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.tables import Table

CAP = 50  # findings per file, code and column; the rest is summarised in one finding
YEAR_RANGE = (1900, 2100)


def cell_findings(
    code: str,
    table: Table,
    column: str,
    positions: np.ndarray,
    values: Sequence | np.ndarray,
    detail: str | None = None,
    hint: str | None = None,
    cap: int = CAP,
) -> list[Finding]:
    """One finding per bad cell (frame positions ``positions``), at most ``cap`` plus a summary."""
    positions = np.asarray(positions)
    out = [
        finding(code, table.file, detail, row=table.rows[p], column=column, value=values[k], hint=hint)
        for k, p in enumerate(positions[:cap])
    ]
    if len(positions) > cap:
        out.append(
            finding(code, table.file, f"{len(positions) - cap} weitere Zellen dieser Spalte betroffen "
                    f"(nur die ersten {cap} sind einzeln aufgeführt)", column=column)
        )
    return out


def text_isin(values: pd.Series, choices: Sequence[str] | pd.Index) -> np.ndarray:
    """``values.isin(choices)`` as a bool array, by pyarrow's hash set for text columns.

    pandas converts every choice to a pyarrow scalar one by one (slow for thousands of district
    keys); here the choices become one array and the lookup runs in C++.
    """
    if values.dtype != "str" or not len(values):
        return values.isin(choices.tolist() if isinstance(choices, pd.Index) else list(choices)).to_numpy(dtype=bool)
    arr = pa.array(values)
    if isinstance(choices, pd.Index) and choices.dtype == "str":
        wanted = pa.array(choices).cast(arr.type)
    else:  # as pandas does: missing values match missing values, other non-text choices nothing
        items = choices.tolist() if isinstance(choices, pd.Index) else list(choices)
        wanted = pa.array([c for c in items if isinstance(c, str) or pd.isna(c)], type=arr.type, from_pandas=True)
    return pc.is_in(arr, value_set=wanted).fill_null(False).to_numpy(zero_copy_only=False)


def text_positions(values: pd.Series, choices: Sequence[str]) -> np.ndarray:
    """Position of each value in ``choices`` (-1 where it is not among them), by hash lookup.

    Categorical columns are looked up once per category.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        per_category = text_positions(pd.Series(values.cat.categories), choices)
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, per_category[codes] if len(per_category) else -1, -1)
    if values.dtype != "str" or not len(values):
        return pd.Index(list(choices), dtype=object).get_indexer(values.astype(object))
    arr = pa.array(values)
    if isinstance(choices, pd.Index) and choices.dtype == "str":
        wanted = pa.array(choices).cast(arr.type)
    else:
        wanted = pa.array([c if isinstance(c, str) else None for c in choices], type=arr.type)
    found = pc.index_in(arr, value_set=wanted, skip_nulls=True)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def suggest(value: str, choices: Sequence[str], names: dict[str, str] | None = None, n: int = 3) -> str | None:
    """A German "did you mean" sentence for ``value`` among ``choices`` (keys, ids)."""
    names = names or {}
    candidates: list[str] = []
    if value.isdigit():  # leading zeros lost (e.g. by Excel)
        candidates += [c for c in choices if c.lstrip("0") == value.lstrip("0") and c != value]
    by_name = [k for k, nm in names.items() if nm and nm.casefold() == value.casefold()]
    candidates += by_name
    candidates += difflib.get_close_matches(value, list(choices), n=n, cutoff=0.6)
    if names:
        lowered = {nm.casefold(): k for k, nm in names.items() if nm}
        for nm in difflib.get_close_matches(value.casefold(), list(lowered), n=n, cutoff=0.6):
            candidates.append(lowered[nm])
    seen: list[str] = []
    for c in candidates:
        if c not in seen:
            seen.append(c)
    if not seen:
        return None
    shown = [f"„{c}“ ({names[c]})" if names.get(c) and names[c] != c else f"„{c}“" for c in seen[:n]]
    return "Meinten Sie " + " oder ".join(shown) + "?"


def check_keys(
    table: Table, column: str, keys: pd.Series, known: pd.Index, names: dict[str, str]
) -> tuple[np.ndarray, list[Finding]]:
    """Valid-key mask; findings for empty keys (per cell) and unknown keys (one per distinct key)."""
    findings: list[Finding] = []
    empty = (keys == "").to_numpy()
    ok = text_isin(keys, known)
    if empty.any():
        pos = np.flatnonzero(empty)
        findings += cell_findings("SM-E302", table, column, pos, [""] * len(pos))
    unknown = ~ok & ~empty
    if unknown.any():
        findings += _distinct_findings("SM-E301", table, column, keys, unknown, known.tolist(), names)
    return ok, findings


def _distinct_findings(code, table, column, values: pd.Series, mask: np.ndarray, choices, names=None):
    """One finding per distinct bad value, at its first row, saying how often it occurs."""
    pos = np.flatnonzero(mask)
    bad = values.iloc[pos]
    firsts = pd.Series(pos, index=bad.to_numpy()).groupby(level=0, sort=False)
    out = []
    for n_done, (value, group) in enumerate(firsts):
        if n_done >= CAP:
            out.append(finding(code, table.file, f"{firsts.ngroups - CAP} weitere unbekannte Werte", column=column))
            break
        count = len(group)
        detail = f"in {count} Zeilen" if count > 1 else None
        out.append(
            finding(code, table.file, detail, row=table.rows[group.iloc[0]], column=column, value=value,
                    hint=suggest(str(value), choices, names))
        )
    return out


def check_codes(table: Table, column: str, values: pd.Series, known: Sequence[str], code: str):
    """Valid mask for an id column (e.g. indicator ids): empty → SM-E313, unknown → ``code``."""
    findings: list[Finding] = []
    empty = (values == "").to_numpy()
    ok = text_isin(values, list(known))
    if empty.any():
        pos = np.flatnonzero(empty)
        findings += cell_findings("SM-E313", table, column, pos, [""] * len(pos))
    unknown = ~ok & ~empty
    if unknown.any():
        findings += _distinct_findings(code, table, column, values, unknown, list(known))
    return ok, findings


def parse_years(table: Table, column: str) -> tuple[pd.Series, np.ndarray, list[Finding]]:
    """Four-digit years in YEAR_RANGE; returns (Int64 years, valid mask, findings)."""
    raw = table.frame[column]
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        arr = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            digits = np.isfinite(arr) & (np.floor(arr) == arr)
        years = pd.Series(np.where(digits, arr, 0).astype(np.int64), index=raw.index, dtype="Int64")
    else:
        text = table.text(column)
        digits = text.str.fullmatch(r"\d{4}").to_numpy(dtype=bool, na_value=False)
        years = pd.Series(0, index=text.index, dtype="Int64")
        if digits.any():
            years[digits] = text[digits].astype("int64").to_numpy()
    ok = digits & years.between(*YEAR_RANGE).to_numpy(dtype=bool, na_value=False)
    findings = []
    if (~ok).any():
        pos = np.flatnonzero(~ok)
        findings = cell_findings("SM-E310", table, column, pos, table.text(column).to_numpy()[pos])
    years[~ok] = pd.NA
    return years, ok, findings


def required_columns(table: Table, wanted: dict[str, str]) -> tuple[dict[str, str] | None, list[Finding]]:
    """Map canonical names to the table's columns; SM-E105 for each missing one (listing what exists)."""
    found = {}
    findings = []
    present = ", ".join(f"„{c}“" for c in table.frame.columns)
    for canonical, name in wanted.items():
        col = table.column(name)
        if col is None:
            findings.append(
                finding("SM-E105", table.file, f"„{name}“" + (f" (für {canonical})" if name != canonical else ""),
                        column=name, hint=f"Vorhandene Spalten: {present}.")
            )
        found[canonical] = col
    return (None if findings else found), findings


def keyed_rows(table: Table, wanted: dict[str, str], ids, names, key_column: str | None = None):
    """The shared start of every long table: required columns, district keys and years.

    Returns ``(cols, keys, years, ok, findings)``; ``cols`` is None (and the rest empty) when a required
    column is missing. ``ok`` marks rows whose key and year are valid.
    """
    if key_column:
        wanted = {**wanted, "district_id": key_column}
    cols, findings = required_columns(table, wanted)
    if cols is None:
        return None, None, None, None, findings
    keys = table.text(cols["district_id"])
    key_ok, f = check_keys(table, cols["district_id"], keys, ids, names)
    findings += f
    years, year_ok, f = parse_years(table, cols["year"])
    findings += f
    return cols, keys, years, key_ok & year_ok, findings
