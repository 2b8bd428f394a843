"""Generated workspaces of any size for benchmarks: any number of levels, districts and indicators.

``generate_scaled(workspace, levels=[("stadt", "Stadt", 1), …, ("planungsraum", "Planungsraum", 542)],
indicators=60, years=range(2010, 2025))`` writes one GeoPackage layer per level, the population by age
band, the counts of every indicator (Parquet, long format), one offer per leaf and a matching ``sozialmonitor.toml``.
The leaves are grid cells along a serpentine path; each level groups consecutive districts of the level
below, so every district is one connected area and the hierarchy nests exactly. The demo city
(:mod:`pipelines.lib.demo.generator`) is untouched by this module.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from shapely.geometry import box

AGE_BANDS = ("0-2", "3-5", "6-9", "10-14", "15-17", "18-24", "25-64", "65+")
AGE_SHARE = np.array([0.03, 0.03, 0.04, 0.045, 0.03, 0.08, 0.55, 0.195])
DOMAINS = ("Soziales", "Bildung", "Gesundheit")
CELL = 1000.0  # metres per grid cell
ORIGIN = (400_000.0, 5_500_000.0)  # EPSG:25832

BERLIN = [("stadt", "Stadt", 1), ("bezirk", "Bezirk", 12), ("prognoseraum", "Prognoseraum", 58),
          ("bezirksregion", "Bezirksregion", 143), ("planungsraum", "Planungsraum", 542)]
NATIONAL = [("bund", "Deutschland", 1), ("land", "Land", 16), ("kreis", "Kreis", 400),
            ("gemeinde", "Gemeinde", 11_000)]


@dataclass(frozen=True)
class ScaledSummary:
    workspace: Path
    districts: dict[str, int]
    count_rows: int
    population_rows: int


def _serpentine(n: int) -> np.ndarray:
    """Grid (column, row) of ``n`` cells along a serpentine path: consecutive cells share an edge."""
    width = math.ceil(math.sqrt(n))
    i = np.arange(n)
    row, col = i // width, i % width
    col = np.where(row % 2 == 1, width - 1 - col, col)
    return np.column_stack([col, row])


def _groups(n_children: int, n_parents: int) -> np.ndarray:
    """Parent index of each of ``n_children`` consecutive children, as even as possible."""
    return np.repeat(np.arange(n_parents), [len(a) for a in np.array_split(np.arange(n_children), n_parents)])


def build_hierarchy(levels: Sequence[tuple[str, str, int]]) -> list[gpd.GeoDataFrame]:
    """One GeoDataFrame per level (top first): ``gebiet_id, name, ober_id, geometry``."""
    counts = [n for _, _, n in levels]
    if counts[0] != 1 or any(a > b for a, b in itertools.pairwise(counts)):
        raise ValueError("levels must start with one district and never shrink downwards")
    cells = _serpentine(counts[-1])
    x0, y0 = ORIGIN
    geoms = np.array([box(x0 + c * CELL, y0 + r * CELL, x0 + (c + 1) * CELL, y0 + (r + 1) * CELL)
                      for c, r in cells], dtype=object)
    # member leaves of every district, bottom-up
    parent_of = [None] * len(levels)
    for k in range(len(levels) - 1, 0, -1):
        parent_of[k] = _groups(counts[k], counts[k - 1])
    leaf_group = [None] * len(levels)
    leaf_group[-1] = np.arange(counts[-1])
    for k in range(len(levels) - 2, -1, -1):
        leaf_group[k] = parent_of[k + 1][leaf_group[k + 1]]
    frames = []
    for k, (_level, label, n) in enumerate(levels):
        ids = [f"{k}{i:06d}" for i in range(n)]
        if k == len(levels) - 1:
            shapes = list(geoms)
        else:
            order = np.argsort(leaf_group[k], kind="stable")
            bounds = np.searchsorted(leaf_group[k][order], np.arange(n + 1))
            shapes = [shapely.coverage_union_all(geoms[order[a:b]]) for a, b in itertools.pairwise(bounds)]
        parents = [None] * n if k == 0 else [f"{k - 1}{p:06d}" for p in parent_of[k]]
        frames.append(gpd.GeoDataFrame({"gebiet_id": ids, "name": [f"{label} {i + 1}" for i in range(n)],
                                        "ober_id": parents}, geometry=shapes, crs="EPSG:25832"))
    return frames


def generate_scaled(workspace: Path, *, levels: Sequence[tuple[str, str, int]], indicators: int = 60,
                    years: Sequence[int] = range(2010, 2025), seed: int = 7, name: str = "Großstadt") -> ScaledSummary:
    workspace = Path(workspace)
    rng = np.random.default_rng(seed)
    raw = workspace / "data_raw"
    (raw / "geometrien").mkdir(parents=True, exist_ok=True)
    frames = build_hierarchy(levels)
    gpkg = raw / "geometrien" / "gebiete.gpkg"
    gpkg.unlink(missing_ok=True)
    for (level, _, _), gdf in zip(levels, frames, strict=True):
        out = gdf.drop(columns="ober_id") if gdf["ober_id"].isna().all() else gdf
        out.to_file(gpkg, layer=level, driver="GPKG")

    leaves = frames[-1]["gebiet_id"].to_numpy()
    years = np.asarray(list(years))
    n_leaf, n_year = len(leaves), len(years)
    # population: a few small districts (under the publication threshold) among mostly normal ones
    total = rng.lognormal(math.log(6000), 0.6, n_leaf).astype(np.int64) + 150
    growth = 1 + 0.01 * rng.standard_normal((n_leaf, n_year)).cumsum(axis=1)
    pop = np.rint(total[:, None, None] * growth[:, :, None] * AGE_SHARE[None, None, :]).astype(np.int64)
    population = pd.DataFrame({
        "Gebiet": np.repeat(leaves, n_year * len(AGE_BANDS)),
        "Jahr": np.tile(np.repeat(years, len(AGE_BANDS)), n_leaf),
        "Altersgruppe": np.tile(np.array(AGE_BANDS), n_leaf * n_year),
        "Einwohner": pop.ravel(),
    })
    (raw / "bevoelkerung").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(population, preserve_index=False), raw / "bevoelkerung" / "einwohner.parquet")

    # counts: denominator from the population, numerator binomial around a district-level rate
    ind_ids = [f"ind_{i + 1:02d}" for i in range(indicators)]
    (raw / "zaehlungen").mkdir(parents=True, exist_ok=True)
    base = pop.sum(axis=2)  # leaf x year
    rows = 0
    for _j, ind in enumerate(ind_ids):
        share = rng.uniform(0.05, 0.6)
        den = rng.binomial(base, share)
        level = rng.beta(2, 8, n_leaf)[:, None] * rng.uniform(0.5, 1.5)
        p = np.clip(level + 0.01 * rng.standard_normal((n_leaf, n_year)), 0, 1)
        num = rng.binomial(den, p)
        frame = pd.DataFrame({"district_id": np.repeat(leaves, n_year), "year": np.tile(years, n_leaf),
                              "indicator_id": ind, "numerator": num.ravel(), "denominator": den.ravel()})
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), raw / "zaehlungen" / f"{ind}.parquet")
        rows += len(frame)
    # offers: one per leaf, at its centre, category and target group in turn
    centres = frames[-1].geometry.centroid
    kinds = [("Familienzentrum", "0-3"), ("Sprachförderung", "3-6"), ("Sportverein", "6-10"),
             ("Jugendzentrum", "10-18")]
    offers = pd.DataFrame({"Nr": np.arange(1, n_leaf + 1), "Name": [f"Angebot {i + 1}" for i in range(n_leaf)],
                           "Kategorie": [kinds[i % 4][0] for i in range(n_leaf)],
                           "Zielgruppe": [kinds[i % 4][1] for i in range(n_leaf)],
                           "Rechtswert": centres.x.round(1), "Hochwert": centres.y.round(1)})
    (raw / "angebote").mkdir(parents=True, exist_ok=True)
    offers.to_csv(raw / "angebote" / "angebote.csv", sep=";", index=False, decimal=",")
    (workspace / "sozialmonitor.toml").write_text(_config(name, levels, ind_ids, int(years[-1])), encoding="utf-8")
    return ScaledSummary(workspace=workspace, districts={lv: n for lv, _, n in levels}, count_rows=rows,
                         population_rows=len(population))


def _config(name: str, levels, ind_ids: list[str], last_year: int) -> str:
    out = [f'[city]\nname = "{name}"\ncrs = "EPSG:25832"\ndata_date = "{last_year}-12-31"\n']
    for level, label, _ in levels:
        out.append(f'[[levels]]\nid = "{level}"\nlabel = "{label}"\n')
    for k, (level, _, _) in enumerate(levels):
        parent = '' if k == 0 else 'parent = "ober_id"\n'
        out.append(f'[[geometries]]\npath = "data_raw/geometrien/gebiete.gpkg"\nlayer = "{level}"\nlevel = "{level}"\n'
                   f'key = "gebiet_id"\nname = "name"\n{parent}')
    out.append('[population]\npath = "data_raw/bevoelkerung/einwohner.parquet"\n[population.columns]\n'
               'district_id = "Gebiet"\nyear = "Jahr"\nage_band = "Altersgruppe"\npopulation = "Einwohner"\n')
    out.append('[[counts]]\nid = "zaehlungen"\npath = "data_raw/zaehlungen/*.parquet"\nformat = "long"\n'
               'absent = "missing"\n')
    out.append('[offers]\npath = "data_raw/angebote/angebote.csv"\nx = "Rechtswert"\ny = "Hochwert"\n'
               'crs = "EPSG:25832"\n[offers.columns]\noffer_id = "Nr"\nname = "Name"\ncategory = "Kategorie"\n'
               'age_band = "Zielgruppe"\n')
    out.append("[protection]\nk = 3\nmin_population = 300\nmin_denominator = 20\npublish_zeros = true\n"
               "protection_interval = 2\nrate_decimals = 1\n\n[release]\nkeep = 2\n")
    for i, ind in enumerate(ind_ids):
        out.append(f'[[indicators]]\nid = "{ind}"\nlabel = "Indikator {i + 1}"\ndenominator_label = "Bezugsgruppe {i + 1}"\n'
                   f'domain = "{DOMAINS[i % 3]}"\nlife_phase = "0-18"\ndirection = "higher_is_worse"\nunit = "share"\n'
                   f'source = "Benchmark"\ndata_owner = "Statistikstelle"\nweight = {1.0 if i < 8 else 0.0}\n')
    return "\n".join(out)
