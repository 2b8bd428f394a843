"""The workspace configuration, read from ``sozialmonitor.toml``.

One typed object describes a city: its hierarchy levels, where its input files are and how their
columns map onto the data contract, the indicator catalogue, the protection thresholds, the need
index, the allocation and the schedule. Everything else reads the configuration from here; nothing
else parses TOML.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.lib.config_keys import key_findings
from pipelines.lib.findings import ConfigError

CONFIG_NAME = "sozialmonitor.toml"
BUILT_KEY = "Gebietsschlüssel (gebildet)"  # key column a layout builds from several columns or the path

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
    names: dict[str, str] = field(default_factory=dict)  # names of districts built from their children


@dataclass(frozen=True)
class KeyRule:
    """How a key is normalised: strip, remove/add prefix or suffix, zero-pad to a width."""

    pad: int | None = None  # left-pad with zeros to this width ("1001" -> "01001")
    prefix: str = ""  # added in front
    suffix: str = ""  # added at the end
    remove_prefix: str = ""
    remove_suffix: str = ""
    strip: str = ""  # further characters stripped at both ends (whitespace always is)

    @property
    def active(self) -> bool:
        return bool(self.pad or self.prefix or self.suffix or self.remove_prefix or self.remove_suffix or self.strip)


@dataclass(frozen=True)
class MergeRule:
    """Dissolve several geometries of one level into one district (statistically merged areas)."""

    key: str
    name: str
    members: tuple[str, ...]  # keys or names of the members


@dataclass(frozen=True)
class AreaSystem:
    """A version of the district boundaries (e.g. LOR 2019, LOR 2021) with its validity in years."""

    id: str
    valid_from: int | None = None
    valid_to: int | None = None
    crosswalk: str = "area"  # "area" (share of polygon area) or a table path (population shares)
    crosswalk_columns: dict[str, str] = field(default_factory=dict)  # old, new, weight


@dataclass(frozen=True)
class TotalsRule:
    """Rows that are totals rather than districts (e.g. "Bezirk insgesamt")."""

    match: str | None = None  # regular expression on ``column`` (default: the key/name column)
    column: str | None = None
    from_row: int | None = None  # spreadsheet rows from this one on are totals
    action: str = "parent"  # "parent": the figure of a district above the leaves; "drop"
    level: str | None = None  # where to look the parent up (default: every level above the leaves)


@dataclass(frozen=True)
class Layout:
    """How a table is shaped before it is read: selection, renames, keys, name joins, markers."""

    range: str | None = None  # e.g. "A4:BQ111" (Excel-style, the header row included)
    transpose: bool = False  # rows are columns (e.g. "indicator, value" files)
    rename: dict[str, str] = field(default_factory=dict)  # source header -> new name
    keep_rows: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column -> kept values
    key_columns: tuple[str, ...] = ()  # several columns concatenated into the key
    key_from_path: str | None = None  # regular expression on the file path; group 1 is the key
    key_rule: KeyRule = KeyRule()
    join: str = "key"  # "key" or "name"
    join_level: str | None = None  # level whose names are matched (default: the leaves)
    names: dict[str, str] = field(default_factory=dict)  # table name -> geometry name or key
    names_file: dict[str, str] = field(default_factory=dict)  # path, name, key (a mapping table)
    totals: tuple[TotalsRule, ...] = ()
    missing_values: tuple[str, ...] = ()  # cells meaning "missing" (e.g. "k.A.")
    secret_values: tuple[str, ...] = ()  # cells meaning "kept secret upstream" (like ".")
    unmatched: str = "error"  # keys unknown to the geometry: "error" or "warning" (rows left out)


@dataclass(frozen=True)
class NameTable:
    """District names from a table of their own (``name_table`` of a geometry source), joined by key."""

    path: str
    key: str  # the column with the district keys (normalised by the geometry's key rule)
    name: str  # the column with the names
    sheet: str | int | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class GeometrySource:
    """A geometry file: one level (``level``) or several (``level_column`` with level ids).

    The district names are a column of the file (``name``) or come from a separate table
    (``name_table``), never both.
    """

    path: str
    key: str
    name: str | None
    level: str | None = None
    level_column: str | None = None
    parent: str | None = None
    layer: str | None = None
    key_rule: KeyRule = KeyRule()
    parent_from_prefix: int | None = None  # the parent key is the first N characters of the key
    parent_name: str | None = None  # a column naming the parent (for levels built from children)
    merge: tuple[MergeRule, ...] = ()
    area_system: str | None = None
    valid_from: int | None = None
    valid_to: int | None = None
    overlap_tolerance: float | None = None  # m²; overlaps up to this are digitising noise (default 1)
    make_valid: bool = False  # repair invalid polygons with shapely.make_valid (a warning per district)
    name_table: NameTable | None = None


@dataclass(frozen=True)
class WideValue:
    """One value column of a wide sheet: which indicator, which part, which year."""

    column: str
    indicator: str
    part: str  # "numerator" | "denominator" | "share"
    year: int | None = None
    scale: float = 100.0  # share: 100 for percent, 1 for fractions, 1000 for per mille


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
    column_names: tuple[str, ...] = ()  # header_rows = 0: the names of the columns, left to right
    encoding: str | None = None  # None: detect (UTF-8 with/without BOM, else Windows-1252)
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> source column
    key: str | None = None  # wide: the district key column
    year: int | None = None  # wide: a fixed year for the whole sheet
    year_column: str | None = None  # wide: a column holding the year
    values: tuple[WideValue, ...] = ()
    sentinels: tuple[str, ...] = ("-9999", "-999", "-99999")
    layout: Layout = Layout()
    share_denominator: str | None = None  # "population": shares without a denominator column
    area_system: str | None = None  # the area system the keys belong to (default: the current one)
    # share_denominator = { bands = [...], minus = [...] }: the denominator is the sum of these age bands of the
    # population (default: all bands, i.e. the population) minus the sum of the ``minus`` bands
    denominator_bands: tuple[str, ...] = ()
    denominator_minus: tuple[str, ...] = ()


@dataclass(frozen=True)
class PopulationValue:
    """One population column of a wide table: the year (and age band) of its figures."""

    column: str
    year: int
    age_band: str | None = None  # default: the source's age_band


@dataclass(frozen=True)
class PopulationSource:
    path: str
    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | int | None = None
    encoding: str | None = None
    format: str = "long"  # "long" or "wide" (one row per district, the total in ``value``)
    header_rows: int = 1
    skip_rows: int = 0
    column_names: tuple[str, ...] = ()  # header_rows = 0: the names of the columns, left to right
    key: str | None = None  # wide: the key (or name) column
    value: str | None = None  # wide: the population column
    values: tuple[PopulationValue, ...] = ()  # wide: one population column per year instead of ``value``
    year: int | None = None  # wide: the year of the figures
    year_column: str | None = None
    age_band: str = "insgesamt"
    total_band: str = "insgesamt"  # long: the band holding the total beside the age bands (checked, not summed)
    aggregate: bool = False  # sum rows with the same key (e.g. municipalities to counties)
    sentinels: tuple[str, ...] = ("-9999", "-999", "-99999")
    layout: Layout = Layout()
    area_system: str | None = None


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


SECONDARY_METHODS = ("greedy", "optimal")
SECONDARY_COSTS = ("cells", "values", "population")


@dataclass(frozen=True)
class Protection:
    k: int = 3
    min_population: int = 300
    min_denominator: int = 20
    publish_zeros: bool = True
    protection_interval: int = 2
    owner_k: dict[str, int] = field(default_factory=dict)
    rate_decimals: int = 1
    secondary: str = "greedy"  # "greedy" | "optimal" (minimum cost per indicator-year, greedy as fallback)
    cost: str = "cells"  # what "optimal" minimises: "cells" | "values" | "population"
    time_budget: float = 10.0  # seconds per indicator-year for "optimal" before the greedy pattern is kept

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


RELATION_KINDS = ("subset", "sum", "shared_denominator")


@dataclass(frozen=True)
class Relation:
    """A declared link between indicators, protected and audited together.

    ``subset``: the numerator of ``members[0]`` is part of that of ``members[1]`` (children under 3 in
    SGB II households within children under 15 in them); ``sum``: the numerators of ``members[:-1]``
    add up to that of ``members[-1]``; ``shared_denominator``: all ``members`` have the same denominator.
    """

    kind: str
    members: tuple[str, ...]


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
    area_systems: tuple[AreaSystem, ...] = ()
    relations: tuple[Relation, ...] = ()
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

    @property
    def current_area_system(self) -> str | None:
        """The area system everything is published on: the geometries without an older system."""
        used = {g.area_system for g in self.geometries}
        if not self.area_systems:
            return next(iter(used)) if len(used) == 1 else None
        newest = max(self.area_systems, key=lambda a: (a.valid_from or 0, a.valid_to or 9999))
        return newest.id

    def area_system(self, system_id: str | None) -> AreaSystem | None:
        return next((a for a in self.area_systems if a.id == system_id), None)

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


def load_config(workspace: Path, *, strict: bool = False) -> Config:
    """Read and check ``sozialmonitor.toml`` in ``workspace``; raise :class:`ConfigError` in German.

    Unknown keys (see :mod:`pipelines.lib.config_keys`) are reported by
    :func:`pipelines.lib.ingest.load_inputs` as errors beside the input findings (so ``validate`` lists
    them all at once and ``run`` stops at ingest); ``strict=True`` raises for them here already.
    """
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
    if strict:
        unknown = key_findings(raw)
        if unknown:
            raise ConfigError("\n".join(f.render() for f in unknown))
    config = parse_config(raw, workspace)
    from pipelines.lib.ingest.plausibility import (
        validation_settings,  # the ingest package imports this module
    )

    validation_settings(config)  # wrong [validation] thresholds stop here, with their German message
    return config


def parse_config(raw: dict[str, Any], root: Path) -> Config:
    city = _table(raw, "city")
    levels = tuple(
        Level(id=_req(lv, "id", "levels"), label=lv.get("label", lv["id"]),
              names={str(k): str(v) for k, v in lv.get("names", {}).items()})
        for lv in raw.get("levels", [])
    )
    if len(levels) < 2:
        raise ConfigError("[[levels]] muss mindestens zwei Ebenen nennen: die Stadt und eine Ebene darunter.")
    level_ids = {lv.id for lv in levels}
    if len(level_ids) != len(levels):
        raise ConfigError("[[levels]]: jede Ebene braucht eine eigene id.")

    geometries = tuple(
        GeometrySource(
            path=_req(g, "path", "geometries"),
            key=_req(g, "key", "geometries"),
            name=_geometry_name(g),
            level=g.get("level"),
            level_column=g.get("level_column"),
            parent=g.get("parent"),
            layer=g.get("layer"),
            key_rule=_key_rule(g, "geometries"),
            parent_from_prefix=g.get("parent_from_prefix"),
            parent_name=g.get("parent_name"),
            merge=tuple(
                MergeRule(key=str(_req(m, "key", "geometries.merge")), name=str(m.get("name", m["key"])),
                          members=tuple(str(x) for x in _req(m, "members", "geometries.merge")))
                for m in g.get("merge", [])
            ),
            area_system=g.get("area_system"),
            valid_from=g.get("valid_from"),
            valid_to=g.get("valid_to"),
            overlap_tolerance=g.get("overlap_tolerance"),
            make_valid=bool(g.get("make_valid", False)),
            name_table=_name_table(g),
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

    area_systems = _area_systems(raw, geometries)
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
    population = _population(pop) if pop else None
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
    if protection.secondary not in SECONDARY_METHODS:
        raise ConfigError(f"[protection] secondary muss eines von {', '.join(SECONDARY_METHODS)} sein.")
    if protection.cost not in SECONDARY_COSTS:
        raise ConfigError(f"[protection] cost muss eines von {', '.join(SECONDARY_COSTS)} sein.")
    if not protection.time_budget >= 0:
        raise ConfigError("[protection] time_budget darf nicht negativ sein.")

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
        area_systems=area_systems,
        relations=tuple(_relation(r, {i.id for i in indicators}) for r in raw.get("relations", [])),
        protection=protection,
        schedule=schedule,
        keep_releases=int(raw.get("release", {}).get("keep", 5)),
        raw=raw,
    )


def _relation(raw: dict, known: set[str]) -> Relation:
    kind = raw.get("kind")
    if kind == "subset":
        members = (_req(raw, "indicator", "relations"), _req(raw, "of", "relations"))
    elif kind == "sum":
        members = (*_req(raw, "parts", "relations"), _req(raw, "total", "relations"))
    elif kind == "shared_denominator":
        members = tuple(_req(raw, "indicators", "relations"))
    else:
        raise ConfigError(f"[[relations]]: kind muss eines von {', '.join(RELATION_KINDS)} sein.")
    unknown = [m for m in members if m not in known]
    if unknown:
        raise ConfigError(f"[[relations]] ({kind}): unbekannte Indikatoren {', '.join(unknown)}.")
    if len(set(members)) != len(members) or len(members) < 2:
        raise ConfigError(f"[[relations]] ({kind}): mindestens zwei verschiedene Indikatoren angeben.")
    return Relation(kind=kind, members=tuple(members))


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


def _geometry_name(raw: dict) -> str | None:
    """The name column of a geometry source; absent when the names come from ``name_table``."""
    if "name_table" not in raw:
        if raw.get("name") in (None, ""):
            raise ConfigError(f"[[geometries]] {raw.get('path')}: Pflichtangabe „name“ fehlt (die Spalte mit den "
                              "Gebietsnamen). Stehen die Namen in einer eigenen Tabelle, geben Sie stattdessen "
                              "name_table = { path = \"…\", key = \"…\", name = \"…\" } an.")
        return raw["name"]
    if raw.get("name") not in (None, ""):
        raise ConfigError(f"[[geometries]] {raw.get('path')}: „name“ (eine Spalte der Geometriedatei) und "
                          "„name_table“ (eine eigene Namenstabelle) schließen sich aus; geben Sie nur eines an.")
    return None


def _name_table(raw: dict) -> NameTable | None:
    """``name_table = { path = "namen.csv", key = "Nummer", name = "Bezeichnung" }`` of a geometry source."""
    spec = raw.get("name_table")
    if spec is None:
        return None
    where = f"[[geometries]] {raw.get('path')}: name_table"
    example = ("z. B. name_table = { path = \"data_raw/namen.csv\", key = \"Nummer\", "
               "name = \"Bezeichnung\" }")
    if not isinstance(spec, dict):
        raise ConfigError(f"{where} muss eine Tabelle mit „path“, „key“ und „name“ sein, {example}.")
    lacking = [k for k in ("path", "key", "name") if spec.get(k) in (None, "")]
    if lacking:
        raise ConfigError(f"{where}: {', '.join(f'„{k}“' for k in lacking)} fehlt ({example}).")
    return NameTable(path=str(spec["path"]), key=str(spec["key"]), name=str(spec["name"]),
                     sheet=spec.get("sheet"), encoding=spec.get("encoding"))


def _key_rule(raw: dict, where: str) -> KeyRule:
    """``key_pad``, ``key_prefix``, ``key_suffix``, ``key_remove_prefix``, ``key_remove_suffix``, ``key_strip``."""
    pad = raw.get("key_pad")
    if pad is not None and (not isinstance(pad, int) or pad < 1):
        raise ConfigError(f"[{where}]: key_pad muss eine positive ganze Zahl sein (Breite des Schlüssels).")
    return KeyRule(
        pad=pad, prefix=str(raw.get("key_prefix", "")), suffix=str(raw.get("key_suffix", "")),
        remove_prefix=str(raw.get("key_remove_prefix", "")), remove_suffix=str(raw.get("key_remove_suffix", "")),
        strip=str(raw.get("key_strip", "")),
    )


def _strings(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _layout(raw: dict, where: str) -> Layout:
    join = raw.get("join", "key")
    if join not in ("key", "name"):
        raise ConfigError(f"[{where}]: join muss „key“ oder „name“ sein.")
    unmatched = raw.get("unmatched", "error")
    if unmatched not in ("error", "warning"):
        raise ConfigError(f"[{where}]: unmatched muss „error“ oder „warning“ sein.")
    totals = []
    for t in raw.get("totals", []):
        action = t.get("action", "parent")
        if action not in ("parent", "drop"):
            raise ConfigError(f"[{where}.totals]: action muss „parent“ oder „drop“ sein.")
        if t.get("match") is None and t.get("from_row") is None:
            raise ConfigError(f"[{where}.totals]: „match“ (Muster) oder „from_row“ (ab Zeile) angeben.")
        try:
            if t.get("match") is not None:
                re.compile(t["match"])
        except re.error as exc:
            raise ConfigError(f"[{where}.totals]: match ist kein gültiges Muster ({exc}).") from exc
        totals.append(TotalsRule(match=t.get("match"), column=t.get("column"), from_row=t.get("from_row"),
                                 action=action, level=t.get("level")))
    names_file = dict(raw.get("names_file", {}))
    if names_file and not all(names_file.get(k) for k in ("path", "name", "key")):
        raise ConfigError(f"[{where}.names_file]: „path“, „name“ und „key“ angeben.")
    key = raw.get("key")
    key_from_path = raw.get("key_from_path")
    if key_from_path is not None:
        try:
            if re.compile(key_from_path).groups < 1:
                raise ConfigError(f"[{where}]: key_from_path braucht eine Gruppe in Klammern, z. B. „daten/([^/]+)/“.")
        except re.error as exc:
            raise ConfigError(f"[{where}]: key_from_path ist kein gültiges Muster ({exc}).") from exc
    return Layout(
        range=raw.get("range"),
        transpose=bool(raw.get("transpose", False)),
        rename={str(k): str(v) for k, v in raw.get("rename", {}).items()},
        keep_rows={str(k): _strings(v) for k, v in raw.get("keep_rows", {}).items()},
        key_columns=tuple(key) if isinstance(key, list) else (),
        key_from_path=key_from_path,
        key_rule=_key_rule(raw, where),
        join=join,
        join_level=raw.get("join_level"),
        names={str(k): str(v) for k, v in raw.get("names", {}).items()},
        names_file=names_file,
        totals=tuple(totals),
        missing_values=_strings(raw.get("missing_values")),
        secret_values=_strings(raw.get("secret_values")),
        unmatched=unmatched,
    )


def _header_rows(raw: dict, where: str) -> int:
    """``header_rows`` (0 for a table without header row, which then needs ``column_names``)."""
    n = raw.get("header_rows", 1)
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ConfigError(f"[{where}]: header_rows muss eine ganze Zahl ab 0 sein.")
    if n == 0 and not raw.get("column_names"):
        raise ConfigError(f"[{where}]: eine Tabelle ohne Kopfzeile (header_rows = 0) braucht „column_names“, "
                          "die Namen der Spalten von links nach rechts, z. B. column_names = [\"Gebiet\", "
                          "\"Jahr\", \"Einwohner\"].")
    return n


def _key_name(raw: dict) -> str | None:
    key = raw.get("key")
    if isinstance(key, list):
        return BUILT_KEY  # the concatenated key column built by the layout
    if key is None and raw.get("key_from_path"):
        return BUILT_KEY
    return key


def _population(pop: dict) -> PopulationSource:
    fmt = pop.get("format", "long")
    if fmt not in ("long", "wide"):
        raise ConfigError("[population]: format muss „long“ oder „wide“ sein.")
    values = tuple(
        PopulationValue(column=str(_req(v, "column", "population.values")), year=int(_req(v, "year", "population.values")),
                        age_band=None if v.get("age_band") is None else str(v["age_band"]))
        for v in pop.get("values", [])
    )
    if fmt == "wide" and not ((pop.get("key") or pop.get("key_from_path")) and (pop.get("value") or values)):
        raise ConfigError("[population]: eine breite Tabelle braucht „key“ und „value“ (die Einwohnerspalte) "
                          "oder „values“ (eine Spalte je Jahr).")
    if fmt == "wide" and not values and pop.get("year") is None and pop.get("year_column") is None:
        raise ConfigError("[population]: „year“ oder „year_column“ angeben.")
    return PopulationSource(
        path=_req(pop, "path", "population"),
        columns=dict(pop.get("columns", {})),
        sheet=pop.get("sheet"),
        encoding=pop.get("encoding"),
        format=fmt,
        header_rows=_header_rows(pop, "population"),
        skip_rows=int(pop.get("skip_rows", 0)),
        column_names=_strings(pop.get("column_names")),
        key=_key_name(pop),
        value=pop.get("value"),
        values=values,
        year=pop.get("year"),
        year_column=pop.get("year_column"),
        age_band=str(pop.get("age_band", "insgesamt")),
        total_band=str(pop.get("total_band", "insgesamt")),
        aggregate=bool(pop.get("aggregate", False)),
        sentinels=tuple(str(s) for s in pop.get("sentinels", ("-9999", "-999", "-99999"))),
        layout=_layout(pop, "population"),
        area_system=pop.get("area_system"),
    )


def _area_systems(raw: dict, geometries: tuple[GeometrySource, ...]) -> tuple[AreaSystem, ...]:
    systems = []
    for a in raw.get("area_systems", []):
        crosswalk = a.get("crosswalk", "area")
        systems.append(AreaSystem(id=str(_req(a, "id", "area_systems")), valid_from=a.get("valid_from"),
                                  valid_to=a.get("valid_to"), crosswalk=str(crosswalk),
                                  crosswalk_columns=dict(a.get("crosswalk_columns", {}))))
    known = {a.id for a in systems}
    for g in geometries:  # validity given on the geometry itself defines a system of its own
        if g.area_system and g.area_system not in known:
            systems.append(AreaSystem(id=g.area_system, valid_from=g.valid_from, valid_to=g.valid_to))
            known.add(g.area_system)
    if systems:
        for g in geometries:
            if g.area_system is None:
                raise ConfigError(f"[[geometries]] {g.path}: bei mehreren Gebietsständen braucht jede "
                                  "Geometrie „area_system“.")
    return tuple(systems)


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
        if part not in ("numerator", "denominator", "share"):
            raise ConfigError(f"[[counts]] {source_id}: part muss „numerator“, „denominator“ oder „share“ sein.")
        values.append(
            WideValue(
                column=_req(v, "column", f"counts {source_id}"),
                indicator=_req(v, "indicator", f"counts {source_id}"),
                part=part,
                year=v.get("year"),
                scale=float(v.get("scale", 100.0)),
            )
        )
    if fmt == "wide" and (not values or not (raw.get("key") or raw.get("key_from_path"))):
        raise ConfigError(f"[[counts]] {source_id}: ein breites Blatt braucht „key“ und [[counts.values]].")
    share_denominator, bands, minus = _share_denominator(raw.get("share_denominator"), source_id)
    return CountSource(
        id=source_id,
        path=_req(raw, "path", f"counts {source_id}"),
        format=fmt,
        absent=absent,
        sheet=raw.get("sheet"),
        header_rows=_header_rows(raw, f"counts {source_id}"),
        skip_rows=int(raw.get("skip_rows", 0)),
        column_names=_strings(raw.get("column_names")),
        encoding=raw.get("encoding"),
        columns=dict(raw.get("columns", {})),
        key=_key_name(raw),
        year=raw.get("year"),
        year_column=raw.get("year_column"),
        values=tuple(values),
        sentinels=tuple(str(s) for s in raw.get("sentinels", ("-9999", "-999", "-99999"))),
        layout=_layout(raw, f"counts {source_id}"),
        share_denominator=share_denominator,
        area_system=raw.get("area_system"),
        denominator_bands=bands,
        denominator_minus=minus,
    )


def _share_denominator(raw, source_id: str) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """``share_denominator`` of a count source: ``"population"`` or a table ``{ bands = [...], minus = [...] }``
    (a denominator computed from the population's age bands) → ("population", bands, minus)."""
    if raw is None:
        return None, (), ()
    if isinstance(raw, dict):
        bands, minus = _strings(raw.get("bands")), _strings(raw.get("minus"))
        if not bands and not minus:
            other = sorted(set(raw) - {"bands", "minus"})
            raise ConfigError(f"[[counts]] {source_id}: share_denominator "
                              + (f"kennt {', '.join(f'„{k}“' for k in other)} nicht; es " if other else "")
                              + "braucht „bands“ (Altersgruppen, die "
                              "summiert werden) oder „minus“ (Altersgruppen, die von der Einwohnerzahl abgezogen "
                              "werden), z. B. share_denominator = { minus = [\"65-79\", \"80+\"] }.")
        overlap = sorted(set(bands) & set(minus))
        if overlap:
            raise ConfigError(f"[[counts]] {source_id}: share_denominator nennt {', '.join(overlap)} unter "
                              "„bands“ und unter „minus“.")
        return "population", bands, minus
    if raw != "population":
        raise ConfigError(f"[[counts]] {source_id}: share_denominator muss \"population\" sein oder eine "
                          "Tabelle { bands = [...], minus = [...] } aus Altersgruppen der Bevölkerung.")
    return "population", (), ()
