"""A corpus of malformed inputs, generated from the tiny demo city's own files (nothing binary committed).

Each :class:`BadInput` breaks one input file of a workspace in one way and names the validation code
that must report it. ``break_into(workspace)`` writes the broken file over the good one.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from shapely.geometry import GeometryCollection, Point, Polygon

SOZIALES = "data_raw/soziales/sozialdaten.csv"  # Windows-1252, ';'
ZAHN = "data_raw/gesundheit/zahnaerztlicher_dienst.csv"  # UTF-8
POPULATION = "data_raw/bevoelkerung/einwohner.csv"  # UTF-8 with BOM
OFFERS = "data_raw/angebote/angebote.csv"
BILDUNG = "data_raw/bildung/bildung.parquet"
ESU = "data_raw/gesundheit/einschulungsuntersuchung.xlsx"
GPKG = "data_raw/geometrien/musterstadt.gpkg"
LEAVES = "planungsraeume"


@dataclass(frozen=True)
class BadInput:
    name: str
    file: str  # the broken file, relative to the workspace
    code: str  # the validation code that must be reported for it
    make: Callable[[Path], None]  # breaks the file in a workspace

    def break_into(self, workspace: Path) -> None:
        self.make(Path(workspace) / self.file)


# ---------------------------------------------------------------- helpers


def _lines(path: Path, encoding: str) -> list[str]:
    return path.read_text(encoding=encoding).splitlines()


def _set_field(file_encoding: str, row: int, column: int, value: str):
    """Replace one field (``row`` 1 = first data row) of a ';' CSV."""

    def make(path: Path) -> None:
        lines = _lines(path, file_encoding)
        fields = lines[row].split(";")
        fields[column] = value
        lines[row] = ";".join(fields)
        path.write_text("\n".join(lines) + "\n", encoding=file_encoding)

    return make


def _bytes(data: bytes):
    def make(path: Path) -> None:
        path.write_bytes(data)

    return make


def _truncate(fraction: float):
    def make(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])

    return make


def _cut_mid_row(path: Path) -> None:
    """Cut the file in the middle of a data row, as an interrupted copy does."""
    data = path.read_bytes()
    middle = data.index(b"\n", len(data) // 2) + 1
    path.write_bytes(data[: data.index(b";", data.index(b";", middle) + 1) + 2])


def _edit_text(encoding: str, edit: Callable[[list[str]], list[str]]):
    def make(path: Path) -> None:
        path.write_text("\n".join(edit(_lines(path, encoding))) + "\n", encoding=encoding)

    return make


def _garbage(seed: int, n: int = 4000) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def _xlsx_cells(changes: dict[tuple[int, int], object]):
    """Set cells of the ESU sheet (row, column 1-based; row 1 = header)."""

    def make(path: Path) -> None:
        wb = openpyxl.load_workbook(path)
        ws = wb["ESU"]
        for (r, c), v in changes.items():
            ws.cell(row=r, column=c, value=v)
        wb.save(path)

    return make


def _xlsx_empty_sheet(path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "ESU"
    wb.save(path)


def _xlsx_other_sheet(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    wb["ESU"].title = "Tabelle1"
    wb.save(path)


def _xlsx_duplicate_header(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["ESU"]
    ws.cell(row=1, column=4, value=ws.cell(row=1, column=3).value)  # "Sprachdefizit" named like its left
    wb.save(path)


def _zip_not_xlsx(path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "kein Excel")
    path.write_bytes(buf.getvalue())


def _parquet(change: Callable[[pd.DataFrame], pa.Table]):
    def make(path: Path) -> None:
        pq.write_table(change(pd.read_parquet(path)), path)

    return make


def _uint64_beyond_int64(df: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(df, preserve_index=False)
    values = np.asarray(df["numerator"], dtype="uint64")
    values[0] = np.uint64(2**63 + 5)
    return table.set_column(table.schema.get_field_index("numerator"), "numerator", pa.array(values))


def _mixed_types(df: pd.DataFrame) -> pa.Table:
    df = df.copy()
    df["numerator"] = df["numerator"].astype(str)
    df.loc[df.index[1], "numerator"] = "zwölf"
    return pa.Table.from_pandas(df, preserve_index=False)


def _float_inf(df: pd.DataFrame) -> pa.Table:
    df = df.copy()
    df["numerator"] = df["numerator"].astype("float64")
    df.loc[df.index[0], "numerator"] = np.inf
    return pa.Table.from_pandas(df, preserve_index=False)


def _layers(path: Path) -> dict[str, gpd.GeoDataFrame]:
    import pyogrio

    return {name: gpd.read_file(path, layer=name) for name, _ in pyogrio.list_layers(path)}


def _geometry(change: Callable[[dict[str, gpd.GeoDataFrame]], None]):
    def make(path: Path) -> None:
        layers = _layers(path)
        change(layers)
        path.unlink()
        for name, gdf in layers.items():
            gdf.to_file(path, layer=name, driver="GPKG")

    return make


def _bowtie(layers) -> None:
    gdf = layers[LEAVES]
    x0, y0, x1, y1 = gdf.geometry.iloc[0].bounds
    gdf.loc[gdf.index[0], "geometry"] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])


def _collection(layers) -> None:
    gdf = layers[LEAVES]
    g = gdf.geometry.iloc[0]
    gdf.loc[gdf.index[0], "geometry"] = GeometryCollection([g, Point(g.centroid)])


def _empty_geometry(layers) -> None:
    gdf = layers[LEAVES]
    gdf.loc[gdf.index[0], "geometry"] = Polygon()


def _no_crs(layers) -> None:
    layers[LEAVES] = layers[LEAVES].set_crs(None, allow_override=True)


def _wrong_crs(layers) -> None:
    # metre coordinates labelled as degrees: reprojection fails or lands far outside the city
    layers[LEAVES] = layers[LEAVES].set_crs("EPSG:4326", allow_override=True)


def _duplicate_key(layers) -> None:
    gdf = layers[LEAVES]
    gdf.loc[gdf.index[1], "gebiet_id"] = gdf["gebiet_id"].iloc[0]


def _unknown_parent(layers) -> None:
    gdf = layers[LEAVES]
    gdf.loc[gdf.index[0], "ober_id"] = "99999"


def _point_district(layers) -> None:
    gdf = layers[LEAVES]
    gdf.loc[gdf.index[0], "geometry"] = gdf.geometry.iloc[0].centroid


def _overlap(layers) -> None:
    gdf = layers[LEAVES]
    gdf.loc[gdf.index[0], "geometry"] = gdf.geometry.iloc[0].buffer(200)


# ---------------------------------------------------------------- the corpus

CORPUS: list[BadInput] = [
    # CSV: bytes and encodings
    BadInput("csv_binary_garbage", SOZIALES, "SM-E103", _bytes(b"\x00\x01PK" + _garbage(1))),
    BadInput("csv_utf16_without_bom", ZAHN, "SM-E103",
             lambda p: p.write_bytes(p.read_text(encoding="utf-8").encode("utf-16-le"))),
    BadInput("csv_undefined_cp1252_bytes", SOZIALES, "SM-E103",
             lambda p: p.write_bytes(p.read_bytes().replace(b"kinderarmut;", b"kinder\x81\x8d\x8farmut;", 1))),
    BadInput("csv_nul_in_the_middle", ZAHN, "SM-E103",
             lambda p: p.write_bytes(p.read_bytes().replace(b"karies", b"kar\x00ies", 1))),
    BadInput("csv_empty_file", SOZIALES, "SM-E102", _bytes(b"")),
    BadInput("csv_header_only", ZAHN, "SM-E102", _edit_text("utf-8", lambda lines: lines[:1])),
    BadInput("csv_only_separators", ZAHN, "SM-E102", _bytes(b";;;;\n;;;;\n\n")),
    BadInput("csv_truncated_mid_row", SOZIALES, "SM-E110", _cut_mid_row),
    BadInput("csv_truncated_inside_quotes", ZAHN, "SM-E107",
             _edit_text("utf-8", lambda lines: [*lines[:5], '01010001;2023;"karies;4'])),
    BadInput("csv_truncated_header", POPULATION, "SM-E102", _bytes(b"\xef\xbb\xbfPlanungsraum;Ja")),
    BadInput("csv_too_many_fields", ZAHN, "SM-E107", _set_field("utf-8", 3, 4, "7;8;9")),
    # CSV: values
    BadInput("csv_huge_number_beyond_int64", ZAHN, "SM-E308", _set_field("utf-8", 1, 3, "99999999999999999999999")),
    BadInput("csv_huge_denominator_beyond_int64", ZAHN, "SM-E30", _set_field("utf-8", 1, 4, "184467440737095516160")),
    BadInput("csv_exponent_overflow", ZAHN, "SM-E30", _set_field("utf-8", 2, 3, "1e400")),
    BadInput("csv_decimal_count", ZAHN, "SM-E306", _set_field("utf-8", 1, 3, "12,5")),
    BadInput("csv_text_in_count", SOZIALES, "SM-E308", _set_field("cp1252", 1, 3, "zwölf")),
    BadInput("csv_negative_count", ZAHN, "SM-E305", _set_field("utf-8", 1, 3, "-3")),
    BadInput("csv_mixed_types_year", ZAHN, "SM-E310", _set_field("utf-8", 2, 1, "zweitausenddreiundzwanzig")),
    BadInput("csv_unknown_indicator", ZAHN, "SM-E309", _set_field("utf-8", 1, 2, "karies_neu")),
    BadInput("csv_duplicated_header", ZAHN, "SM-E105",
             _edit_text("utf-8", lambda lines: ["Planungsraum;Jahr;Indikator;Zähler;Zähler", *lines[1:]])),
    BadInput("csv_missing_column", SOZIALES, "SM-E105",
             _edit_text("cp1252", lambda lines: [";".join(x.split(";")[:4]) for x in lines])),
    BadInput("csv_duplicate_row", ZAHN, "SM-E303", _edit_text("utf-8", lambda lines: [*lines, lines[1]])),
    BadInput("csv_population_secret", POPULATION, "SM-E314", _set_field("utf-8-sig", 1, 3, ".")),
    BadInput("csv_offer_coordinate_text", OFFERS, "SM-E401", _set_field("utf-8", 1, 4, "Marktplatz")),
    # Excel
    BadInput("xlsx_error_cells", ESU, "SM-E308", _xlsx_cells({(2, 4): "#DIV/0!", (3, 5): "#N/A"})),
    BadInput("xlsx_german_error_text", ESU, "SM-E308", _xlsx_cells({(2, 4): "#NV"})),
    BadInput("xlsx_formula_without_value", ESU, "SM-E308", _xlsx_cells({(2, 4): "=C2/0"})),
    BadInput("xlsx_huge_number", ESU, "SM-E308", _xlsx_cells({(2, 4): 10**25})),
    BadInput("xlsx_mixed_types", ESU, "SM-E308", _xlsx_cells({(2, 4): "zwölf", (3, 4): 3.75})),
    BadInput("xlsx_empty_sheet", ESU, "SM-E102", _xlsx_empty_sheet),
    BadInput("xlsx_sheet_renamed", ESU, "SM-E106", _xlsx_other_sheet),
    BadInput("xlsx_duplicated_header", ESU, "SM-E105", _xlsx_duplicate_header),
    BadInput("xlsx_truncated", ESU, "SM-E103", _truncate(0.6)),
    BadInput("xlsx_zip_without_workbook", ESU, "SM-E103", _zip_not_xlsx),
    BadInput("xlsx_binary_garbage", ESU, "SM-E103", _bytes(_garbage(2))),
    # Parquet
    BadInput("parquet_truncated", BILDUNG, "SM-E103", _truncate(0.7)),
    BadInput("parquet_uint64_beyond_int64", BILDUNG, "SM-E30", _parquet(_uint64_beyond_int64)),
    BadInput("parquet_mixed_types", BILDUNG, "SM-E308", _parquet(_mixed_types)),
    BadInput("parquet_infinite_count", BILDUNG, "SM-E30", _parquet(_float_inf)),
    # geometries
    BadInput("gpkg_self_intersection", GPKG, "SM-E201", _geometry(_bowtie)),
    BadInput("gpkg_geometry_collection", GPKG, "SM-E210", _geometry(_collection)),
    BadInput("gpkg_empty_geometry", GPKG, "SM-E202", _geometry(_empty_geometry)),
    BadInput("gpkg_point_instead_of_area", GPKG, "SM-E210", _geometry(_point_district)),
    BadInput("gpkg_without_crs", GPKG, "SM-E203", _geometry(_no_crs)),
    BadInput("gpkg_wrong_crs", GPKG, "SM-E2", _geometry(_wrong_crs)),
    BadInput("gpkg_overlap", GPKG, "SM-E204", _geometry(_overlap)),
    BadInput("gpkg_duplicate_key", GPKG, "SM-E205", _geometry(_duplicate_key)),
    BadInput("gpkg_unknown_parent", GPKG, "SM-E206", _geometry(_unknown_parent)),
    BadInput("gpkg_truncated", GPKG, "SM-E103", _truncate(0.3)),
    BadInput("gpkg_binary_garbage", GPKG, "SM-E103", _bytes(_garbage(3, 20000))),
]
