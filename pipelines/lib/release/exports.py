"""Open exports of a candidate release, written from its mart only (protected figures).

``exports/`` of a release holds, for every published table of the data dictionary:

- ``parquet/<table>.parquet``: Parquet (geometries as GeoParquet with the workspace CRS);
- ``csv/<table>.csv``: CSV in the German dialect (``;``, decimal comma, UTF-8 with BOM), without geometries;
- ``sozialmonitor.xlsx``: one sheet per table and the sheet "Erläuterungen" from the data dictionary; tables
  with years hold the latest year of each indicator there, very large ones the coarser levels only (see
  :mod:`workbook_rows`);

and the districts with the latest published value of every indicator as columns (``v_district_wide`` with
geometries) for QGIS: ``geo/districts_latest.gpkg`` (GeoPackage, MultiPolygon) and
``geo/districts_latest.parquet`` (GeoParquet, MultiPolygon too). Rows are sorted; the same mart gives the same bytes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pyogrio

from pipelines.lib.duck import connect
from pipelines.lib.parallel import run_together
from pipelines.lib.release.german_csv import copy_german_csv
from pipelines.lib.release.schema import Table, published_tables, table
from pipelines.lib.release.schema.views import quote_literal
from pipelines.lib.release.workbook import Sheet, excel_timestamp, write_workbook
from pipelines.lib.release.workbook_rows import sheet_rows

PARQUET_DIR, CSV_DIR, GEO_DIR = "parquet", "csv", "geo"
GEO_LAYER = "districts_latest"
WORKBOOK_NAME = "sozialmonitor.xlsx"
WIDE_VIEW = "v_district_wide"
# DuckDB's memory per connection (default: 80 % of the machine's). The sorts of the large tables (ten million
# rows nationally) would otherwise be held whole in memory, several GiB; with a limit they spill to a
# temporary folder, at little cost in time. The workbook's queries return at most MAX_SHEET_ROWS rows each.
FILES_MEMORY = "1GB"
WORKBOOK_MEMORY = "512MB"
FETCH_ROWS = 10_000  # workbook rows fetched from DuckDB at a time
SPILL_PREFIX = "sozialmonitor-exports-"
DICTIONARY_HEADER = ("Tabelle", "Art", "Spalte", "Datentyp", "Schlüssel", "darf leer sein", "Einheit",
                     "zulässige Werte", "Beschreibung")


def parquet_path(out_dir: Path, name: str) -> Path:
    return out_dir / PARQUET_DIR / f"{name}.parquet"


def csv_path(out_dir: Path, name: str) -> Path:
    return out_dir / CSV_DIR / f"{name}.csv"


def geo_paths(out_dir: Path) -> tuple[Path, Path]:
    """(GeoPackage, GeoParquet) of the districts with their latest indicator values."""
    return out_dir / GEO_DIR / f"{GEO_LAYER}.gpkg", out_dir / GEO_DIR / f"{GEO_LAYER}.parquet"


def tabular_columns(t: Table) -> list[str]:
    """The columns of ``t`` in CSV and Excel: all but geometries."""
    return [c.name for c in t.columns if c.type != "GEOMETRY"]


def sorted_select(t: Table, columns: list[str] | None = None) -> str:
    cols = ", ".join(columns) if columns is not None else "*"
    return f"select {cols} from {t.name} order by {', '.join(t.sort_columns)}"


def write_exports(mart: Path, out_dir: Path) -> list[Path]:
    """Write every export of the mart at ``mart`` into ``out_dir``; return the files written.

    The files DuckDB writes (Parquet, CSV, geodata) and the workbook (Python) are written side by side,
    each with its own read-only connection."""
    for sub in (PARQUET_DIR, CSV_DIR, GEO_DIR):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    files, workbook = run_together(lambda: _write_files(mart, out_dir), lambda: _write_workbook(mart, out_dir))
    return [*files, workbook]


@contextmanager
def _open(mart: Path, memory_limit: str) -> Iterator:
    """A read-only connection to the mart with at most ``memory_limit`` of DuckDB memory, spilling to a
    temporary folder of its own (the mart's folder is not for scratch files), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=SPILL_PREFIX) as spill:
        con = connect(mart, read_only=True, memory_limit=memory_limit, temp_directory=spill)
        try:
            con.execute("set TimeZone = 'UTC'")
            yield con
        finally:
            con.close()


def _write_files(mart: Path, out_dir: Path) -> list[Path]:
    written: list[Path] = []
    with _open(mart, FILES_MEMORY) as con:
        crs, created = con.execute("select crs, created_at from run_info").fetchone()
        for t in published_tables():
            written.append(_write_parquet(con, t, parquet_path(out_dir, t.name), crs))
            typed = [(c.name, c.type) for c in t.columns if c.type != "GEOMETRY"]
            written.append(copy_german_csv(con, csv_path(out_dir, t.name), typed, t.name, t.sort_columns))
        written.extend(_write_geo(con, out_dir, crs, created))
    return written


def _write_workbook(mart: Path, out_dir: Path) -> Path:
    with _open(mart, WORKBOOK_MEMORY) as con:
        run_id, crs, created = con.execute("select run_id, crs, created_at from run_info").fetchone()
        sheets, notes = [], []
        for t in published_tables():
            columns = tabular_columns(t)
            selection = sheet_rows(con, t, columns)
            sheets.append(Sheet(t.name, columns, _fetched(con, selection.query)))
            notes += [selection.note] if selection.note else []
        return write_workbook(out_dir / WORKBOOK_NAME, [*_intro(con, run_id, crs), *notes], _explanation(con),
                              sheets, created=excel_timestamp(created))


def _fetched(con, query: str) -> Iterator[tuple]:
    """The rows of ``query``, run when the sheet is written and fetched a few thousand at a time: only one
    sheet's rows are read at once, and not all of them (the writer sends each row to disk)."""
    result = con.execute(query)
    while rows := result.fetchmany(FETCH_ROWS):
        yield from rows


def _write_parquet(con, t: Table, target: Path, crs: str) -> Path:
    columns = [f"{c.name}::GEOMETRY({quote_literal(crs)}) as {c.name}" if c.type == "GEOMETRY" else c.name
               for c in t.columns]
    con.execute(f"copy ({sorted_select(t, columns)}) to {quote_literal(target.as_posix())} "
                "(format parquet, compression zstd)")
    return target


def wide_districts_select(geometry: str) -> str:
    """The districts with their latest indicator values; ``geometry`` is the expression for ``d.geometry``."""
    wide = table(WIDE_VIEW)
    return (f"select w.*, {geometry} as geometry from {WIDE_VIEW} w join districts d on d.district_id = w.district_id "
            f"order by {', '.join('w.' + c for c in wide.sort_columns)}")


def _write_geo(con, out_dir: Path, crs: str, created: datetime) -> list[Path]:
    gpkg, geoparquet = geo_paths(out_dir)
    # MultiPolygon in both files, as QGIS expects one geometry type per layer
    con.execute(f"copy ({wide_districts_select(f'st_multi(d.geometry)::GEOMETRY({quote_literal(crs)})')}) "
                f"to {quote_literal(geoparquet.as_posix())} (format parquet, compression zstd)")
    data = con.execute(wide_districts_select("st_aswkb(st_multi(d.geometry))")).to_arrow_table()
    gpkg.unlink(missing_ok=True)
    stamp = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        pyogrio.write_arrow(data, gpkg, layer=GEO_LAYER, driver="GPKG", geometry_name="geometry",
                            geometry_type="MultiPolygon", crs=crs, encoding="UTF-8")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    return [gpkg, geoparquet]


def _intro(con, run_id: str, crs: str) -> list[str]:
    city, version, data_date = con.execute("select city_name, schema_version, data_date from run_info").fetchone()
    return [
        f"Sozialmonitor {city} – veröffentlichte Daten",
        f"Freigabe (Auswertungslauf): {run_id}; Datenstand: {data_date or 'nicht angegeben'}; "
        f"Schemaversion: {version}",
        "Jedes weitere Tabellenblatt enthält eine Tabelle der Datenbank. Geheimgehaltene Werte sind leer; "
        "ihr Status steht in der Spalte status.",
        "Tabellen mit einer Spalte year enthalten hier nur das neueste Jahr je Indikator, sehr große Tabellen "
        "nur die gröberen Ebenen (siehe unten). Alle Zeilen stehen in den CSV- und Parquet-Dateien (Ordner csv "
        "und parquet neben dieser Datei). Inhalt der Blätter:",
        f"Zeitangaben in UTC (auf Sekunden), Zahlen mit 15 gültigen Stellen. Geometrien fehlen hier; sie liegen in den GeoPackage- und GeoParquet-Dateien "
        f"(Koordinatenbezugssystem {crs}).",
    ]


def _explanation(con) -> Sheet:
    rows = con.execute(
        "select table_name, table_kind, column_name, data_type, "
        "case when is_key then 'ja' else 'nein' end, case when nullable then 'ja' else 'nein' end, "
        "unit, allowed_values, description from data_dictionary order by table_name, column_position"
    ).fetchall()
    return Sheet("Erläuterungen", DICTIONARY_HEADER, rows)
