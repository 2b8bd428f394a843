"""The deterministic demo city "Musterstadt": every input file the demo configuration names.

``generate_city(workspace)`` writes the district geometries, the population by age band, the
counts of all 17 catalogue indicators (four sources in four formats) and the prevention offers into
``workspace/data_raw/``, and puts the demo ``sozialmonitor.toml`` beside it. The same parameters
always give the same files (byte for byte, except the GeoPackage whose content is identical).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.lib.demo import writers
from pipelines.lib.demo.geometry import LEVELS, Layout, build_layout
from pipelines.lib.demo.offers import make_offers
from pipelines.lib.demo.values import Simulation, simulate

TEMPLATE_CONFIG = Path(__file__).with_name("sozialmonitor.toml")
CONFIG_NAME = "sozialmonitor.toml"

GEOMETRY_PATH = "data_raw/geometrien/musterstadt.gpkg"
POPULATION_PATH = "data_raw/bevoelkerung/einwohner.csv"
SOZIALES_PATH = "data_raw/soziales/sozialdaten.csv"
BILDUNG_PATH = "data_raw/bildung/bildung.parquet"
ESU_PATH = "data_raw/gesundheit/einschulungsuntersuchung.xlsx"
ZAHN_PATH = "data_raw/gesundheit/zahnaerztlicher_dienst.csv"
OFFERS_PATH = "data_raw/angebote/angebote.csv"

GEOMETRY_LAYERS = {  # layer name -> level id
    "stadt": "stadt",
    "bezirke": "bezirk",
    "bezirksregionen": "bezirksregion",
    "planungsraeume": "planungsraum",
}
SOZIALES_INDICATORS = (
    "kinderarmut",
    "kinderarmut_u3",
    "alleinerziehende",
    "arbeitslosigkeit",
    "hilfen_zur_erziehung",
)
BILDUNG_INDICATORS = ("kita_u3", "kita_3_6", "gymnasialempfehlung", "ohne_abschluss")
ZAHN_INDICATORS = ("karies",)
# ESU sheet: column -> (indicator, part); the first three are the denominators
ESU_COLUMNS = (
    ("Untersuchte Kinder", "sprachdefizit", "denominator"),
    ("Sprachdefizit", "sprachdefizit", "numerator"),
    ("Motorikdefizit", "motorikdefizit", "numerator"),
    ("Kognitive Auffälligkeit", "kognitionsdefizit", "numerator"),
    ("Übergewicht", "uebergewicht", "numerator"),
    ("U-Heft vorgelegt", "u7_teilnahme", "denominator"),
    ("U7 dokumentiert", "u7_teilnahme", "numerator"),
    ("U9 dokumentiert", "u9_teilnahme", "numerator"),
    ("Impfbuch vorgelegt", "masern_impfung", "denominator"),
    ("MMR vollständig", "masern_impfung", "numerator"),
)
ESU_SHEET = "ESU"

SIZES: dict[str, dict] = {
    # 2 × 2 × 3 = 12 Planungsräume, 3 years: for fast tests
    "tiny": {
        "bezirke": 2,
        "regionen_per_bezirk": 2,
        "planungsraeume_per_region": 3,
        "years": range(2022, 2025),
    },
    # the default demo city: 5 Bezirke, 20 Bezirksregionen, 160 Planungsräume, 5 years
    "demo": {
        "bezirke": 5,
        "regionen_per_bezirk": 4,
        "planungsraeume_per_region": 8,
        "years": range(2020, 2025),
    },
    # a city the size of Berlin: 12 Bezirke, 144 Bezirksregionen, 576 Planungsräume, 15 years
    "gross": {
        "bezirke": 12,
        "regionen_per_bezirk": 12,
        "planungsraeume_per_region": 4,
        "years": range(2010, 2025),
    },
}

# independent random streams, so changing one part never reshuffles another
_STREAM_GEOMETRY, _STREAM_NAMES, _STREAM_VALUES, _STREAM_OFFERS = 1, 2, 3, 4


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate_city` wrote.

    ``districts``: number of districts per level id; ``rows``: data rows per written file (relative
    path; for the GeoPackage the features over all layers); ``paths``: every written file, absolute.
    """

    workspace: Path
    districts: dict[str, int]
    rows: dict[str, int]
    paths: list[Path] = field(default_factory=list)
    years: tuple[int, ...] = ()
    config_written: bool = False


@dataclass(frozen=True)
class DemoCity:
    """The generated city in memory (canonical column names), before anything is written."""

    layout: Layout
    simulation: Simulation
    offers: pd.DataFrame
    years: tuple[int, ...]


def build_city(
    *,
    bezirke: int = 5,
    regionen_per_bezirk: int = 4,
    planungsraeume_per_region: int = 8,
    years: Sequence[int] = range(2020, 2025),
    seed: int = 2024,
) -> DemoCity:
    """Generate the demo city in memory; :func:`generate_city` writes it."""
    years = tuple(int(y) for y in years)
    if list(years) != sorted(set(years)):
        raise ValueError("years must be increasing and unique")
    layout = build_layout(
        bezirke,
        regionen_per_bezirk,
        planungsraeume_per_region,
        _rng(seed, _STREAM_GEOMETRY),
        _rng(seed, _STREAM_NAMES),
    )
    simulation = simulate(layout, years, _rng(seed, _STREAM_VALUES))
    offers = make_offers(layout, simulation.population, simulation.field, _rng(seed, _STREAM_OFFERS))
    return DemoCity(layout=layout, simulation=simulation, offers=offers, years=years)


def generate_city(
    workspace: Path,
    *,
    bezirke: int = 5,
    regionen_per_bezirk: int = 4,
    planungsraeume_per_region: int = 8,
    years: Sequence[int] = range(2020, 2025),
    seed: int = 2024,
    write_config: bool = True,
) -> DemoSummary:
    """Write the demo city's input files into ``workspace/data_raw/`` (and the config, if missing)."""
    workspace = Path(workspace)
    city = build_city(
        bezirke=bezirke,
        regionen_per_bezirk=regionen_per_bezirk,
        planungsraeume_per_region=planungsraeume_per_region,
        years=years,
        seed=seed,
    )
    rows: dict[str, int] = {}
    counts = city.simulation.counts

    rows[GEOMETRY_PATH] = writers.write_geopackage(workspace / GEOMETRY_PATH, _geometry_layers(city.layout))
    rows[POPULATION_PATH] = writers.write_population_csv(
        workspace / POPULATION_PATH, city.simulation.population
    )
    rows[SOZIALES_PATH] = writers.write_long_counts_csv(
        workspace / SOZIALES_PATH, _select(counts, SOZIALES_INDICATORS), encoding="cp1252", newline="\r\n"
    )
    bildung = _select(counts, BILDUNG_INDICATORS)
    # the school office leaves out empty rows; its config declares absent rows as zero
    bildung = bildung[(bildung["numerator"] > 0) | (bildung["denominator"] > 0)]
    rows[BILDUNG_PATH] = writers.write_parquet(workspace / BILDUNG_PATH, bildung)
    rows[ESU_PATH] = writers.write_xlsx(
        workspace / ESU_PATH,
        ESU_SHEET,
        ["Planungsraum", "Jahr", *(c for c, _, _ in ESU_COLUMNS)],
        _esu_rows(counts),
    )
    rows[ZAHN_PATH] = writers.write_long_counts_csv(
        workspace / ZAHN_PATH, _select(counts, ZAHN_INDICATORS), encoding="utf-8", newline="\n"
    )
    rows[OFFERS_PATH] = writers.write_offers_csv(workspace / OFFERS_PATH, city.offers)
    paths = [workspace / p for p in rows]

    config_written = False
    config_path = workspace / CONFIG_NAME
    if write_config and not config_path.exists():
        config_path.write_text(_config_text(city.years), encoding="utf-8")
        config_written = True
        paths.append(config_path)

    districts = city.layout.districts["level"].value_counts()
    return DemoSummary(
        workspace=workspace,
        districts={level: int(districts.get(level, 0)) for level in LEVELS},
        rows=rows,
        paths=paths,
        years=city.years,
        config_written=config_written,
    )


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), stream])


def _geometry_layers(layout: Layout) -> dict:
    layers = {}
    for layer, level in GEOMETRY_LAYERS.items():
        part = layout.level(level)
        gdf = part[["district_id", "name", "parent_id", "geometry"]].rename(
            columns={"district_id": "gebiet_id", "parent_id": "ober_id"}
        )
        if level == "stadt":
            gdf = gdf.drop(columns="ober_id")
        layers[layer] = gdf.reset_index(drop=True)
    return layers


def _select(counts: pd.DataFrame, indicators: Sequence[str]) -> pd.DataFrame:
    part = counts[counts["indicator_id"].isin(indicators)].copy()
    part["_order"] = part["indicator_id"].map({ind: i for i, ind in enumerate(indicators)})
    part = part.sort_values(["district_id", "year", "_order"], kind="stable")
    return part.drop(columns="_order").reset_index(drop=True)


def _esu_rows(counts: pd.DataFrame) -> list[list]:
    """One row per Planungsraum and year, in the column order of :data:`ESU_COLUMNS`."""
    part = counts[counts["indicator_id"].isin({ind for _, ind, _ in ESU_COLUMNS})]
    wide = part.pivot(
        index=["district_id", "year"], columns="indicator_id", values=["numerator", "denominator"]
    )
    wide = wide.sort_index()
    values = wide[[(part_name, ind) for _, ind, part_name in ESU_COLUMNS]].to_numpy("int64").tolist()
    return [[str(d), int(y), *v] for (d, y), v in zip(wide.index, values, strict=True)]


def _config_text(years: tuple[int, ...]) -> str:
    """The template configuration; its Datenstand follows the last generated year."""
    text = TEMPLATE_CONFIG.read_text(encoding="utf-8")
    return text.replace('data_date = "2024-12-31"', f'data_date = "{years[-1]}-12-31"', 1)
