"""Diverging classes around zero: Fisher-Jenks on each side, ColorBrewer BrBG (colour-blind safe).

Used for differences (allocation minus a per-capita split): negative values are brown, positive ones
blue-green, darker the further from zero; a value of exactly zero gets a neutral class of its own.
Each side has at most ``per_side`` classes, computed from that side's values only, so the colour of a
district never depends on which side has the larger spread. The palette leaves out BrBG's palest
colours next to zero, so no class can be taken for the white "keine Daten".
"""

from __future__ import annotations

import numpy as np

from pipelines.lib.dashboards.classify import Classification, ValueClass
from pipelines.lib.dashboards.jenks import fisher_jenks_breaks

# ColorBrewer BrBG (8 classes) without its two palest colours; most negative first, then most positive last
NEGATIVE = {1: ("#bf812d",), 2: ("#8c510a", "#dfc27d"), 3: ("#8c510a", "#bf812d", "#dfc27d")}
POSITIVE = {1: ("#35978f",), 2: ("#80cdc1", "#01665e"), 3: ("#80cdc1", "#35978f", "#01665e")}
ZERO = "#f5f5f5"
DIRECTION = "diverging"


def diverging(values, per_side: int = 3) -> Classification:
    """Classes of ``values`` (ascending): negative sides' classes, a zero class if needed, positive classes."""
    data = np.asarray(sorted(float(v) for v in values if v is not None and np.isfinite(v)), dtype=float)
    per_side = max(1, min(per_side, 3))
    classes: list[ValueClass] = []
    negative, positive = data[data < 0], data[data > 0]
    if len(negative):
        classes += _side(negative, NEGATIVE, per_side)
    zeros = int(np.count_nonzero(data == 0))
    if zeros:
        classes.append(ValueClass(lower=0.0, upper=0.0, colour=ZERO, count=zeros, first=True))
    if len(positive):
        classes += _side(positive, POSITIVE, per_side)
    return Classification(classes=tuple(classes), direction=DIRECTION)


def _side(values: np.ndarray, colours: dict[int, tuple[str, ...]], per_side: int) -> list[ValueClass]:
    k = min(per_side, len(np.unique(values)))
    breaks = fisher_jenks_breaks(values, k)
    out = []
    lower = float(values[0])
    for i, (upper, colour) in enumerate(zip(breaks, colours[len(breaks)], strict=True)):
        inside = (values <= upper) & ((values > lower) if i else True)
        out.append(ValueClass(lower=lower, upper=float(upper), colour=colour, count=int(np.count_nonzero(inside)),
                              first=i == 0))
        lower = float(upper)
    return out
