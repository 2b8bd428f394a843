"""Everything a release publishes as files, read as comparable text lines.

:func:`published_files` reads the current release of a workspace: ``dashboards/index.html`` and every file of
``dashboards/releases/<run>/`` (pages, embedded JSON, assets), ``data_marts/CURRENT`` and every file of
``data_marts/releases/<run>/`` except the mart itself (compared table by table elsewhere): ``RELEASE.json`` and
the exports. Text files are read as lines; Parquet, GeoPackage and Excel files by their content (schema,
rows, cell values), not by bytes, which carry compression, page layout and zip times. Only the run id and
timestamps are normalised, by :data:`RUN_ID`, :data:`ISO_TIME` and :data:`GERMAN_TIME` — dates without a
time of day (the data date) stay as they are. :func:`first_difference` names the first file and line that
differ.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from pathlib import Path

RUN_ID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")  # a Dagster run id
# 2026-11-22T09:27:01+00:00, 2026-11-22 09:27:01.123456+00:00, 2026-11-22T09:27:01Z (always with a time of day)
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?")
GERMAN_TIME = re.compile(r"\b\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr")  # "22.11.2026, 10:27 Uhr"
BINARY_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".pdf", ".woff", ".woff2", ".ttf"}
MART_NAME = "sozialmonitor.duckdb"


def normalise(text: str) -> str:
    text = RUN_ID.sub("<run-id>", text)
    text = ISO_TIME.sub("<zeit>", text)
    return GERMAN_TIME.sub("<zeit>", text)


def _row(values) -> str:
    """One table row as text; times in ISO form, so that :data:`ISO_TIME` finds them."""
    return repr(tuple(v.isoformat(" ") if isinstance(v, datetime) else v for v in values))


def _parquet_lines(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    lines = [f"schema: {f.name} {f.type}" for f in table.schema]
    lines += [f"metadata {k.decode()}: {v.decode(errors='replace')}" for k, v in
              sorted((table.schema.metadata or {}).items())]
    lines += [_row(row.values()) for row in table.to_pylist()]
    return lines


def _geopackage_lines(path: Path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _workbook_lines(path: Path) -> list[str]:
    """Sheet by sheet, row by row: cell values (dates as dates, so that :data:`ISO_TIME` finds them)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        lines = []
        for sheet in book.worksheets:
            lines.append(f"[{sheet.title}]")
            lines += [_row(row) for row in sheet.iter_rows(values_only=True)]
        return lines
    finally:
        book.close()


def file_lines(path: Path) -> list[str] | bytes:
    """Normalised lines of a file's content; the bytes of images, fonts and other binary files."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        lines = _parquet_lines(path)
    elif suffix == ".gpkg":
        lines = _geopackage_lines(path)
    elif suffix == ".xlsx":
        lines = _workbook_lines(path)
    elif suffix in BINARY_SUFFIXES:
        return path.read_bytes()
    else:  # pages, scripts, styles, JSON, CSV, CURRENT
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError:
            return path.read_bytes()
    return [normalise(line) for line in lines]


def published_files(root: Path) -> dict[str, list[str] | bytes]:
    """Relative path (the run id replaced) → normalised content of every file the current release publishes."""
    run_id = (root / "data_marts" / "CURRENT").read_text(encoding="utf-8").strip()
    paths = [root / "dashboards" / "index.html", root / "data_marts" / "CURRENT"]
    for folder in (root / "dashboards" / "releases" / run_id, root / "data_marts" / "releases" / run_id):
        assert folder.is_dir(), f"{folder} missing"
        paths += sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MART_NAME)
    return {p.relative_to(root).as_posix().replace(run_id, "<run-id>"): file_lines(p) for p in paths}


def _excerpt(line: str, column: int, width: int = 60) -> str:
    start = max(0, column - width)
    return ("…" if start else "") + line[start:column + width] + ("…" if column + width < len(line) else "")


def first_difference(before: dict[str, list[str] | bytes], after: dict[str, list[str] | bytes]) -> str | None:
    """The first file and line that differ (files in sorted order), or None when all are equal."""
    if set(before) != set(after):
        return (f"files differ: only before {sorted(set(before) - set(after))}, "
                f"only after {sorted(set(after) - set(before))}")
    for name in sorted(before):
        a, b = before[name], after[name]
        if a == b:
            continue
        if isinstance(a, bytes) or isinstance(b, bytes):
            return f"{name}: the bytes differ"
        for n, (x, y) in enumerate(zip(a, b, strict=False), start=1):
            if x != y:
                col = next(i for i, (p, q) in enumerate(zip(x + "\0", y + "\0", strict=False)) if p != q)
                return (f"{name}, line {n}, column {col + 1}:\n  before: {_excerpt(x, col)}\n"
                        f"  after:  {_excerpt(y, col)}")
        return f"{name}: {len(a)} lines before, {len(b)} after (line {min(len(a), len(b)) + 1} on)"
    return None
