"""Check every export of a candidate release against its mart, each read with its reference reader.

Parquet and GeoParquet with pyarrow (and DuckDB for the comparison), CSV with DuckDB's CSV reader in the
German dialect, the workbook with calamine (the tests open it with openpyxl too), the GeoPackage with
pyogrio (GDAL). Each export must hold the documented columns and exactly the mart's rows (the workbook: the
rows :mod:`workbook_rows` selects), and no hidden cell may carry a value in any of them.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pyogrio
from python_calamine import CalamineWorkbook

from pipelines.lib.duck import connect
from pipelines.lib.release import exports as ex
from pipelines.lib.release.german_csv import neutralised_sql
from pipelines.lib.release.schema import Table, published_tables
from pipelines.lib.release.schema.views import quote_identifier, quote_literal
from pipelines.lib.release.workbook import EXPLANATION_SHEET, excel_timestamp
from pipelines.lib.release.workbook_rows import sheet_rows
from pipelines.lib.vocabulary import PUBLISHED

VALUE_COLUMNS = ("numerator", "rate", "ci_low", "ci_high")
MEMORY_LIMIT = "256MB"  # DuckDB's memory here: scans need little, and a full comparison spills to disk


def expected_files(exports_dir: Path) -> set[Path]:
    files = set()
    for t in published_tables():
        files |= {ex.parquet_path(exports_dir, t.name), ex.csv_path(exports_dir, t.name)}
    files |= set(ex.geo_paths(exports_dir))
    files.add(exports_dir / ex.WORKBOOK_NAME)
    return files


def export_problems(mart: Path, exports_dir: Path) -> list[str]:
    """Every difference between the exports in ``exports_dir`` and the mart at ``mart``."""
    problems: list[str] = []
    expected = expected_files(exports_dir)
    present = {p for p in exports_dir.rglob("*") if p.is_file()} if exports_dir.exists() else set()
    for path in sorted(expected - present):
        problems.append(f"export {path.relative_to(exports_dir).as_posix()} is missing")
    for path in sorted(present - expected):
        problems.append(f"unexpected file {path.relative_to(exports_dir).as_posix()} among the exports")
    spill = tempfile.TemporaryDirectory(prefix="sozialmonitor-audit-")
    con = connect(mart, read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        # without a limit DuckDB keeps the mart's pages it read, up to most of the machine's memory
        con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"set temp_directory = {quote_literal(spill.name)}")
        for t in published_tables():
            path = ex.parquet_path(exports_dir, t.name)
            if path.exists():
                problems += _check_parquet(con, t, path)
            path = ex.csv_path(exports_dir, t.name)
            if path.exists():
                problems += _check_csv(con, t, path)
        workbook = exports_dir / ex.WORKBOOK_NAME
        if workbook.exists():
            problems += _check_workbook(con, workbook)
        gpkg, geoparquet = ex.geo_paths(exports_dir)
        if geoparquet.exists():
            problems += _check_geoparquet(con, geoparquet)
        if gpkg.exists():
            problems += _check_gpkg(con, gpkg)
    finally:
        con.close()
        spill.cleanup()
    return problems


def _comparable(t: Table, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"st_aswkb({prefix}{c.name})" if c.type == "GEOMETRY" else f"{prefix}{c.name}"
                     for c in t.columns)


def _comparable_file(con, t: Table, source: str) -> str:
    """Like :func:`_comparable` for a file, whose geometry may come back as WKB (``BLOB``) when empty."""
    types = dict(con.execute(f"select column_name, column_type from (describe select * from {source})").fetchall())
    return ", ".join(
        (c.name if types.get(c.name) == "BLOB" else f"st_aswkb({c.name})") if c.type == "GEOMETRY" else c.name
        for c in t.columns
    )


def _fingerprint(con, query: str) -> tuple:
    """Row count and the sum of the rows' hashes: equal for equal multisets of rows, in one scan."""
    return con.execute(f"select count(*), sum(hash(*columns(*))::hugeint) from ({query})").fetchone()


def _differing(con, left: str, right: str) -> int:
    """The number of rows in one of the two queries' results but not in the other (as multisets).

    Equal fingerprints settle the common case in one scan of each side; otherwise the exact count."""
    if _fingerprint(con, left) == _fingerprint(con, right):
        return 0
    return con.execute(f"select count(*) from (({left} except all {right}) union all ({right} except all {left}))"
                       ).fetchone()[0]


def _hidden_condition(columns: list[str], alias: str) -> str | None:
    """A hidden cell (status not "veröffentlicht") that carries a value, on ``alias``'s columns."""
    filled = " or ".join(f"{alias}.{c} is not null" for c in VALUE_COLUMNS if c in columns)
    if "status" not in columns or not filled:
        return None
    return f"{alias}.status <> '{PUBLISHED}' and ({filled})"


def _compare_file(con, mart_query: str, file_select: str, source: str, columns: list[str]) -> tuple[int, int]:
    """(rows in one but not the other, hidden cells with a value) of an export against ``mart_query``;
    ``file_select`` the export's columns as they compare. Where they agree (the fingerprints are equal), the
    export is read once for both."""
    hidden = _hidden_condition(columns, "_file") or "false"
    count, total, with_values = con.execute(
        "select count(*), sum(hash(*columns(* exclude (_hidden)))::hugeint), count(*) filter (where _hidden) "
        f"from (select {file_select}, ({hidden}) as _hidden from {source} as _file)"
    ).fetchone()
    if (count, total) == _fingerprint(con, mart_query):
        return 0, with_values
    return _differing(con, mart_query, f"select {file_select} from {source}"), with_values


def _check_parquet(con, t: Table, path: Path) -> list[str]:
    name = path.name
    columns = pq.read_schema(path).names
    documented = [c.name for c in t.columns]
    if columns != documented:
        return [f"export parquet/{name} has columns {columns}, documented {documented}"]
    source = f"read_parquet({quote_literal(path.as_posix())})"
    problems = []
    has_rows = pq.read_metadata(path).num_rows > 0  # an empty table carries no geometry to describe
    if has_rows and any(c.type == "GEOMETRY" for c in t.columns) and b"geo" not in (pq.read_schema(path).metadata or {}):
        problems.append(f"export parquet/{name} has no GeoParquet metadata")
    n, hidden = _compare_file(con, f"select {_comparable(t)} from {t.name}", _comparable_file(con, t, source), source,
                              columns)
    if n:
        problems.append(f"export parquet/{name} differs from the mart in {n} rows")
    if hidden:
        problems.append(f"export parquet/{name}: {hidden} hidden cells carry a value")
    return problems


def _first_line(path: Path, chunk: int = 1 << 16) -> bytes:
    """The bytes of a file up to its first CRLF (all of them if it has none), read without the rest: a
    national CSV export has gigabytes."""
    head = b""
    with path.open("rb") as file:
        while b"\r\n" not in head:
            more = file.read(chunk)
            if not more:
                break
            head += more
    return head.split(b"\r\n", 1)[0]


def _check_csv(con, t: Table, path: Path) -> list[str]:
    name = f"csv/{path.name}"
    first = _first_line(path)
    if not first.startswith(b"\xef\xbb\xbf"):
        return [f"export {name} does not start with a UTF-8 byte order mark"]
    header = first[3:].decode("utf-8").split(";")
    columns = ex.tabular_columns(t)
    if header != columns:
        return [f"export {name} has columns {header}, documented {columns}"]
    types = ", ".join(f"{quote_literal(c.name)}: {quote_literal(c.type)}" for c in t.columns if c.name in columns)
    source = (f"read_csv({quote_literal(path.as_posix())}, delim=';', decimal_separator=',', header=true, "
              f"quote='\"', escape='\"', columns={{{types}}})")
    problems = []
    # CSV cannot tell an empty text from a missing one: compare texts with empty as missing; the mart's
    # texts as the export must hold them, neutralised against formula injection (a quote before "=", …)
    texts = {c.name for c in t.columns if c.type == "VARCHAR"}
    select = ", ".join(f"nullif({c}, '') as {c}" if c in texts else c for c in columns)
    mart_select = ", ".join(f"nullif({neutralised_sql(c)}, '') as {c}" if c in texts else c for c in columns)
    n, hidden = _compare_file(con, f"select {mart_select} from {t.name}", select, source, columns)
    if n:
        problems.append(f"export {name} differs from the mart in {n} rows")
    if hidden:
        problems.append(f"export {name}: {hidden} hidden cells carry a value")
    return problems


def _normal(value):
    """A value as the workbook gives it back: numbers as floats, timestamps in UTC to the second, no empty
    texts (an empty cell reads as "")."""
    if isinstance(value, datetime):
        return excel_timestamp(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return None if value == "" else value


def _same_row(sheet_row: Sequence, mart_row: Sequence) -> bool:
    """Equal, with numbers to Excel's precision (15 significant digits)."""
    if len(sheet_row) != len(mart_row):
        return False
    for a, b in zip(sheet_row, mart_row, strict=True):
        if isinstance(a, float) or isinstance(b, float):
            if not isinstance(a, float) or not isinstance(b, float):
                return False
            if not math.isclose(a, b, rel_tol=1e-14, abs_tol=0.0):
                return False
        elif a != b:
            return False
    return True


def _check_workbook(con, path: Path) -> list[str]:
    """The workbook, read with calamine (fast enough for the audit of every release; the tests also open it
    with openpyxl): its sheets, the explained columns, each sheet's rows against the mart's selection."""
    problems = []
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # any damage to the zip or XML
        return [f"workbook cannot be read: {exc}"]
    names = [t.name for t in published_tables()]
    if wb.sheet_names != [EXPLANATION_SHEET, *names]:
        return [f"workbook sheets {wb.sheet_names}, expected {[EXPLANATION_SHEET, *names]}"]
    documented = {r[0] for r in con.execute("select table_name || '.' || column_name from data_dictionary")
                  .fetchall()}
    explained = {f"{r[0]}.{r[2]}" for r in wb.get_sheet_by_name(EXPLANATION_SHEET).to_python()
                 if len(r) > 2 and r[0] and r[2]}
    if missing := documented - explained:
        problems.append(f"workbook sheet {EXPLANATION_SHEET} lacks {len(missing)} documented columns")
    for t in published_tables():
        rows = wb.get_sheet_by_name(t.name).to_python()
        columns = ex.tabular_columns(t)
        if not rows or list(rows[0][:len(columns)]) != columns or any(rows[0][len(columns):]):
            problems.append(f"workbook sheet {t.name} has columns {rows[0] if rows else []}, documented {columns}")
            continue
        sheet = [[_normal(v) for v in row] for row in rows[1:]]
        mart = [[_normal(v) for v in row] for row in con.execute(sheet_rows(con, t, columns).query).fetchall()]
        differing = abs(len(sheet) - len(mart)) + sum(
            not _same_row(a, b) for a, b in zip(sheet, mart, strict=False))
        if differing:
            problems.append(f"workbook sheet {t.name} differs from the mart in {differing} rows")
        if "status" in columns:
            status = columns.index("status")
            value_idx = [columns.index(c) for c in VALUE_COLUMNS if c in columns]
            hidden = sum(1 for r in sheet if len(r) > status and r[status] != PUBLISHED
                         and any(i < len(r) and r[i] is not None for i in value_idx))
            if hidden:
                problems.append(f"workbook sheet {t.name}: {hidden} hidden cells carry a value")
    return problems


def _wide_columns(con) -> list[str]:
    return [r[0] for r in con.execute(f"describe {ex.WIDE_VIEW}").fetchall()]


def _indicator_ids(con) -> list[str]:
    return [r[0] for r in con.execute("select indicator_id from indicators order by indicator_id").fetchall()]


def _hidden_geo_values(con, source: str) -> int:
    """Latest cells that are not published but carry a value in the geo export."""
    total = 0
    for ind in _indicator_ids(con):
        total += con.execute(
            f"select count(*) from {source} g join v_latest_values l on l.district_id = g.district_id "
            f"and l.indicator_id = {quote_literal(ind)} where l.status <> '{PUBLISHED}' "
            f"and g.{quote_identifier(ind)} is not null"
        ).fetchone()[0]
    return total


def _check_geo_rows(con, label: str, source: str, columns: list[str], geometry: str, exported: str) -> list[str]:
    """Compare an export of ``v_district_wide`` with geometries; ``geometry``/``exported``: WKB expressions."""
    expected = [*_wide_columns(con), "geometry"]
    if columns != expected:
        return [f"export {label} has columns {columns}, documented {expected}"]
    cols = ", ".join(quote_identifier(c) for c in expected[:-1])
    problems = []
    mart_cols = ", ".join("w." + quote_identifier(c) for c in expected[:-1])
    n = _differing(con, f"select {mart_cols}, {geometry} from {ex.WIDE_VIEW} w "
                        "join districts d on d.district_id = w.district_id",
                   f"select {cols}, {exported} from {source}")
    if n:
        problems.append(f"export {label} differs from the mart in {n} rows")
    if hidden := _hidden_geo_values(con, source):
        problems.append(f"export {label}: {hidden} hidden cells carry a value")
    return problems


def _check_geoparquet(con, path: Path) -> list[str]:
    label = f"geo/{path.name}"
    schema = pq.read_schema(path)
    meta = json.loads((schema.metadata or {}).get(b"geo", b"{}"))
    column = meta.get("columns", {}).get(meta.get("primary_column", ""), {})
    if column.get("encoding") != "WKB" or not column.get("crs"):
        return [f"export {label} lacks GeoParquet metadata with a CRS"]
    if column.get("geometry_types") not in ([], ["MultiPolygon"]):  # as the GeoPackage
        return [f"export {label} has geometry types {column.get('geometry_types')}"]
    return _check_geo_rows(con, label, f"read_parquet({quote_literal(path.as_posix())})", schema.names,
                           "st_aswkb(st_multi(d.geometry))", "st_aswkb(geometry)")


def _check_gpkg(con, path: Path) -> list[str]:
    label = f"geo/{path.name}"
    info = pyogrio.read_info(path, layer=ex.GEO_LAYER)
    crs = con.execute("select crs from run_info").fetchone()[0]
    if info["crs"] != crs or info["geometry_type"] != "MultiPolygon":
        return [f"export {label} has CRS {info['crs']} and geometry type {info['geometry_type']}"]
    _, data = pyogrio.read_arrow(path, layer=ex.GEO_LAYER)
    geometry = info.get("geometry_name") or "geometry"
    if geometry != "geometry":
        data = data.rename_columns(["geometry" if c == geometry else c for c in data.column_names])
    con.register("gpkg_export", data)
    try:
        return _check_geo_rows(con, label, "gpkg_export", data.column_names, "st_aswkb(st_multi(d.geometry))",
                               "st_aswkb(geometry)")
    finally:
        con.unregister("gpkg_export")
