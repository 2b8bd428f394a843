"""Table symbols and German number parsing (pipelines.lib.ingest.numbers / symbols)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.lib.ingest.numbers import parse_counts, parse_number_text
from pipelines.lib.ingest.symbols import symbol_flag


def parse_one(text, decimal=",", sentinels=("-9999",)):
    p = parse_counts(pd.Series([text], dtype="str"), decimal=decimal, sentinels=sentinels)
    value = p.value.iloc[0]
    return (None if pd.isna(value) else int(value)), p.flag.iloc[0], p.problem.iloc[0]


@pytest.mark.parametrize(
    ("text", "value", "flag"),
    [
        ("-", 0, "value"),
        ("–", 0, "value"),
        (".", None, "secret"),
        ("x", None, "not_meaningful"),
        ("/", None, "unreliable"),
        ("…", None, "not_yet"),
        ("...", None, "not_yet"),
        ("", None, "missing"),
        ("   ", None, "missing"),
        (" - ", 0, "value"),
        (" . ", None, "secret"),
    ],
)
def test_table_symbols(text, value, flag):
    assert parse_one(text) == (value, flag, "")


def test_symbol_flag_lookup():
    assert symbol_flag(" x ") == "not_meaningful"
    assert symbol_flag("7") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("17", 17),
        ("1.234", 1234),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("1\u202f234", 1234),
        ("12.345.678", 12345678),
        ("12,0", 12),
        ("1.234,00", 1234),
        ("  42 ", 42),
        ("007", 7),
        ("+3", 3),
        ("-0", 0),
    ],
)
def test_german_integers(text, value):
    assert parse_one(text) == (value, "value", "")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("12,5", "SM-E306"),
        ("0,1", "SM-E306"),
        ("-5", "SM-E305"),
        ("-1.234", "SM-E305"),
        ("-9999", "SM-E307"),
        ("-9.999", "SM-E307"),
        ("abc", "SM-E308"),
        ("#DIV/0!", "SM-E308"),
        ("=SUM(A1:A3)", "SM-E308"),
        ("1.23", "SM-E308"),  # neither thousands nor a German decimal
        ("1.234 567", "SM-E308"),  # mixed thousands separators
        ("12.5", "SM-E308"),
        ("1" * 20, "SM-E308"),
    ],
)
def test_bad_count_cells(text, code):
    value, flag, problem = parse_one(text)
    assert (value, flag, problem) == (None, "", code)


def test_decimal_point_dialect():
    assert parse_one("1,234", decimal=".") == (1234, "value", "")
    assert parse_one("12.0", decimal=".") == (12, "value", "")
    assert parse_one("12.5", decimal=".")[2] == "SM-E306"
    assert parse_one("12,5", decimal=".")[2] == "SM-E308"


def test_native_numbers_from_parquet_or_excel():
    s = pd.Series([3.0, 2.5, None, -9999.0, -1.0, float("inf")], dtype="float64")
    p = parse_counts(s, sentinels=("-9999",))
    assert p.value.iloc[0] == 3
    assert p.flag.tolist() == ["value", "", "missing", "", "", ""]
    assert p.problem.tolist() == ["", "SM-E306", "", "SM-E307", "SM-E305", "SM-E308"]
    ints = parse_counts(pd.Series([5, None, -3], dtype="Int64"))
    assert ints.value.tolist()[0] == 5
    assert ints.flag.tolist() == ["value", "missing", ""]
    assert ints.problem.tolist() == ["", "", "SM-E305"]


def test_parse_keeps_index_and_types():
    s = pd.Series(["1", "x", "2.000"], index=[10, 11, 12], dtype="str")
    p = parse_counts(s)
    assert list(p.value.index) == [10, 11, 12]
    assert str(p.value.dtype) == "Int64"
    assert p.value.tolist()[2] == 2000


def german(n: int, sep: str) -> str:
    digits = str(abs(n))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sep.join(groups)


@given(
    n=st.integers(min_value=0, max_value=10**14),
    sep=st.sampled_from([".", " ", "\u00a0", "\u202f", ""]),
    frac=st.sampled_from(["", ",0", ",00"]),
    pad=st.sampled_from(["", " ", "\t"]),
)
def test_german_integers_round_trip(n, sep, frac, pad):
    text = pad + german(n, sep) + frac + pad
    assert parse_one(text) == (n, "value", "")
    assert parse_number_text(text) == float(n)


@given(n=st.integers(min_value=0, max_value=10**14), sep=st.sampled_from([",", " ", ""]))
def test_decimal_point_integers_round_trip(n, sep):
    assert parse_one(german(n, sep), decimal=".") == (n, "value", "")
