"""The analyst shell is contained: ATTACH of the private warehouse, files outside the release and COPY … TO
are refused in German, the release's own files stay untouched, and the README's examples still run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from conftest import run_cli
from test_release_sql_cli import readme_queries

from pipelines.lib.duck import connect
from pipelines.lib.release import sql_shell
from pipelines.lib.release.candidate import Candidate
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace

GERMAN_REFUSAL = "Nicht erlaubt: die SQL-Konsole liest nur die Freigabe"


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(con, sql: str) -> str:
    """What the shell writes for ``sql`` (one statement or several)."""
    out: list[str] = []
    sql_shell.shell(con, [sql if sql.rstrip().endswith(";") else sql + ";"], out.append)
    return "\n".join(out)


@pytest.fixture
def shell_con(tiny_workspace):
    con = sql_shell.open_release(Workspace(tiny_workspace))
    yield con
    con.close()


def test_attach_of_the_private_warehouse_is_refused_in_german(tiny_workspace, shell_con):
    warehouse = Workspace(tiny_workspace).warehouse
    assert warehouse.exists()
    out = run(shell_con, f"attach '{warehouse.as_posix()}' as w")
    assert GERMAN_REFUSAL in out and "ATTACH" in out
    assert "w" not in {r[0] for r in shell_con.execute("select database_name from duckdb_databases()").fetchall()}
    # and through the command line, as an analyst types it
    result = run_cli("sql", "--workspace", str(tiny_workspace), "-c", f"attach '{warehouse}' as w; "
                     "select count(*) from w.raw_counts")
    assert result.returncode == 1 and GERMAN_REFUSAL in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("reader", ["read_csv('{path}')", "read_text('{path}')", "sniff_csv('{path}')",
                                    "read_parquet('{path}')", "glob('{folder}/*')", "st_read('{path}')"])
def test_files_outside_the_release_cannot_be_read(tiny_workspace, shell_con, reader):
    ws = Workspace(tiny_workspace)
    private = next(ws.data_private.glob("releases/*/suppression_log.parquet"))
    for path in (Path("/etc/hostname"), ws.consistency_report.with_suffix(".txt"), private):
        out = run(shell_con, "select * from " + reader.format(path=path.as_posix(), folder=path.parent.as_posix()))
        assert out.startswith("Fehler:"), out
        assert GERMAN_REFUSAL in out or "außerhalb der Freigabe" in out, out


def test_files_of_the_release_itself_can_be_read(tiny_workspace, shell_con):
    release = Candidate(Workspace(tiny_workspace), current_run_id(Workspace(tiny_workspace))).mart.parent
    parquet = release / "exports" / "parquet" / "districts.parquet"
    assert "(1 Zeile)" in run(shell_con, f"select count(*) from read_parquet('{parquet.as_posix()}')")


def test_copy_to_is_refused_outside_and_inside_the_release(tiny_workspace, shell_con, tmp_path):
    ws = Workspace(tiny_workspace)
    tmp_path = tmp_path / "targets"
    tmp_path.mkdir()
    release_mart = Candidate(ws, current_run_id(ws)).mart
    before = {p: digest(p) for p in (release_mart, ws.ledger)}
    targets = [tmp_path / "out.csv", ws.ledger, release_mart.parent / "exports" / "csv" / "districts.csv"]
    for target in targets:
        existed = target.exists()
        old = digest(target) if existed else None
        out = run(shell_con, f"copy (select 1) to '{target.as_posix()}' (format csv, use_tmp_file false)")
        assert GERMAN_REFUSAL in out and "COPY" in out, out
        assert target.exists() == existed and (not existed or digest(target) == old)
    # DuckDB itself would let COPY overwrite the open database file: the shell refuses it first
    out = run(shell_con, f"copy districts to '{release_mart.as_posix()}' (format csv, use_tmp_file false)")
    assert GERMAN_REFUSAL in out
    for statement in (f"export database '{tmp_path.as_posix()}/dump'",
                      f"explain analyze copy districts to '{(tmp_path / 'x.csv').as_posix()}'",
                      f"prepare p as copy districts to '{(tmp_path / 'y.csv').as_posix()}'",
                      "install httpfs", "load spatial"):
        assert GERMAN_REFUSAL in run(shell_con, statement), statement
    assert {p: digest(p) for p in before} == before
    assert not list(tmp_path.iterdir())
    assert "(1 Zeile)" in run(shell_con, "select count(*) from districts")  # the session goes on


def test_restrictions_cannot_be_switched_off(shell_con):
    for setting in ("enable_external_access = true", "lock_configuration = false", "allowed_directories = ['/']",
                    "disabled_filesystems = ''"):
        out = run(shell_con, f"set {setting}")
        assert GERMAN_REFUSAL in out, out
    assert shell_con.execute("select current_setting('enable_external_access'), "
                             "current_setting('lock_configuration')").fetchone() == (False, True)


def test_readme_examples_run_in_the_restricted_shell(shell_con):
    for sql in readme_queries():
        out = run(shell_con, sql)
        assert "Fehler" not in out and "Zeile" in out, out
    assert "km2" in run(shell_con, readme_queries()[1])  # spatial is loaded before the lock


def test_python_connection_for_analysts_is_locked_but_the_pipelines_is_not(tiny_workspace):
    ws = Workspace(tiny_workspace)
    with connect(ws.mart, read_only=True, untrusted=True) as con:
        assert con.execute("select count(*) from districts").fetchone()[0] == 19
        assert con.execute("select st_area(geometry) > 0 from districts limit 1").fetchone()[0]
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"attach '{ws.warehouse.as_posix()}' as w")
        with pytest.raises(duckdb.PermissionException):
            con.execute("select * from read_csv('/etc/hostname')")
        with pytest.raises(duckdb.Error):
            con.execute("set enable_external_access = true")
    # the pipeline's own read-only connections still read and write files
    with connect(ws.mart, read_only=True) as con:
        con.execute(f"attach '{ws.warehouse.as_posix()}' as w (read_only)")
        con.execute(f"copy (select 1) to '{(tiny_workspace / 'probe.csv').as_posix()}'")
    assert (tiny_workspace / "probe.csv").exists()
