"""The ingest entry point: read every configured input, validate it, return the canonical tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from pipelines.lib.config import Config
from pipelines.lib.findings import Finding
from pipelines.lib.ingest.counts import (
    COUNT_COLUMNS,
    DistrictIndex,
    absent_rows,
    duplicate_findings,
    empty_counts,
    read_long,
    read_wide,
)
from pipelines.lib.ingest.files import InputFile, input_file, relative, resolve_paths
from pipelines.lib.ingest.geometry import GEOMETRY_SUFFIXES, build_districts
from pipelines.lib.ingest.offers import finish_offers, read_offer_geometries, read_offer_table
from pipelines.lib.ingest.population import empty_population, read_population
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


def _district_index(config: Config, districts: gpd.GeoDataFrame) -> DistrictIndex:
    ids = pd.Index(districts["district_id"].astype("str"))
    names = dict(zip(districts["district_id"], districts["name"], strict=True))
    leaves = np.sort(districts.loc[districts["level"] == config.leaf_level, "district_id"].to_numpy(dtype=object))
    return DistrictIndex(ids=ids, names=names, leaves=leaves)


def load_inputs(config: Config) -> Inputs:
    """Read and validate all inputs; return what could be read plus every finding (never raises)."""
    findings: list[Finding] = []
    paths = []

    geo = build_districts(config)
    findings += geo.findings
    paths += geo.paths
    index = _district_index(config, geo.districts)

    # indicator counts
    parts = []
    for source in config.counts:
        found, f = resolve_paths(config, source.path)
        findings += f
        rows_of_source = []
        for path in found:
            paths.append(path)
            table, f = read_table(path, relative(config, path), sheet=source.sheet, header_rows=source.header_rows,
                                  skip_rows=source.skip_rows, encoding=source.encoding)
            findings += f
            if table is None or table.frame.empty:
                continue
            reader = read_wide if source.format == "wide" else read_long
            rows, f = reader(table, source, config, index)
            findings += f
            if rows is not None:
                rows_of_source.append(rows)
        if rows_of_source:
            rows = pd.concat(rows_of_source, ignore_index=True)
            fill, f = absent_rows(rows, source, index, relative(config, config.resolve(source.path)))
            findings += f
            parts.append(rows)
            if len(fill):
                parts.append(fill.assign(_ok=True))
    if parts:
        counts = pd.concat(parts, ignore_index=True)
        counts = _drop_covered_fills(counts)
        dup, f = duplicate_findings(counts)  # also against rows with a bad cell: a duplicate is a duplicate
        findings += f
        ok = counts["_ok"].to_numpy(dtype=bool) & ~dup
        counts = counts[ok][COUNT_COLUMNS].reset_index(drop=True)
        counts = _typed_counts(counts)
    else:
        counts = empty_counts()

    # population
    population = empty_population()
    if config.population is not None:
        src = config.population
        found, f = resolve_paths(config, src.path)
        findings += f
        pops = []
        for path in found:
            paths.append(path)
            table, f = read_table(path, relative(config, path), sheet=src.sheet, encoding=src.encoding)
            findings += f
            if table is None or table.frame.empty:
                continue
            rows, f = read_population(table, src, index)
            findings += f
            if rows is not None:
                pops.append(rows)
        if pops:
            population = pd.concat(pops, ignore_index=True)

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
    real = counts.loc[~fill, keys].drop_duplicates()
    marked = counts.loc[fill, keys].merge(real.assign(_covered=True), on=keys, how="left")["_covered"]
    covered = np.zeros(len(counts), dtype=bool)
    covered[np.flatnonzero(fill)] = marked.fillna(False).to_numpy(dtype=bool)
    kept = counts[~covered]
    fill_dup = kept["source_row"].isna().to_numpy() & kept.duplicated(keys, keep="first").to_numpy()
    return kept[~fill_dup].reset_index(drop=True)


def _typed_counts(counts: pd.DataFrame) -> pd.DataFrame:
    counts = counts.copy()
    counts["year"] = counts["year"].astype("int64")
    for c in ("numerator", "denominator", "source_row"):
        counts[c] = counts[c].astype("Int64")
    for c in ("district_id", "indicator_id", "numerator_flag", "denominator_flag", "source_id", "source_file"):
        counts[c] = counts[c].astype("str")
    return counts


def validate_inputs(config: Config) -> list[Finding]:
    """Only the findings of :func:`load_inputs` (convenience for ``sozialmonitor check``)."""
    return load_inputs(config).findings
