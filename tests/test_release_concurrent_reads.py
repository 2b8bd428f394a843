"""Analysts read while the pipeline refreshes: readers in other processes never fail and never see a mix.

One reader holds a single read-only connection on ``data_marts/sozialmonitor.duckdb`` for the whole test
(it keeps the inode it opened, even after its release is pruned); another reopens the file before every
query and so picks up each new release. Meanwhile three refreshes run with ``[release] keep = 2``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from pipelines.lib.release.candidate import complete_releases
from pipelines.lib.release.switch import current_run_id, prune
from pipelines.lib.workspace import Workspace

pytestmark = pytest.mark.slow

READER = r"""
import json, sys, time
from pathlib import Path
from pipelines.lib.duck import connect

mart, mode, stop, out = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
QUERIES = [
    "select distinct run_id from indicator_values",
    "select distinct v.run_id || '|' || d.run_id || '|' || i.run_id from indicator_values v "
    "join districts d on d.district_id = v.district_id join indicators i on i.indicator_id = v.indicator_id",
    "select distinct w.run_id || '|' || r.run_id from v_district_wide w cross join run_info r",
]
seen, errors, queries = [], [], 0
def open_mart():
    return connect(mart, read_only=True, threads=1)

con = open_mart() if mode == "hold" else None
while True:
    stopping = stop.exists()
    try:
        c = con if mode == "hold" else open_mart()
        for sql in QUERIES:
            rows = c.execute(sql).fetchall()
            ids = {part for (value,) in rows for part in value.split("|")}
            if len(rows) != 1 or len(ids) != 1:
                errors.append(f"{sql!r} saw run ids {sorted(ids)}")
            seen.append(sorted(ids)[0] if ids else None)
            queries += 1
        if mode != "hold":
            c.close()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    if queries and not Path(str(out) + ".ready").exists():
        Path(str(out) + ".ready").write_text("ok")
    if stopping:
        break
    time.sleep(0.1)
out.write_text(json.dumps({"queries": queries, "errors": errors[:20], "seen": list(dict.fromkeys(seen))}))
"""


def _start_reader(mart: Path, mode: str, stop: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", READER, str(mart), mode, str(stop), str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_readers_in_other_processes_see_one_release_at_a_time_during_three_refreshes(tiny_workspace, tmp_path):
    ws = Workspace(tiny_workspace)
    toml = tiny_workspace / "sozialmonitor.toml"
    text, n = re.subn(r"(?m)^keep\s*=\s*\d+", "keep = 2", toml.read_text(encoding="utf-8"))
    assert n == 1, "the demo configuration has no [release] keep"
    toml.write_text(text, encoding="utf-8")
    first = current_run_id(ws)
    stop = tmp_path / "stop"
    outs = {mode: tmp_path / f"{mode}.json" for mode in ("hold", "reopen")}
    readers = {mode: _start_reader(ws.mart, mode, stop, out) for mode, out in outs.items()}
    try:
        deadline = time.monotonic() + 60
        while not all(Path(f"{o}.ready").exists() for o in outs.values()):
            assert time.monotonic() < deadline, {m: r.poll() for m, r in readers.items()}
            time.sleep(0.1)
        published = [first]
        for _ in range(3):
            result = run_cli("run", "--quiet", "--force", "--workspace", str(tiny_workspace), timeout=900)
            assert result.returncode == 0, result.stdout + result.stderr
            published.append(current_run_id(ws))
            time.sleep(1.0)  # let the reopening reader query the new release
    finally:
        stop.write_text("stop")
        stderr = {mode: reader.communicate(timeout=60)[1] for mode, reader in readers.items()}
    for mode, reader in readers.items():
        assert reader.returncode == 0, stderr[mode]
    hold = json.loads(outs["hold"].read_text())
    reopen = json.loads(outs["reopen"].read_text())
    assert hold["errors"] == [] and reopen["errors"] == []
    assert hold["queries"] > 0 and reopen["queries"] > 0
    # the long-held connection kept reading the release it opened, although that release was pruned
    assert hold["seen"] == [first]
    kept = {p.name: sorted(q.name for q in p.iterdir()) for p in ws.mart_releases.iterdir()}
    assert not (ws.mart_releases / first).exists(), (first, published, kept)
    # the reopening reader moved from release to release, in publication order, ending at the current one
    assert len(set(published)) == 4
    assert reopen["seen"][0] == first and reopen["seen"][-1] == published[-1]
    assert reopen["seen"] == [r for r in published if r in reopen["seen"]]
    # releases are kept: the newest two
    assert [c.run_id for c in complete_releases(ws)] == published[-2:]
    assert sorted(p.name for p in ws.dashboard_releases.iterdir()) == sorted(published[-2:])


def test_prune_keeps_the_newest_releases_and_never_the_current_one(tmp_path):
    from pipelines.lib.release.candidate import Candidate

    ws = Workspace(tmp_path)
    ids = [f"r{i}" for i in range(5)]
    for run_id in ids:
        cand = Candidate(ws, run_id)
        cand.start()
        cand.site.mkdir(parents=True)
        cand.mark_complete({"passed": True})  # same second: ordered by run id
    ws.data_marts.mkdir(parents=True, exist_ok=True)
    (ws.data_marts / "CURRENT").write_text("r1\n", encoding="utf-8")  # e.g. a newer release failed to switch
    assert prune(ws, 2) == ["r0", "r2"]
    assert [c.run_id for c in complete_releases(ws)] == ["r1", "r3", "r4"]
    assert sorted(p.name for p in ws.dashboard_releases.iterdir()) == ["r1", "r3", "r4"]
    assert prune(ws, 2) == []
