"""Small hand-made inputs for the analysis tests: the demo catalogue and tiny published tables."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from pipelines.lib.config import Config, parse_config

DEMO_TOML = Path(__file__).resolve().parents[1] / "pipelines" / "lib" / "demo" / "sozialmonitor.toml"


def demo_config(**sections) -> Config:
    """The demo configuration (its indicator catalogue) with some sections replaced."""
    raw = tomllib.loads(DEMO_TOML.read_text(encoding="utf-8"))
    raw.update(sections)
    return parse_config(raw, Path("/nonexistent"))


def values_frame(rows, *, levels=None) -> pd.DataFrame:
    """Published values from ``(district_id, parent_id, level_rank, indicator_id, year, x, n, rate, lo, hi)``;
    ``x`` None marks a hidden cell."""
    levels = levels or {0: "stadt", 1: "bezirk", 2: "planungsraum"}
    frame = pd.DataFrame(rows, columns=["district_id", "parent_id", "level_rank", "indicator_id", "year",
                                        "numerator", "denominator", "rate", "ci_low", "ci_high"])
    frame["status"] = ["veröffentlicht" if x is not None else "geheimgehalten" for x in frame["numerator"]]
    frame["level"] = frame["level_rank"].map(levels)
    frame["population"] = 1000
    for col in ("numerator", "denominator"):
        frame[col] = pd.array(frame[col], dtype="Int64")
    for col in ("rate", "ci_low", "ci_high"):
        frame[col] = pd.array(frame[col], dtype="Float64")
    return frame
