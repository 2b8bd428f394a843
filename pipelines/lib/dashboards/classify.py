"""Colour classes for a choropleth: Fisher-Jenks or quantile breaks on published values, ColorBrewer palettes.

Classes are computed from published values only (hidden cells are never passed in). The palettes are
colour-blind-safe ColorBrewer sequential schemes. For *k* classes the (k+1)-class scheme without its
lightest colour is used, so that no class colour is near-white and none can be mistaken for the
"keine Daten" (white) or "zu wenige Einwohner" (light grey) styles. Darker always means more need:
for ``lower_is_worse`` indicators the mapping is reversed so that low values are dark.
"""

from __future__ import annotations

import bisect
import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from pipelines.lib.dashboards.formatting import format_rate
from pipelines.lib.dashboards.jenks import fisher_jenks_breaks, sampled

MAX_CLASSES = 5
SAMPLE_SIZE = 1000  # values Fisher-Jenks is computed on above ``sampled_above`` (as FisherJenksSampled)

# ColorBrewer (Cynthia Brewer, colorbrewer2.org), sequential, colour-blind safe; key = number of classes.
YLORRD = {
    3: ("#ffeda0", "#feb24c", "#f03b20"),
    4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
    5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
}
YLGNBU = {
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
}

DIRECTION_TEXT = {
    "higher_is_worse": "dunkler = höherer Handlungsbedarf (hohe Werte sind ungünstig)",
    "lower_is_worse": "dunkler = höherer Handlungsbedarf (niedrige Werte sind ungünstig)",
    "none": "dunkler = höherer Wert (ohne Bewertung)",
}


def palette(n_classes: int, direction: str) -> tuple[str, ...]:
    """``n_classes`` colours ordered from the lowest to the highest value class, darker = more need."""
    if not 1 <= n_classes <= MAX_CLASSES:
        raise ValueError(f"between 1 and {MAX_CLASSES} classes, not {n_classes}")
    scheme = YLGNBU if direction == "none" else YLORRD
    colours = (scheme[3][1],) if n_classes == 1 else scheme[n_classes + 1][1:]
    return tuple(reversed(colours)) if direction == "lower_is_worse" else tuple(colours)


@dataclass(frozen=True)
class ValueClass:
    lower: float  # smallest published value in the class (the first class) or the previous break
    upper: float  # the class break: values <= upper (and > the previous break) belong here
    colour: str
    count: int
    first: bool

    def label(self, unit: str, decimals: int) -> str:
        """``"12,5 % bis 18,3 %"`` for the first class, ``"über 18,3 % bis 25,0 %"`` for the others.

        A first class holding a single value is labelled with that value alone.
        """
        upper = format_rate(self.upper, unit, decimals)
        if self.first:
            lower = format_rate(self.lower, unit, decimals)
            return upper if lower == upper else f"{lower} bis {upper}"
        return f"über {format_rate(self.lower, unit, decimals)} bis {upper}"


@dataclass(frozen=True)
class Classification:
    classes: tuple[ValueClass, ...]
    direction: str
    scheme: str = "fisher_jenks"

    @cached_property
    def breaks(self) -> tuple[float, ...]:  # a map page asks once per district
        return tuple(c.upper for c in self.classes)

    def class_index(self, value: float) -> int:
        """The class a (published) value falls in; values beyond the range go to the nearest class."""
        index = bisect.bisect_left(self.breaks, value)
        return min(index, len(self.classes) - 1)

    def colour(self, value: float) -> str:
        return self.classes[self.class_index(value)].colour

    @property
    def direction_text(self) -> str:
        return DIRECTION_TEXT.get(self.direction, DIRECTION_TEXT["none"])


SCHEME_TEXT = {
    "fisher_jenks": "natürlichen Brüchen (Fisher-Jenks)",
    "quantiles": "Quantilen (etwa gleich viele Gebiete je Klasse)",
}


def classify(
    values: list[float],
    direction: str,
    max_classes: int = MAX_CLASSES,
    scheme: str = "fisher_jenks",
    sampled_above: int = 3000,
) -> Classification:
    """Classes of the published ``values`` (fewer classes when fewer distinct values).

    ``scheme`` is ``fisher_jenks`` (``FisherJenksSampled`` on more than ``sampled_above`` values, with a
    fixed seed so the same values give the same breaks) or ``quantiles``.
    """
    data = np.asarray([v for v in values if v is not None], dtype=float)
    data = np.sort(data[np.isfinite(data)])
    distinct = np.unique(data)
    k = min(max_classes, len(distinct))
    if k == 0:
        return Classification(classes=(), direction=direction, scheme=scheme)
    breaks = [float(v) for v in distinct] if k == len(distinct) else _breaks(data, k, scheme, sampled_above)
    breaks = sorted(set(breaks))  # quantiles of ties may coincide
    colours = palette(len(breaks), direction)
    classes = []
    lower = float(data[0])
    for i, (upper, colour) in enumerate(zip(breaks, colours, strict=True)):
        count = int(np.count_nonzero((data <= upper) & ((data > lower) if i else True)))
        classes.append(ValueClass(lower=lower, upper=upper, colour=colour, count=count, first=i == 0))
        lower = upper
    return Classification(classes=tuple(classes), direction=direction, scheme=scheme)


def _breaks(data: np.ndarray, k: int, scheme: str, sampled_above: int) -> list[float]:
    if scheme == "quantiles":
        import mapclassify  # only here: its import (scipy.stats and more) costs seconds

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Numba not installed": mapclassify is only used for quantiles
            return [float(b) for b in mapclassify.Quantiles(data, k=k).bins]
    if scheme != "fisher_jenks":
        raise ValueError(f"unknown classification scheme {scheme!r}")
    if len(data) > sampled_above:
        breaks = fisher_jenks_breaks(sampled(data, SAMPLE_SIZE), k)
        return [*breaks[:-1], float(data[-1])]
    return fisher_jenks_breaks(data, k)
