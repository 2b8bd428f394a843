"""German number parsing for count cells, vectorised over whole columns.

A count cell is parsed into ``(value, flag, problem)``: ``value`` is a nullable integer, ``flag`` one
of :data:`~pipelines.lib.ingest.symbols.FLAGS` and ``problem`` an error code (empty when fine).
German conventions: decimal comma, thousands separator ``.`` or a space (also U+00A0 and U+202F);
``"12,0"`` is the integer 12, ``"12,5"`` is an error for a count. Files that use ``,`` as field
separator use the decimal point instead (``decimal="."``), with ``,`` or a space as thousands mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.ingest.symbols import FLAG_MISSING, FLAG_VALUE, FLAGS, SYMBOLS, ZERO_SYMBOLS

MAX_DIGITS = 15  # beyond this an int64 count is implausible (and float rendering unsafe)

_SPACES = " \u00a0\u202f"


def _number_pattern(decimal: str) -> re.Pattern:
    thousands = "[." + _SPACES + "]" if decimal == "," else "[," + _SPACES + "]"
    dec = re.escape(decimal)
    return re.compile(
        r"^(?P<sign>[+\-\u2212]?)"
        r"(?P<int>\d+|\d{1,3}(?P<sep>" + thousands + r")\d{3}(?:(?P=sep)\d{3})*)"
        r"(?:" + dec + r"(?P<frac>\d+))?$"
    )


PATTERNS = {",": _number_pattern(","), ".": _number_pattern(".")}


@dataclass
class ParsedCounts:
    """Result of parsing one column: aligned with the input index."""

    value: pd.Series  # Int64, NA where there is no number
    flag: pd.Series  # str: a flag, or "" where the cell has a problem
    problem: pd.Series  # str: an error code (SM-E305 …), or ""

    @property
    def bad(self) -> pd.Series:
        return self.problem != ""


def parse_number_text(text: str, decimal: str = ",") -> float | None:
    """Parse one German-formatted number (any sign, fraction allowed); ``None`` if it is none."""
    m = PATTERNS[decimal].match(text.strip())
    if not m:
        return None
    digits = re.sub(r"\D", "", m.group("int"))
    number = float(f"{digits}.{m.group('frac') or '0'}")
    return -number if m.group("sign") in ("-", "\u2212") else number


def _sentinel_values(sentinels) -> set[float]:
    out = set()
    for s in sentinels:
        v = parse_number_text(str(s), ",")
        if v is None:
            v = parse_number_text(str(s), ".")
        if v is not None:
            out.add(v)
    return out


FLAG_LIST = (*FLAGS, "")  # "" = the cell has a problem
PROBLEM_LIST = ("", "SM-E305", "SM-E306", "SM-E307", "SM-E308")
_F = {f: i for i, f in enumerate(FLAG_LIST)}
_P = {p: i for i, p in enumerate(PROBLEM_LIST)}


def _labels(labels: tuple[str, ...], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """A ``str`` Series from small integer codes (much faster than from an object array)."""
    return pd.Series(labels, dtype="str").take(codes).set_axis(index)


def _result(value, has_value, flag, problem, index) -> ParsedCounts:
    bad = problem != 0
    flag[bad] = _F[""]
    has_value &= ~bad
    out = pd.array(value, dtype="Int64")
    out[~has_value] = pd.NA
    return ParsedCounts(
        value=pd.Series(out, index=index),
        flag=_labels(FLAG_LIST, flag, index),
        problem=_labels(PROBLEM_LIST, problem, index),
    )


def parse_counts(values: pd.Series, *, decimal: str = ",", sentinels=()) -> ParsedCounts:
    """Parse a column of count cells (text or native numbers) into values, flags and problems."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return _parse_numeric(values, sentinels)
    index = values.index
    text = values.astype("str").fillna("").str.strip() if values.dtype != "str" else values.fillna("").str.strip()
    n = len(text)
    value = np.zeros(n, dtype=np.int64)
    has_value = np.zeros(n, dtype=bool)
    flag = np.full(n, _F[FLAG_VALUE], dtype=np.int8)
    problem = np.zeros(n, dtype=np.int8)
    sent_vals = _sentinel_values(sentinels)

    fast = text.str.fullmatch(r"\d{1," + str(MAX_DIGITS) + "}").to_numpy(dtype=bool, na_value=False)
    if fast.any():
        value[fast] = text[fast].astype("int64").to_numpy()
        has_value[fast] = True
        sent_fast = [v for v in sent_vals if v >= 0]
        if sent_fast:
            problem[fast & np.isin(value, sent_fast)] = _P["SM-E307"]
    rest_idx = np.flatnonzero(~fast)
    if len(rest_idx):
        rest = text.iloc[rest_idx]
        empty = (rest == "").to_numpy()
        flag[rest_idx[empty]] = _F[FLAG_MISSING]
        symbol = rest.isin(list(SYMBOLS)).to_numpy()
        flag[rest_idx[symbol]] = rest[symbol].map({k: _F[v] for k, v in SYMBOLS.items()}).to_numpy(dtype=np.int8)
        zero = rest.isin(list(ZERO_SYMBOLS)).to_numpy()
        has_value[rest_idx[zero]] = True  # value already 0
        sentinel_text = rest.isin([str(s).strip() for s in sentinels]).to_numpy()
        other = ~(empty | symbol | sentinel_text)
        problem[rest_idx[sentinel_text]] = _P["SM-E307"]
        if other.any():
            o_idx = rest_idx[other]
            parts = rest[other].str.extract(PATTERNS[decimal])
            matched = parts["int"].notna().to_numpy()
            problem[o_idx[~matched]] = _P["SM-E308"]
            m_idx = o_idx[matched]
            if len(m_idx):
                p = parts[matched]
                digits = p["int"].str.replace(r"\D", "", regex=True)
                frac = p["frac"].fillna("")
                negative = p["sign"].isin(["-", "\u2212"]).to_numpy()
                too_long = (digits.str.lstrip("0").str.len() > MAX_DIGITS).to_numpy()
                fractional = frac.str.contains(r"[1-9]", regex=True).to_numpy()
                mag = np.zeros(len(m_idx), dtype=np.int64)
                ok_len = ~too_long
                mag[ok_len] = digits[ok_len].astype("int64").to_numpy()
                signed = np.where(negative, -mag, mag)
                is_sentinel = np.isin(signed.astype(np.float64), list(sent_vals)) & ok_len & ~fractional
                codes = np.select(
                    [too_long, is_sentinel, fractional, negative & (mag != 0)],
                    [_P["SM-E308"], _P["SM-E307"], _P["SM-E306"], _P["SM-E305"]],
                    default=0,
                ).astype(np.int8)
                problem[m_idx] = codes
                good = codes == 0
                value[m_idx[good]] = mag[good]
                has_value[m_idx[good]] = True
    return _result(value, has_value, flag, problem, index)


def _parse_numeric(values: pd.Series, sentinels) -> ParsedCounts:
    index = values.index
    arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(arr)
    finite = np.isfinite(arr)
    with np.errstate(invalid="ignore"):
        integral = finite & (np.floor(arr) == arr)
        too_big = finite & (np.abs(arr) >= 10.0**MAX_DIGITS)
    is_sentinel = np.isin(arr, list(_sentinel_values(sentinels)))
    negative = finite & (arr < 0)
    problem = np.select(
        [missing, ~finite | too_big, is_sentinel, ~integral, negative],
        [0, _P["SM-E308"], _P["SM-E307"], _P["SM-E306"], _P["SM-E305"]],
        default=0,
    ).astype(np.int8)
    flag = np.where(missing, _F[FLAG_MISSING], _F[FLAG_VALUE]).astype(np.int8)
    has_value = ~missing
    value = np.zeros(len(arr), dtype=np.int64)
    ok = has_value & (problem == 0)
    value[ok] = arr[ok].astype(np.int64)
    return _result(value, has_value, flag, problem, index)


def render_native_number(v) -> str:
    """Render a native spreadsheet number as German text (integral without decimals)."""
    if isinstance(v, bool):
        return "WAHR" if v else "FALSCH"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        if v.is_integer() and abs(v) < 10.0**MAX_DIGITS:
            return str(int(v))
        return repr(v).replace(".", ",")
    return str(v)
