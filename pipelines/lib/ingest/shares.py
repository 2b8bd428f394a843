"""Shares and percentages: parsing them and deriving counts as round(share × denominator).

Some sources publish only shares. Where a denominator is known (a column of the same table or the
population), the numerator is derived and flagged ``derived``; table symbols keep their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.ingest.numbers import PATTERNS, _sentinel_values
from pipelines.lib.ingest.symbols import FLAG_MISSING, FLAG_VALUE, SYMBOLS, ZERO_SYMBOLS


@dataclass
class ParsedShares:
    value: pd.Series  # float64, NaN where there is no number
    flag: pd.Series  # str flag, "" where the cell has a problem
    problem: pd.Series  # "" or an error code (SM-E307 placeholder, SM-E318 invalid share)
    # float64: the rounding unit of the cells in scale units, 10^-(most decimals written in the column): exports
    # drop trailing zeros, so a column's precision is that of its most precise cell; 0 for "-" (exactly none)
    unit: pd.Series | None = None

    @property
    def bad(self) -> pd.Series:
        return self.problem != ""


def parse_shares(values: pd.Series, *, scale: float, decimal: str = ",", sentinels=()) -> ParsedShares:
    """Parse share cells (text or native numbers) in ``[0, scale]``."""
    sent = _sentinel_values(sentinels)
    sent_text = {str(s).strip() for s in sentinels}
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
    out = np.full(len(values), np.nan)
    units = np.full(len(values), np.nan)
    flags = []
    problems = []
    for i, v in enumerate(values.tolist()):
        flag, problem, number, unit = FLAG_VALUE, "", None, np.nan
        if numeric:
            if v is None or v != v:
                flag = FLAG_MISSING
            else:
                number = float(v)
                unit = written_unit(number)
        else:
            text = "" if v is None else str(v).strip()
            if text == "":
                flag = FLAG_MISSING
            elif text in ZERO_SYMBOLS:
                number, unit = 0.0, 0.0  # "-": exactly nothing
            elif text in SYMBOLS:
                flag = SYMBOLS[text]
            elif text in sent_text:
                problem = "SM-E307"
            else:
                m = PATTERNS[decimal].match(text) or PATTERNS["." if decimal == "," else ","].match(text)
                if text.startswith((".", "-.")) and not m:  # ".707" as some exports write it
                    m = PATTERNS["."].match(text.replace(".", "0.", 1))
                if m:
                    digits = "".join(ch for ch in m.group("int") if ch.isdigit())
                    number = float(f"{digits}.{m.group('frac') or '0'}")
                    unit = 10.0 ** -len(m.group("frac") or "")
                    if m.group("sign") in ("-", "\u2212"):
                        number = -number
                else:
                    problem = "SM-E318"
        if number is not None:
            if number in sent:
                problem = "SM-E307"
            elif not 0 <= number <= scale:
                problem = "SM-E318"
            else:
                out[i] = number
                units[i] = unit
        if problem:
            flag = ""
        flags.append(flag)
        problems.append(problem)
    written = units > 0
    if written.any():  # a column has one precision: "27" among "25,62" and "32,9" was 27,00 with zeros dropped
        units[written] = units[written].min()
    return ParsedShares(
        value=pd.Series(out, index=values.index, dtype="float64"),
        flag=pd.Series(flags, index=values.index, dtype="str"),
        problem=pd.Series(problems, index=values.index, dtype="str"),
        unit=pd.Series(units, index=values.index, dtype="float64"),
    )


def written_unit(number: float) -> float:
    """The rounding unit of a native number as typed: 10^-(decimals of its shortest form); 21.5 → 0.1, 3 → 1.

    A share computed by a formula has many decimals and so a negligible unit; one typed from a report has the
    report's precision.
    """
    text = np.format_float_positional(abs(number), trim="-")
    return 10.0 ** -len(text.partition(".")[2])


def derive(share: pd.Series, scale: float, denominator: pd.Series) -> pd.Series:
    """round(share / scale × denominator) as Int64 (half up), NA where either is unknown; ≤ denominator."""
    den = denominator.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    raw = share.to_numpy(dtype="float64") / scale * den
    with np.errstate(invalid="ignore"):
        num = np.floor(raw + 0.5)
        num = np.minimum(num, den)
    out = pd.array(np.where(np.isnan(num), 0, num).astype(np.int64), dtype="Int64")
    out[np.isnan(num)] = pd.NA
    return pd.Series(out, index=share.index)
