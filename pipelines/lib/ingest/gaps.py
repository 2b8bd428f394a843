"""Missing values that stay local: uninhabited areas, and saying which parents a gap leaves empty.

A parent's figure is the sum of its leaves; one leaf without a value leaves the parent (and every
district above it) without data. Two things keep that local and say it:

- an **uninhabited** leaf (declared under ``[validation] uninhabited`` by key or name, or detected by a
  population of 0 in that year) has no cases: its missing values count as 0 of 0 (SM-W343, naming
  each area), so its parents are computed from the other leaves;
- every other gap is reported with the parents it empties (SM-W344), so that "keine Daten" on a map
  of a Bezirk or the city has its reason in the validation report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.lib.findings import Finding
from pipelines.lib.ingest.categories import as_text
from pipelines.lib.ingest.checks import suggest, text_isin
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.symbols import FLAG_MISSING, FLAG_SECRET, FLAG_UNRELIABLE, FLAG_VALUE

LISTED = 10  # districts named per finding
CONFIG_FILE = "sozialmonitor.toml"


def declared_uninhabited(keys: tuple[str, ...], districts: pd.DataFrame, leaf_level: str
                         ) -> tuple[frozenset[str], list[Finding]]:
    """The leaf keys of ``[validation] uninhabited`` (keys or names); SM-E301 for what is no leaf."""
    leaves = districts[districts["level"] == leaf_level]
    by_name = {str(n).casefold(): k for k, n in zip(leaves["district_id"], leaves["name"], strict=True)}
    known = set(leaves["district_id"])
    found, findings = set(), []
    for item in keys:
        key = item if item in known else by_name.get(item.casefold())
        if key is None:
            names = dict(zip(leaves["district_id"], leaves["name"], strict=True))
            findings.append(finding("SM-E301", CONFIG_FILE, "unter [validation] uninhabited (nur Gebiete der "
                                    f"untersten Ebene „{leaf_level}“)", value=item,
                                    hint=suggest(item, sorted(known), names)))
        else:
            found.add(key)
    return frozenset(found), findings


def _label(key: str, names: dict[str, str]) -> str:
    name = names.get(key)
    return f"„{key}“ ({name})" if name and name != key else f"„{key}“"


def _listed(keys, names: dict[str, str]) -> str:
    keys = list(keys)
    shown = ", ".join(_label(k, names) for k in keys[:LISTED])
    return shown + (f" und {len(keys) - LISTED} weitere" if len(keys) > LISTED else "")


def fill_uninhabited(counts: pd.DataFrame, declared: frozenset[str], population: pd.DataFrame,
                     districts: pd.DataFrame, leaf_level: str, population_file: str = ""
                     ) -> tuple[pd.DataFrame, list[Finding]]:
    """Missing values of uninhabited leaves as 0 of 0; rows they lack are added (one note per area)."""
    leaves = set(districts.loc[districts["level"] == leaf_level, "district_id"])
    empty = population.groupby(["district_id", "year"], as_index=False)["population"].sum()
    empty = empty[(empty["population"] == 0) & empty["district_id"].isin(leaves)]
    if counts.empty or (not declared and empty.empty):
        return counts, []
    grid = counts[["indicator_id", "year"]].drop_duplicates().astype({"indicator_id": "str"})
    pairs = [empty[["district_id", "year"]]]
    if declared:
        pairs.append(pd.DataFrame({"district_id": sorted(declared)}).merge(grid[["year"]].drop_duplicates(),
                                                                           how="cross"))
    pairs = pd.concat(pairs, ignore_index=True).drop_duplicates()
    wanted = pairs.merge(grid, on="year")  # every indicator and year of an uninhabited leaf
    counts = as_text(counts)
    keys = ["district_id", "year", "indicator_id"]
    present = counts[keys].merge(wanted.assign(_hit=True), on=keys, how="left")["_hit"].fillna(False)
    hit = present.to_numpy(dtype=bool)
    missing = hit & (counts["numerator_flag"] == FLAG_MISSING).to_numpy() & (
        counts["denominator_flag"] == FLAG_MISSING).to_numpy()
    counts = counts.copy()
    counts.loc[missing, ["numerator", "denominator"]] = 0
    counts.loc[missing, ["numerator_flag", "denominator_flag"]] = FLAG_VALUE
    lacking = wanted.merge(counts[keys].drop_duplicates(), on=keys, how="left", indicator=True)
    lacking = lacking[lacking["_merge"] == "left_only"].drop(columns="_merge")
    added = pd.DataFrame({
        **{k: lacking[k].to_numpy() for k in keys},
        "numerator": pd.array(np.zeros(len(lacking), dtype=np.int64), dtype="Int64"),
        "denominator": pd.array(np.zeros(len(lacking), dtype=np.int64), dtype="Int64"),
        "numerator_flag": FLAG_VALUE, "denominator_flag": FLAG_VALUE, "source_id": "", "source_file": CONFIG_FILE,
        "source_row": pd.array([pd.NA] * len(lacking), dtype="Int64"), "derived": False,
    })
    names = dict(zip(districts["district_id"], districts["name"], strict=True))
    filled = pd.concat([counts.loc[missing, keys], lacking[keys]], ignore_index=True)
    findings = []
    for district, group in filled.groupby("district_id", sort=True):
        how = "eingetragen unter [validation] uninhabited" if district in declared else "Einwohnerzahl 0"
        years = ", ".join(str(y) for y in sorted(group["year"].unique()))
        findings.append(finding("SM-W343", CONFIG_FILE if district in declared else population_file,
                                f"{_label(district, names)} ({how}): {len(group)} fehlende Werte als 0 von 0 "
                                f"gezählt (Jahre {years})", value=district))
    if len(added):
        counts = pd.concat([counts, added[counts.columns]], ignore_index=True)
    return counts, findings


def gap_findings(counts: pd.DataFrame, districts: pd.DataFrame, leaf_level: str) -> list[Finding]:
    """One warning per indicator and year whose missing leaf values leave parents without data."""
    if counts.empty:
        return []
    names = dict(zip(districts["district_id"], districts["name"], strict=True))
    parent = {k: p for k, p in zip(districts["district_id"], districts["parent_id"], strict=True) if isinstance(p, str)}
    leaves = districts.loc[districts["level"] == leaf_level, "district_id"]
    leaf_set = set(leaves)
    value = ((counts["numerator_flag"] == FLAG_VALUE) & (counts["denominator_flag"] == FLAG_VALUE)).to_numpy()
    at_leaf = text_isin(counts["district_id"], pd.Index(leaves))
    keys = counts[["indicator_id", "year"]][value & at_leaf]
    n_ok = keys.groupby(["indicator_id", "year"], observed=True).size()
    groups = n_ok[(n_ok > 0) & (n_ok < len(leaf_set))].index  # some leaves lack a value, not all
    if not len(groups):
        return []
    wanted_rows = pd.MultiIndex.from_frame(counts[["indicator_id", "year"]].astype({"indicator_id": "str"})).isin(
        pd.MultiIndex.from_tuples([(str(i), int(y)) for i, y in groups]))
    c = as_text(counts.loc[wanted_rows | (value & ~at_leaf), ["district_id", "year", "indicator_id",
                                                              "numerator_flag", "denominator_flag", "source_file"]])
    direct = c[(c["numerator_flag"] == FLAG_VALUE).to_numpy() & (c["denominator_flag"] == FLAG_VALUE).to_numpy()
               & ~c["district_id"].isin(leaf_set).to_numpy()]
    has = set(zip(direct["district_id"], direct["year"], direct["indicator_id"], strict=True))
    findings = []
    wanted = c[c["district_id"].isin(leaf_set).to_numpy()]
    for (indicator, year), group in wanted.groupby(["indicator_id", "year"], sort=True):
        ok = set(group.loc[(group["numerator_flag"] == FLAG_VALUE) & (group["denominator_flag"] == FLAG_VALUE),
                           "district_id"])
        lacking = [k for k in leaves if k not in ok]
        emptied: dict[str, None] = {}
        for leaf in lacking:
            up = parent.get(leaf)
            while up is not None:
                if (up, year, indicator) not in has:
                    emptied[up] = None
                up = parent.get(up)
        if not emptied:
            continue
        secret = set(group.loc[group["numerator_flag"].isin([FLAG_SECRET, FLAG_UNRELIABLE]), "district_id"])
        kept = [k for k in lacking if k in secret]
        absent = [k for k in lacking if k not in secret]
        why = "; ".join(part for part in (
            f"kein Wert für {_listed(absent, names)}" if absent else "",
            f"in der Lieferung geheim gehalten: {_listed(kept, names)}" if kept else "") if part)
        findings.append(finding(
            "SM-W344", group["source_file"].mode().iloc[0],
            f"„{indicator}“ {year}: {why}; daher auch keine Daten für {_listed(emptied, names)}", value=indicator))
    return findings
