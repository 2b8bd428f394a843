"""Prevention offers (Familienzentren, Frühe Hilfen, Sportvereine, …) as points in the demo city.

Offers follow the population but not the need: they are dense in affluent areas and in the
improving poverty cluster, and almost absent from the worsening poverty cluster, so that the
analysis finds real "Versorgungslücken" (high need, few offers).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipelines.lib.demo.geometry import CRS, Layout, sample_points
from pipelines.lib.demo.values import LatentField

OFFER_AGE_BANDS = ("0-3", "3-6", "6-10", "10-18")
OFFERS_PER_PLANUNGSRAUM = 0.9


@dataclass(frozen=True)
class OfferCategory:
    name: str
    share: float
    age_bands: tuple[str, ...]
    patterns: tuple[str, ...]  # "{ort}" is the Planungsraum's name, "{person}" a surname


CATEGORIES = (
    OfferCategory(
        "Familienzentrum", 0.17, ("0-3", "3-6"), ("Familienzentrum {ort}", "Eltern-Kind-Treff {ort}")
    ),
    OfferCategory("Frühe Hilfen", 0.12, ("0-3",), ("Frühe Hilfen {ort}", "Babylotsen {ort}")),
    OfferCategory("Sprachförderung", 0.15, ("3-6", "6-10"), ("Sprachkita {ort}", "Sprachcafé {ort}")),
    OfferCategory("Jugendzentrum", 0.15, ("10-18",), ("Jugendzentrum {ort}", "Jugendtreff {ort}")),
    OfferCategory("Sportverein", 0.23, ("6-10", "10-18"), ("SV {ort}", "TSV {ort}", "Turnverein {ort}")),
    OfferCategory("Kinderarztpraxis", 0.18, ("0-3", "3-6", "6-10"), ("Kinderarztpraxis Dr. {person}",)),
)
_SURNAMES = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Braun",
    "Zimmermann",
    "Krüger",
    "Hartmann",
    "Lange",
    "Yılmaz",
    "Kowalski",
)


def make_offers(
    layout: Layout, population: pd.DataFrame, field: LatentField, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """Offers with ``offer_id, name, category, age_band, district_id, geometry`` (EPSG:25832)."""
    plr = layout.planungsraeume
    xy = shapely.get_coordinates(shapely.point_on_surface(plr.geometry.values))
    last = population[population["year"] == population["year"].max()]
    pop = last.groupby("district_id")["population"].sum().reindex(plr["district_id"]).to_numpy(float)

    gap = np.exp(-4.0 * field.kernel(0, xy))  # the worsening cluster is hardly served
    served = 1.0 + 2.0 * field.kernel(1, xy)
    for i in range(len(field.bumps)):
        if field.bumps[i, 2] < 0:  # affluent areas are well served
            served = served + 0.8 * field.kernel(i, xy)
    weight = (pop + 1.0) * gap * served
    total = max(1, round(OFFERS_PER_PLANUNGSRAUM * len(plr)))
    per_plr = rng.multinomial(total, weight / weight.sum())

    shares = np.array([c.share for c in CATEGORIES])
    rows = []
    used: set[str] = set()
    for i, n in enumerate(per_plr):
        if n == 0:
            continue
        points = sample_points(plr.geometry.iloc[i], int(n), rng)
        place = _place_name(plr["name"].iloc[i], plr["kind"].iloc[i])
        for x, y in points:
            cat = CATEGORIES[int(rng.choice(len(CATEGORIES), p=shares / shares.sum()))]
            pattern = cat.patterns[int(rng.integers(len(cat.patterns)))]
            name = pattern.format(ort=place, person=_SURNAMES[int(rng.integers(len(_SURNAMES)))])
            name = _unique(name, used)
            rows.append(
                {
                    "name": name,
                    "category": cat.name,
                    "age_band": cat.age_bands[int(rng.integers(len(cat.age_bands)))],
                    "district_id": plr["district_id"].iloc[i],
                    "geometry": shapely.Point(round(x, 2), round(y, 2)),
                }
            )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    gdf.insert(0, "offer_id", np.arange(1, len(gdf) + 1, dtype=np.int64))
    return gdf


def _place_name(name: str, kind: str) -> str:
    """ "Gewerbegebiet Lindenhof" → "Lindenhof" (offers are named after the place only)."""
    return name.split(" ", 1)[1] if kind != "wohnen" and " " in name else name


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name} {_roman(n)}"
    used.add(candidate)
    return candidate


def _roman(n: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, sym in numerals:
        while n >= value:
            out += sym
            n -= value
    return out
