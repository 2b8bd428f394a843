"""District geometries: reading, validating, reprojecting and building the district table.

Sources are GeoJSON, GeoPackage (``layer``), Shapefile or zipped Shapefile, one file per level or
one file with a level column. Keys are kept as text exactly as written (integer-valued numeric keys
become ``"1010101"``). A level without a geometry file is dissolved from its children when they name
their parents; the city row is built from the level below when the city has no file of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from pipelines.lib.config import Config, GeometrySource, NameTable
from pipelines.lib.findings import Finding
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.files import relative, resolve_paths
from pipelines.lib.ingest.keys import normalise_keys
from pipelines.lib.ingest.names import Names, apply_names, name_dissolved, name_tables, table_findings
from pipelines.lib.ingest.tables import as_text

GEOMETRY_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
AREA_TOLERANCE_M2 = 1.0  # overlaps up to this area are digitising noise; smaller polygons are slivers
DISTRICT_COLUMNS = ["district_id", "name", "level", "parent_id", "geometry"]


@dataclass
class DistrictResult:
    districts: gpd.GeoDataFrame
    findings: list[Finding] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    systems: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)  # older area systems (not published)


def read_geometry_file(path: Path, file: str, layer: str | None) -> tuple[gpd.GeoDataFrame | None, list[Finding]]:
    """Read one geometry file (zipped Shapefiles via GDAL's /vsizip/)."""
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    suffix = path.suffix.lower()
    if suffix not in GEOMETRY_SUFFIXES:
        return None, [finding("SM-E104", file, f"„{path.suffix or path.name}“ für Geometrien", value=path.name)]
    if path.stat().st_size == 0:
        return None, [finding("SM-E102", file, "die Datei hat 0 Byte")]
    source = f"/vsizip/{path}" if suffix == ".zip" else str(path)
    try:
        gdf = pyogrio.read_dataframe(source, layer=layer)
    except DataLayerError:
        try:
            layers = ", ".join(f"„{n}“" for n in pyogrio.list_layers(source)[:, 0])
        except Exception:
            layers = "keine"
        return None, [finding("SM-E108", file, f"„{layer}“ (vorhanden: {layers})", value=layer)]
    except (DataSourceError, OSError, ValueError) as exc:
        return None, [finding("SM-E103", file, f"keine lesbare Geometriedatei ({type(exc).__name__})")]
    if len(gdf) == 0:
        return None, [finding("SM-E102", file, "keine Flächen")]
    return gdf, []


def _find_column(gdf: gpd.GeoDataFrame, name: str) -> str | None:
    if name in gdf.columns:
        return name
    wanted = name.strip().casefold()
    return next((c for c in gdf.columns if str(c).strip().casefold() == wanted), None)


def _source_rows(config: Config, src: GeometrySource, path: Path, file: str, gdf: gpd.GeoDataFrame,
                 tables: dict[NameTable, Names] | None = None, seen: set[str] | None = None):
    """Turn one file's features into district rows (columns per DISTRICT_COLUMNS + _file, _row); the names
    from ``tables`` (read name tables, see names.py) where the source has ``name_table``. ``seen`` collects
    every key of the file, merged members included."""
    findings: list[Finding] = []
    wanted = {"key": src.key}
    if src.name:  # else the names come from src.name_table (see names.py)
        wanted["name"] = src.name
    if src.parent:
        wanted["parent"] = src.parent
    if src.level_column:
        wanted["level"] = src.level_column
    if src.parent_name:
        wanted["parent_name"] = src.parent_name
    cols = {}
    present = [c for c in gdf.columns if c != gdf.geometry.name]
    for role, name in wanted.items():
        col = _find_column(gdf, name)
        if col is None:
            findings.append(
                finding("SM-E105", file, f"„{name}“", column=name,
                        hint="Vorhandene Spalten: " + ", ".join(f"„{c}“" for c in present) + ".")
            )
        cols[role] = col
    if any(c is None for c in cols.values()):
        return None, findings
    if gdf.crs is None:
        findings.append(finding("SM-E203", file))
        gdf = gdf.set_crs(config.crs, allow_override=True)
    rows = np.arange(2, len(gdf) + 2)
    keys = normalise_keys(as_text(gdf[cols["key"]]), src.key_rule)
    if src.parent_from_prefix:
        parents = keys.str[: src.parent_from_prefix].to_numpy()
    else:
        parents = as_text(gdf[cols["parent"]]).to_numpy() if src.parent else ""
    out = pd.DataFrame(
        {
            "district_id": keys.to_numpy(),
            "name": as_text(gdf[cols["name"]]).to_numpy() if src.name else keys.to_numpy(),
            "level": as_text(gdf[cols["level"]]).to_numpy() if src.level_column else src.level,
            "parent_id": parents,
            "_file": file,
            "_row": rows,
            "_parent_name": as_text(gdf[cols["parent_name"]]).to_numpy() if src.parent_name else "",
        }
    )
    geoms = gdf.geometry.to_crs(config.crs) if not gdf.crs.equals(pyproj.CRS(config.crs)) else gdf.geometry
    result = gpd.GeoDataFrame(out, geometry=geoms.to_numpy(), crs=config.crs)
    if src.level_column:
        known = set(config.level_ids)
        for i in np.flatnonzero(~result["level"].isin(known).to_numpy()):
            findings.append(
                finding("SM-E208", file, f"„{result['level'].iat[i]}“ (bekannt: {', '.join(config.level_ids)})",
                        row=rows[i], column=cols["level"], value=result["level"].iat[i])
            )
        result = result[result["level"].isin(known)]
    if src.name_table is not None:
        result, f = apply_names(result, {file: src}, tables)
        findings += f
    if src.make_valid:
        result, f = _repaired(result, cols["key"])
        findings += f
    findings += _feature_checks(result, cols["key"], config)
    if seen is not None:
        seen.update(result["district_id"])
    if src.merge:
        result, f = _merge(result, src, file, config)
        findings += f
    return result, findings


def _repaired(gdf: gpd.GeoDataFrame, key_col: str) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Invalid polygons repaired by ``shapely.make_valid`` (polygonal parts only); one warning per district."""
    geoms = gdf.geometry.to_numpy()
    bad = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & ~shapely.is_valid(geoms)
                         & np.isin(shapely.get_type_id(geoms), (3, 6)))
    if not len(bad):
        return gdf, []
    findings = []
    geoms = geoms.copy()
    for i in bad:
        fixed = shapely.make_valid(geoms[i])
        parts = [g for g in shapely.get_parts(fixed) if g.geom_type in ("Polygon", "MultiPolygon")]
        polygons = [q for g in parts for q in shapely.get_parts(g)]
        if not polygons:
            continue  # nothing polygonal left: stays invalid (SM-E201)
        repaired = polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
        before = shapely.area(geoms[i])
        reason = shapely.is_valid_reason(geoms[i])
        change = f"Fläche {_de(before)} → {_de(repaired.area)} m²" if before else f"Fläche {_de(repaired.area)} m²"
        findings.append(finding("SM-W214", gdf["_file"].iat[i],
                                f"Gebiet „{gdf['district_id'].iat[i]}“ ({gdf['name'].iat[i]}): {reason}; {change}",
                                row=gdf["_row"].iat[i], column=key_col, value=gdf["district_id"].iat[i]))
        geoms[i] = repaired
    return gpd.GeoDataFrame(gdf.drop(columns="geometry"), geometry=geoms, crs=gdf.crs), findings


def _merge(table: gpd.GeoDataFrame, src: GeometrySource, file: str, config: Config):
    """Dissolve the members of each merge rule into one district (by key or name)."""
    findings: list[Finding] = []
    for rule in src.merge:
        members = set(rule.members)
        hit = (table["district_id"].isin(members) | table["name"].isin(members)).to_numpy()
        found = set(table.loc[hit, "district_id"]) | set(table.loc[hit, "name"])
        lacking = sorted(members - found)
        if lacking:
            findings.append(finding("SM-W322", file, f"„{rule.name}“: " + ", ".join(f"„{m}“" for m in lacking),
                                    value=rule.key))
        if not hit.any():
            continue
        first = table[hit].iloc[0]
        geom = shapely.union_all(table.geometry.to_numpy()[hit])
        row = gpd.GeoDataFrame(
            {"district_id": [rule.key], "name": [rule.name], "level": [first["level"]],
             "parent_id": [first["parent_id"]], "_file": [file], "_row": [first["_row"]],
             "_parent_name": [first["_parent_name"]]},
            geometry=[geom], crs=config.crs,
        )
        table = gpd.GeoDataFrame(pd.concat([table[~hit], row], ignore_index=True), geometry="geometry",
                                 crs=config.crs)
    return table, findings


def _feature_checks(gdf: gpd.GeoDataFrame, key_col: str, config: Config) -> list[Finding]:
    """Empty keys, empty/invalid/non-polygonal geometries, slivers."""
    out: list[Finding] = []
    geoms = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, (3, 6))  # Polygon, MultiPolygon
    valid = shapely.is_valid(geoms)
    projected = pyproj.CRS(config.crs).is_projected
    area = shapely.area(geoms)
    keys = gdf["district_id"].to_numpy()
    files = gdf["_file"].to_numpy()
    rows = gdf["_row"].to_numpy()
    for i in np.flatnonzero(keys == ""):
        out.append(finding("SM-E207", files[i], row=rows[i], column=key_col, value=""))
    for i in np.flatnonzero(empty):
        out.append(finding("SM-E202", files[i], row=rows[i], column=key_col, value=keys[i]))
    for i in np.flatnonzero(~empty & ~polygonal):
        out.append(finding("SM-E210", files[i], f"Typ {shapely.get_type_id(geoms[i])} "
                           f"({geoms[i].geom_type})", row=rows[i], column=key_col, value=keys[i]))
    for i in np.flatnonzero(~empty & polygonal & ~valid):
        reason = shapely.is_valid_reason(geoms[i])
        out.append(finding("SM-E201", files[i], reason, row=rows[i], column=key_col, value=keys[i]))
    if projected:
        for i in np.flatnonzero(~empty & polygonal & valid & (area < AREA_TOLERANCE_M2)):
            out.append(finding("SM-W209", files[i], f"{area[i]:.3f} m²", row=rows[i], column=key_col,
                               value=keys[i]))
    return out


def _key_of(sources: dict[str, GeometrySource], file: str) -> str | None:
    src = sources.get(file)
    return src.key if src else None


def _parent_of(sources: dict[str, GeometrySource], file: str) -> str | None:
    src = sources.get(file)
    return src.parent if src else None


def _de(number: float) -> str:
    """A number with German separators and one decimal."""
    return f"{number:,.1f}".replace(",", "\0").replace(".", ",").replace("\0", ".")


def overlap_findings(
    gdf: gpd.GeoDataFrame, sources: dict[str, GeometrySource], tolerance: float = AREA_TOLERANCE_M2
) -> list[Finding]:
    """Pairs of polygons of one level whose intersection area exceeds ``tolerance`` (STRtree)."""
    out: list[Finding] = []
    geoms = gdf.geometry.to_numpy()
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & shapely.is_valid(geoms)
    idx = np.flatnonzero(usable)
    if len(idx) < 2:
        return out
    g = geoms[idx]
    tree = shapely.STRtree(g)
    left, right = tree.query(g, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return out
    areas = shapely.area(shapely.intersection(g[left], g[right]))
    keys = gdf["district_id"].to_numpy()[idx]
    files = gdf["_file"].to_numpy()[idx]
    rows = gdf["_row"].to_numpy()[idx]
    for a, b, ar in zip(left, right, areas, strict=True):
        if ar > tolerance:
            out.append(
                finding("SM-E204", files[b], f"„{keys[b]}“ überlappt „{keys[a]}“ (Zeile {rows[a]}) auf {_de(ar)} m²",
                        row=rows[b], column=_key_of(sources, files[b]), value=keys[b])
            )
    return out


def build_districts(config: Config) -> DistrictResult:
    """Read every geometry source and build the district table of all levels (incl. the city)."""
    findings: list[Finding] = []
    parts: list[gpd.GeoDataFrame] = []
    paths: list[Path] = []
    sources: dict[str, GeometrySource] = {}
    current = config.current_area_system
    systems: dict[str, list[gpd.GeoDataFrame]] = {}
    tables: dict[NameTable, Names] = name_tables(config)  # district names from tables of their own
    seen: set[str] = set()  # every key of every geometry file (merged members included)
    for src in config.geometries:
        found, f = resolve_paths(config, src.path)
        findings += f
        for path in found:
            if path not in paths:
                paths.append(path)
            file = relative(config, path) + (f" (Layer {src.layer})" if src.layer else "")
            gdf, f = read_geometry_file(path, file, src.layer)
            findings += f
            if gdf is None:
                continue
            rows, f = _source_rows(config, src, path, file, gdf, tables, seen)
            findings += f
            if rows is not None and src.area_system not in (None, current):
                systems.setdefault(src.area_system, []).append(rows)
            elif rows is not None:
                parts.append(rows)
                sources[file] = src
    if parts:
        table = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=config.crs)
    else:
        table = _empty(config)
    table = table[table["district_id"] != ""].reset_index(drop=True)

    # duplicate keys (across all levels: a data row must name exactly one area)
    dup = table["district_id"].duplicated(keep="first").to_numpy()
    if dup.any():
        first = table.drop_duplicates("district_id").set_index("district_id")
        for i in np.flatnonzero(dup):
            r = table.iloc[i]
            o = first.loc[r["district_id"]]
            findings.append(finding("SM-E205", r["_file"], f"bereits in {o['_file']}, Zeile {o['_row']}",
                                    row=r["_row"], column=_key_of(sources, r["_file"]), value=r["district_id"]))
        table = table[~dup].reset_index(drop=True)

    if pyproj.CRS(config.crs).is_projected:
        tolerance = max([AREA_TOLERANCE_M2] + [float(g.overlap_tolerance) for g in config.geometries
                                                 if g.overlap_tolerance is not None])
        for _, group in table.groupby("level", sort=False):
            findings += overlap_findings(group, sources, tolerance)

    table, f = _complete_levels(config, table)
    findings += f
    if tables:  # every key of a name table must be a district of some level and area system
        table = name_dissolved(table, tables)
        known = seen | set(table["district_id"])  # incl. dissolved levels; older area systems are in ``seen``
        findings += table_findings(tables, known)
        for found in tables.values():
            paths += [p for p in found.paths if p not in paths]
    findings += _parent_checks(config, table, sources)
    ordered = {lv: i for i, lv in enumerate(config.level_ids)}
    table = table.assign(_rank=table["level"].map(ordered)).sort_values(["_rank", "district_id"], kind="stable")
    districts = table[DISTRICT_COLUMNS].reset_index(drop=True)
    districts["parent_id"] = districts["parent_id"].astype(object).where(districts["parent_id"] != "", None)
    districts = gpd.GeoDataFrame(districts, geometry="geometry", crs=config.crs)
    older = {
        sid: gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=config.crs)[
            DISTRICT_COLUMNS].drop_duplicates("district_id").reset_index(drop=True)
        for sid, frames in systems.items()
    }
    return DistrictResult(districts=districts, findings=findings, paths=paths, systems=older)


def _empty(config: Config) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in DISTRICT_COLUMNS if c != "geometry"})
    frame["_file"] = pd.Series(dtype="str")
    frame["_row"] = pd.Series(dtype="int64")
    frame["_parent_name"] = pd.Series(dtype="str")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=config.crs), crs=config.crs)


def _complete_levels(config: Config, table: gpd.GeoDataFrame):
    """Dissolve levels that have no geometry file from their children; synthesise the city row."""
    findings: list[Finding] = []
    levels = list(config.level_ids)
    if not (table["level"] == levels[-1]).any():
        findings.append(finding("SM-E211", "sozialmonitor.toml", f"unterste Ebene „{levels[-1]}“",
                                hint="Die unterste Ebene braucht immer eine Geometriedatei."))
    for i in range(len(levels) - 2, -1, -1):
        level = levels[i]
        if (table["level"] == level).any():
            continue
        children = table[table["level"] == levels[i + 1]]
        if children.empty:
            continue  # reported for the level below already
        with_parent = children[children["parent_id"] != ""]
        if len(with_parent):
            geoms = with_parent.geometry.to_numpy()
            usable = shapely.is_valid(geoms) & ~shapely.is_empty(geoms)
            grouped = with_parent[usable].dissolve(by="parent_id", as_index=False, aggfunc="first")
            names = config.levels[i].names
            given = grouped["_parent_name"].fillna("").astype(str) if "_parent_name" in grouped else None
            labels = [names.get(k) or (given.iat[j] if given is not None and given.iat[j] else k)
                      for j, k in enumerate(grouped["parent_id"].astype(str))]
            new = gpd.GeoDataFrame(
                {"district_id": grouped["parent_id"].to_numpy(), "name": labels,
                 "level": level, "parent_id": "", "_file": "", "_row": 0},
                geometry=grouped.geometry.to_numpy(), crs=config.crs,
            )
            if i > 1:
                findings.append(finding("SM-E211", "sozialmonitor.toml",
                                        f"Ebene „{level}“ wurde aus „{levels[i + 1]}“ gebildet, "
                                        f"ihre Zuordnung zu „{levels[i - 1]}“ ist aber unbekannt"))
        elif i == 0:
            new = gpd.GeoDataFrame(
                {"district_id": [level], "name": [config.city_name], "level": [level], "parent_id": [""],
                 "_file": [""], "_row": [0]},
                geometry=[shapely.union_all(children.geometry.to_numpy()[shapely.is_valid(children.geometry.to_numpy())])],
                crs=config.crs,
            )
        else:
            findings.append(finding("SM-E211", "sozialmonitor.toml", f"Ebene „{level}“"))
            continue
        table = gpd.GeoDataFrame(pd.concat([table, new], ignore_index=True), geometry="geometry", crs=config.crs)
    return table, findings


def _parent_checks(config: Config, table: gpd.GeoDataFrame, sources: dict[str, GeometrySource]) -> list[Finding]:
    """The city has one row and no parent; every other row names a district of the level above."""
    findings: list[Finding] = []
    levels = list(config.level_ids)
    city = table[table["level"] == levels[0]]
    if len(city) > 1:
        for _, r in city.iloc[1:].iterrows():
            findings.append(finding("SM-E213", r["_file"] or "sozialmonitor.toml", f"{len(city)} Flächen",
                                    row=r["_row"] or None, column=_key_of(sources, r["_file"]), value=r["district_id"]))
    if len(city) == 1:
        city_id = city["district_id"].iat[0]
        first = (table["level"] == levels[1]) & (table["parent_id"] == "")
        table.loc[first, "parent_id"] = city_id
    table.loc[table["level"] == levels[0], "parent_id"] = ""
    for i in range(1, len(levels)):
        rows = table[table["level"] == levels[i]]
        above = set(table.loc[table["level"] == levels[i - 1], "district_id"])
        no_parent = rows[rows["parent_id"] == ""]
        for _, r in no_parent.iterrows():
            findings.append(finding("SM-E212", r["_file"] or "sozialmonitor.toml",
                                    f"für „{r['district_id']}“ (Ebene „{levels[i]}“)",
                                    row=r["_row"] or None, column=_key_of(sources, r["_file"]), value=r["district_id"]))
        unknown = rows[(rows["parent_id"] != "") & ~rows["parent_id"].isin(above)]
        for _, r in unknown.iterrows():
            findings.append(finding("SM-E206", r["_file"] or "sozialmonitor.toml",
                                    f"„{r['parent_id']}“ ist kein Gebiet der Ebene „{levels[i - 1]}“",
                                    row=r["_row"] or None, column=_parent_of(sources, r["_file"]),
                                    value=r["parent_id"]))
    return findings
