"""Dev-only: run τ-ARGUS (pytauargus) secondary suppression on our primary cells, for comparison.

Not used by the pipeline. ``pytauargus`` is imported lazily, and only in a child process: its native
HiTaS code can crash the interpreter (segmentation fault), so every run happens in
the child script :mod:`.tauargus_child` (run by path, so it imports neither pandas nor the pipeline)
and a crashed tree is reported as failed instead of taking the caller down.

How the same problem is given to τ-ARGUS ("use given status", no safety rule):

* one table per indicator-year, the district hierarchy as an ``.hrc`` file, the city as total code;
* our primary cells (P1, P2, P3, upstream) get status ``U`` with protection levels derived from our
  requirement: ``upper PL = min_upper − x``, ``lower PL = x − max_lower``, widened to the
  protection interval (lower side first, down to the attacker's floor of 1 or 0);
* cells we may not hide get status ``P`` (protected): zeros while zeros are published (except beside
  small areas), cells
  published in an earlier release; also hidden zeros (P3 zeros need no protection, and τ-ARGUS
  fails on unsafe zeros): τ-ARGUS then treats them as known, which only makes its pattern safer,
  and they stay hidden in the pattern handed back;
* cost = the cell value (τ-ARGUS's default), so τ-ARGUS minimises the sum of hidden values.

MOD (HiTaS) in pytauargus 0.6.0 refuses one-dimensional tables ("HiTaS: no variables found"), so
for MOD the table is embedded as district × {x, z} with ``z`` a column of protected zeros: the
``Total`` column equals ``x`` and the constraints are those of the one-dimensional table. OPT
(one mixed integer program per table) runs on the one-dimensional table directly.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.lib.config import Indicator, Protection
from pipelines.lib.protection.forest import Forest, build_forest
from pipelines.lib.protection.primary import STATUS_HIDDEN, STATUS_PUBLISHED, STATUS_SMALL, classify
from pipelines.lib.protection.protect import ProtectionResult

CHILD = Path(__file__).with_name("tauargus_child.py")  # run by path: imports only pytauargus
TOTAL = "Total"
_RDA = """district "" ""
<RECODEABLE>
<HIERARCHICAL>
<HIERCODELIST> "tree.hrc"
<HIERLEADSTRING> "@"
<TOTCODE> "Total"
{dummy}count "" ""
<NUMERIC>
status "" ""
<STATUS>
lpl "" ""
<NUMERIC> <LOWERPL>
upl "" ""
<NUMERIC> <UPPERPL>
"""
_DUMMY = 'dummy "" ""\n<RECODEABLE>\n<TOTCODE> "Total"\n'


def available() -> bool:
    """True if pytauargus can be imported (checked in a child process, as it would be run)."""
    probe = subprocess.run([sys.executable, "-c", "import pytauargus"], capture_output=True)
    return probe.returncode == 0


@dataclass(frozen=True)
class TauArgusRun:
    """``hidden``: τ-ARGUS's hidden cells (primary + secondary), aligned with the cells frame."""

    hidden: np.ndarray
    secondary: np.ndarray
    seconds: float  # wall time of the child processes (τ-ARGUS + file I/O)
    solver_seconds: float  # time inside τ-ARGUS's batch runs only
    failed_trees: int
    failed: np.ndarray  # bool per cell: its tree failed in τ-ARGUS (only the primaries are hidden there)


def protection_levels(cells: pd.DataFrame, indicators: dict[str, Indicator], protection: Protection):
    """Per-cell ``(x, primary, frozen, lpl, upl)`` from our primary rules and requirements."""
    frame = cells.reset_index(drop=True)
    forest = build_forest(frame)
    prim = classify(frame, indicators, protection, forest)
    x = np.nan_to_num(prim.x)
    if prim.missing.any():
        raise NotImplementedError("cells without data ('keine Daten') are not supported by the comparison")
    upl = np.clip(np.where(np.isfinite(prim.min_upper), prim.min_upper - x, 0.0), 0.0, None)
    lpl = np.clip(np.where(np.isfinite(prim.max_lower), x - prim.max_lower, 0.0), 0.0, None)
    short = np.maximum(prim.min_width - upl - lpl, 0.0)
    extra_low = np.minimum(short, np.maximum(x - prim.hidden_lo - lpl, 0.0))
    lpl = lpl + extra_low
    upl = upl + (short - extra_low)
    frozen = ~prim.primary & (x == 0) & ~prim.zeros_hideable
    return forest, x, prim.primary, frozen, lpl, upl


def run_tauargus(
    cells: pd.DataFrame,
    indicators: dict[str, Indicator],
    protection: Protection,
    workdir: Path,
    *,
    method: str = "MOD",
    earlier_known: np.ndarray | None = None,
    max_time: int = 10,
) -> TauArgusRun:
    """Write one τ-ARGUS job per indicator-year, run them in child processes, read the patterns back."""
    if method not in ("MOD", "OPT"):
        raise ValueError(f"unknown τ-ARGUS method {method!r}")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    forest, x, primary, frozen, lpl, upl = protection_levels(cells, indicators, protection)
    if earlier_known is not None:
        frozen = frozen | (earlier_known & ~primary)
    trees = _write_jobs(forest, x, primary, frozen, lpl, upl, workdir, method, max_time)

    start = time.perf_counter()
    done = 0
    failed: list[int] = []
    while done < len(trees):
        proc = subprocess.run(
            [sys.executable, str(CHILD), str(workdir), str(done), str(len(trees))],
            capture_output=True,
            text=True,
        )
        done = next((t for t in range(done, len(trees)) if not (workdir / f"tree_{t}" / "status.json").exists()),
                    len(trees))
        if proc.returncode != 0:
            failed.append(done)  # the tree that was running when the child died
            done += 1
    seconds = time.perf_counter() - start

    hidden = primary.copy()
    failed_cells = np.zeros(len(x), dtype=bool)
    solver = 0.0
    for t, nodes in enumerate(trees):
        path = workdir / f"tree_{t}" / "status.json"
        if not path.exists():
            failed.append(t)
            failed_cells[nodes] = True
            continue
        result = json.loads(path.read_text())
        solver += result["seconds"]
        if result.get("error"):
            failed.append(t)
            failed_cells[nodes] = True
            continue
        hidden[nodes[np.asarray(result["hidden"], dtype=bool)]] = True
    return TauArgusRun(
        hidden=hidden,
        secondary=hidden & ~primary,
        seconds=seconds,
        solver_seconds=solver,
        failed_trees=len(set(failed)),
        failed=failed_cells,
    )


def _write_jobs(forest: Forest, x, primary, frozen, lpl, upl, workdir: Path, method: str, max_time: int):
    """One directory per tree: ``tree.hrc``, ``table.tab``, ``table.rda``, ``job.arb``, ``nodes.json``."""
    trees = []
    order = np.lexsort((forest.depth, forest.tree))
    starts = np.flatnonzero(np.r_[True, forest.tree[order][1:] != forest.tree[order][:-1]])
    bounds = np.r_[starts, len(order)]
    embed = method == "MOD"
    suppress = f"MOD(1,{max_time},1,1,1)" if embed else f"OPT(1,{max_time})"
    for t in range(len(starts)):
        nodes = order[bounds[t] : bounds[t + 1]]
        root = int(nodes[0])
        code = {int(v): f"c{i}" for i, v in enumerate(nodes)}
        code[root] = TOTAL
        hrc: list[str] = []
        stack = [(int(c), 0) for c in forest.children(root)[::-1]]
        while stack:
            v, d = stack.pop()
            hrc.append("@" * d + code[v])
            stack.extend((int(c), d + 1) for c in forest.children(v)[::-1])
        rows: list[str] = []
        for v in nodes:
            v = int(v)
            unsafe = primary[v] and x[v] > 0  # τ-ARGUS fails on unsafe zeros (they need no protection)
            status = "U" if unsafe else ("P" if frozen[v] or primary[v] else "S")
            pl = f"{lpl[v]:g};{upl[v]:g}" if unsafe else ";"
            value = f"{x[v]:g}"
            if embed:
                rows.append(f"{code[v]};{TOTAL};{value};{status};{pl}")
                rows.append(f"{code[v]};x;{value};{status};{pl}")
                rows.append(f"{code[v]};z;0;P;;")
            else:
                rows.append(f"{code[v]};{value};{status};{pl}")
        job = workdir / f"tree_{t}"
        job.mkdir(exist_ok=True)
        (job / "status.json").unlink(missing_ok=True)
        (job / "tree.hrc").write_text("\n".join(hrc) + "\n")
        (job / "table.tab").write_text("\n".join(rows) + "\n")
        (job / "table.rda").write_text(_RDA.format(dummy=_DUMMY if embed else ""))
        spec = '"district""dummy"' if embed else '"district"'
        (job / "job.arb").write_text(
            '<OPENTABLEDATA> "table.tab"\n<OPENMETADATA> "table.rda"\n'
            f'<SPECIFYTABLE> {spec}|"count"||\n<SAFETYRULE>\n<READTABLE> 0\n<SUPPRESS> {suppress}\n'
        )
        (job / "nodes.json").write_text(json.dumps({"codes": [code[int(v)] for v in nodes], "embed": embed}))
        trees.append(nodes)
    return trees


def pattern_release(
    cells: pd.DataFrame, ours: ProtectionResult, hidden: np.ndarray, indicators: dict[str, Indicator]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Our publication and log with another secondary pattern (same primaries), for the audit."""
    frame = cells.reset_index(drop=True)
    pub = ours.published.copy().reset_index(drop=True)
    status = pub["status"].to_numpy(dtype=object)
    primary_keys = ours.log.loc[ours.log["rule"] != "secondary", ["indicator_id", "year", "district_id"]]
    keys = frame[["indicator_id", "year", "district_id"]]
    is_primary = keys.merge(primary_keys.assign(_p=True), how="left", on=list(keys.columns))["_p"]
    is_primary = is_primary.fillna(False).to_numpy(dtype=bool)
    secondary = hidden & ~is_primary
    was_secondary = (status == STATUS_HIDDEN) & ~is_primary
    x = frame["numerator"].astype("Float64")
    n = frame["denominator"].astype("Float64")
    mult = frame["indicator_id"].map({i: ind.multiplier for i, ind in indicators.items()}).astype("Float64")
    reopen = was_secondary & ~secondary
    pub.loc[reopen, "numerator"] = x[reopen].astype("Int64")
    pub.loc[reopen, "rate"] = (x / n * mult)[reopen].round(1)
    pub.loc[reopen, "status"] = STATUS_PUBLISHED
    pub.loc[secondary, "numerator"] = pd.NA
    pub.loc[secondary, "rate"] = pd.NA
    pub.loc[secondary & (status != STATUS_SMALL), "status"] = STATUS_HIDDEN
    prim_log = ours.log[ours.log["rule"] != "secondary"]
    k_of = frame["indicator_id"].map(prim_log.groupby("indicator_id")["k"].max()).fillna(3).astype(int)
    sec_log = keys[secondary].assign(rule="secondary", k=k_of[secondary].to_numpy())
    log = pd.concat([prim_log, sec_log], ignore_index=True)
    return pub, log
