"""Population and indicator counts of the demo city, driven by a latent deprivation surface.

A smooth field over the city (a gradient, a few poverty clusters and affluent areas) is evaluated
at each Planungsraum, standardised and blurred with a little local noise. One poverty cluster gets
worse over the years, another improves. Every indicator's probability is
``logistic(logit(rate) + loading * deprivation + city trend * t + noise)``; numerators are binomial
draws from denominators that are themselves derived from the population by age band, so numerator ≤
denominator holds by construction and small areas produce small, disclosive counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from pipelines.lib.demo.geometry import Layout

# Age bands in completed years, both ends inclusive ("3-5" = 3 to under 6 years).
AGE_BANDS = ("0-2", "3-5", "6-9", "10-14", "15-17", "18-24", "25-64", "65+")
_BASE_SHARES = np.array([0.028, 0.028, 0.037, 0.045, 0.026, 0.085, 0.551, 0.200])
# relative change of each band's share per unit of deprivation (poorer areas: more children)
_DEPRIVATION_TILT = np.array([0.22, 0.22, 0.20, 0.18, 0.15, 0.05, 0.0, -0.15])
_KIND_TILT = {  # extra relative change of each band's share by kind of area
    "wohnen": np.zeros(8),
    "gewerbe": np.array([-0.5, -0.5, -0.5, -0.4, -0.3, 0.3, 0.2, -0.3]),
    "park": np.array([-0.3, -0.3, -0.3, -0.3, -0.2, 0.0, 0.0, 0.4]),
    "neubau": np.array([0.8, 0.7, 0.5, 0.3, 0.1, -0.2, 0.1, -0.6]),
}


@dataclass(frozen=True)
class IndicatorModel:
    """How one indicator's numerator is simulated.

    ``rate`` is the probability at average deprivation, ``loading`` the change of its logit per unit
    of deprivation (negative for "lower is worse" indicators such as day care or check-ups), and
    ``trend`` a city-wide change of the logit per year.
    """

    id: str
    denominator: str
    rate: float
    loading: float
    trend: float = 0.0


INDICATOR_MODELS = (
    IndicatorModel("kinderarmut", "children_u15", 0.17, 0.55, -0.02),
    IndicatorModel("kinderarmut_u3", "age_0_2", 0.19, 0.55, -0.02),
    IndicatorModel("alleinerziehende", "households_with_children", 0.24, 0.30),
    IndicatorModel("arbeitslosigkeit", "age_15_64", 0.07, 0.35, -0.03),
    IndicatorModel("hilfen_zur_erziehung", "age_10_17", 0.025, 0.45, 0.02),
    IndicatorModel("kita_u3", "age_0_2", 0.42, -0.25, 0.06),
    IndicatorModel("kita_3_6", "age_3_5", 0.94, -0.30, 0.03),
    IndicatorModel("gymnasialempfehlung", "class_4", 0.42, -0.45),
    IndicatorModel("ohne_abschluss", "school_leavers", 0.06, 0.35),
    IndicatorModel("sprachdefizit", "esu_examined", 0.20, 0.35, 0.02),
    IndicatorModel("motorikdefizit", "esu_examined", 0.13, 0.25),
    IndicatorModel("kognitionsdefizit", "esu_examined", 0.09, 0.30),
    IndicatorModel("uebergewicht", "esu_examined", 0.09, 0.30),
    IndicatorModel("u7_teilnahme", "esu_u_heft", 0.93, -0.35),
    IndicatorModel("u9_teilnahme", "esu_u_heft", 0.91, -0.30),
    IndicatorModel("masern_impfung", "esu_vaccination_card", 0.92, -0.25, 0.03),
    IndicatorModel("karies", "class_3_examined", 0.22, 0.35, -0.02),
)
INDICATOR_IDS = tuple(m.id for m in INDICATOR_MODELS)


@dataclass(frozen=True)
class LatentField:
    """The smooth deprivation surface: a gradient plus Gaussian bumps (some with a time trend).

    Bump 0 is a poverty cluster that worsens over the years (and lacks prevention offers), bump 1
    a poverty cluster that improves (and is well served); further bumps are static.
    """

    center: tuple[float, float]
    radius: float
    gradient: tuple[float, float]  # change per radius in x and y
    bumps: np.ndarray  # (k, 5): x, y, amplitude, sigma, trend per year

    def static(self, xy: np.ndarray) -> np.ndarray:
        rel = (xy - np.asarray(self.center)) / self.radius
        value = rel @ np.asarray(self.gradient)
        for i in range(len(self.bumps)):
            value = value + self.bumps[i, 2] * self.kernel(i, xy)
        return value

    def kernel(self, i: int, xy: np.ndarray) -> np.ndarray:
        """Bump ``i``'s shape, 1 at its centre and falling off with its sigma."""
        x, y, _, sigma, _ = self.bumps[i]
        d2 = (xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2
        return np.exp(-d2 / (2.0 * sigma**2))

    def trend(self, xy: np.ndarray) -> np.ndarray:
        """Change of deprivation per year at ``xy``."""
        return sum(self.bumps[i, 4] * self.kernel(i, xy) for i in range(len(self.bumps)))


@dataclass(frozen=True)
class Simulation:
    """Everything the writers need, in canonical long form.

    ``population``: ``district_id, year, age_band, population``; ``counts``: ``district_id, year,
    indicator_id, numerator, denominator`` (int64) for every Planungsraum, year and indicator;
    ``latent``: ``district_id, year, deprivation`` (the standardised latent value, for tests).
    """

    field: LatentField
    population: pd.DataFrame
    counts: pd.DataFrame
    latent: pd.DataFrame


def make_field(layout: Layout, rng: np.random.Generator) -> LatentField:
    outline = layout.outline
    c = outline.centroid
    radius = float(np.sqrt(outline.area / np.pi))
    n_plr = len(layout.planungsraeume)
    n_poor = 3 + n_plr // 250
    n_rich = 2 + n_plr // 300
    bumps = []
    for k in range(n_poor + n_rich):
        angle = rng.uniform(0, 2 * np.pi)
        dist = rng.uniform(0.25, 0.7) * radius
        poor = k < n_poor
        amplitude = rng.uniform(1.1, 1.6) if poor else -rng.uniform(0.6, 1.0)
        sigma = rng.uniform(0.16, 0.26) * radius
        trend = {0: 0.12, 1: -0.10}.get(k, 0.0)
        bumps.append([c.x + dist * np.cos(angle), c.y + dist * np.sin(angle), amplitude, sigma, trend])
    # place the two trend clusters apart from each other: mirror cluster 1 if too close to cluster 0
    b = np.array(bumps)
    if np.hypot(*(b[1, :2] - b[0, :2])) < 0.6 * radius:
        b[1, :2] = 2 * np.array([c.x, c.y]) - b[0, :2]
    g = rng.normal(0, 0.35, size=2)
    return LatentField(center=(c.x, c.y), radius=radius, gradient=(float(g[0]), float(g[1])), bumps=b)


def simulate(layout: Layout, years: Sequence[int], rng: np.random.Generator) -> Simulation:
    """Simulate population and all indicator counts for every Planungsraum and year."""
    years = [int(y) for y in years]
    if not years:
        raise ValueError("at least one year is needed")
    plr = layout.planungsraeume
    keys = plr["district_id"].to_numpy()
    kinds = plr["kind"].to_numpy()
    xy = shapely.get_coordinates(shapely.point_on_surface(plr.geometry.values))
    t = np.asarray(years, dtype=float) - years[0]
    n_p, n_y = len(keys), len(years)

    field = make_field(layout, rng)
    static = field.static(xy)
    z = (static - static.mean()) / (static.std() or 1.0)
    base = z + rng.normal(0.0, 0.35, size=n_p)
    deprivation = base[:, None] + field.trend(xy)[:, None] * t[None, :]  # (P, Y)

    bands = _population(kinds, deprivation, t, rng)  # (P, Y, B)
    denominators = _denominators(bands, deprivation, rng)
    dep = np.clip(deprivation, -2.5, 3.5)
    numerators = {}
    for model in INDICATOR_MODELS:
        den = denominators[model.denominator]
        local = rng.normal(0.0, 0.12, size=(n_p, 1)) + rng.normal(0.0, 0.05, size=(n_p, n_y))
        logit = _logit(model.rate) + model.loading * dep + model.trend * t[None, :] + local
        numerators[model.id] = rng.binomial(den, _logistic(logit))
    # children under 3 in SGB II households are among the children under 15 in them (a declared subset)
    numerators["kinderarmut"] = np.maximum(numerators["kinderarmut"], numerators["kinderarmut_u3"])
    frames = [
        _long(keys, years, model.id, numerators[model.id], denominators[model.denominator])
        for model in INDICATOR_MODELS
    ]
    counts = pd.concat(frames, ignore_index=True)

    population = pd.DataFrame(
        {
            "district_id": np.repeat(keys, n_y * len(AGE_BANDS)),
            "year": np.tile(np.repeat(years, len(AGE_BANDS)), n_p),
            "age_band": np.tile(AGE_BANDS, n_p * n_y),
            "population": bands.reshape(-1).astype("int64"),
        }
    )
    latent = pd.DataFrame(
        {
            "district_id": np.repeat(keys, n_y),
            "year": np.tile(years, n_p),
            "deprivation": deprivation.reshape(-1),
        }
    )
    return Simulation(field=field, population=population, counts=counts, latent=latent)


def _population(kinds: np.ndarray, deprivation: np.ndarray, t: np.ndarray, rng) -> np.ndarray:
    """Inhabitants per Planungsraum, year and age band (P, Y, B) as integers."""
    n_p = len(kinds)
    total0 = np.exp(rng.normal(np.log(3500.0), 0.45, size=n_p)).clip(1000, 8000)
    growth = rng.normal(0.005, 0.01, size=n_p)
    small0 = {
        "gewerbe": rng.uniform(60, 220, size=n_p),
        "park": rng.uniform(5, 60, size=n_p),
        "neubau": rng.uniform(80, 150, size=n_p),
    }
    totals = total0[:, None] * (1.0 + growth[:, None]) ** t[None, :]
    for kind in ("gewerbe", "park"):  # thinly populated areas stay so
        mask = kinds == kind
        totals[mask] = small0[kind][mask, None] * np.ones_like(t)[None, :]
    new = kinds == "neubau"  # a new-build area filling up: +60 % a year up to 1,500 inhabitants
    totals[new] = np.minimum(small0["neubau"][new, None] * 1.6 ** t[None, :], 1500.0)

    tilt = np.stack([_KIND_TILT[k] for k in kinds])  # (P, B)
    dep = np.clip(deprivation, -1.5, 2.5)[:, :, None]  # (P, Y, 1)
    shares = _BASE_SHARES * np.clip(1.0 + _DEPRIVATION_TILT * dep + tilt[:, None, :], 0.05, None)
    shares = shares / shares.sum(axis=2, keepdims=True)
    return rng.poisson(totals[:, :, None] * shares).astype(np.int64)


def _denominators(bands: np.ndarray, deprivation: np.ndarray, rng) -> dict[str, np.ndarray]:
    """Denominators derived from the age bands (P, Y each); sub-populations drawn binomially."""
    b = [bands[:, :, i] for i in range(len(AGE_BANDS))]
    under_18 = b[0] + b[1] + b[2] + b[3] + b[4]
    examined = rng.binomial(b[1], 0.33)  # one birth cohort of the three in "3-5"
    u_heft = rng.binomial(examined, _logistic(_logit(0.93) - 0.25 * deprivation))
    vaccination = rng.binomial(examined, _logistic(_logit(0.90) - 0.25 * deprivation))
    return {
        "children_u15": b[0] + b[1] + b[2] + b[3],
        "age_0_2": b[0],
        "age_3_5": b[1],
        "age_10_17": b[3] + b[4],
        "age_15_64": b[4] + b[5] + b[6],
        "households_with_children": rng.binomial(under_18, 0.6),
        "class_4": rng.binomial(b[2], 0.25),  # one of the four cohorts in "6-9"
        "class_3_examined": rng.binomial(b[2], 0.23),
        "school_leavers": rng.binomial(b[4], 0.33),
        "esu_examined": examined,
        "esu_u_heft": u_heft,
        "esu_vaccination_card": vaccination,
    }


def _long(keys, years, indicator_id: str, num: np.ndarray, den: np.ndarray) -> pd.DataFrame:
    n_p, n_y = num.shape
    return pd.DataFrame(
        {
            "district_id": np.repeat(keys, n_y),
            "year": np.tile(np.asarray(years, dtype=np.int64), n_p),
            "indicator_id": indicator_id,
            "numerator": num.reshape(-1).astype("int64"),
            "denominator": den.reshape(-1).astype("int64"),
        }
    )


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))
