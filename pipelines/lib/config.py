"""The workspace configuration, read from ``sozialmonitor.toml``.

One typed object describes a city: its hierarchy levels, where its input files are and how their
columns map onto the data contract, the indicator catalogue, the protection thresholds, the need
index, the allocation and the schedule. Everything else reads the configuration from here; nothing
else parses TOML.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.lib.findings import ConfigError

CONFIG_NAME = "sozialmonitor.toml"

DOMAINS = ("Soziales", "Bildung", "Gesundheit")
DIRECTIONS = ("higher_is_worse", "lower_is_worse", "none")
# unit -> (multiplier applied to numerator/denominator, German suffix, plausible range of the rate)
UNITS: dict[str, tuple[float, str, tuple[float, float]]] = {
    "share": (100.0, "%", (0.0, 100.0)),
    "per_1000": (1000.0, "je 1.000", (0.0, 1000.0)),
    "per_100000": (100000.0, "je 100.000", (0.0, 100000.0)),
}
ABSENT_RULES = ("zero", "missing", "error")


@dataclass(frozen=True)
class Level:
    id: str
    label: str


@dataclass(frozen=True)
class GeometrySource:
    """A geometry file: one level (``level``) or several (``level_column`` with level ids)."""

    path: str
    key: str
    name: str
    level: str | None = None
    level_column: str | None = None
    parent: str | None = None
    layer: str | None = None


@dataclass(frozen=True)
class WideValue:
    """One value column of a wide sheet: which indicator, which part, which year."""

    column: str
    indicator: str
    part: str  # "numerator" | "denominator"
    year: int | None = None


@dataclass(frozen=True)
class CountSource:
    """An indicator count file (CSV, Parquet or Excel), long or wide."""

    id: str
    path: str
    format: str = "long"  # "long" | "wide"
    absent: str = "missing"
    sheet: str | int | None = None
    header_rows: int = 1
    skip_rows: int = 0
    encoding: str | None = None  # None: detect (UTF-8 with/without BOM, else Windows-1252)
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> source column
    key: str | None = None  # wide: the district key column
    year: int | None = None  # wide: a fixed year for the whole sheet
    year_column: str | None = None  # wide: a column holding the year
    values: tuple[WideValue, ...] = ()
    sentinels: tuple[str, ...] = ("-9999", "-999", "-99999")


@dataclass(frozen=True)
class PopulationSource:
    path: str
    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | int | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class OfferSource:
    path: str
    x: str = "x"
    y: str = "y"
    crs: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    domain: str
    life_phase: str
    direction: str
    unit: str
    denominator_label: str = ""
    denominator_public: bool = True
    source: str = ""
    weight: float = 0.0
    data_owner: str = ""
    k: int | None = None  # overrides the threshold for this indicator

    @property
    def multiplier(self) -> float:
        return UNITS[self.unit][0]

    @property
    def unit_label(self) -> str:
        return UNITS[self.unit][1]

    @property
    def plausible_range(self) -> tuple[float, float]:
        return UNITS[self.unit][2]


@dataclass(frozen=True)
class Protection:
    k: int = 3
    min_population: int = 300
    min_denominator: int = 20
    publish_zeros: bool = True
    protection_interval: int = 2
    owner_k: dict[str, int] = field(default_factory=dict)
    rate_decimals: int = 1

    def k_for(self, indicator: Indicator) -> int:
        if indicator.k is not None:
            return indicator.k
        return self.owner_k.get(indicator.data_owner, self.k)


@dataclass(frozen=True)
class Schedule:
    cron: str = "0 2 * * *"
    timezone: str = "Europe/Berlin"
    sensor_interval_seconds: int = 30
    settle_seconds: int = 120


@dataclass(frozen=True)
class Config:
    root: Path
    city_name: str
    crs: str
    levels: tuple[Level, ...]
    geometries: tuple[GeometrySource, ...]
    counts: tuple[CountSource, ...]
    indicators: tuple[Indicator, ...]
    population: PopulationSource | None = None
    offers: OfferSource | None = None
    protection: Protection = Protection()
    schedule: Schedule = Schedule()
    keep_releases: int = 5
    data_date: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def level_ids(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels)

    @property
    def leaf_level(self) -> str:
        return self.levels[-1].id

    def level_label(self, level_id: str) -> str:
        return next(level.label for level in self.levels if level.id == level_id)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def section(self, name: str) -> dict[str, Any]:
        """A raw TOML section for stages that own their own settings (index, allocation, …)."""
        return dict(self.raw.get(name, {}))

    def resolve(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else self.root / p


def load_config(workspace: Path) -> Config:
    """Read and check ``sozialmonitor.toml`` in ``workspace``; raise :class:`ConfigError` in German."""
    workspace = Path(workspace).resolve()
    path = workspace / CONFIG_NAME
    if not path.exists():
        raise ConfigError(
            f"Keine Konfiguration gefunden: {path}. "
            "Legen Sie mit „sozialmonitor init VERZEICHNIS“ einen Arbeitsbereich an "
            "oder geben Sie mit --workspace den richtigen Ordner an."
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name} ist keine gültige TOML-Datei: {exc}. Bitte Syntax prüfen.") from exc
    return parse_config(raw, workspace)


def parse_config(raw: dict[str, Any], root: Path) -> Config:
    city = _table(raw, "city")
    levels = tuple(Level(id=_req(lv, "id", "levels"), label=lv.get("label", lv["id"])) for lv in raw.get("levels", []))
    if len(levels) < 2:
        raise ConfigError("[[levels]] muss mindestens zwei Ebenen nennen: die Stadt und eine Ebene darunter.")
    level_ids = {lv.id for lv in levels}
    if len(level_ids) != len(levels):
        raise ConfigError("[[levels]]: jede Ebene braucht eine eigene id.")

    geometries = tuple(
        GeometrySource(
            path=_req(g, "path", "geometries"),
            key=_req(g, "key", "geometries"),
            name=_req(g, "name", "geometries"),
            level=g.get("level"),
            level_column=g.get("level_column"),
            parent=g.get("parent"),
            layer=g.get("layer"),
        )
        for g in raw.get("geometries", [])
    )
    if not geometries:
        raise ConfigError("[[geometries]] fehlt: mindestens eine Geometriedatei muss angegeben sein.")
    for g in geometries:
        if g.level is None and g.level_column is None:
            raise ConfigError(f"[[geometries]] {g.path}: „level“ oder „level_column“ angeben.")
        if g.level is not None and g.level not in level_ids:
            raise ConfigError(f"[[geometries]] {g.path}: Ebene „{g.level}“ ist nicht in [[levels]] definiert.")

    indicators = tuple(_indicator(i) for i in raw.get("indicators", []))
    ids = [i.id for i in indicators]
    if len(set(ids)) != len(ids):
        raise ConfigError("[[indicators]]: Indikator-IDs müssen eindeutig sein.")

    counts = tuple(_count_source(c, n) for n, c in enumerate(raw.get("counts", []), start=1))
    known = set(ids)
    for c in counts:
        for v in c.values:
            if v.indicator not in known:
                raise ConfigError(
                    f"[[counts]] {c.id}: Spalte „{v.column}“ verweist auf unbekannten Indikator „{v.indicator}“."
                )

    pop = raw.get("population")
    population = (
        PopulationSource(
            path=_req(pop, "path", "population"),
            columns=dict(pop.get("columns", {})),
            sheet=pop.get("sheet"),
            encoding=pop.get("encoding"),
        )
        if pop
        else None
    )
    off = raw.get("offers")
    offers = (
        OfferSource(
            path=_req(off, "path", "offers"),
            x=off.get("x", "x"),
            y=off.get("y", "y"),
            crs=off.get("crs"),
            columns=dict(off.get("columns", {})),
            encoding=off.get("encoding"),
        )
        if off
        else None
    )

    prot = dict(raw.get("protection", {}))
    owner_k = {name: int(v["k"]) for name, v in prot.pop("owners", {}).items()}
    try:
        protection = Protection(owner_k=owner_k, **prot)
    except TypeError as exc:
        raise ConfigError(f"[protection]: unbekannte Einstellung ({exc}).") from exc
    if protection.k < 2:
        raise ConfigError("[protection] k muss mindestens 2 sein.")

    sched = dict(raw.get("schedule", {}))
    try:
        schedule = Schedule(**sched)
    except TypeError as exc:
        raise ConfigError(f"[schedule]: unbekannte Einstellung ({exc}).") from exc

    return Config(
        root=Path(root),
        city_name=_req(city, "name", "city"),
        crs=_req(city, "crs", "city"),
        data_date=city.get("data_date"),
        levels=levels,
        geometries=geometries,
        counts=counts,
        indicators=indicators,
        population=population,
        offers=offers,
        protection=protection,
        schedule=schedule,
        keep_releases=int(raw.get("release", {}).get("keep", 5)),
        raw=raw,
    )


def _table(raw: dict, name: str) -> dict:
    value = raw.get(name)
    if not isinstance(value, dict):
        raise ConfigError(f"Abschnitt [{name}] fehlt in {CONFIG_NAME}.")
    return value


def _req(table: dict, key: str, section: str):
    if key not in table or table[key] in (None, ""):
        raise ConfigError(f"[{section}]: Pflichtangabe „{key}“ fehlt.")
    return table[key]


def _indicator(raw: dict) -> Indicator:
    ind_id = _req(raw, "id", "indicators")
    fields = {k: raw[k] for k in raw}
    for key in ("label", "domain", "life_phase", "direction", "unit"):
        _req(raw, key, f"indicators {ind_id}")
    if fields["domain"] not in DOMAINS:
        raise ConfigError(f"Indikator {ind_id}: domain muss eines von {', '.join(DOMAINS)} sein.")
    if fields["direction"] not in DIRECTIONS:
        raise ConfigError(f"Indikator {ind_id}: direction muss eines von {', '.join(DIRECTIONS)} sein.")
    if fields["unit"] not in UNITS:
        raise ConfigError(f"Indikator {ind_id}: unit muss eines von {', '.join(UNITS)} sein.")
    try:
        return Indicator(**fields)
    except TypeError as exc:
        raise ConfigError(f"Indikator {ind_id}: unbekannte Einstellung ({exc}).") from exc


def _count_source(raw: dict, n: int) -> CountSource:
    source_id = raw.get("id", f"counts_{n}")
    fmt = raw.get("format", "long")
    if fmt not in ("long", "wide"):
        raise ConfigError(f"[[counts]] {source_id}: format muss „long“ oder „wide“ sein.")
    absent = raw.get("absent", "missing")
    if absent not in ABSENT_RULES:
        raise ConfigError(f"[[counts]] {source_id}: absent muss eines von {', '.join(ABSENT_RULES)} sein.")
    values = []
    for v in raw.get("values", []):
        part = v.get("part", "numerator")
        if part not in ("numerator", "denominator"):
            raise ConfigError(f"[[counts]] {source_id}: part muss „numerator“ oder „denominator“ sein.")
        values.append(
            WideValue(
                column=_req(v, "column", f"counts {source_id}"),
                indicator=_req(v, "indicator", f"counts {source_id}"),
                part=part,
                year=v.get("year"),
            )
        )
    if fmt == "wide" and (not values or not raw.get("key")):
        raise ConfigError(f"[[counts]] {source_id}: ein breites Blatt braucht „key“ und [[counts.values]].")
    return CountSource(
        id=source_id,
        path=_req(raw, "path", f"counts {source_id}"),
        format=fmt,
        absent=absent,
        sheet=raw.get("sheet"),
        header_rows=int(raw.get("header_rows", 1)),
        skip_rows=int(raw.get("skip_rows", 0)),
        encoding=raw.get("encoding"),
        columns=dict(raw.get("columns", {})),
        key=raw.get("key"),
        year=raw.get("year"),
        year_column=raw.get("year_column"),
        values=tuple(values),
        sentinels=tuple(str(s) for s in raw.get("sentinels", ("-9999", "-999", "-99999"))),
    )
