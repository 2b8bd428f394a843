"""Reading CSV, Excel and Parquet files into frames of text cells with spreadsheet row numbers.

Every cell is read as text (never inferred), so keys keep their leading zeros. Parquet columns that
are natively numeric stay numeric (they need no parsing and make ten-million-row files fast); every
other cell is a ``str`` with ``""`` for an empty cell. ``Table.rows`` holds, for each frame row, the
row number as a person sees it in a spreadsheet program (header = row 1).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.lib.findings import Finding
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.numbers import render_native_number

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
TABLE_SUFFIXES = CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Table:
    """A table read from one file (or sheet); ``frame`` columns are the header names."""

    file: str  # path relative to the workspace, for findings
    frame: pd.DataFrame
    rows: np.ndarray  # spreadsheet row number of each frame row
    decimal: str = ","  # decimal mark of text numbers in this table

    def column(self, name: str) -> str | None:
        """The actual column for ``name``: exact, then ignoring surrounding spaces and case."""
        if name in self.frame.columns:
            return name
        wanted = name.strip().casefold()
        for col in self.frame.columns:
            if str(col).strip().casefold() == wanted:
                return col
        return None

    def text(self, column: str) -> pd.Series:
        """A column as stripped text; native numbers rendered without ``.0``."""
        return as_text(self.frame[column])


def as_text(series: pd.Series) -> pd.Series:
    """Stripped text of a column; integral numbers as ``"1010101"``, missing as ``""``."""
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.astype("Int64").astype("str").fillna("")
    if pd.api.types.is_float_dtype(series.dtype):
        arr = series.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            integral = np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 1e15)
        if integral.all():
            return pd.Series(arr.astype(np.int64), index=series.index).astype("str")
        return pd.Series([render_native_number(float(v)) for v in arr], index=series.index, dtype="str")
    if series.dtype == "str":
        return series.fillna("").str.strip()
    return pd.Series(
        ["" if v is None or (isinstance(v, float) and v != v) else render_native_number(v) for v in series],
        index=series.index,
        dtype="str",
    ).str.strip()


def decode_text(data: bytes, encoding: str | None = None) -> str | None:
    """Decode a text file: given encoding, else UTF-16 with BOM, UTF-8 (BOM optional), Windows-1252.

    Returns ``None`` when the bytes are not text in any of these encodings (binary data, UTF-16
    without byte order mark, …).
    """
    text: str | None = None
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            return None
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        for enc in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    if text is None or _CONTROL.search(text):
        return None
    return text.removeprefix("\ufeff")


def sniff_separator(line: str) -> str:
    """The field separator of a header line: ``;``, tab or ``,`` (most frequent outside quotes)."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {sep: unquoted.count(sep) for sep in (";", "\t", ",")}
    best = max(counts.values())
    if best == 0:
        return ";"
    return next(sep for sep in (";", "\t", ",") if counts[sep] == best)


def read_table(
    path: Path,
    file: str,
    *,
    sheet: str | int | None = None,
    header_rows: int = 1,
    skip_rows: int = 0,
    encoding: str | None = None,
    cell_range: str | None = None,
    transpose: bool = False,
    column_names: tuple[str, ...] = (),
) -> tuple[Table | None, list[Finding]]:
    """Read one table file; on problems return ``None`` (or a partial table) and the findings.

    ``cell_range`` (``"A4:BQ111"``, spreadsheet rows and column letters, header included) selects
    part of a sheet; ``transpose`` turns rows into columns (for "name, value" files). A table without
    a header row (``header_rows = 0``) takes its column names from ``column_names``, left to right;
    columns beyond them are called "Spalte 5", "Spalte 6", ….
    """
    shape = (cell_range, transpose, tuple(column_names))
    if cell_range is not None and _parse_range(cell_range) is None:
        return None, [finding("SM-E109", file, f"„{cell_range}“", value=cell_range)]
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        hint = "Alte .xls-Dateien bitte in Excel als .xlsx speichern." if suffix == ".xls" else None
        return None, [finding("SM-E104", file, f"„{path.suffix or path.name}“", value=path.name, hint=hint)]
    if path.stat().st_size == 0:
        return None, [finding("SM-E102", file, "die Datei hat 0 Byte")]
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, file, header_rows, skip_rows, encoding, shape)
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, file, sheet, header_rows, skip_rows, shape)
    return _read_parquet(path, file)


def _header_names(header: list[list[str]]) -> list[str]:
    """Join several header rows (merged cells forward-filled); make names unique."""
    width = max((len(r) for r in header), default=0)
    rows = []
    for i, r in enumerate(header):
        r = [str(c).strip() for c in r] + [""] * (width - len(r))
        if i < len(header) - 1:  # upper rows: merged cells span to the right
            last = ""
            for j, c in enumerate(r):
                last = c or last
                r[j] = last
        rows.append(r)
    names = []
    seen: dict[str, int] = {}
    for j in range(width):
        parts = []
        for r in rows:
            if r[j] and (not parts or parts[-1] != r[j]):
                parts.append(r[j])
        name = " ".join(parts) or f"Spalte {j + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _parse_range(cell_range: str) -> tuple[int, int, int | None, int | None] | None:
    """``"B4:F120"`` → (first row, first column, last row, last column), 1-based; ``"A4:F"`` open-ended."""
    m = re.fullmatch(r"\s*([A-Za-z]{1,3})(\d+)\s*(?::\s*([A-Za-z]{1,3})(\d*)\s*)?", cell_range)
    if not m:
        return None
    last_col = _column_number(m.group(3)) if m.group(3) else None
    last_row = int(m.group(4)) if m.group(4) else None
    return int(m.group(2)), _column_number(m.group(1)), last_row, last_col


def _shape(grid: pd.DataFrame, first_row: int, shape) -> tuple[pd.DataFrame, int]:
    """Apply a cell range (rows as in the spreadsheet) and a transposition to the raw grid."""
    cell_range, transpose = shape[:2] if shape else (None, False)
    if cell_range:
        r0, c0, r1, c1 = _parse_range(cell_range)
        start = max(r0 - first_row, 0)
        stop = None if r1 is None else max(r1 - first_row + 1, 0)
        grid = grid.iloc[start:stop, c0 - 1:c1]
        first_row = max(r0, first_row)
    if transpose:
        grid = grid.T.reset_index(drop=True)
        grid.columns = range(grid.shape[1])
        first_row = 1
    return grid.reset_index(drop=True), first_row


def _finish(file: str, grid: pd.DataFrame, first_row: int, header_rows: int, decimal: str, shape=None):
    """Split header rows from data rows, drop blank rows, number rows as in a spreadsheet."""
    grid, first_row = _shape(grid, first_row, shape)
    header = grid.iloc[:header_rows].fillna("").astype(str).to_numpy().tolist()
    data = grid.iloc[header_rows:]
    rows = np.arange(first_row + header_rows, first_row + header_rows + len(data))
    if len(data):
        blank = (data == "").all(axis=1).to_numpy()
        data = data[~blank]
        rows = rows[~blank]
    names = tuple(shape[2]) if shape and len(shape) > 2 else ()
    if header_rows == 0:  # no header row: the configured names, then "Spalte N"
        header = [[names[j] if j < len(names) else "" for j in range(grid.shape[1])]]
    if not header:
        return None, [finding("SM-E102", file, "keine Kopfzeile gefunden")]
    data = data.copy()
    data.columns = _header_names(header)
    data = data.reset_index(drop=True)
    table = Table(file=file, frame=data, rows=rows, decimal=decimal)
    if data.empty:
        return table, [finding("SM-E102", file, "nur Kopfzeile, keine Datenzeilen")]
    return table, []


def _read_csv(path: Path, file: str, header_rows: int, skip_rows: int, encoding: str | None, shape=None):
    text = decode_text(path.read_bytes(), encoding)
    if text is None:
        enc = f"Zeichenkodierung {encoding}" if encoding else "UTF-8 oder Windows-1252"
        return None, [finding("SM-E103", file, f"keine Textdatei in {enc} (evtl. UTF-16 ohne BOM oder Binärdatei)")]
    lines = text.splitlines()
    if len(lines) <= skip_rows or not "".join(lines[skip_rows:]).strip():
        return None, [finding("SM-E102", file, "keine Zeilen")]
    sep = sniff_separator(lines[skip_rows])
    decimal = "." if sep == "," else ","
    cut = _cut_off(text, lines, skip_rows, sep)
    if cut:
        return None, [finding("SM-E110", file, cut, row=len(lines))]
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            skiprows=skip_rows,
            quoting=csv.QUOTE_MINIMAL,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+), saw (\d+)", str(exc))
        row = int(m.group(1)) + skip_rows if m else None
        return None, [finding("SM-E107", file, f"Trennzeichen „{'Tab' if sep == chr(9) else sep}“", row=row)]
    except pd.errors.EmptyDataError:
        return None, [finding("SM-E102", file, "keine Zeilen")]
    grid = grid.astype("str").fillna("")
    grid = grid.apply(lambda c: c.str.strip())
    return _finish(file, grid, skip_rows + 1, header_rows, decimal, shape)


def _cut_off(text: str, lines: list[str], skip_rows: int, sep: str) -> str | None:
    """Why the file looks truncated: no final line break and a last row shorter than the header."""
    if text.endswith(("\n", "\r")) or len(lines) <= skip_rows + 1:
        return None
    header, last = (next(csv.reader([line], delimiter=sep), []) for line in (lines[skip_rows], lines[-1]))
    if len(last) >= len(header):
        return None
    return f"die letzte Zeile hat {len(last)} von {len(header)} Feldern und keinen Zeilenumbruch"


def _read_excel(path: Path, file: str, sheet, header_rows: int, skip_rows: int, shape=None):
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zip/xml errors of a broken workbook
        return None, [finding("SM-E103", file, f"keine gültige Excel-Arbeitsmappe ({type(exc).__name__})")]
    try:
        names = wb.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                return None, [_sheet_missing(file, sheet, names)]
            name = names[sheet]
        else:
            if sheet not in names:
                return None, [_sheet_missing(file, sheet, names)]
            name = sheet
        ws = wb[name]
        raw = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    # formulas: use the value Excel cached when saving; formula text only where there is none
    formula_cells = [
        (i, j) for i, r in enumerate(raw) for j, v in enumerate(r) if isinstance(v, str) and v.startswith("=")
    ]
    if formula_cells:
        wb2 = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            cached = [list(r) for r in wb2[name].iter_rows(values_only=True)]
        finally:
            wb2.close()
        for i, j in formula_cells:
            if i < len(cached) and j < len(cached[i]) and cached[i][j] is not None:
                raw[i][j] = cached[i][j]
    raw = raw[skip_rows:]
    width = max((len(r) for r in raw), default=0)
    cells = [["" if v is None else render_native_number(v).strip() for v in r] + [""] * (width - len(r)) for r in raw]
    if not cells:
        return None, [finding("SM-E102", file, f"Blatt „{name}“ ist leer")]
    grid = pd.DataFrame(cells, dtype="str")
    table, findings = _finish(file, grid, skip_rows + 1, header_rows, ",", shape)
    return table, findings


def _sheet_missing(file: str, sheet, names) -> Finding:
    listed = ", ".join(f"„{n}“" for n in names)
    return finding("SM-E106", file, f"„{sheet}“ (vorhanden: {listed}; Nummern zählen ab 0)", value=sheet)


def _read_parquet(path: Path, file: str):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        return None, [finding("SM-E103", file, f"keine gültige Parquet-Datei ({type(exc).__name__})")]
    columns = {}
    for name, col in zip(arrow.column_names, arrow.columns, strict=True):
        t = col.type
        if pa.types.is_dictionary(t):
            col = col.cast(t.value_type)
            t = t.value_type
        if pa.types.is_integer(t) or pa.types.is_floating(t):
            s = col.to_pandas()
            try:
                columns[str(name)] = s.astype("Int64") if pa.types.is_integer(t) else s.astype("float64")
            except (TypeError, OverflowError):  # unsigned beyond int64: validation reports the value
                columns[str(name)] = s.astype("float64")
        elif pa.types.is_decimal(t):
            columns[str(name)] = col.cast(pa.float64()).to_pandas()
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            columns[str(name)] = col.to_pandas().astype("str").fillna("").str.strip()
        else:
            columns[str(name)] = as_text(col.to_pandas().astype(object))
    frame = pd.DataFrame(columns)
    rows = np.arange(2, len(frame) + 2)
    table = Table(file=file, frame=frame, rows=rows, decimal=",")
    if frame.empty:
        return table, [finding("SM-E102", file, "keine Datensätze")]
    return table, []
