"""The whole pipeline on the tiny demo city, through the command line, as a planner runs it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
from conftest import run_cli

from pipelines.lib.duck import connect, spatial_extension_path
from pipelines.lib.faults import CRASH_ENV
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_state(ws: Path) -> dict[str, str]:
    """Bytes of everything a reader sees as 'current'."""
    w = Workspace(ws)
    return {"mart": digest(w.mart), "index": digest(w.dashboards / "index.html"),
            "current": (w.data_marts / "CURRENT").read_text()}


def test_analyst_can_query_the_published_mart_read_only(tiny_published):
    mart = Workspace(tiny_published).mart
    assert not mart.with_name(mart.name + ".wal").exists()
    con = duckdb.connect(str(mart), read_only=True, config={"autoinstall_known_extensions": False})
    con.execute(f"load '{spatial_extension_path().as_posix()}'")
    assert con.execute("select count(*) from indicator_values").fetchone()[0] > 0
    area = con.execute("select st_area(geometry) from districts limit 1").fetchone()[0]
    assert area > 0
    run_ids = {r[0] for t in ("districts", "indicators", "indicator_values", "run_info")
               for r in con.execute(f"select distinct run_id from {t}").fetchall()}
    assert run_ids == {current_run_id(Workspace(tiny_published))}
    # the city is a district of its own, with every level below it
    levels = dict(con.execute("select level, count(*) from districts group by 1").fetchall())
    assert levels == {"stadt": 1, "bezirk": 2, "bezirksregion": 4, "planungsraum": 12}
    con.close()


def test_hidden_cells_carry_no_value_anywhere_in_the_mart(tiny_published):
    with connect(Workspace(tiny_published).mart, read_only=True) as con:
        statuses = dict(con.execute("select status, count(*) from indicator_values group by 1").fetchall())
        leaks = con.execute(
            "select count(*) from indicator_values where status <> 'veröffentlicht' "
            "and (numerator is not null or rate is not null or ci_low is not null or ci_high is not null)"
        ).fetchone()[0]
        # and every published share has a rate within its interval
        bad_ci = con.execute(
            "select count(*) from indicator_values where status = 'veröffentlicht' and denominator > 0 "
            "and not (ci_low <= rate and rate <= ci_high)"
        ).fetchone()[0]
    assert statuses.get("geheimgehalten", 0) > 0 and statuses.get("veröffentlicht", 0) > 0
    assert leaks == 0 and bad_ci == 0


def test_release_is_published_with_dashboards_and_exports(tiny_published):
    ws = Workspace(tiny_published)
    run_id = current_run_id(ws)
    index = (ws.dashboards / "index.html").read_text(encoding="utf-8")
    assert f'<base href="releases/{run_id}/">' in index
    assert (ws.dashboard_releases / run_id / "index.html").exists()
    exports = ws.mart_releases / run_id / "exports"
    assert sorted(p.name for p in exports.iterdir()) == ["csv", "geo", "parquet", "sozialmonitor.xlsx"]
    assert (exports / "parquet" / "indicator_values.parquet").is_file()
    assert (tiny_published / "STATUS.txt").read_text(encoding="utf-8").startswith("OK")
    # private things stay private: nothing under data_marts/ or dashboards/ names an input file hash
    hashes = {r[0] for r in duckdb.connect(str(ws.warehouse), read_only=True)
              .execute("select sha256 from input_files").fetchall()}
    for folder in (ws.data_marts, ws.dashboards):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(h.encode() in data for h in hashes), path


def test_run_killed_before_the_switch_leaves_the_previous_release_byte_identical(tiny_workspace):
    before = published_state(tiny_workspace)
    for point in ("switch:start", "switch:mart"):
        env = {**os.environ, CRASH_ENV: point}
        result = run_cli("run", "--quiet", "--force", "--workspace", str(tiny_workspace), env=env)
        assert result.returncode != 0
        if point == "switch:start":
            assert published_state(tiny_workspace) == before
    # the interrupted switch is finished by the next run, which then publishes its own release
    result = run_cli("run", "--quiet", "--force", "--workspace", str(tiny_workspace))
    assert result.returncode == 0, result.stdout + result.stderr
    after = published_state(tiny_workspace)
    assert after["current"] != before["current"]
    ws = Workspace(tiny_workspace)
    with connect(ws.mart, read_only=True) as con:
        assert con.execute("select distinct run_id from indicator_values").fetchall() == [(current_run_id(ws),)]


def test_invalid_input_exits_2_and_publishes_nothing(tiny_workspace):
    before = published_state(tiny_workspace)
    csv = tiny_workspace / "data_raw" / "gesundheit" / "zahnaerztlicher_dienst.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(";")
    fields[3] = "-9999"
    lines[1] = ";".join(fields)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("run", "--quiet", "--workspace", str(tiny_workspace))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "zahnaerztlicher_dienst.csv" in result.stdout and "Zeile 2" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert published_state(tiny_workspace) == before
    assert (tiny_workspace / "STATUS.txt").read_text(encoding="utf-8").startswith("FEHLER")


def test_second_run_while_one_holds_the_lock_exits_with_a_clear_message(tiny_workspace):
    from pipelines.lib.release.lock import run_lock

    ws = Workspace(tiny_workspace)
    with run_lock(ws.lock_file):
        result = run_cli("run", "--quiet", "--workspace", str(tiny_workspace))
    assert result.returncode == 1
    assert "anderer Lauf" in result.stdout


def test_contradicting_linked_indicators_exit_2_with_file_and_row(tiny_workspace):
    import pandas as pd

    before = published_state(tiny_workspace)
    path = tiny_workspace / "data_raw" / "soziales" / "sozialdaten.csv"
    counts = pd.read_csv(path, sep=";", dtype=str, encoding="cp1252", keep_default_na=False)
    row = counts.index[counts["Indikator"] == "kinderarmut_u3"][0]
    whole = counts.index[(counts["Indikator"] == "kinderarmut") & (counts["Planungsraum"] == counts.at[row, "Planungsraum"])
                         & (counts["Jahr"] == counts.at[row, "Jahr"])][0]
    counts.at[row, "Zähler"] = str(int(counts.at[whole, "Zähler"].replace(".", "").replace("-", "0")) + 1)
    counts.at[row, "Nenner"] = "9999"  # also breaks the shared denominator with kita_u3
    counts.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    result = run_cli("run", "--quiet", "--force", "--workspace", str(tiny_workspace))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "[SM-E331]" in result.stdout and "[SM-E332]" in result.stdout
    assert f"sozialdaten.csv, Zeile {row + 2}" in result.stdout
    assert published_state(tiny_workspace) == before
