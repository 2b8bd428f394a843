"""Indicator count files (long or wide) → the canonical counts table.

Canonical columns: ``district_id, year, indicator_id, numerator, denominator (Int64),
numerator_flag, denominator_flag, source_id, source_file, source_row``. Rows with a bad cell are
reported and left out (never guessed); absent rows are filled or reported per ``CountSource.absent``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.config import Config, CountSource
from pipelines.lib.findings import Finding
from pipelines.lib.ingest.categories import as_text, categorical, concat_rows, constant
from pipelines.lib.ingest.checks import (
    cell_findings,
    check_codes,
    check_keys,
    keyed_rows,
    parse_years,
    required_columns,
    text_positions,
)
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.numbers import ParsedCounts, parse_counts
from pipelines.lib.ingest.plausibility import validation_settings
from pipelines.lib.ingest.shares import ParsedShares, derive, parse_shares
from pipelines.lib.ingest.symbols import FLAG_MISSING, FLAG_VALUE
from pipelines.lib.ingest.tables import Table

COUNT_COLUMNS = [
    "district_id", "year", "indicator_id", "numerator", "denominator",
    "numerator_flag", "denominator_flag", "source_id", "source_file", "source_row", "derived",
]
LONG_COLUMNS = ("district_id", "year", "indicator_id", "numerator", "denominator")
ABSENT_LIST = 10  # keys listed per absent-rows finding


@dataclass
class DistrictIndex:
    """What row checks need to know about the districts."""

    ids: pd.Index
    names: dict[str, str]
    leaves: np.ndarray  # leaf-level district ids, sorted


def empty_counts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district_id": pd.Series(dtype="str"), "year": pd.Series(dtype="int64"),
            "indicator_id": pd.Series(dtype="str"), "numerator": pd.Series(dtype="Int64"),
            "denominator": pd.Series(dtype="Int64"), "numerator_flag": pd.Series(dtype="str"),
            "denominator_flag": pd.Series(dtype="str"), "source_id": pd.Series(dtype="str"),
            "source_file": pd.Series(dtype="str"), "source_row": pd.Series(dtype="Int64"),
            "derived": pd.Series(dtype="bool"),
        }
    )


def _value_findings(table: Table, column: str, parsed: ParsedCounts) -> list[Finding]:
    out: list[Finding] = []
    if not parsed.bad.any():
        return out
    raw = table.frame[column]
    for code in ("SM-E305", "SM-E306", "SM-E307", "SM-E308"):
        pos = np.flatnonzero((parsed.problem == code).to_numpy())
        if len(pos):
            hint = None
            if code == "SM-E308":
                texts = raw.iloc[pos].astype("str").fillna("")
                if texts.str.startswith("=").any():
                    hint = "Formeln werden nicht ausgewertet."
            out += cell_findings(code, table, column, pos, raw.iloc[pos].astype("str").to_numpy(), hint=hint)
    return out


def _greater(table: Table, column: str, num: pd.Series, den: pd.Series) -> tuple[np.ndarray, list[Finding]]:
    gt = (num > den).fillna(False).to_numpy(dtype=bool)
    if not gt.any():
        return gt, []
    pos = np.flatnonzero(gt)
    values = [f"{a} > {b}" for a, b in zip(num.iloc[pos], den.iloc[pos], strict=True)]
    return gt, cell_findings("SM-E304", table, column, pos, values)


def _frame(table, source, keys, years, indicators, num, den, num_flag, den_flag) -> pd.DataFrame:
    n = len(keys)
    return pd.DataFrame(
        {
            "district_id": keys.reset_index(drop=True),
            "year": years.reset_index(drop=True),
            "indicator_id": constant(indicators, n) if isinstance(indicators, str) else categorical(indicators),
            "numerator": num.reset_index(drop=True),
            "denominator": den.reset_index(drop=True),
            "numerator_flag": categorical(num_flag),
            "denominator_flag": categorical(den_flag),
            "source_id": constant(source.id, n),
            "source_file": constant(table.file, n),
            "source_row": pd.array(table.rows, dtype="Int64"),
            "derived": np.zeros(n, dtype=bool),
        }
    )


def read_long(table: Table, source: CountSource, config: Config, districts: DistrictIndex,
              key_column: str | None = None):
    """Long table → (rows with valid keys incl. an ``_ok`` column, findings)."""
    wanted = {c: source.columns.get(c, c) for c in LONG_COLUMNS}
    cols, keys, years, keyed_ok, findings = keyed_rows(table, wanted, districts.ids, districts.names, key_column)
    if cols is None:
        return None, findings
    indicators = table.text(cols["indicator_id"])
    ind_ok, f = check_codes(table, cols["indicator_id"], indicators, [i.id for i in config.indicators], "SM-E309")
    findings += f
    num = parse_counts(table.frame[cols["numerator"]], decimal=table.decimal, sentinels=source.sentinels)
    den = parse_counts(table.frame[cols["denominator"]], decimal=table.decimal, sentinels=source.sentinels)
    findings += _value_findings(table, cols["numerator"], num)
    findings += _value_findings(table, cols["denominator"], den)
    gt, f = _greater(table, cols["numerator"], num.value, den.value)
    findings += f
    frame = _frame(table, source, keys, years, indicators, num.value, den.value, num.flag, den.flag)
    frame["_ok"] = ~(num.bad | den.bad).to_numpy() & ~gt
    frame["_key_column"] = constant(cols["district_id"], len(frame))
    keep = keyed_ok & ind_ok
    return (frame if keep.all() else frame[keep].reset_index(drop=True)), findings


def read_wide(table: Table, source: CountSource, config: Config, districts: DistrictIndex,
              key_column: str | None = None):
    """Wide sheet → long rows, one per value group (indicator × year) and sheet row.

    A group with a ``share`` column derives its numerator as round(share × denominator) and flags
    it ``derived``; without a denominator column (``share_denominator = "population"``) the share
    is kept in ``_share`` and the numerator derived once the population is known.
    """
    wanted = {"district_id": key_column or source.key}
    if source.year_column:
        wanted["year"] = source.year_column
    for v in source.values:
        wanted[v.column] = v.column
    cols, findings = required_columns(table, wanted)
    if cols is None:
        return None, findings
    keys = table.text(cols["district_id"])
    key_ok, f = check_keys(table, cols["district_id"], keys, districts.ids, districts.names)
    findings += f
    if source.year_column:
        years, year_ok, f = parse_years(table, cols["year"])
        findings += f
    else:
        years, year_ok = None, np.ones(len(keys), dtype=bool)
    parsed: dict[str, ParsedCounts] = {}
    shares: dict[str, ParsedShares] = {}
    for v in source.values:
        if v.part == "share":
            if v.column not in shares:
                shares[v.column] = parse_shares(table.frame[cols[v.column]], scale=v.scale, decimal=table.decimal,
                                                sentinels=source.sentinels)
                findings += _share_findings(table, cols[v.column], shares[v.column])
            continue
        if v.column not in parsed:
            parsed[v.column] = parse_counts(table.frame[cols[v.column]], decimal=table.decimal,
                                            sentinels=source.sentinels)
            findings += _value_findings(table, cols[v.column], parsed[v.column])
    groups: dict[tuple[str, int | None], dict[str, str]] = {}
    scales: dict[str, float] = {}
    for v in source.values:
        groups.setdefault((v.indicator, v.year if v.year is not None else source.year), {})[v.part] = v.column
        scales[v.column] = v.scale
    missing = ParsedCounts(
        value=pd.Series(pd.NA, index=keys.index, dtype="Int64"),
        flag=pd.Series(FLAG_MISSING, index=keys.index, dtype="str"),
        problem=pd.Series("", index=keys.index, dtype="str"),
    )
    frames = []
    for (indicator, fixed_year), parts in groups.items():
        if fixed_year is not None:
            g_years = pd.Series(int(fixed_year), index=keys.index, dtype="Int64")
        elif years is not None:
            g_years = years
        else:
            findings.append(finding("SM-E310", table.file, f"für „{indicator}“ ist kein Jahr angegeben",
                                    hint="Geben Sie in sozialmonitor.toml „year“ oder „year_column“ an."))
            continue
        from_population = "denominator" not in parts and source.share_denominator == "population"
        split = _split_part(config, source, indicator, parts)  # the other part comes from another source
        if "denominator" not in parts and not from_population and split != "numerator":
            code = "SM-E342" if "numerator" in parts else "SM-E341"
            column = parts.get("numerator", parts.get("share"))
            findings.append(finding(code, table.file, f"Indikator „{indicator}“", column=column, value=indicator))
            continue
        num = parsed[parts["numerator"]] if "numerator" in parts else missing
        den = parsed[parts["denominator"]] if "denominator" in parts else missing
        share = shares.get(parts.get("share", ""))
        if share is not None and "numerator" not in parts:
            num = _derived(share, scales[parts["share"]], den)
        elif share is not None and "denominator" in parts:  # all three delivered: they must agree
            findings += share_contradictions(table, cols[parts["share"]], share.value / scales[parts["share"]],
                                             num.value, den.value, validation_settings(config).share_tolerance)
        gt, f = _greater(table, cols[parts.get("numerator", "")] if "numerator" in parts else "", num.value,
                         den.value)
        findings += f
        frame = _frame(table, source, keys, g_years, indicator, num.value, den.value, num.flag, den.flag)
        frame["_ok"] = ~(num.bad | den.bad).to_numpy() & ~gt
        if share is not None and "numerator" not in parts:
            frame["derived"] = True
            scale = scales[parts["share"]]  # how precise the derived count is (see rounding.py)
            frame["_rounding_share"] = (share.value / scale).to_numpy()
            frame["_rounding_unit"] = (share.unit / scale).to_numpy()
            frame["_rounding_column"] = np.full(len(frame), cols[parts["share"]], dtype=object)
            if from_population:  # the population gives the denominator (see load.py)
                frame["_share"] = (share.value / scales[parts["share"]]).to_numpy()
                frame["numerator_flag"] = categorical(share.flag)
                frame["denominator_flag"] = categorical(share.flag)
        elif from_population:  # a delivered numerator over the population (a share beside it is checked there)
            frame["_population_denominator"] = True
            if share is not None:
                frame["_check_share"] = (share.value / scales[parts["share"]]).to_numpy()
                frame["_share_column"] = constant(cols[parts["share"]], len(frame))
        frame["_key_column"] = constant(cols["district_id"], len(frame))
        if split:
            frame["_part"] = split  # joined with the other source's rows in load.py (split.py)
        frames.append(frame[key_ok & year_ok])
    if not frames:
        return None, findings
    return concat_rows(frames), findings


def _split_part(config: Config, source: CountSource, indicator: str, parts: dict[str, str]) -> str | None:
    """``"numerator"``/``"denominator"`` when this group has only that part and another wide source the other."""
    if "share" in parts or ("numerator" in parts) == ("denominator" in parts):
        return None
    mine, other = ("numerator", "denominator") if "numerator" in parts else ("denominator", "numerator")
    for s in config.counts:
        if s.id != source.id and s.format == "wide" and any(
                v.indicator == indicator and v.part == other for v in s.values):
            return mine
    return None


def share_contradictions(table: Table, column: str, share: pd.Series, num: pd.Series, den: pd.Series,
                         tolerance: float) -> list[Finding]:
    """SM-E340 where a delivered share (a fraction) and numerator ÷ denominator differ by > ``tolerance`` points."""
    n = num.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    d = den.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    s = share.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.abs(n / d - s) * 100
    bad = np.flatnonzero((d > 0) & (gap > tolerance))
    values = [f"{s[p] * 100:.1f} % geliefert, {int(n[p])} von {int(d[p])} = {n[p] / d[p] * 100:.1f} %" for p in bad]
    return cell_findings("SM-E340", table, column, bad, values)


def _share_findings(table: Table, column: str, parsed: ParsedShares) -> list[Finding]:
    out: list[Finding] = []
    raw = table.frame[column]
    for code in ("SM-E307", "SM-E318"):
        pos = np.flatnonzero((parsed.problem == code).to_numpy())
        if len(pos):
            out += cell_findings(code, table, column, pos, raw.iloc[pos].astype("str").to_numpy())
    return out


def _derived(share: ParsedShares, scale: float, den: ParsedCounts) -> ParsedCounts:
    """The numerator of a share group: derived where share and denominator are numbers."""
    value = derive(share.value, scale, den.value)
    flag = share.flag.where(share.flag != FLAG_VALUE, den.flag.where(den.flag != "", FLAG_MISSING))
    return ParsedCounts(value=value, flag=flag.astype("str"), problem=share.problem)


def absent_rows(rows: pd.DataFrame, source: CountSource, districts: DistrictIndex, file: str):
    """Rows a source should have but lacks: leaves × its years × its indicators.

    Which leaves each year and indicator has is marked in a boolean grid (indicators × leaves) per
    year, from integer positions: no text comparison per row, memory bounded by one year's grid.
    """
    findings: list[Finding] = []
    if rows.empty or source.absent not in ("zero", "missing", "error"):
        return empty_counts(), findings
    leaves = np.unique(districts.leaves)
    years = sorted(rows["year"].dropna().unique().tolist())
    indicators = sorted(rows["indicator_id"].unique().tolist())
    leaf_pos = text_positions(rows["district_id"], leaves)
    ind_pos = text_positions(rows["indicator_id"], indicators)
    year_values = rows["year"].to_numpy(dtype="float64", na_value=np.nan)
    usable = (leaf_pos >= 0) & (ind_pos >= 0)
    fills = []
    for year in years:
        at = np.flatnonzero(usable & (year_values == year))
        present = np.zeros((len(indicators), len(leaves)), dtype=bool)
        present[ind_pos[at], leaf_pos[at]] = True
        for i, ind in enumerate(indicators):
            if present[i].all():
                continue
            lacking = leaves[~present[i]]
            if source.absent == "error":
                shown = ", ".join(lacking[:ABSENT_LIST]) + (" …" if len(lacking) > ABSENT_LIST else "")
                findings.append(
                    finding("SM-E311", file,
                            f"{len(lacking)} Gebiete ohne Zeile für Indikator „{ind}“, Jahr {year}: {shown}",
                            value=ind)
                )
                continue
            fills.append(pd.DataFrame({"district_id": lacking, "year": year, "indicator_id": ind}))
    if not fills:
        return empty_counts(), findings
    fill = pd.concat(fills, ignore_index=True)
    zero = source.absent == "zero"
    n = len(fill)
    fill["numerator"] = pd.array([0 if zero else pd.NA] * n, dtype="Int64")
    fill["denominator"] = pd.array([0 if zero else pd.NA] * n, dtype="Int64")
    fill["numerator_flag"] = FLAG_VALUE if zero else FLAG_MISSING
    fill["denominator_flag"] = FLAG_VALUE if zero else FLAG_MISSING
    fill["source_id"] = source.id
    fill["source_file"] = file
    fill["source_row"] = pd.array([pd.NA] * n, dtype="Int64")
    fill["derived"] = False
    return fill[COUNT_COLUMNS], findings


def key_codes(counts: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, int] | None:
    """One int64 per row for the combination of ``keys`` (missing values as a value of their own),
    and how many combinations there can be; None when they would not fit into an int64."""
    combined = np.zeros(len(counts), dtype=np.int64)
    size = 1
    for key in keys:
        col = counts[key]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes, n = col.cat.codes.to_numpy().astype(np.int64) + 1, len(col.cat.categories) + 1
        else:
            codes, uniques = pd.factorize(col, use_na_sentinel=False)
            n = len(uniques)
        size *= max(n, 1)
        if size >= 2**62:
            return None
        combined = combined * max(n, 1) + codes
    return combined, size


def duplicated(codes: np.ndarray, size: int, keep: str | bool = "first") -> np.ndarray:
    """``pd.Index(codes).duplicated(keep)``, answered by counting when no code repeats (the usual case)."""
    if len(codes) and size <= 4 * len(codes) + (1 << 20) and np.bincount(codes, minlength=size).max() <= 1:
        return np.zeros(len(codes), dtype=bool)
    return pd.Index(codes).duplicated(keep=keep)


def duplicate_findings(counts: pd.DataFrame) -> tuple[np.ndarray, list[Finding]]:
    """Same district × year × indicator more than once (within or across files): one finding per row."""
    keys = ["district_id", "year", "indicator_id"]
    coded = key_codes(counts, keys)
    if coded is None:
        dup = counts.duplicated(keys, keep="first").to_numpy()
    else:
        dup = duplicated(*coded, keep="first")
    if not dup.any():
        return dup, []
    repeated = counts.duplicated(keys, keep=False) if coded is None else duplicated(*coded, keep=False)
    first = as_text(counts[~dup & np.asarray(repeated)]).set_index(keys)
    findings: list[Finding] = []
    dups = as_text(counts[dup])
    for (file, row), group in dups.groupby(["source_file", "source_row"], sort=True, dropna=False):
        r = group.iloc[0]
        o = first.loc[(r["district_id"], r["year"], r["indicator_id"])]
        inds = ", ".join(sorted(group["indicator_id"].unique()))
        findings.append(
            finding("SM-E303", file,
                    f"Gebiet „{r['district_id']}“, Jahr {r['year']}, Indikator {inds} steht schon in "
                    f"{o['source_file']}, Zeile {o['source_row']}",
                    row=None if pd.isna(row) else int(row), column=r.get("_key_column"),
                    value=r["district_id"])
        )
    return dup, findings
