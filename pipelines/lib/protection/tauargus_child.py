"""Child process of :mod:`.tauargus_compare`: run τ-ARGUS jobs ``tree_<first>`` … ``tree_<end − 1>``.

Run by path (``python tauargus_child.py <workdir> <first> <end>``), so that it imports only the
standard library and pytauargus. Each job writes ``status.json``: the hidden flag of every node (in
the order of ``nodes.json``) and the seconds τ-ARGUS took, or the error of that job.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def _child(workdir: Path, first: int, end: int) -> None:
    """Run the jobs ``tree_<first>`` to ``tree_<end - 1>`` in this process (see :func:`run_tauargus`)."""
    from pytauargus.engine import run_batch

    for t in range(first, end):
        job = workdir / f"tree_{t}"
        meta = json.loads((job / "nodes.json").read_text())
        start = time.perf_counter()
        result: dict = {}
        cwd = os.getcwd()
        try:
            os.chdir(job)
            engine = run_batch(job / "job.arb")
            engine.write_intermediate_table(0, str(job / "out.tab"), simple=True)
            result["seconds"] = time.perf_counter() - start
            result["hidden"] = _read_hidden(job / "out.tab", meta["codes"], meta["embed"])
        except Exception as exc:  # a τ-ARGUS error for this tree only
            result = {"seconds": time.perf_counter() - start, "error": str(exc)}
        finally:
            os.chdir(cwd)
        (job / "status.json").write_text(json.dumps(result))


def _read_hidden(path: Path, codes: list[str], embed: bool) -> list[bool]:
    status: dict[str, bool] = {}
    for line in path.read_text().splitlines():
        parts = [p.strip('"') for p in line.split(";")]
        if embed and parts[1] == "z":
            continue
        hidden = parts[-3] in ("U", "M")
        status[parts[0]] = status.get(parts[0], False) or hidden  # x and its equal Total column
    return [status.get(c, False) for c in codes]


if __name__ == "__main__":
    _child(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
