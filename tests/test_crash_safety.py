"""Crash safety: a run killed with SIGKILL anywhere leaves a consistent, audited release behind.

One tiny workspace is killed at every stage boundary and at every point inside the release switch in
turn (each killed run is also the "next run" that has to recover from the kill before it), then at a
random moment by a SIGKILL to the whole process group; after every kill the published mart opens, holds
one complete release, passes the audit, and the next run recovers and succeeds.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, run_cli
from release_checks import published_bytes, published_release

from pipelines.cli import main
from pipelines.lib.faults import CRASH_ENV
from pipelines.lib.release.candidate import complete_releases
from pipelines.lib.workspace import Workspace

pytestmark = pytest.mark.slow

SWITCH_POINTS = ("switch:start", "switch:mart", "switch:dashboards")


def run_killed_at(ws, point: str, *, quiet: bool = True) -> subprocess.CompletedProcess:
    args = ["run", "--force", "--workspace", str(ws)] + (["--quiet"] if quiet else [])
    result = run_cli(*args, env={**os.environ, CRASH_ENV: point})
    assert result.returncode == -signal.SIGKILL, (point, result.returncode, result.stdout + result.stderr)
    return result


def audit_passes(ws, run_id: str) -> bool:
    return main(["audit", "--workspace", str(ws), "--release", run_id]) == 0


def test_kill_at_every_stage_boundary_and_inside_the_switch(tiny_workspace, capsys):
    ws = tiny_workspace
    good, before = published_release(ws), published_bytes(ws)
    # the first kill (just before the switch) also tells us every stage the pipeline has today
    out = run_killed_at(ws, "switch:start", quiet=False).stdout
    stages = re.findall(r"^\S+\s+(.+?)\s+done in", out, flags=re.M)
    assert len(stages) >= 7 and stages[0] == "validate inputs", out
    assert published_bytes(ws) == before and published_release(ws) == good
    # each killed run first recovers from the kill before it: a switch interrupted at switch:mart
    # is finished by the run killed after "validate inputs"
    points = [f"after:{s}" for s in stages] + ["switch:mart", "after:validate inputs", "switch:dashboards",
                                               "after:switch release"]
    seen = {good}
    for point in points:
        run_killed_at(ws, point)
        in_switch = point in SWITCH_POINTS
        release = published_release(ws, settled=not in_switch)
        if not in_switch:  # settled: the newest complete (audited) release is the published one
            assert release == complete_releases(Workspace(ws))[-1].run_id, point
        assert audit_passes(ws, release), f"{point}: {capsys.readouterr().out}"
        seen.add(release)
    result = run_cli("run", "--quiet", "--force", "--workspace", str(ws))
    assert result.returncode == 0, result.stdout + result.stderr
    final = published_release(ws)
    assert final not in seen and audit_passes(ws, final)


def test_sigkill_to_the_process_group_at_a_random_moment(tiny_workspace, capsys):
    ws = tiny_workspace
    seed = int(os.environ.get("SOZIALMONITOR_KILL_SEED", time.time_ns() % 10_000))
    rng = random.Random(seed)
    for _ in range(2):
        delay = rng.uniform(1.0, 25.0)
        proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--quiet", "--force", "--workspace", str(ws)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        release = published_release(ws, settled=False)  # the kill may have hit the switch
        assert audit_passes(ws, release), f"seed {seed}, delay {delay:.1f} s: {capsys.readouterr().out}"
    result = run_cli("run", "--quiet", "--force", "--workspace", str(ws))
    assert result.returncode == 0, f"seed {seed}: {result.stdout + result.stderr}"
    assert audit_passes(ws, published_release(ws)), f"seed {seed}"
