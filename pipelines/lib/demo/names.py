"""Plausible fictional German district names for the demo city.

Names are drawn without replacement from one pool for the whole city, so that no two districts
share a name on any level (a committee map with two "Lindenhof" would be confusing). The pool is
built from word lists (``Linden`` + ``hof``, ``Am`` + ``Stadtpark``, …) and shuffled with the
caller's random generator, which makes the names deterministic for a given seed.
"""

from __future__ import annotations

import numpy as np

# Bezirk names: established-sounding town quarter names; the central one is always "Mitte".
BEZIRK_NAMES = (
    "Altstadt",
    "Nordstadt",
    "Südstadt",
    "Oststadt",
    "Weststadt",
    "Neustadt",
    "Lindenau",
    "Eichenfeld",
    "Rosenthal",
    "Birkenheide",
    "Mühlbach",
    "Kirchberg",
    "Seefeld",
    "Sonnenhügel",
    "Falkenried",
    "Auenwald",
    "Steinbrück",
    "Wiesengrund",
    "Hohenlinden",
    "Buchholz",
)
CENTRAL_BEZIRK = "Mitte"

_PREFIXES = (
    "Linden",
    "Eichen",
    "Birken",
    "Ahorn",
    "Buchen",
    "Erlen",
    "Weiden",
    "Tannen",
    "Rosen",
    "Mühl",
    "Kirch",
    "Schloss",
    "Wald",
    "Berg",
    "Bach",
    "See",
    "Wiesen",
    "Sonnen",
    "Brunnen",
    "Hasel",
    "Kastanien",
    "Ulmen",
    "Fichten",
    "Kiefern",
    "Falken",
    "Lerchen",
    "Finken",
    "Hirsch",
    "Fuchs",
    "Biber",
    "Stein",
    "Sand",
    "Heide",
    "Moor",
    "Feld",
    "Kloster",
    "Garten",
    "Anger",
)
_SUFFIXES = (
    "hof",
    "au",
    "feld",
    "heide",
    "tal",
    "berg",
    "bach",
    "hausen",
    "grund",
    "wiese",
    "garten",
    "viertel",
    "siedlung",
    "park",
    "ring",
)
_PLACES = (
    "Am Stadtpark",
    "An der Mühle",
    "Am Schlossteich",
    "Alter Markt",
    "Neue Mitte",
    "Bahnhofsviertel",
    "Am Hafen",
    "Am Rathaus",
    "Unter den Linden",
    "An der Stadtmauer",
    "Am Wasserturm",
    "Hinter der Kirche",
    "Am Sportplatz",
    "Zum Anger",
    "Am Bruchgraben",
    "Auf dem Sand",
)
_DIRECTIONS = ("Nord", "Süd", "Ost", "West")


class NamePool:
    """Draws unique German names; every name is handed out at most once."""

    def __init__(self, rng: np.random.Generator):
        compounds = [f"{p}{s}" for p in _PREFIXES for s in _SUFFIXES]
        base = list(_PLACES) + [c for c in compounds if not _awkward(c)]
        order = rng.permutation(len(base))
        self._pool = [base[i] for i in order]
        self._used: set[str] = set(BEZIRK_NAMES) | {CENTRAL_BEZIRK}
        self._next = 0
        self._rng = rng

    def take(self) -> str:
        """The next unused name; falls back to directional variants when the pool runs dry."""
        while self._next < len(self._pool):
            name = self._pool[self._next]
            self._next += 1
            if name not in self._used:
                self._used.add(name)
                return name
        for direction in _DIRECTIONS:
            for base in self._pool:
                name = f"{base}-{direction}"
                if name not in self._used:
                    self._used.add(name)
                    return name
        raise RuntimeError("name pool exhausted")  # pragma: no cover - thousands of names available

    def take_prefixed(self, prefix: str) -> str:
        """A unique name such as "Gewerbegebiet Lindenfeld" (for special areas)."""
        while True:
            name = f"{prefix} {self.take()}"
            if name not in self._used:
                self._used.add(name)
                return name


def bezirk_names(count: int, central_index: int, rng: np.random.Generator) -> list[str]:
    """``count`` unique Bezirk names; the one at ``central_index`` is called "Mitte"."""
    others = [BEZIRK_NAMES[i] for i in rng.permutation(len(BEZIRK_NAMES))]
    while len(others) < count:  # very large cities: number the remaining ones
        others.append(f"Stadtbezirk {len(others) + 1}")
    names = []
    it = iter(others)
    for i in range(count):
        names.append(CENTRAL_BEZIRK if i == central_index else next(it))
    return names


def _awkward(name: str) -> bool:
    """Drop compounds that read badly (double letters at the joint, "Seesee", …)."""
    lower = name.lower()
    return any(
        t in lower
        for t in ("sees", "eeau", "bachb", "bergb", "feldf", "heideh", "gartengarten", "wiesenw", "hh")
    )
