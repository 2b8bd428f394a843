"""Benchmark of the exports stage alone: wall time, CPU time and peak memory of ``write_exports`` on a mart.

    .venv/bin/python scripts/bench_exports.py --mart /tmp/exports_ws/mart.duckdb [--out DIR] [--repeat 1]

Writes every export of the mart (opened read-only) into a fresh temporary folder, or into ``--out`` (which
must not exist yet; kept afterwards, e.g. to compare the files of two versions byte by byte). Peak memory is
the largest sum of the proportional set sizes (PSS: pages shared by forked workers counted once) of this
process and its children, sampled every 0.2 s with psutil, as in ``scripts/bench_audit.py``. Prints figures
(with the load average, the machine being shared) and the SHA-256 of every file written; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.lib.release.exports import write_exports  # noqa: E402
from scripts.peak_memory import PeakSampler  # noqa: E402


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _run(mart: Path, out: Path, attempt: int, hashes: bool) -> None:
    load_before = os.getloadavg()
    started, cpu_before = time.monotonic(), os.times()
    with PeakSampler() as sampler:
        written = write_exports(mart, out)
    wall, cpu_after = time.monotonic() - started, os.times()
    cpu = sum(cpu_after[:4]) - sum(cpu_before[:4])  # user and system time, with the finished workers'
    load_after = os.getloadavg()
    size = sum(p.stat().st_size for p in written)
    print(f"run {attempt}: {wall:.1f} s ({cpu:.1f} s CPU), peak PSS {sampler.peak / 2**30:.2f} GiB, "
          f"{len(written)} files, {size / 2**20:.0f} MiB; load average before {load_before[0]:.1f}, "
          f"after {load_after[0]:.1f} (1 min)", flush=True)
    leftovers = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p not in set(written))
    if leftovers:
        print(f"  files not reported as written: {leftovers}")
    if hashes:
        for p in sorted(written):
            print(f"  {_digest(p)}  {p.relative_to(out).as_posix()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mart", required=True, type=Path)
    parser.add_argument("--out", type=Path, default=None, help="folder to keep the exports in (must not exist)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-hashes", action="store_true", help="do not print the files' SHA-256")
    args = parser.parse_args()
    print(f"mart {args.mart}, {len(os.sched_getaffinity(0))} usable cores")
    for attempt in range(1, args.repeat + 1):
        if args.out is not None and attempt == 1:
            args.out.mkdir(parents=True)
            _run(args.mart, args.out, attempt, not args.no_hashes)
            continue
        with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
            _run(args.mart, Path(tmp), attempt, not args.no_hashes)


if __name__ == "__main__":
    main()
