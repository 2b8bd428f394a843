"""The ingest entry point: read every configured input, validate it, return the canonical tables."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from pipelines.lib.config import Config
from pipelines.lib.config_keys import key_findings
from pipelines.lib.findings import Finding
from pipelines.lib.ingest.categories import as_text, categorical, concat_rows
from pipelines.lib.ingest.checks import required_columns
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.counts import (
    ABSENT_LIST,
    COUNT_COLUMNS,
    DistrictIndex,
    absent_rows,
    duplicate_findings,
    duplicated,
    empty_counts,
    key_codes,
    read_long,
    read_wide,
)
from pipelines.lib.ingest.crosswalk import area_weights, convert_counts, convert_population, normalise_weights
from pipelines.lib.ingest.denominators import band_denominators, negative_findings, unknown_band_findings
from pipelines.lib.ingest.files import InputFile, input_file, relative, resolve_paths
from pipelines.lib.ingest.gaps import declared_uninhabited, fill_uninhabited, gap_findings
from pipelines.lib.ingest.geometry import GEOMETRY_SUFFIXES, build_districts
from pipelines.lib.ingest.layout import Directory, downgrade_unknown, shape_table
from pipelines.lib.ingest.offers import finish_offers, read_offer_geometries, read_offer_table
from pipelines.lib.ingest.plausibility import (
    count_findings,
    population_findings,
    source_columns,
    total_band_findings,
    validation_settings,
)
from pipelines.lib.ingest.population import (
    POPULATION_COLUMNS,
    empty_population,
    read_population,
    read_population_wide,
)
from pipelines.lib.ingest.rounding import rounding_findings
from pipelines.lib.ingest.shares import derive, parse_shares
from pipelines.lib.ingest.split import drop_lone_numerators, join_split_parts
from pipelines.lib.ingest.symbols import FLAG_MISSING, FLAG_VALUE
from pipelines.lib.ingest.tables import TABLE_SUFFIXES, read_table


@dataclass
class Inputs:
    """Everything ingest hands to the warehouse (see docs/architecture.md, "Ingest → warehouse")."""

    districts: gpd.GeoDataFrame
    population: pd.DataFrame
    counts: pd.DataFrame
    offers: gpd.GeoDataFrame | None
    findings: list[Finding] = field(default_factory=list)
    files: list[InputFile] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def _district_index(config: Config, districts: gpd.GeoDataFrame, leaf_level: str | None = None) -> DistrictIndex:
    ids = pd.Index(districts["district_id"].astype("str"))
    names = dict(zip(districts["district_id"], districts["name"], strict=True))
    leaf = leaf_level or config.leaf_level
    leaves = np.sort(districts.loc[districts["level"] == leaf, "district_id"].to_numpy(dtype=object))
    return DistrictIndex(ids=ids, names=names, leaves=leaves)


def _directory(config: Config, districts: gpd.GeoDataFrame, leaf_level: str | None = None) -> Directory:
    leaf = leaf_level or config.leaf_level
    return Directory(
        ids=pd.Index(districts["district_id"].astype("str")),
        names=dict(zip(districts["district_id"], districts["name"], strict=True)),
        levels=dict(zip(districts["district_id"], districts["level"], strict=True)),
        leaf_level=leaf,
        parent_levels=tuple(lv for lv in config.level_ids if lv != leaf),
    )


@dataclass
class _System:
    """Where a source's keys live: the current districts, or an older area system plus its crosswalk."""

    index: DistrictIndex
    directory: Directory
    weights: pd.DataFrame | None = None  # old_id, new_id, weight (None: the current system)


def _systems(config: Config, geo, findings: list[Finding]) -> dict[str | None, _System]:
    current = _System(_district_index(config, geo.districts), _directory(config, geo.districts))
    systems: dict[str | None, _System] = {None: current, config.current_area_system: current}
    leaves = geo.districts[geo.districts["level"] == config.leaf_level]
    for sid, old in geo.systems.items():
        levels = list(old["level"].unique())
        leaf = next((lv for lv in reversed(config.level_ids) if lv in levels), levels[0])
        spec = config.area_system(sid)
        if spec is not None and spec.crosswalk != "area":
            weights, f = _crosswalk_table(config, spec)
            findings += f
        else:
            weights = area_weights(old, leaves)
        systems[sid] = _System(_district_index(config, old, leaf), _directory(config, old, leaf), weights)
    return systems


def _crosswalk_table(config: Config, spec) -> tuple[pd.DataFrame, list[Finding]]:
    """Population (or other) shares from a table with the columns old, new, weight."""
    cols = {"old": "old", "new": "new", "weight": "weight", **spec.crosswalk_columns}
    found, findings = resolve_paths(config, spec.crosswalk)
    frames = []
    for path in found:
        table, f = read_table(path, relative(config, path))
        findings += f
        if table is None:
            continue
        got, f = required_columns(table, cols)
        findings += f
        if got is None:
            continue
        weight = parse_shares(table.frame[got["weight"]], scale=float("inf"), decimal=table.decimal)
        frames.append(pd.DataFrame({"old_id": table.text(got["old"]), "new_id": table.text(got["new"]),
                                    "weight": weight.value.fillna(0.0)}))
    if not frames:
        return pd.DataFrame({"old_id": [], "new_id": [], "weight": []}), findings
    return normalise_weights(pd.concat(frames, ignore_index=True)), findings


def _system_of(systems, source, file: str, findings: list[Finding]) -> _System | None:
    if source.area_system in systems:
        return systems[source.area_system]
    findings.append(finding("SM-E320", file, f"„{source.area_system}“", value=source.area_system))
    return None


def _read_shaped(config: Config, source, path, system: _System, key_column: str | None, protect=()):
    """Read one file with the source's layout applied; (table, key column, findings)."""
    layout = source.layout
    table, findings = read_table(path, relative(config, path), sheet=source.sheet,
                                 header_rows=getattr(source, "header_rows", 1),
                                 skip_rows=getattr(source, "skip_rows", 0), encoding=source.encoding,
                                 cell_range=layout.range, transpose=layout.transpose,
                                 column_names=getattr(source, "column_names", ()))
    if table is None or table.frame.empty:
        return None, None, findings
    key_column, f = shape_table(table, layout, key_column, config, system.directory,
                                relative(config, path), protect=protect)
    findings += f
    return table, key_column, findings


def _unmatched_leaves(rows: pd.DataFrame, index: DistrictIndex, file: str, what: str) -> list[Finding]:
    """One warning naming the leaves of the geometry that a table has no row for (with their names)."""
    present = set(rows["district_id"].unique().tolist())
    if not present & set(index.leaves):
        return []
    lacking = [k for k in index.leaves if k not in present]
    if not lacking:
        return []
    shown = ", ".join(f"„{k}“ ({index.names.get(k, '')})" for k in lacking[:ABSENT_LIST])
    more = f" und {len(lacking) - ABSENT_LIST} weitere" if len(lacking) > ABSENT_LIST else ""
    return [finding("SM-W316", file, f"{len(lacking)} Gebiete ohne Zeile in {what}: {shown}{more}")]


def _derived_findings(rows: pd.DataFrame, file: str) -> list[Finding]:
    """One note per indicator whose numerators were derived from shares."""
    derived = rows["derived"].fillna(False).astype(bool).to_numpy()
    if not derived.any():
        return []
    derived = as_text(rows[derived & (rows["numerator_flag"] == FLAG_VALUE).to_numpy()])
    return [finding("SM-W317", file, f"{n} Werte für „{ind}“", value=ind)
            for ind, n in derived.groupby("indicator_id").size().items()]


def _ranked(config: Config, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """district_id, name, level, level_rank and parent_id (no geometry) for the plausibility checks."""
    ranks = {lv: i for i, lv in enumerate(config.level_ids)}
    frame = pd.DataFrame(districts[["district_id", "name", "level", "parent_id"]])
    return frame.assign(district_id=frame["district_id"].astype("str"), level_rank=frame["level"].map(ranks))


def _read_population(config: Config, systems, findings: list[Finding], paths: list,
                     districts: pd.DataFrame, uninhabited: frozenset[str]) -> pd.DataFrame:
    src = config.population
    found, f = resolve_paths(config, src.path)
    findings += f
    system = _system_of(systems, src, src.path, findings)
    if system is None:
        return empty_population()
    pops = []
    for path in found:
        paths.append(path)
        key = src.key if src.format == "wide" else src.columns.get("district_id", "district_id")
        year_col = src.year_column if src.format == "wide" else src.columns.get("year", "year")
        table, key_col, f = _read_shaped(config, src, path, system, key, protect=(year_col,))
        findings += downgrade_unknown(f, src.layout)
        if table is None:
            continue
        if src.format == "wide":
            rows, f = read_population_wide(table, src, system.index, key_col, uninhabited)
        else:
            rows, f = read_population(table, src, system.index, key_col, uninhabited)
        findings += downgrade_unknown(f, src.layout)
        if rows is not None:
            pops.append(rows.assign(source_file=table.file))
    if not pops:
        return empty_population()
    population = pd.concat(pops, ignore_index=True)
    file = relative(config, config.resolve(src.path))
    if uninhabited and system.weights is None:  # declared uninhabited areas without a row: 0 inhabitants
        lacking = sorted(uninhabited - set(population["district_id"]))
        years = sorted(population["year"].unique().tolist())
        zero = pd.DataFrame([(k, y) for k in lacking for y in years], columns=["district_id", "year"])
        population = pd.concat([population, zero.assign(age_band=src.age_band, population=0, source_file=file,
                                                        source_row=None, source_column=None)], ignore_index=True)
    findings += _unmatched_leaves(population, system.index, file, "der Bevölkerungstabelle")
    settings = validation_settings(config)
    population, f = total_band_findings(population, src.total_band, settings.total_tolerance)
    findings += f
    if system.weights is None:
        findings += population_findings(population, districts, settings)
    population = population[list(POPULATION_COLUMNS)]
    if system.weights is not None:
        population = convert_population(population, system.weights)
        findings.append(finding("SM-W319", relative(config, config.resolve(src.path)),
                                f"Bevölkerung vom Gebietsstand „{src.area_system}“"))
    return population


def _population_denominators(counts: pd.DataFrame, todo: np.ndarray, population: pd.DataFrame,
                             definitions: dict[str, tuple[tuple[str, ...], tuple[str, ...]]], pop_file: str
                             ) -> tuple[np.ndarray, list[Finding]]:
    """The denominator of each row in ``todo`` from the population: its total, or the bands its source names
    (``share_denominator = { bands, minus }``); NaN where it is not known."""
    keys = counts.loc[todo, ["district_id", "year", "source_id"]].astype({"source_id": str, "year": "int64"})
    keys = keys.reset_index(drop=True)
    out = np.full(len(keys), np.nan)
    findings: list[Finding] = []
    for source_id in sorted(keys["source_id"].unique()):
        bands, minus = definitions.get(source_id, ((), ()))
        if bands or minus:
            findings += unknown_band_findings(population, source_id, bands, minus, pop_file)
            table = band_denominators(population, bands, minus)
            findings += negative_findings(table, source_id, minus, pop_file)
            table = table.assign(population=table["population"].where(table["population"] >= 0))
        else:
            table = population.groupby(["district_id", "year"], as_index=False)["population"].sum()
        at = (keys["source_id"] == source_id).to_numpy()
        part = keys.loc[at, ["district_id", "year"]].merge(
            table[["district_id", "year", "population"]].astype({"year": "int64"}), on=["district_id", "year"],
            how="left")
        out[at] = part["population"].to_numpy(dtype="float64", na_value=np.nan)
    return out, findings


def _fill_from_population(counts: pd.DataFrame, population: pd.DataFrame, share_tolerance: float,
                          definitions: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
                          pop_file: str = "") -> tuple[pd.DataFrame, list[Finding]]:
    """Sources with ``share_denominator = "population"``: the denominator is the district's population
    (``{ bands, minus }``: computed from its age bands, see :mod:`.denominators`).

    A share's numerator is derived from it; a delivered numerator keeps its value, and a share delivered
    beside it must agree with numerator ÷ population (SM-E340).
    """
    shares = counts["_share"].notna().to_numpy() if "_share" in counts else np.zeros(len(counts), dtype=bool)
    over = (counts["_population_denominator"].fillna(False).to_numpy(dtype=bool)
            if "_population_denominator" in counts else np.zeros(len(counts), dtype=bool))
    if not shares.any() and not over.any():
        return counts, []
    counts = as_text(counts)  # flags are set row by row below
    todo = shares | over
    values, findings = _population_denominators(counts, todo, population, definitions or {}, pop_file)
    den = pd.Series(pd.array(values, dtype="Float64").round().astype("Int64"), index=counts.index[todo])
    counts = counts.copy()
    counts.loc[todo, "denominator"] = den
    idx = counts.index[todo]
    no_pop = den.isna().to_numpy()
    derived = shares[todo]
    share_ok = counts.loc[todo, "numerator_flag"].to_numpy() == FLAG_VALUE
    if derived.any():
        counts.loc[idx[derived], "numerator"] = derive(counts.loc[idx[derived], "_share"], 1.0, den[derived])
    counts.loc[idx[derived & no_pop], "numerator_flag"] = FLAG_MISSING
    counts.loc[idx[no_pop], "denominator_flag"] = FLAG_MISSING
    counts.loc[idx[(~derived | ~share_ok) & ~no_pop], "denominator_flag"] = FLAG_VALUE
    if "_check_share" in counts:
        check = counts[counts["_check_share"].notna()]
        num = check["numerator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        popd = check["denominator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        share = check["_check_share"].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            gap = np.abs(num / popd - share) * 100
        for (_, r), g, n, d, sh in zip(check.iterrows(), gap, num, popd, share, strict=True):
            if d > 0 and g > share_tolerance:
                findings.append(finding(
                    "SM-E340", r["source_file"], "Einwohnerzahl als Nenner (share_denominator = \"population\")",
                    row=r["source_row"], column=r["_share_column"],
                    value=f"{sh * 100:.1f} % geliefert, {int(n)} von {int(d)} = {n / d * 100:.1f} %"))
    return counts, findings


def load_inputs(config: Config) -> Inputs:
    """Read and validate all inputs; return what could be read plus every finding (never raises)."""
    findings: list[Finding] = key_findings(config.raw)  # unknown keys of sozialmonitor.toml
    paths = []

    geo = build_districts(config)
    findings += geo.findings
    paths += geo.paths
    systems = _systems(config, geo, findings)
    index = systems[None].index
    ranked = _ranked(config, geo.districts)
    settings = validation_settings(config)
    uninhabited, f = declared_uninhabited(settings.uninhabited, ranked, config.leaf_level)
    findings += f
    inhabited = replace(index, leaves=index.leaves[~np.isin(index.leaves, list(uninhabited))])  # no rows needed

    # population (first: shares may take their denominator from it)
    population = empty_population()
    if config.population is not None:
        population = _read_population(config, systems, findings, paths, ranked, uninhabited)

    # indicator counts
    parts = []
    for source in config.counts:
        found, f = resolve_paths(config, source.path)
        findings += f
        system = _system_of(systems, source, source.path, findings)
        if system is None:
            continue
        rows_of_source = []
        for path in found:
            paths.append(path)
            key = source.key if source.format == "wide" else source.columns.get("district_id", "district_id")
            year_col = source.year_column if source.format == "wide" else source.columns.get("year", "year")
            table, key_col, f = _read_shaped(config, source, path, system, key, protect=(year_col,))
            findings += downgrade_unknown(f, source.layout)
            if table is None:
                continue
            reader = read_wide if source.format == "wide" else read_long
            rows, f = reader(table, source, config, system.index, key_col)
            findings += downgrade_unknown(f, source.layout)
            if rows is not None:
                rows_of_source.append(rows)
        if rows_of_source:
            rows = concat_rows(rows_of_source)
            del rows_of_source
            file = relative(config, config.resolve(source.path))
            findings += _unmatched_leaves(rows, system.index, file, f"„{source.id}“")
            findings += _derived_findings(rows, file)
            if system.weights is not None:
                rows = convert_counts(as_text(rows[rows["_ok"]]), system.weights)
                findings.append(finding("SM-W319", file, f"„{source.id}“ vom Gebietsstand „{source.area_system}“"))
            fill, f = absent_rows(rows, source, inhabited, file)
            findings += f
            parts.append(rows)
            if len(fill):
                parts.append(fill.assign(_ok=True))
    if parts:
        counts = concat_rows(parts)
        del parts, rows
        counts["derived"] = counts["derived"].fillna(False).astype(bool)
        definitions = {s.id: (s.denominator_bands, s.denominator_minus) for s in config.counts}
        pop_src = relative(config, config.resolve(config.population.path)) if config.population else ""
        counts, f = _fill_from_population(counts, population, settings.share_tolerance, definitions, pop_src)
        findings += f
        findings += rounding_findings(counts, settings.rounding_span)  # every derived count's denominator is known
        counts = _drop_covered_fills(counts)
        counts, f = join_split_parts(counts)  # numerator and denominator from different sources
        findings += f
        counts, f = drop_lone_numerators(counts)
        findings += f
        dup, f = duplicate_findings(counts)  # also against rows with a bad cell: a duplicate is a duplicate
        findings += f
        ok = counts["_ok"].to_numpy(dtype=bool) & ~dup
        counts = counts[COUNT_COLUMNS] if ok.all() else counts[ok][COUNT_COLUMNS]
        pop_file = relative(config, config.resolve(config.population.path)) if config.population else ""
        counts, f = fill_uninhabited(counts, uninhabited, population, ranked, config.leaf_level, pop_file)
        findings += f
        counts = _typed_counts(counts.reset_index(drop=True))
        if not any(f.severity == "error" for f in findings):  # rows with an error are not gaps of their own
            findings += gap_findings(counts, ranked, config.leaf_level)
        converted = [s.id for s in config.counts if systems.get(s.area_system, systems[None]).weights is not None]
        checked = counts[~counts["source_id"].isin(converted).to_numpy()] if converted else counts
        findings += count_findings(checked, ranked, population, settings, source_columns(config))
    else:
        counts = empty_counts()

    # offers
    offers = None
    if config.offers is not None:
        src = config.offers
        found, f = resolve_paths(config, src.path)
        findings += f
        offer_parts = []
        for path in found:
            paths.append(path)
            file = relative(config, path)
            if path.suffix.lower() in TABLE_SUFFIXES:
                table, f = read_table(path, file, encoding=src.encoding)
                findings += f
                gdf = None
                if table is not None and not table.frame.empty:
                    gdf, f = read_offer_table(table, src, config)
                    findings += f
            elif path.suffix.lower() in GEOMETRY_SUFFIXES:
                gdf, f = read_offer_geometries(path, file, src, config)
                findings += f
            else:
                table, f = read_table(path, file)  # reports the unsupported type
                findings += f
                gdf = None
            if gdf is not None:
                offer_parts.append((file, gdf))
        city_rows = geo.districts[geo.districts["level"] == config.level_ids[0]]
        city = city_rows.geometry.iloc[0] if len(city_rows) == 1 else None
        offers, f = finish_offers(offer_parts, config, city)
        findings += f

    files = []
    seen = set()
    for path in paths:
        if path not in seen and path.is_file():
            seen.add(path)
            files.append(input_file(config, path))
    return Inputs(districts=geo.districts, population=population, counts=counts, offers=offers,
                  findings=findings, files=files)


def _drop_covered_fills(counts: pd.DataFrame) -> pd.DataFrame:
    """Absent-row fills (no source row) give way to a real row of another source, and to each other."""
    fill = counts["source_row"].isna().to_numpy()
    if not fill.any():
        return counts
    keys = ["district_id", "year", "indicator_id"]
    coded = key_codes(counts, keys)
    if coded is None:  # more key combinations than int64 holds: compare the keys themselves
        real = counts.loc[~fill, keys].drop_duplicates()
        marked = counts.loc[fill, keys].merge(real.assign(_covered=True), on=keys, how="left")["_covered"]
        covered = np.zeros(len(counts), dtype=bool)
        covered[np.flatnonzero(fill)] = marked.fillna(False).to_numpy(dtype=bool)
        kept = counts[~covered]
        repeated = kept.duplicated(keys, keep="first").to_numpy()
    else:
        codes, size = coded
        covered = fill & pd.Series(codes).isin(codes[~fill]).to_numpy()
        kept = counts[~covered]
        repeated = duplicated(codes[~covered], size, keep="first")
    fill_dup = kept["source_row"].isna().to_numpy() & repeated
    return kept[~fill_dup].reset_index(drop=True)


def _typed_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """The canonical dtypes: district ids as text, the few-valued text columns as categoricals."""
    typed = {"year": counts["year"].astype("int64"), "district_id": counts["district_id"].astype("str"),
             "derived": counts["derived"].astype(bool)}
    for c in ("numerator", "denominator", "source_row"):
        typed[c] = counts[c].astype("Int64")
    for c in ("indicator_id", "numerator_flag", "denominator_flag", "source_id", "source_file"):
        typed[c] = pd.Series(categorical(counts[c]), index=counts.index)
    return counts.assign(**typed)


def validate_inputs(config: Config) -> list[Finding]:
    """Only the findings of :func:`load_inputs` (convenience for ``sozialmonitor check``)."""
    return load_inputs(config).findings
