"""How precise a count derived from a rounded share is: the span of counts the share's rounding allows.

A share delivered as "3" (whole percent) stands for anything from 2.5 % to 3.5 %; of 400 inhabitants that is
10 to 14 persons, and the derived count round(3 % × 400) = 12 may be off by two either way. The span grows
with the denominator and with the coarseness of the share (the decimals it is written with, see
:func:`~pipelines.lib.ingest.shares.written_unit`). Where it reaches ``[validation] rounding_span`` persons,
SM-W348 names the source's share column, the file and row with the widest span and the counts it allows,
once per source, column and indicator (a source read from a hundred files gives one warning, not a hundred).
A column is as precise as its most precise cell: exports drop trailing zeros ("27" among "25,62").

The derived counts stay published, flagged ``is_derived`` (no count-based interval); the warning says how
far they may be from the true count.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipelines.lib.findings import Finding
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.symbols import FLAG_VALUE

ROWS_LISTED = 10  # row numbers named in a finding
EPS = 1e-9  # a bound hit exactly (2.5 % of 40 = 1.0) belongs to the span


def count_span(share: np.ndarray, unit: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The smallest and largest whole count whose share rounds to ``share`` (fractions; ``unit`` is the rounding
    unit as a fraction), within 0 … denominator."""
    with np.errstate(invalid="ignore"):
        lo = np.maximum(np.ceil(denominator * (share - unit / 2) - EPS), 0)
        hi = np.minimum(np.floor(denominator * (share + unit / 2) + EPS), denominator)
    return lo, hi


def _percent(share: float, unit: float) -> str:
    """The share as written, in percent with German decimals (3 %, 21,5 %)."""
    decimals = max(0, math.ceil(-math.log10(unit * 100) - EPS)) if unit > 0 else 2
    return f"{share * 100:.{decimals}f}".replace(".", ",") + " %"


def _count(value) -> str:
    return f"{int(value):,}".replace(",", ".")


def rounding_findings(counts: pd.DataFrame, threshold: float) -> list[Finding]:
    """SM-W348 per source, share column and indicator whose derived counts span ``threshold`` persons or more
    (named at the file and row with the widest span).

    ``counts`` are the count rows once every denominator is known, with ``_rounding_share``,
    ``_rounding_unit`` (fractions) and ``_rounding_column`` on rows derived from a delivered share.
    """
    if "_rounding_share" not in counts or counts.empty:
        return []
    share = counts["_rounding_share"].to_numpy(dtype="float64", na_value=np.nan)
    unit = counts["_rounding_unit"].to_numpy(dtype="float64", na_value=np.nan)
    den = counts["denominator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    num = counts["numerator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    usable = (
        ~np.isnan(share)
        & ~np.isnan(unit)
        & ~np.isnan(den)
        & ~np.isnan(num)
        & (counts["numerator_flag"].astype("str") == FLAG_VALUE).to_numpy()
    )
    if "_ok" in counts:
        usable &= counts["_ok"].to_numpy(dtype=bool)
    if not usable.any():
        return []
    lo, hi = count_span(share, unit, den)
    span = hi - lo
    rows = pd.DataFrame(
        {
            "source": counts["source_id"].astype("str").to_numpy(),
            "file": counts["source_file"].astype("str").to_numpy(),
            "column": counts["_rounding_column"].astype("str").to_numpy(),
            "indicator": counts["indicator_id"].astype("str").to_numpy(),
            "row": counts["source_row"].to_numpy(),
            "span": span,
            "wide": span >= threshold,
        }
    )[usable]  # the index is the position in ``counts`` (and in the arrays above)
    out: list[Finding] = []
    for (_, column, indicator), group in rows.groupby(["source", "column", "indicator"], sort=True):
        wide = group[group["wide"]]
        if wide.empty:
            continue
        worst = wide.index[np.argmax(wide["span"].to_numpy())]
        files = wide["file"].unique()
        if len(files) == 1:
            listed = sorted({int(r) for r in wide["row"].dropna()})
            where = (
                "Zeilen "
                + ", ".join(map(str, listed[:ROWS_LISTED]))
                + (" …" if len(listed) > ROWS_LISTED else "")
            )
        else:  # one source read from many files (a glob): the files are counted, the widest one is named
            where = f"in {len(files)} Dateien der Quelle"
        person = "Person" if threshold == 1 else "Personen"
        out.append(
            finding(
                "SM-W348",
                wide.at[worst, "file"],
                f"„{indicator}“: {len(wide)} von {len(group)} abgeleiteten Zählern sind wegen der Rundung des Anteils "
                f"um {threshold:g} {person} oder mehr unsicher ({where}); die größte Spanne hat diese Zeile",
                row=None if pd.isna(wide.at[worst, "row"]) else int(wide.at[worst, "row"]),
                column=column,
                value=(
                    f"{_percent(share[worst], unit[worst])} von {_count(den[worst])} → {_count(num[worst])}; "
                    f"möglich sind {_count(lo[worst])} bis {_count(hi[worst])} (Spanne {_count(span[worst])})"
                ),
            )
        )
    return out
