"""Population by district, year and age band (long format, column renames from the config)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from pipelines.lib.config import PopulationSource
from pipelines.lib.ingest.checks import cell_findings, check_keys, keyed_rows, parse_years, required_columns
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.counts import DistrictIndex, _value_findings
from pipelines.lib.ingest.numbers import parse_counts
from pipelines.lib.ingest.symbols import FLAG_MISSING, FLAG_VALUE
from pipelines.lib.ingest.tables import Table

POPULATION_COLUMNS = ("district_id", "year", "age_band", "population")
SOURCE_COLUMNS = ("source_file", "source_row", "source_column")  # where each row was read (checks only)


def empty_population() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district_id": pd.Series(dtype="str"), "year": pd.Series(dtype="int64"),
            "age_band": pd.Series(dtype="str"), "population": pd.Series(dtype="int64"),
        }
    )


def read_population(table: Table, source: PopulationSource, districts: DistrictIndex, key_column: str | None = None,
                    uninhabited: frozenset[str] = frozenset()):
    """Population table → (rows that passed every check, findings); empty cells of ``uninhabited`` are 0."""
    wanted = {c: source.columns.get(c, c) for c in POPULATION_COLUMNS}
    cols, keys, years, keyed_ok, findings = keyed_rows(table, wanted, districts.ids, districts.names, key_column)
    if cols is None:
        return None, findings
    bands = table.text(cols["age_band"])
    band_ok = (bands != "").to_numpy()
    if not band_ok.all():
        pos = np.flatnonzero(~band_ok)
        findings += cell_findings("SM-E313", table, cols["age_band"], pos, [""] * len(pos))
    parsed = parse_counts(table.frame[cols["population"]], decimal=table.decimal)
    findings += _value_findings(table, cols["population"], parsed)
    parsed = _empty_as_zero(parsed, keys, uninhabited)
    hidden = (~parsed.bad & (parsed.flag != FLAG_VALUE)).to_numpy()
    if hidden.any():
        pos = np.flatnonzero(hidden)
        findings += cell_findings("SM-E314", table, cols["population"], pos,
                                  table.frame[cols["population"]].iloc[pos].astype("str").fillna("").to_numpy())
    ok = keyed_ok & band_ok & ~parsed.bad.to_numpy() & ~hidden
    frame = pd.DataFrame(
        {"district_id": keys.to_numpy(), "year": years.to_numpy(), "age_band": bands.to_numpy(),
         "population": parsed.value.to_numpy(), "_row": table.rows}
    )
    valid = keyed_ok & band_ok
    dup = frame.duplicated(["district_id", "year", "age_band"], keep="first").to_numpy() & valid
    if dup.any():
        firsts = frame[valid].drop_duplicates(["district_id", "year", "age_band"]).set_index(
            ["district_id", "year", "age_band"])["_row"]
        for p in np.flatnonzero(dup)[:50]:
            r = frame.iloc[p]
            findings.append(
                finding("SM-E303", table.file,
                        f"Gebiet „{r['district_id']}“, Jahr {r['year']}, Altersgruppe „{r['age_band']}“ steht "
                        f"schon in Zeile {firsts.loc[(r['district_id'], r['year'], r['age_band'])]}",
                        row=r["_row"], column=cols["district_id"], value=r["district_id"])
            )
    out = frame[ok & ~dup].rename(columns={"_row": "source_row"}).reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out["population"] = out["population"].astype("int64")
    out["source_column"] = cols["population"]  # source_row/_column: for the plausibility checks (load.py)
    return out, findings



def _empty_as_zero(parsed, keys: pd.Series, uninhabited: frozenset[str]):
    """Empty population cells of declared uninhabited areas are 0 inhabitants (not an error)."""
    if not uninhabited:
        return parsed
    empty = ((parsed.flag == FLAG_MISSING) & keys.isin(list(uninhabited))).to_numpy()
    if not empty.any():
        return parsed
    value = parsed.value.copy()
    value[empty] = 0
    return type(parsed)(value=value, flag=parsed.flag.where(~empty, FLAG_VALUE), problem=parsed.problem)


def read_population_wide(table: Table, source: PopulationSource, districts: DistrictIndex, key_column: str,
                         uninhabited: frozenset[str] = frozenset()):
    """A wide table with one population column per year (``values``) or one column (``value``)."""
    if not source.values:
        return _wide_column(table, source, districts, key_column, uninhabited)
    parts, findings = [], []
    for v in source.values:
        one = replace(source, value=v.column, year=v.year, year_column=None, age_band=v.age_band or source.age_band)
        rows, f = _wide_column(table, one, districts, key_column, uninhabited)
        findings += f
        if rows is not None:
            parts.append(rows)
    return (pd.concat(parts, ignore_index=True) if parts else None), findings


def _wide_column(table: Table, source: PopulationSource, districts: DistrictIndex, key_column: str,
                 uninhabited: frozenset[str] = frozenset()):
    """One population column (one row per district, or several to be summed)."""
    wanted = {"district_id": key_column, "population": source.value}
    if source.year_column:
        wanted["year"] = source.year_column
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
        years = pd.Series(int(source.year), index=keys.index, dtype="Int64")
        year_ok = np.ones(len(keys), dtype=bool)
    parsed = parse_counts(table.frame[cols["population"]], decimal=table.decimal, sentinels=source.sentinels)
    findings += _value_findings(table, cols["population"], parsed)
    parsed = _empty_as_zero(parsed, keys, uninhabited)
    hidden = (~parsed.bad & (parsed.flag != FLAG_VALUE)).to_numpy()
    if hidden.any() and not source.aggregate:
        pos = np.flatnonzero(hidden)
        findings += cell_findings("SM-E314", table, cols["population"], pos,
                                  table.frame[cols["population"]].iloc[pos].astype("str").fillna("").to_numpy())
    ok = key_ok & year_ok & ~parsed.bad.to_numpy() & (~hidden | source.aggregate)
    frame = pd.DataFrame({"district_id": keys.to_numpy(), "year": years.to_numpy(), "age_band": source.age_band,
                          "population": parsed.value.fillna(0).to_numpy(), "_row": table.rows})[ok]
    if source.aggregate:  # e.g. municipalities summed to their county; empty cells count as 0
        frame = frame.groupby(["district_id", "year", "age_band"], as_index=False, sort=True).agg(
            population=("population", "sum"), _row=("_row", "min"))
    dup = frame.duplicated(["district_id", "year", "age_band"], keep="first").to_numpy()
    for p in np.flatnonzero(dup)[:50]:
        r = frame.iloc[p]
        findings.append(finding("SM-E303", table.file, f"Gebiet „{r['district_id']}“, Jahr {r['year']} doppelt",
                                row=r["_row"], column=cols["district_id"], value=r["district_id"]))
    out = frame[~dup].rename(columns={"_row": "source_row"}).reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out["population"] = out["population"].astype("int64")
    out["source_column"] = cols["population"]
    return out, findings
