"""Key and name normalisation: zero-padding, prefix/suffix rules, and names compared loosely.

Names from tables and geometries differ in case, umlauts, ß, hyphens, spaces and abbreviations
("Stülerstr." vs "Stülerstraße", "St. Georg" vs "Sankt Georg"). :func:`name_token` reduces a
name to a comparable token; a join by name compares tokens, never the raw text.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from pipelines.lib.config import KeyRule

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue", "ẞ": "ss"})
_ABBREVIATIONS = [
    (re.compile(r"str\.|straße\b|strasse\b"), "strasse"),
    (re.compile(r"\bst\.\s*"), "sankt "),
    (re.compile(r"\bpl\.\s*"), "platz "),
]


def normalise_keys(keys: pd.Series, rule: KeyRule) -> pd.Series:
    """Apply a key rule to a column of key texts (empty keys stay empty)."""
    out = keys.astype("str").fillna("").str.strip()
    if not rule.active:
        return out
    if rule.strip:
        out = out.str.strip(rule.strip)
    if rule.remove_prefix:
        out = out.str.removeprefix(rule.remove_prefix)
    if rule.remove_suffix:
        out = out.str.removesuffix(rule.remove_suffix)
    empty = out == ""
    if rule.pad:
        out = out.str.zfill(rule.pad)
    if rule.prefix or rule.suffix:
        out = rule.prefix + out + rule.suffix
    return out.where(~empty, "")


def name_token(name: str) -> str:
    """A name reduced for comparison: lower case, umlauts spelt out, abbreviations expanded, only a-z0-9."""
    text = str(name).strip().translate(_UMLAUTS).lower()
    for pattern, repl in _ABBREVIATIONS:
        text = pattern.sub(repl, text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text)
