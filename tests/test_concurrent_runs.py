"""Two real command-line runs on one workspace: the second exits with a clear message or waits its turn."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import pytest
from conftest import ROOT, run_cli
from release_checks import published_release

from pipelines.lib.workspace import Workspace

pytestmark = pytest.mark.slow


def test_overlapping_runs_never_write_at_the_same_time(tiny_workspace, monkeypatch):
    ws = tiny_workspace
    first = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--force", "--workspace", str(ws)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = []
        for line in first.stdout:  # the run holds the lock once its first stage has started
            seen.append(line)
            if "validate inputs" in line:
                break
        assert first.poll() is None, "".join(seen)
        refused = run_cli("run", "--quiet", "--workspace", str(ws))
        waiting = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--quiet", "--force", "--wait", "600",
                                    "--workspace", str(ws)],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert first.poll() is None, "the first run ended before the second started: nothing overlapped"
        rest, _ = first.communicate(timeout=600)
        waited, _ = waiting.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, "".join(seen) + rest
    assert refused.returncode == 1
    assert "anderer Lauf" in refused.stdout and f"PID {first.pid}" in refused.stdout, refused.stdout
    assert "Traceback" not in refused.stdout + refused.stderr
    assert waiting.returncode == 0, waited
    # the Dagster instance saw two successful runs one after the other, never overlapping
    monkeypatch.setenv("DAGSTER_HOME", str(Workspace(ws).dagster_home))
    with dg.DagsterInstance.get() as instance:
        records = sorted(instance.get_run_records(), key=lambda r: r.start_time)
    spans = [(r.start_time, r.end_time) for r in records[-2:]]
    assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in records[-2:])
    assert spans[0][1] <= spans[1][0], f"runs overlapped: {spans}"
    assert published_release(ws) == records[-1].dagster_run.run_id  # consistent: the second run's release
