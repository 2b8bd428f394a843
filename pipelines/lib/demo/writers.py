"""Writers for the demo input files, in the formats German administrations really deliver.

German CSV: ``;`` as separator, ``.`` as thousands separator, ``,`` as decimal mark, ``-`` for an
exact zero; encodings vary per office (UTF-8 with BOM, Windows-1252, plain UTF-8). Excel files are
made byte-deterministic (fixed document timestamps and zip entry times). Every writer returns the
number of data rows written.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

FIXED_TIMESTAMP = datetime(2024, 12, 31, 12, 0, 0)
ZERO_SYMBOL = "-"


def german_int(value: int, *, dash_zero: bool = False) -> str:
    """``1234567`` → ``"1.234.567"``; ``0`` → ``"-"`` if ``dash_zero`` (the German table symbol)."""
    value = int(value)
    if value == 0 and dash_zero:
        return ZERO_SYMBOL
    return f"{value:,}".replace(",", ".")


def german_decimal(value: float, decimals: int) -> str:
    """``7.123456`` → ``"7,123456"`` (decimal comma, no thousands separator)."""
    return f"{value:.{decimals}f}".replace(".", ",")


def write_german_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    encoding: str,
    newline: str = "\n",
) -> int:
    """Write already formatted cells separated by ``;``; ``encoding="utf-8-sig"`` writes a BOM."""
    lines = [";".join(header)]
    for row in rows:
        cells = list(row)
        if any(";" in c or "\n" in c or '"' in c for c in cells):
            raise ValueError(f"cell needs quoting, not supported: {cells}")
        lines.append(";".join(cells))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return len(lines) - 1


def write_long_counts_csv(path: Path, counts: pd.DataFrame, *, encoding: str, newline: str) -> int:
    """``Planungsraum;Jahr;Indikator;Zähler;Nenner`` with ``-`` for a zero numerator."""
    rows = (
        (d, str(y), i, german_int(n, dash_zero=True), german_int(m))
        for d, y, i, n, m in counts[
            ["district_id", "year", "indicator_id", "numerator", "denominator"]
        ].itertuples(index=False)
    )
    header = ("Planungsraum", "Jahr", "Indikator", "Zähler", "Nenner")
    return write_german_csv(path, header, rows, encoding=encoding, newline=newline)


def write_population_csv(path: Path, population: pd.DataFrame) -> int:
    """``Planungsraum;Jahr;Altersgruppe;Einwohner`` in UTF-8 with BOM (as Excel exports it)."""
    rows = (
        (d, str(y), a, german_int(p))
        for d, y, a, p in population[["district_id", "year", "age_band", "population"]].itertuples(
            index=False
        )
    )
    header = ("Planungsraum", "Jahr", "Altersgruppe", "Einwohner")
    return write_german_csv(path, header, rows, encoding="utf-8-sig", newline="\r\n")


def write_offers_csv(path: Path, offers: gpd.GeoDataFrame) -> int:
    """``Nr;Name;Kategorie;Zielgruppe;Längengrad;Breitengrad``: WGS84 with 6 decimals, decimal comma."""
    wgs = offers.to_crs("EPSG:4326")
    rows = (
        (str(o), n, c, a, german_decimal(g.x, 6), german_decimal(g.y, 6))
        for o, n, c, a, g in zip(
            wgs["offer_id"], wgs["name"], wgs["category"], wgs["age_band"], wgs.geometry, strict=True
        )
    )
    header = ("Nr", "Name", "Kategorie", "Zielgruppe", "Längengrad", "Breitengrad")
    return write_german_csv(path, header, rows, encoding="utf-8")


def write_parquet(path: Path, counts: pd.DataFrame) -> int:
    """Long format with the canonical columns; string keys, int64 year and counts."""
    table = pa.table(
        {
            "district_id": pa.array(counts["district_id"].astype(str).tolist(), type=pa.string()),
            "year": pa.array(counts["year"].to_numpy("int64"), type=pa.int64()),
            "indicator_id": pa.array(counts["indicator_id"].astype(str).tolist(), type=pa.string()),
            "numerator": pa.array(counts["numerator"].to_numpy("int64"), type=pa.int64()),
            "denominator": pa.array(counts["denominator"].to_numpy("int64"), type=pa.int64()),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="snappy")
    return table.num_rows


def write_xlsx(
    path: Path, sheet: str, header: Sequence[str], rows: Iterable[Sequence], text_columns: int = 1
) -> int:
    """One sheet; the first ``text_columns`` columns are text cells (keys keep leading zeros).

    The document properties and every zip entry carry :data:`FIXED_TIMESTAMP`, so the same rows give
    the same bytes.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(header))
    n = 0
    for row in rows:
        ws.append(list(row))
        n += 1
        for col in range(1, text_columns + 1):
            ws.cell(row=n + 1, column=col).number_format = "@"
    wb.properties.creator = "sozialmonitor demo"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    wb.properties.lastModifiedBy = "sozialmonitor demo"

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_normalise_zip(raw.getvalue()))
    return n


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip archive with fixed entry timestamps (zip stores the local time of writing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_geopackage(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> int:
    """Write several layers into one new GeoPackage (an existing file is replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    n = 0
    for name, gdf in layers.items():
        gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        n += len(gdf)
    return n
