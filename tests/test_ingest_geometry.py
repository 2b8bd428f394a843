"""District geometries: formats, CRS, hierarchy building and geometry validation."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from pipelines.lib.ingest import load_inputs
from tests.ingest_fixtures import (
    CRS,
    LEAVES,
    X0,
    Y0,
    bezirk_frame,
    city_frame,
    gpkg_sources,
    leaf_frame,
    make_config,
    of_code,
    write_gpkg,
)

LEAF_LAYER = "data_raw/geo.gpkg (Layer gebiete)"


def errors(inputs):
    return [f for f in inputs.findings if f.severity == "error"]


def only(inputs, code):
    found = of_code(inputs.findings, code)
    assert len(found) == 1, inputs.findings
    return found[0]


def test_geopackage_layers_build_all_levels(tmp_path):
    inputs = load_inputs(make_config(tmp_path))
    assert inputs.findings == []
    d = inputs.districts
    assert list(d.columns) == ["district_id", "name", "level", "parent_id", "geometry"]
    assert d.district_id.tolist() == ["0", "01", "02", *LEAVES]
    assert d.level.tolist() == ["stadt", "bezirk", "bezirk"] + ["gebiet"] * 4
    assert d.parent_id.tolist() == [None, "0", "0", "01", "01", "02", "02"]
    assert d.crs.to_string() == CRS


def test_geojson_in_wgs84_is_reprojected(tmp_path):
    raw = tmp_path / "data_raw"
    raw.mkdir()
    for frame, name in ((city_frame(), "stadt"), (bezirk_frame(), "bezirke"), (leaf_frame(), "gebiete")):
        frame.to_crs("EPSG:4326").to_file(raw / f"{name}.geojson", driver="GeoJSON")
    sources = [dict(s, path=f"data_raw/{s['layer']}.geojson") for s in gpkg_sources()]
    for s in sources:
        del s["layer"]
    inputs = load_inputs(make_config(tmp_path, geometries=sources))
    assert errors(inputs) == []
    leaf = inputs.districts.set_index("district_id").loc["0101"]
    assert leaf.geometry.area == pytest.approx(1e6, rel=1e-3)
    assert leaf.geometry.bounds[0] == pytest.approx(X0, abs=1.0)


def _int_key_leaves() -> gpd.GeoDataFrame:
    g = leaf_frame()
    return gpd.GeoDataFrame(
        {"GEBIET": [1010101, 1010102, 1020201, 1020202], "NAME": g["name"], "OBER": [101, 101, 102, 102]},
        geometry=g.geometry, crs=CRS,
    )


LEAF_ONLY = [{"path": "data_raw/gebiete.shp", "level": "gebiet", "key": "GEBIET", "name": "NAME", "parent": "OBER"}]


def test_shapefile_integer_keys_become_text_and_upper_levels_are_dissolved(tmp_path):
    (tmp_path / "data_raw").mkdir()
    _int_key_leaves().to_file(tmp_path / "data_raw/gebiete.shp")
    inputs = load_inputs(make_config(tmp_path, geometries=LEAF_ONLY))
    assert errors(inputs) == []
    d = inputs.districts.set_index("district_id")
    assert list(d.index) == ["stadt", "101", "102", "1010101", "1010102", "1020201", "1020202"]
    assert d.loc["101", "level"] == "bezirk" and d.loc["101", "parent_id"] == "stadt"
    assert d.loc["101"].geometry.area == pytest.approx(2e6)
    assert d.loc["stadt", "name"] == "Teststadt" and d.loc["stadt"].geometry.area == pytest.approx(4e6)
    assert d.loc["1010101", "parent_id"] == "101"


def test_zipped_shapefile(tmp_path):
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    _int_key_leaves().to_file(shp_dir / "gebiete.shp")
    (tmp_path / "data_raw").mkdir()
    with zipfile.ZipFile(tmp_path / "data_raw/gebiete.zip", "w") as z:
        for p in shp_dir.iterdir():
            z.write(p, p.name)
    sources = [dict(LEAF_ONLY[0], path="data_raw/gebiete.zip")]
    inputs = load_inputs(make_config(tmp_path, geometries=sources))
    assert errors(inputs) == []
    assert "1020202" in set(inputs.districts.district_id)
    assert [f.path for f in inputs.files] == ["data_raw/gebiete.zip"]


def _all_levels_frame() -> gpd.GeoDataFrame:
    frames = []
    for frame, level in ((city_frame(), "stadt"), (bezirk_frame(), "bezirk"), (leaf_frame(), "gebiet")):
        frames.append(frame.assign(ebene=level))
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=CRS)


ALL_LEVELS = [{"path": "data_raw/alle.geojson", "level_column": "ebene", "key": "gebiet_id", "name": "name",
               "parent": "ober_id"}]


def test_one_file_with_level_column(tmp_path):
    (tmp_path / "data_raw").mkdir()
    _all_levels_frame().to_file(tmp_path / "data_raw/alle.geojson", driver="GeoJSON")
    inputs = load_inputs(make_config(tmp_path, geometries=ALL_LEVELS))
    assert errors(inputs) == []
    assert inputs.districts.groupby("level").size().to_dict() == {"bezirk": 2, "gebiet": 4, "stadt": 1}


def test_unknown_level_value(tmp_path):
    (tmp_path / "data_raw").mkdir()
    g = _all_levels_frame()
    g.loc[3, "ebene"] = "Ortsteil"
    g.to_file(tmp_path / "data_raw/alle.geojson", driver="GeoJSON")
    inputs = load_inputs(make_config(tmp_path, geometries=ALL_LEVELS))
    f = only(inputs, "SM-E208")
    assert (f.file, f.row, f.column, f.value) == ("data_raw/alle.geojson", 5, "ebene", "Ortsteil")


def _with_leaves(tmp_path, leaves):
    write_gpkg(tmp_path, leaves)
    return load_inputs(make_config(tmp_path))


def test_self_intersection_is_invalid(tmp_path):
    g = leaf_frame()
    g.loc[2, "geometry"] = Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    inputs = _with_leaves(tmp_path, g)
    f = only(inputs, "SM-E201")
    assert (f.file, f.row, f.column, f.value) == (LEAF_LAYER, 4, "gebiet_id", "0201")
    assert "Self-intersection" in f.message


def test_empty_geometry(tmp_path):
    g = leaf_frame()
    g.loc[1, "geometry"] = Polygon()
    inputs = _with_leaves(tmp_path, g)
    f = only(inputs, "SM-E202")
    assert (f.file, f.row, f.column, f.value) == (LEAF_LAYER, 3, "gebiet_id", "0102")


def test_overlapping_districts(tmp_path):
    g = leaf_frame()
    g.loc[3, "geometry"] = box(X0 + 2900, Y0, X0 + 4000, Y0 + 1000)  # 0202 reaches 100 m into 0201
    inputs = _with_leaves(tmp_path, g)
    f = only(inputs, "SM-E204")
    assert (f.file, f.row, f.column, f.value) == (LEAF_LAYER, 5, "gebiet_id", "0202")
    assert "„0201“" in f.message and "100.000,0 m²" in f.message


def test_touching_and_tiny_overlaps_are_fine(tmp_path):
    g = leaf_frame()
    g.loc[3, "geometry"] = box(X0 + 2999.9995, Y0, X0 + 4000, Y0 + 1000)  # 0.5 m² overlap: digitising noise
    inputs = _with_leaves(tmp_path, g)
    assert of_code(inputs.findings, "SM-E204") == []


def test_sliver_is_a_warning(tmp_path):
    g = pd.concat([leaf_frame(), gpd.GeoDataFrame({"gebiet_id": ["0203"], "name": ["Splitter"], "ober_id": ["02"]},
                                                  geometry=[box(X0, Y0 - 0.5, X0 + 1, Y0)], crs=CRS)])
    inputs = _with_leaves(tmp_path, gpd.GeoDataFrame(g, crs=CRS))
    f = only(inputs, "SM-W209")
    assert (f.severity, f.row, f.value) == ("warning", 6, "0203")
    assert errors(inputs) == []


def test_not_a_polygon(tmp_path):
    g = leaf_frame()
    g.loc[0, "geometry"] = LineString([(X0, Y0), (X0 + 10, Y0 + 10)])
    inputs = _with_leaves(tmp_path, g)
    f = only(inputs, "SM-E210")
    assert (f.row, f.value) == (2, "0101")


def test_duplicate_key_in_geometry(tmp_path):
    g = leaf_frame()
    g.loc[3, "gebiet_id"] = "0201"
    inputs = _with_leaves(tmp_path, g)
    f = only(inputs, "SM-E205")
    assert (f.file, f.row, f.column, f.value) == (LEAF_LAYER, 5, "gebiet_id", "0201")
    assert "Zeile 4" in f.message


def test_empty_key_in_geometry(tmp_path):
    g = leaf_frame()
    g.loc[2, "gebiet_id"] = None
    inputs = _with_leaves(tmp_path, g)
    f = only(inputs, "SM-E207")
    assert (f.file, f.row, f.column) == (LEAF_LAYER, 4, "gebiet_id")


def test_unknown_parent_key(tmp_path):
    g = leaf_frame()
    g.loc[1, "ober_id"] = "03"
    inputs = _with_leaves(tmp_path, g)
    f = only(inputs, "SM-E206")
    assert (f.file, f.row, f.column, f.value) == (LEAF_LAYER, 3, "ober_id", "03")


def test_empty_parent_key(tmp_path):
    g = leaf_frame()
    g.loc[0, "ober_id"] = ""
    inputs = _with_leaves(tmp_path, g)
    f = only(inputs, "SM-E212")
    assert (f.file, f.row, f.column, f.value) == (LEAF_LAYER, 2, "gebiet_id", "0101")


def test_missing_crs(tmp_path):
    (tmp_path / "data_raw").mkdir()
    _int_key_leaves().to_file(tmp_path / "data_raw/gebiete.shp")
    (tmp_path / "data_raw/gebiete.prj").unlink()
    inputs = load_inputs(make_config(tmp_path, geometries=LEAF_ONLY))
    f = only(inputs, "SM-E203")
    assert (f.file, f.row) == ("data_raw/gebiete.shp", None)


def test_missing_key_column_lists_columns(tmp_path):
    write_gpkg(tmp_path)
    sources = gpkg_sources()
    sources[2]["key"] = "schluessel"
    inputs = load_inputs(make_config(tmp_path, geometries=sources))
    f = only(inputs, "SM-E105")
    assert (f.file, f.column) == (LEAF_LAYER, "schluessel")
    assert "„gebiet_id“" in f.hint and "„ober_id“" in f.hint


def test_missing_layer(tmp_path):
    write_gpkg(tmp_path)
    sources = gpkg_sources()
    sources[2]["layer"] = "planungsraeume"
    inputs = load_inputs(make_config(tmp_path, geometries=sources))
    f = only(inputs, "SM-E108")
    assert f.value == "planungsraeume" and "„gebiete“" in f.message
    assert "SM-E211" in {x.code for x in inputs.findings}  # the leaf level then has no geometry


def test_two_city_rows(tmp_path):
    (tmp_path / "data_raw").mkdir()
    g = _all_levels_frame()
    g.loc[len(g)] = {"gebiet_id": "9", "name": "Zweite Stadt", "ober_id": None, "ebene": "stadt",
                     "geometry": box(0, 0, 1, 1)}
    g.to_file(tmp_path / "data_raw/alle.geojson", driver="GeoJSON")
    inputs = load_inputs(make_config(tmp_path, geometries=ALL_LEVELS))
    f = only(inputs, "SM-E213")
    assert (f.row, f.value) == (9, "9")


@pytest.mark.parametrize(("name", "data", "code"), [
    ("gebiete.geojson", b"", "SM-E102"),
    ("gebiete.geojson", b"{kein json", "SM-E103"),
    ("gebiete.kml", b"<kml/>", "SM-E104"),
])
def test_unreadable_geometry_files(tmp_path, name, data, code):
    (tmp_path / "data_raw").mkdir()
    (tmp_path / "data_raw" / name).write_bytes(data)
    sources = [dict(LEAF_ONLY[0], path=f"data_raw/{name}")]
    inputs = load_inputs(make_config(tmp_path, geometries=sources))
    f = only(inputs, code)
    assert f.file == f"data_raw/{name}"


def test_geometry_file_without_features(tmp_path):
    (tmp_path / "data_raw").mkdir()
    empty = gpd.GeoDataFrame({"GEBIET": pd.Series(dtype="str"), "NAME": pd.Series(dtype="str"),
                              "OBER": pd.Series(dtype="str")}, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    empty.to_file(tmp_path / "data_raw/gebiete.gpkg", driver="GPKG")
    sources = [dict(LEAF_ONLY[0], path="data_raw/gebiete.gpkg")]
    inputs = load_inputs(make_config(tmp_path, geometries=sources))
    assert only(inputs, "SM-E102").file == "data_raw/gebiete.gpkg"


def test_missing_geometry_file(tmp_path):
    inputs = load_inputs(make_config(tmp_path, geometries=LEAF_ONLY))
    f = only(inputs, "SM-E101")
    assert (f.file, f.value) == ("data_raw/gebiete.shp", "data_raw/gebiete.shp")


def test_overlap_check_scales(tmp_path):
    from pipelines.lib.ingest.geometry import overlap_findings

    n = 105  # 11,025 squares
    geoms = [box(x * 10, y * 10, x * 10 + 10, y * 10 + 10) for x in range(n) for y in range(n)]
    geoms[-1] = box(n * 10 - 15, n * 10 - 15, n * 10, n * 10)  # overlaps three neighbours
    g = gpd.GeoDataFrame({"district_id": [str(i) for i in range(n * n)], "_file": "f", "_row": range(2, n * n + 2)},
                         geometry=geoms, crs=CRS)
    found = overlap_findings(g, {})
    assert len(found) == 3 and {f.value for f in found} == {str(n * n - 1)}


def test_points_are_not_districts_even_in_a_level_column_file(tmp_path):
    (tmp_path / "data_raw").mkdir()
    g = _all_levels_frame()
    g.loc[6, "geometry"] = Point(X0, Y0)
    g.to_file(tmp_path / "data_raw/alle.geojson", driver="GeoJSON")
    inputs = load_inputs(make_config(tmp_path, geometries=ALL_LEVELS))
    assert only(inputs, "SM-E210").value == "0202"
