"""Search every file a release writes for planted values, after decoding each format to text.

Formats are decoded the way a reader would see them: DuckDB databases and Parquet files by their
values, Excel workbooks by their cells, GeoPackages by their attributes, PDFs by their text (where
``pdftotext`` is installed), and everything else as text (UTF-8, falling back to Latin-1).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb


def _duckdb_text(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True, config={"autoinstall_known_extensions": False,
                                                              "autoload_known_extensions": False})
    try:
        parts = []
        tables = con.execute(
            "select table_name from duckdb_tables() union all select view_name from duckdb_views() "
            "where not internal"
        ).fetchall()
        for (table,) in tables:
            cols = [r[0] for r in con.execute(f'describe "{table}"').fetchall()]
            readable = ", ".join(f'cast("{c}" as varchar)' for c in cols if c != "geometry")
            if readable:
                for row in con.execute(f'select {readable} from "{table}"').fetchall():
                    parts.append(" ".join("" if v is None else v for v in row))
        return "\n".join(parts)
    finally:
        con.close()


def _parquet_text(path: Path) -> str:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    cols = [c for c in table.column_names if c != "geometry"]
    return "\n".join(" ".join(map(str, table.column(c).to_pylist())) for c in cols)


def _xlsx_text(path: Path) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(" ".join("" if v is None else str(v) for v in row)
                     for ws in wb.worksheets for row in ws.iter_rows(values_only=True))


def _gpkg_text(path: Path) -> str:
    import pyogrio

    out = []
    for layer, _ in pyogrio.list_layers(path):
        frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        out.append(frame.astype(str).to_csv(index=False))
    return "\n".join(out)


def _pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        return path.read_bytes().decode("latin-1")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def decode(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".duckdb":
        return _duckdb_text(path)
    if suffix == ".parquet":
        return _parquet_text(path)
    if suffix == ".xlsx":
        return _xlsx_text(path)
    if suffix == ".gpkg":
        return _gpkg_text(path)
    if suffix == ".pdf":
        return _pdf_text(path)
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def scan(folders: list[Path], canaries: list[str]) -> list[tuple[Path, str]]:
    """(file, canary) for every canary found as a whole token (not inside a longer number)."""
    patterns = {c: re.compile(rf"(?<![\d.,]){re.escape(c)}(?![\d])") for c in canaries}
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith(".wal"):
                text = decode(path)
                found.extend((path, c) for c, pattern in patterns.items() if pattern.search(text))
    return found


def rate_spellings(value: float, decimals=range(2, 7)) -> list[str]:
    """A rate written with 2 to 6 decimals, with a decimal point and with a decimal comma."""
    out = []
    for d in decimals:
        text = f"{value:.{d}f}"
        out += [text, text.replace(".", ",")]
    return out
