"""Count rows with their few-valued text columns as categoricals (national scale in little memory).

Ten million count rows hold a handful of indicator ids, flags, source ids and file names. As plain text
each of these columns costs about 15–45 bytes a row (0.2–0.4 GB at national scale); as a categorical
one byte. Categories are always sorted, so grouping and sorting give the same order as on text.
``concat_rows`` concatenates row frames on the union of their categories (``pd.concat`` alone falls
back to Python objects when categories differ).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

CATEGORY_COLUMNS = ("indicator_id", "numerator_flag", "denominator_flag", "source_id", "source_file", "_key_column")


def constant(value: str, n: int) -> pd.Categorical:
    """``n`` times the same text, as a categorical (no copy of the text per row)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([value], dtype="str"))


def categorical(values) -> pd.Categorical:
    """Text values as a categorical with sorted ``str`` categories."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.Categorical):
        cats = values.categories
        if cats.dtype == "str" and cats.is_monotonic_increasing:
            return values
        text = cats.astype("str")
        return pd.Categorical(values, categories=text).reorder_categories(text.sort_values())
    return pd.Categorical(pd.array(values, dtype="str"))


def concat_rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True)`` that keeps the category columns categorical."""
    frames = list(frames)
    for col in CATEGORY_COLUMNS:
        have = [f for f in frames if col in f.columns]
        if not have:
            continue
        parts = [categorical(f[col]) for f in have]
        union = union_categoricals(parts, sort_categories=True).categories if len(parts) > 1 else parts[0].categories
        frames = [f.assign(**{col: _recoded(f[col] if col in f.columns else None, union, len(f))}) for f in frames]
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    return pd.concat(frames, ignore_index=True)


def _recoded(values, categories: pd.Index, n: int) -> pd.Categorical:
    """Values on the given categories; a frame without the column gets missing values (as concat does)."""
    if values is None:
        return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=categories)
    values = categorical(values)
    if values.categories.equals(categories):
        return values
    return pd.Categorical(values, categories=categories)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every categorical column as plain ``str`` text (for the rarely used, row-wise paths)."""
    cols = {c: frame[c].astype("str") for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)}
    return frame.assign(**cols) if cols else frame
