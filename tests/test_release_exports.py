"""Exports of a release: each opens in its reference reader with the documented columns, equals the mart,
carries no value of a hidden cell, and is byte-stable; the audit's export check catches tampering."""

from __future__ import annotations

import hashlib
import re
import shutil

import duckdb
import geopandas
import openpyxl
import pyarrow.parquet as pq
import pyogrio
import pytest

from pipelines.lib.duck import connect
from pipelines.lib.release import exports as ex
from pipelines.lib.release.catalogue_page import CATALOGUE_PAGE
from pipelines.lib.release.export_check import export_problems
from pipelines.lib.release.schema import published, published_tables
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace

PUBLISHED = "veröffentlicht"


@pytest.fixture(scope="module")
def release(tiny_published):
    ws = Workspace(tiny_published)
    return ws.mart_releases / current_run_id(ws)


@pytest.fixture(scope="module")
def wide_columns(release):
    with connect(release / "sozialmonitor.duckdb", read_only=True) as con:
        return [r[0] for r in con.execute("describe v_district_wide").fetchall()]


def _count(release, name: str) -> int:
    with connect(release / "sozialmonitor.duckdb", read_only=True) as con:
        return con.execute(f"select count(*) from {name}").fetchone()[0]


def test_parquet_opens_in_pyarrow_with_the_documented_columns(release):
    for t in published_tables():
        data = pq.read_table(ex.parquet_path(release / "exports", t.name))
        assert data.column_names == [c.name for c in t.columns], t.name
        assert data.num_rows == _count(release, t.name), t.name
    geo = pq.read_schema(ex.parquet_path(release / "exports", "districts")).metadata[b"geo"]
    assert b'"code":25832' in geo.replace(b" ", b"")


def test_csv_is_german_and_opens_in_duckdb_with_the_documented_columns(release):
    for t in published_tables():
        path = ex.csv_path(release / "exports", t.name)
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), t.name
        rel = duckdb.sql(f"select * from read_csv('{path.as_posix()}', delim=';', decimal_separator=',')")
        assert rel.columns == [c.name for c in t.columns if c.type != "GEOMETRY"], t.name
        assert len(rel.fetchall()) == _count(release, t.name), t.name
    values = ex.csv_path(release / "exports", "indicator_values")
    first = values.read_text(encoding="utf-8-sig").splitlines()[1].split(";")
    assert re.fullmatch(r"\d+,\d+", first[5]), first  # the rate, with a decimal comma
    hidden_with_values = duckdb.sql(
        f"select count(*) from read_csv('{values.as_posix()}', delim=';', decimal_separator=',') "
        f"where status <> '{PUBLISHED}' and (numerator is not null or rate is not null or ci_low is not null "
        "or ci_high is not null)").fetchone()[0]
    hidden = duckdb.sql(f"select count(*) from read_csv('{values.as_posix()}', delim=';', "
                        f"decimal_separator=',') where status = 'geheimgehalten'").fetchone()[0]
    assert hidden > 0 and hidden_with_values == 0


def _latest_year_rows(release, t) -> int:
    """Rows of ``t`` in the latest year of each indicator (of the table where it has no indicators)."""
    names = {c.name for c in t.columns}
    if "year" not in names:
        return _count(release, t.name)
    partition = "partition by indicator_id" if "indicator_id" in names else ""
    with connect(release / "sozialmonitor.duckdb", read_only=True) as con:
        return con.execute(f"select count(*) from (select year, max(year) over ({partition}) as latest "
                           f"from {t.name}) where year = latest").fetchone()[0]


def test_workbook_opens_in_openpyxl_with_a_sheet_per_table_and_explanations(release):
    wb = openpyxl.load_workbook(release / "exports" / ex.WORKBOOK_NAME, read_only=True)
    assert wb.sheetnames == ["Erläuterungen", *(t.name for t in published_tables())]
    for t in published_tables():
        rows = list(wb[t.name].iter_rows(values_only=True))
        assert list(rows[0]) == [c.name for c in t.columns if c.type != "GEOMETRY"], t.name
        assert len(rows) - 1 == _latest_year_rows(release, t), t.name
    values = list(wb["indicator_values"].iter_rows(values_only=True))
    year = values[0].index("year")
    with connect(release / "sozialmonitor.duckdb", read_only=True) as con:
        years = con.execute("select count(distinct year), max(year) from indicator_values").fetchone()
    assert years[0] > 1 and {r[year] for r in values[1:]} == {years[1]}  # the latest year only
    intro = [r[0] for r in wb["Erläuterungen"].iter_rows(max_row=8, values_only=True) if r and r[0]]
    assert any("nur das neueste Jahr" in line for line in intro)
    explained = {(r[0], r[2]) for r in wb["Erläuterungen"].iter_rows(values_only=True) if r and r[0] and len(r) > 2}
    for t in published():
        for col in t.columns:
            assert (t.name, col.name) in explained, (t.name, col.name)
    wb.close()


def test_geopackage_opens_in_gdal_for_qgis_with_the_latest_values(release, wide_columns):
    gpkg, _ = ex.geo_paths(release / "exports")
    info = pyogrio.read_info(gpkg, layer=ex.GEO_LAYER)
    assert info["crs"] == "EPSG:25832" and info["geometry_type"] == "MultiPolygon"
    assert list(info["fields"]) == wide_columns
    frame = pyogrio.read_dataframe(gpkg, layer=ex.GEO_LAYER)
    assert len(frame) == _count(release, "districts") and frame.geometry.is_valid.all()
    assert "kinderarmut" in frame.columns and frame["kinderarmut"].notna().any()


def test_geoparquet_opens_with_its_crs_and_the_latest_values(release, wide_columns):
    # the GDAL bundled with pyogrio has no (Geo)Parquet driver: geopandas reads GeoParquet through pyarrow
    _, geoparquet = ex.geo_paths(release / "exports")
    frame = geopandas.read_parquet(geoparquet)
    assert frame.crs.to_epsg() == 25832
    assert list(frame.columns) == [*wide_columns, "geometry"]
    assert len(frame) == _count(release, "districts")
    # the same geometries as the GeoPackage: MultiPolygon, one type per layer
    gpkg, _ = ex.geo_paths(release / "exports")
    assert set(frame.geom_type) == {"MultiPolygon"}
    packaged = pyogrio.read_dataframe(gpkg, layer=ex.GEO_LAYER)
    assert frame.geometry.to_wkb().tolist() == packaged.geometry.to_wkb().tolist()


def test_every_export_equals_the_mart_and_no_hidden_cell_has_a_value(release):
    assert export_problems(release / "sozialmonitor.duckdb", release / "exports") == []


def test_same_mart_gives_byte_identical_exports(release, tmp_path):
    written = ex.write_exports(release / "sozialmonitor.duckdb", tmp_path / "again")
    assert len(written) == len(_digests(tmp_path / "again"))
    assert _digests(tmp_path / "again") == _digests(release / "exports")


def _digests(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_exports_with_little_memory_give_the_same_bytes_and_leave_no_scratch_files(release, tmp_path,
                                                                                     monkeypatch):
    """The memory limits of the export connections only move sorts to disk: same bytes, no scratch left."""
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(ex, "FILES_MEMORY", "64MB")
    monkeypatch.setattr(ex, "WORKBOOK_MEMORY", "64MB")
    monkeypatch.setattr(ex, "FETCH_ROWS", 7)  # several fetches per sheet

    def limited(*args, **kwargs):  # runs in the forked workers: a failed assert fails write_exports
        con = connect(*args, **kwargs)
        limit, spill = con.execute("select current_setting('memory_limit'), current_setting('temp_directory')"
                                   ).fetchone()
        assert limit == "61.0 MiB", limit  # DuckDB shows 64MB in MiB
        assert spill.startswith(str(scratch / ex.SPILL_PREFIX)), spill
        return con

    monkeypatch.setattr(ex, "connect", limited)
    written = ex.write_exports(release / "sozialmonitor.duckdb", tmp_path / "again")
    assert len(written) == len(_digests(tmp_path / "again"))
    assert _digests(tmp_path / "again") == _digests(release / "exports")
    assert list(scratch.iterdir()) == []


def test_connect_sets_memory_limit_and_temp_directory_only_when_asked(tmp_path):
    with connect(spatial=False) as con:
        default = con.execute("select current_setting('memory_limit')").fetchone()[0]
    with connect(spatial=False, memory_limit="300MB", temp_directory=tmp_path) as con:
        limit, spill = con.execute("select current_setting('memory_limit'), current_setting('temp_directory')"
                                   ).fetchone()
    assert limit == "286.1 MiB" != default  # 300MB in MiB
    assert spill == str(tmp_path)


def _tampered(release, tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    return copy


def test_export_check_catches_a_hidden_value_in_the_csv(release, tmp_path):
    copy = _tampered(release, tmp_path)
    path = ex.csv_path(copy / "exports", "indicator_values")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    i = next(i for i, line in enumerate(lines) if line.split(";")[8] == "geheimgehalten")
    fields = lines[i].split(";")
    fields[5] = "12,5"
    lines[i] = ";".join(fields)
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    problems = export_problems(copy / "sozialmonitor.duckdb", copy / "exports")
    assert any("csv/indicator_values.csv: 1 hidden cells carry a value" in p for p in problems), problems


def test_export_check_catches_changed_missing_and_extra_files(release, tmp_path):
    copy = _tampered(release, tmp_path)
    exports = copy / "exports"
    wb = openpyxl.load_workbook(exports / ex.WORKBOOK_NAME)
    wb["districts"]["G2"] = 1  # a population
    wb.save(exports / ex.WORKBOOK_NAME)
    gpkg, _ = ex.geo_paths(exports)
    gpkg.unlink()
    (exports / "csv" / "notes.txt").write_text("x", encoding="utf-8")
    problems = export_problems(copy / "sozialmonitor.duckdb", exports)
    assert "workbook sheet districts differs from the mart in 1 rows" in problems
    assert "export geo/districts_latest.gpkg is missing" in problems
    assert "unexpected file csv/notes.txt among the exports" in problems


def test_data_catalogue_page_is_in_the_site_and_works_offline(tiny_published):
    ws = Workspace(tiny_published)
    site = ws.dashboard_releases / current_run_id(ws)
    html = (site / CATALOGUE_PAGE).read_text(encoding="utf-8")
    assert '<html lang="de">' in html and "Datenkatalog" in html
    assert re.search(r"Datenstand \d{2}\.\d{2}\.\d{4} ·", html)  # as the site writes it, not 2024-12-31
    for t in published():
        assert f'id="{t.name}"' in html, t.name
        for col in t.columns:
            assert f"<td>{col.name}</td>" in html, (t.name, col.name)
    assert "<td>kinderarmut</td>" in html  # a column of v_district_wide
    for ref in re.findall(r'(?:href|src)="([^"#]+)"', html):
        assert "//" not in ref and (site / ref).is_file(), ref


def test_export_comparison_counts_differing_rows_as_multisets():
    from pipelines.lib.release.export_check import _differing

    con = duckdb.connect()
    con.execute("create table a as select * from (values (1, 2.5, 'x'), (2, null, 'y'), (2, null, 'y')) t(k, v, s)")
    con.execute("create table same as select * from a order by k desc")
    con.execute("create table changed as select k, case when k = 1 then 2.6 else v end as v, s from a")
    con.execute("create table fewer as select distinct * from a")
    con.execute("create table swapped as select k, v, case when k = 1 then 'y' else 'x' end as s from a")
    assert _differing(con, "select * from a", "select * from same") == 0
    assert _differing(con, "select * from a", "select * from changed") == 2
    assert _differing(con, "select * from a", "select * from fewer") == 1  # a duplicate row lost
    assert _differing(con, "select * from a", "select * from swapped") == 6


def test_large_sheets_hold_the_coarser_levels_and_say_so(release, tmp_path, monkeypatch):
    from pipelines.lib.release import workbook_rows

    mart = release / "sozialmonitor.duckdb"
    with connect(mart, read_only=True) as con:
        per_level = dict(con.execute(
            "select d.level_rank, count(*) from indicator_values v join districts d using (district_id) "
            "where v.year = (select max(year) from indicator_values) group by all").fetchall())
        finest_label = con.execute("select level_label from districts order by level_rank desc limit 1").fetchone()[0]
    coarse = sum(n for rank, n in per_level.items() if rank < max(per_level))
    monkeypatch.setattr(workbook_rows, "MAX_SHEET_ROWS", coarse)  # the finest level no longer fits
    ex.write_exports(mart, tmp_path / "exports")
    assert export_problems(mart, tmp_path / "exports") == []
    wb = openpyxl.load_workbook(tmp_path / "exports" / ex.WORKBOOK_NAME, read_only=True)
    assert wb["indicator_values"].max_row - 1 <= coarse
    intro = " ".join(str(r[0]) for r in wb["Erläuterungen"].iter_rows(max_row=30, values_only=True) if r and r[0])
    assert "indicator_values: nur das neueste Jahr je Indikator und nur Gebiete bis zur Ebene" in intro
    assert f"„{finest_label}“" not in intro  # the finest level is the one left out
    with duckdb.connect() as con:  # the CSV keeps every row
        rows = con.execute(f"select count(*) from read_csv('{ex.csv_path(tmp_path / 'exports', 'indicator_values')}', "
                           "delim=';', decimal_separator=',')").fetchone()[0]
    assert rows == _count(release, "indicator_values")
