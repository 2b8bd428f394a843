"""Benchmarks: wall time and peak memory of a full and of a no-change refresh, by stage.

    uv run python scripts/benchmark.py                      # demo and Berlin-size
    uv run python scripts/benchmark.py --sizes national     # about 11,000 municipalities (takes long)

Each size is generated once into ``--dir`` and then run through the command line as a planner runs it
(``sozialmonitor run --force``, then ``sozialmonitor run`` with nothing changed). Peak memory is the
largest sum of the proportional set sizes (PSS: shared pages of forked workers counted once) of the
run's process tree, sampled every 0.2 s with psutil. The
aggregation stage is compared with a straightforward pandas groupby over the same leaf counts, and an
indicator page with ``GeoDataFrame.explore()`` on the same data (``scripts/compare_explore.py``).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.lib.demo.generator import SIZES, generate_city  # noqa: E402
from pipelines.lib.demo.scaled import BERLIN, NATIONAL, generate_scaled  # noqa: E402
from scripts.peak_memory import PeakSampler  # noqa: E402

STAGE_LINE = re.compile(r"^\S+\s+(.+?)\s+done in ([\d.]+) s", re.M)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    mem = psutil.virtual_memory().total / 2**30
    return (f"{cpu}, {psutil.cpu_count()} logical cores ({len(os.sched_getaffinity(0))} usable), {mem:.1f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def generate(size: str, ws: Path) -> str:
    if (ws / "sozialmonitor.toml").exists():
        return "already generated"
    started = time.monotonic()
    if size == "demo":
        generate_city(ws, **SIZES["demo"])
    else:
        generate_scaled(ws, levels={"berlin": BERLIN, "national": NATIONAL}[size], indicators=60,
                        years=range(2010, 2025), name={"berlin": "Großstadt", "national": "Deutschland"}[size])
    return f"generated in {time.monotonic() - started:.0f} s"


def measured_run(ws: Path, *extra: str) -> tuple[float, float, str, int, list[float]]:
    """(wall seconds, peak MiB of the process tree, stdout, exit code, peak MiB of each stage in the order
    of its "done" line) of one command-line run. A sample belongs to the stage whose line comes next."""
    cmd = [sys.executable, "-m", "pipelines.cli", "run", "--workspace", str(ws), *extra]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with PeakSampler(proc.pid) as sampler:  # phase: stage lines seen so far
        lines = []
        for line in proc.stdout:  # stage lines as they come: a long run shows where it is
            lines.append(line)
            if STAGE_LINE.match(line):
                sampler.phase += 1
                print(f"      … {line.rstrip()}", flush=True)
        proc.wait()
    out = "".join(lines)
    wall = time.monotonic() - started
    return (wall, sampler.peak / 2**20, out, proc.returncode,
            [sampler.by_phase.get(i, 0) / 2**20 for i in range(sampler.phase)])


def groupby_baseline(ws: Path) -> float:
    """Seconds for a plain pandas roll-up of the leaf counts over every level (parents from the geometry)."""
    import tomllib

    import pyogrio

    config = tomllib.loads((ws / "sozialmonitor.toml").read_text(encoding="utf-8"))
    geos = config["geometries"]
    started = time.monotonic()
    frames = []
    for spec in config["counts"]:
        for path in sorted(ws.glob(spec["path"])):
            if path.suffix != ".parquet":
                return float("nan")  # the baseline reads canonical Parquet counts only (not the demo's mix)
            frames.append(pd.read_parquet(path))
    if not frames:
        return float("nan")
    counts = pd.concat(frames, ignore_index=True)
    parent = {}
    for g in geos:
        if g.get("parent"):
            attrs = pyogrio.read_dataframe(ws / g["path"], layer=g.get("layer"), read_geometry=False)
            parent.update(zip(attrs[g["key"]].astype(str), attrs[g["parent"]].astype(str), strict=True))
    level = counts.copy()
    parts = [level.groupby(["indicator_id", "year", "district_id"], as_index=False)[["numerator", "denominator"]].sum()]
    while True:
        level = level.assign(district_id=level["district_id"].map(parent))
        level = level[level["district_id"].notna()]
        if level.empty:
            break
        level = level.groupby(["indicator_id", "year", "district_id"], as_index=False)[["numerator", "denominator"]].sum()
        parts.append(level)
    pd.concat(parts, ignore_index=True)
    return time.monotonic() - started


def explore_comparison(ws: Path) -> str:
    """Our indicator page against ``GeoDataFrame.explore()`` on the same data (``compare_explore.py``)."""
    import tomllib

    indicator = tomllib.loads((ws / "sozialmonitor.toml").read_text(encoding="utf-8"))["indicators"][0]["id"]
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "compare_explore.py"), "--workspace", str(ws),
                           "--indicator", indicator, "--runs", "3"], cwd=ROOT, capture_output=True, text=True)
    text = proc.stdout if proc.returncode == 0 else f"(comparison failed, exit {proc.returncode})\n{proc.stderr[-1500:]}"
    return "map page vs. explore():\n" + "\n".join("    " + line for line in text.rstrip().splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,berlin")
    parser.add_argument("--dir", default="/tmp/sozialmonitor-benchmark")
    parser.add_argument("--runs-only", action="store_true",
                        help="time the refreshes only, without the explore() and groupby comparisons")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for size in args.sizes.split(","):
        ws = Path(args.dir) / size
        ws.mkdir(parents=True, exist_ok=True)
        print(f"\n== {size}: {generate(size, ws)} ({ws})")
        wall, peak, out, code, peaks = measured_run(ws, "--force")
        if code != 0:
            print(f"full refresh FAILED (exit {code}):\n{out[-3000:]}")
            continue
        print(f"full refresh: {wall:7.1f} s wall, peak {peak:7.0f} MiB (process tree)")
        stages = {stage: float(seconds) for stage, seconds in STAGE_LINE.findall(out)}
        for (stage, seconds), stage_peak in zip(stages.items(), peaks, strict=True):
            print(f"    {stage:<24} {seconds:7.1f} s   peak {stage_peak:7.0f} MiB")
        wall, peak, out, code, _ = measured_run(ws)
        said = "keine Änderungen" in out
        print(f"no-change refresh: {wall:5.1f} s wall, peak {peak:5.0f} MiB, exit {code}, skipped: {said}")
        if args.runs_only:
            continue
        print(explore_comparison(ws))
        baseline = groupby_baseline(ws)
        print(f"aggregation: stage {stages.get('aggregate hierarchy', float('nan')):.1f} s (load, SQL models, "
              f"checks) vs. plain pandas groupby over all levels {baseline:.1f} s (sums only, same leaf counts)")


if __name__ == "__main__":
    main()
