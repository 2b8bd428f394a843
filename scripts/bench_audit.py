"""Benchmark of the release audit stage alone: wall time and peak memory of ``run_audit`` on a workspace
with a complete release.

    .venv/bin/python scripts/bench_audit.py --workspace /tmp/audit_ws [--release RUN_ID] [--repeat 1]

Loads the workspace and its configuration as ``sozialmonitor audit`` does and audits the release (default:
the newest folder in ``data_marts/releases``). The audit writes its results into the workspace's
``data_private/`` (audit folder, protection report), so run it on a copy of a shared workspace. Peak memory
is the largest sum of the proportional set sizes (PSS: pages shared by forked workers counted once) of this
process and its children, sampled every 0.2 s with psutil, as in ``scripts/benchmark.py``. Prints figures
(with the load average and the CPU time of the process and its workers, the machine being shared); asserts
nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.lib.config import load_config  # noqa: E402
from pipelines.lib.release.candidate import Candidate  # noqa: E402
from pipelines.lib.stages import publish  # noqa: E402
from pipelines.lib.workspace import Workspace  # noqa: E402
from scripts.peak_memory import PeakSampler  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", required=True, type=Path)
    parser.add_argument("--release", default=None, help="run id (default: the newest release folder)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    ws = Workspace.at(args.workspace)
    config = load_config(ws.root)
    run_id = args.release or max(ws.mart_releases.iterdir(), key=lambda p: p.stat().st_mtime).name
    candidate = Candidate(ws, run_id)
    print(f"workspace {ws.root}, release {run_id}, {len(os.sched_getaffinity(0))} usable cores")
    for attempt in range(args.repeat):
        load_before = os.getloadavg()
        started, cpu_before = time.monotonic(), os.times()
        with PeakSampler() as sampler:
            outcome = publish.run_audit(ws, config, candidate)
        wall, cpu_after = time.monotonic() - started, os.times()
        load_after = os.getloadavg()
        cpu = sum(cpu_after[:4]) - sum(cpu_before[:4])  # user and system time, with the finished workers'
        print(f"run {attempt + 1}: {wall:.1f} s ({cpu:.1f} s CPU), peak PSS {sampler.peak / 2**30:.2f} GiB, "
              f"passed={outcome.passed}, hidden cells {outcome.hidden_cells}, at risk {len(outcome.at_risk)}, "
              f"problems {len(outcome.problems)}; load average before {load_before[0]:.1f}, "
              f"after {load_after[0]:.1f} (1 min), {load_after[1]:.1f} (5 min)")
        for problem in outcome.problems:
            print(f"  - {problem}")


if __name__ == "__main__":
    main()
