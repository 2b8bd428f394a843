"""Numerator and denominator delivered in different files: one row per district, year and indicator.

A social-welfare office delivers the cases, the statistics office the population of the age group.
Each wide source then names only its own part (``part = "numerator"`` in one ``[[counts]]``,
``part = "denominator"`` for the same indicator in another); their rows are joined here, before the
duplicate check, so that the pair is not refused as duplicate rows. The joined row keeps the
numerator's file and row; a numerator above the other file's denominator is SM-E304.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.lib.findings import Finding
from pipelines.lib.ingest.categories import as_text
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.symbols import FLAG_MISSING, FLAG_VALUE

KEYS = ["district_id", "year", "indicator_id"]


def join_split_parts(counts: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """Join each numerator-only row with the denominator-only row of the same key (from another source)."""
    if "_part" not in counts or not counts["_part"].notna().any():
        return counts, []
    part = counts["_part"].astype("object").to_numpy()
    nums = counts[part == "numerator"]
    dens = counts[part == "denominator"]
    if nums.empty or dens.empty:
        return counts, []
    nums, dens = as_text(nums), as_text(dens)
    den_cols = dens[[*KEYS, "denominator", "denominator_flag", "_ok", "source_file", "source_row"]].rename(
        columns={"denominator": "_den", "denominator_flag": "_den_flag", "_ok": "_den_ok",
                 "source_file": "_den_file", "source_row": "_den_row"})
    joined = nums.reset_index().merge(den_cols.drop_duplicates(KEYS), on=KEYS, how="inner")
    if joined.empty:
        return counts, []
    joined = joined.set_index("index")
    findings: list[Finding] = []
    num = joined["numerator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    den = joined["_den"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    over = np.flatnonzero(num > den)
    for i in over[:50]:
        r = joined.iloc[i]
        column = r.get("_key_column") if isinstance(r.get("_key_column"), str) else None
        findings.append(finding(
            "SM-E304", r["source_file"], f"Nenner aus {r['_den_file']}, Zeile {r['_den_row']}",
            row=None if pd.isna(r["source_row"]) else int(r["source_row"]), column=column,
            value=f"{int(num[i])} > {int(den[i])}"))
    out = as_text(counts).copy()
    idx = joined.index
    out.loc[idx, "denominator"] = joined["_den"].to_numpy()
    out.loc[idx, "denominator_flag"] = joined["_den_flag"].to_numpy()
    ok = joined["_ok"].to_numpy(dtype=bool) & joined["_den_ok"].to_numpy(dtype=bool)
    ok[over] = False
    out.loc[idx, "_ok"] = ok
    used = dens.reset_index().merge(nums[KEYS].drop_duplicates(), on=KEYS, how="inner")["index"]
    out = out.drop(index=used.to_numpy())
    out["_part"] = None
    return out.reset_index(drop=True), findings


def drop_lone_numerators(counts: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """A numerator whose denominator is missing becomes missing too (SM-W345, one note per source and indicator).

    Without a denominator there is no rate: the cell would be "veröffentlicht" with an empty rate while
    the map says "keine Daten". Secret or otherwise flagged denominators are left alone.
    """
    lone = ((counts["numerator_flag"] == FLAG_VALUE).to_numpy(dtype=bool)
            & (counts["denominator_flag"] == FLAG_MISSING).to_numpy(dtype=bool))
    if not lone.any():
        return counts, []
    out = as_text(counts).copy()
    hit = out[lone]
    findings = []
    for (file, indicator), group in hit.groupby(["source_file", "indicator_id"], sort=True):
        rows = [int(r) for r in group["source_row"].dropna().head(5)]
        shown = f" (Zeilen {', '.join(map(str, rows))}{' …' if len(group) > len(rows) else ''})" if rows else ""
        findings.append(finding("SM-W345", file, f"{len(group)} Werte für „{indicator}“{shown}", value=indicator))
    out.loc[lone, "numerator"] = pd.NA
    out.loc[lone, "numerator_flag"] = FLAG_MISSING
    return out, findings
