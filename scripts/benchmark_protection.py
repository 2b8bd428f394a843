"""Benchmark of the protection stage and the audit, and a comparison with τ-ARGUS (pytauargus).

Prints, per case, the time for suppression and for the audit, the hidden cells by rule, the
information loss (secondary suppressions and the sum of their values) and the peak memory (peak RSS
of the process that ran the case: each case runs in its own process). Then, on a sample of
indicator-years, the same primary cells go through pytauargus (MOD and OPT) and our audit checks
τ-ARGUS's pattern.

Cases:

* ``demo``: the demo city (generated, ingested and warehoused in a temporary workspace);
* ``berlin``: a Berlin-size city, 542 Planungsräume → 143 Bezirksregionen → 58 Prognoseräume →
  12 Bezirke → city, 60 indicators × 15 years (binomial counts, generated directly);
* ``national``: about 11,000 municipalities → 400 Kreise → 16 Länder → Germany, 60 indicators ×
  ``--national-years`` years.

Usage: ``python scripts/benchmark_protection.py [--cases demo berlin national] [--tau-trees 60]``.
A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.lib.audit import audit  # noqa: E402
from pipelines.lib.config import Indicator, Protection  # noqa: E402
from pipelines.lib.protection import protect  # noqa: E402
from pipelines.lib.stages.linked import protect_together  # noqa: E402

BERLIN_LEVELS = (12, 58, 143, 542)  # Bezirke, Prognoseräume, Bezirksregionen, Planungsräume
NATIONAL_LEVELS = (16, 400, 11_000)  # Länder, Kreise, Gemeinden


# --------------------------------------------------------------------------- synthetic tables
def split_children(rng: np.random.Generator, n_parents: int, n_children: int) -> np.ndarray:
    """Parent index of each child: every parent gets at least two children, the rest at random."""
    extra = n_children - 2 * n_parents
    if extra < 0:
        raise ValueError("need at least two children per parent")
    counts = 2 + rng.multinomial(extra, rng.dirichlet(np.full(n_parents, 2.0)))
    return np.repeat(np.arange(n_parents), counts)


def hierarchy(rng: np.random.Generator, sizes: tuple[int, ...], prefix: str) -> pd.DataFrame:
    """``district_id, parent_id, level_rank`` for a city/country with ``sizes`` districts per level."""
    rows = [pd.DataFrame({"district_id": [f"{prefix}0"], "parent_id": [None], "level_rank": [0]})]
    parents = np.array([f"{prefix}0"])
    for rank, size in enumerate(sizes, start=1):
        link = split_children(rng, len(parents), size) if rank > 1 else np.zeros(size, dtype=int)
        ids = np.array([f"{prefix}{rank}_{i:05d}" for i in range(size)])
        rows.append(pd.DataFrame({"district_id": ids, "parent_id": parents[link], "level_rank": rank}))
        parents = ids
    return pd.concat(rows, ignore_index=True)


def indicator_catalogue(n: int, rng: np.random.Generator) -> tuple[dict[str, Indicator], pd.DataFrame]:
    """``n`` indicators: denominator share of the population, mean rate, k (a third with k = 5)."""
    ids = [f"ind{i:02d}" for i in range(n)]
    params = pd.DataFrame(
        {
            "indicator_id": ids,
            "den_share": rng.choice([0.01, 0.03, 0.06, 0.15, 0.6], size=n),
            "rate": np.exp(rng.uniform(np.log(0.003), np.log(0.4), size=n)),
            "public": rng.random(n) < 0.8,
            "owner": np.where(np.arange(n) % 3 == 0, "gesundheit", "soziales"),
        }
    )
    inds = {
        r.indicator_id: Indicator(
            id=r.indicator_id,
            label=r.indicator_id,
            domain="Soziales",
            life_phase="0-18",
            direction="none",
            unit="share",
            denominator_public=bool(r.public),
            data_owner=r.owner,
        )
        for r in params.itertuples()
    }
    return inds, params


def synthetic_cells(
    rng: np.random.Generator, tree: pd.DataFrame, leaf_pop: np.ndarray, n_ind: int, years: int
) -> tuple[pd.DataFrame, dict[str, Indicator]]:
    """Binomial counts on the leaves (area effects per indicator, slow change over the years), summed up."""
    inds, params = indicator_catalogue(n_ind, rng)
    is_leaf = ~tree["district_id"].isin(tree["parent_id"]).to_numpy()
    leaves = tree[is_leaf].reset_index(drop=True)
    n_leaf = len(leaves)
    frames = []
    for year in range(years):
        pop = np.maximum(leaf_pop * rng.normal(1.0 + 0.005 * year, 0.02, size=n_leaf), 1).round().astype(np.int64)
        for r in params.itertuples():
            area = np.exp(rng.normal(0, 0.6, size=n_leaf))  # social gradient between areas
            den = rng.binomial(pop, r.den_share)
            p = np.clip(r.rate * area, 0, 0.95)
            num = rng.binomial(den, p)
            frames.append(
                pd.DataFrame(
                    {
                        "indicator_id": r.indicator_id,
                        "year": 2010 + year,
                        "district_id": leaves["district_id"].to_numpy(),
                        "numerator": num,
                        "denominator": den,
                        "population": pop,
                    }
                )
            )
    leaf_cells = pd.concat(frames, ignore_index=True)
    cells = aggregate_up(leaf_cells, tree)
    return cells, inds


def aggregate_up(leaf_cells: pd.DataFrame, tree: pd.DataFrame) -> pd.DataFrame:
    """Sum leaf counts to every ancestor (same indicator-year)."""
    parent_of = tree.set_index("district_id")["parent_id"]
    rank_of = tree.set_index("district_id")["level_rank"]
    level = leaf_cells
    out = [leaf_cells]
    keys = ["indicator_id", "year", "district_id"]
    while True:
        up = level.assign(district_id=level["district_id"].map(parent_of)).dropna(subset=["district_id"])
        if up.empty:
            break
        level = up.groupby(keys, as_index=False, sort=False)[["numerator", "denominator", "population"]].sum()
        out.append(level)
    cells = pd.concat(out, ignore_index=True)
    cells["parent_id"] = cells["district_id"].map(parent_of)
    cells["level_rank"] = cells["district_id"].map(rank_of).astype(int)
    cells["is_upstream_hidden"] = False
    cells = cells.astype({"numerator": "Int64", "denominator": "Int64", "population": "Int64"})
    from pipelines.lib.protection.protect import REQUIRED_COLUMNS

    return cells[list(REQUIRED_COLUMNS)]


def berlin_case(seed: int = 1) -> tuple[pd.DataFrame, dict[str, Indicator], Protection]:
    rng = np.random.default_rng(seed)
    tree = hierarchy(rng, BERLIN_LEVELS, "B")
    n_leaf = BERLIN_LEVELS[-1]
    leaf_pop = np.exp(rng.normal(np.log(6000), 0.6, size=n_leaf))  # ≈ 3.7 million, some tiny areas
    tiny = rng.random(n_leaf) < 0.03
    leaf_pop[tiny] = rng.integers(20, 300, size=int(tiny.sum()))
    cells, inds = synthetic_cells(rng, tree, leaf_pop, n_ind=60, years=15)
    return cells, inds, Protection(owner_k={"gesundheit": 5})


def national_case(years: int, seed: int = 2) -> tuple[pd.DataFrame, dict[str, Indicator], Protection]:
    rng = np.random.default_rng(seed)
    tree = hierarchy(rng, NATIONAL_LEVELS, "D")
    leaf_pop = np.exp(rng.normal(np.log(2500), 1.3, size=NATIONAL_LEVELS[-1]))  # many small municipalities
    leaf_pop *= 83e6 / leaf_pop.sum()
    cells, inds = synthetic_cells(rng, tree, leaf_pop, n_ind=60, years=years)
    return cells, inds, Protection(owner_k={"gesundheit": 5})


def demo_case() -> tuple[pd.DataFrame, dict[str, Indicator], Protection]:
    from pipelines.lib.config import load_config
    from pipelines.lib.demo.generator import SIZES, generate_city
    from pipelines.lib.stages import ingest, warehouse
    from pipelines.lib.stages.protection import read_cells
    from pipelines.lib.workspace import Workspace

    ws_dir = Path(tempfile.mkdtemp(prefix="bench_demo_"))
    generate_city(ws_dir, **SIZES["demo"])
    config = load_config(ws_dir)
    ws = Workspace.at(ws_dir)
    if not ingest.run(ws, config).ok:
        raise SystemExit("demo ingest failed")
    warehouse.run(ws)
    cells, _ = read_cells(ws)
    return cells, {i.id: i for i in config.indicators}, config.protection


# --------------------------------------------------------------------------- measurements
def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def loss(cells: pd.DataFrame, secondary: np.ndarray) -> tuple[int, float]:
    x = cells["numerator"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    return int(secondary.sum()), float(np.nansum(x[secondary]))


def secondary_mask(cells: pd.DataFrame, log: pd.DataFrame) -> np.ndarray:
    keys = ["indicator_id", "year", "district_id"]
    sec = log.loc[log["rule"] == "secondary", keys].assign(_s=True)
    merged = cells[keys].merge(sec, on=keys, how="left")
    return merged["_s"].fillna(False).to_numpy(dtype=bool)


def audit_summary(result) -> dict:
    risk = result.at_risk
    primary = risk["rule"] != "secondary"
    return {
        "passed": bool(result.passed),
        "primary_at_risk": int(primary.sum()),
        "secondary_narrow": int((~primary).sum()),
        "violations": len(result.violations),
    }


def run_case(name: str, tau_trees: int, national_years: int, secondary: str = "greedy") -> dict:
    t0 = time.perf_counter()
    if name == "demo":
        cells, inds, prot = demo_case()
    elif name == "berlin":
        cells, inds, prot = berlin_case()
    else:
        cells, inds, prot = national_case(national_years)
    prot = dataclasses.replace(prot, secondary=secondary)
    cells = cells.reset_index(drop=True)
    out: dict = {
        "case": name,
        "method": secondary,
        "cells": len(cells),
        "trees": int(cells[["indicator_id", "year"]].drop_duplicates().shape[0]),
        "generate_s": time.perf_counter() - t0,
    }
    # before: the counts alone (the denominators as they were); after: the denominators protected too.
    # Both judged by the same (current) audit, whose attacker works the denominators out.
    for label, with_denominators in (("before", False), ("after", True)):
        t = time.perf_counter()
        if with_denominators:  # as the protection stage: repeated where the audit's attacker still narrows a cell
            result = protect_together(cells, inds, prot, lambda _published: [])
        else:
            result = protect(cells, inds, prot, denominators=False)
        step = {"protect_s": time.perf_counter() - t}
        t = time.perf_counter()
        checked = audit(result.published, result.log, prot, true_values=cells, indicators=inds)
        step["audit_s"] = time.perf_counter() - t
        step["audit"] = audit_summary(checked)
        step["by_rule"] = result.counts
        step["secondary"], step["secondary_sum"] = loss(cells, secondary_mask(cells, result.log))
        withheld = result.withheld_denominators
        step["denominators_withheld"] = 0 if withheld is None else len(withheld)
        if result.units is not None:  # secondary = "optimal": indicator-years by outcome (greedy = fallback)
            step["units"] = {str(k): int(v) for k, v in result.units["method"].value_counts().items()}
        out[label] = step
        del result, checked
    out |= out["after"]
    out["rss_after_protect_mb"] = peak_rss_mb()
    out["peak_rss_mb"] = peak_rss_mb()
    if tau_trees:
        out["tau"] = compare_with_tauargus(cells, inds, prot, tau_trees)
    return out


def compare_with_tauargus(cells, inds, prot, n_trees: int) -> dict:
    """Ours versus pytauargus MOD and OPT on the same sample of indicator-years and the same primaries."""
    from pipelines.lib.protection import tauargus_compare as tc

    if not tc.available():
        return {"skipped": "pytauargus not importable"}
    iy = cells[["indicator_id", "year"]].drop_duplicates()
    sample = iy.sample(n=min(n_trees, len(iy)), random_state=0) if len(iy) > n_trees else iy
    sub = cells.merge(sample, on=["indicator_id", "year"]).reset_index(drop=True)
    runs = {}
    for method in ("MOD", "OPT"):
        with tempfile.TemporaryDirectory(prefix=f"tau_{method}_") as work:
            runs[method] = tc.run_tauargus(sub, inds, prot, Path(work), method=method)
    # compare on the indicator-years where both τ-ARGUS methods ran (trees are independent)
    ok = ~(runs["MOD"].failed | runs["OPT"].failed)
    failed_trees = int(sub.loc[~ok, ["indicator_id", "year"]].drop_duplicates().shape[0])
    sub = sub[ok].reset_index(drop=True)
    t = time.perf_counter()
    ours = protect(sub, inds, prot)
    ours_s = time.perf_counter() - t
    checked = audit(ours.published, ours.log, prot, true_values=sub, indicators=inds)
    n, s = loss(sub, secondary_mask(sub, ours.log))
    report = {
        "trees": len(sample) - failed_trees,
        "failed_trees": failed_trees,
        "cells": len(sub),
        "ours": {"secondary": n, "secondary_sum": s, "seconds": ours_s, "audit": audit_summary(checked)},
    }
    for method, run in runs.items():
        hidden = run.hidden[ok]
        pub, log = tc.pattern_release(sub, ours, hidden, inds)
        tau_audit = audit(pub, log, prot, true_values=sub, indicators=inds)
        # the same pattern against τ-ARGUS's own attacker (hidden ≥ 0, no denominators, no population
        # behind "zu wenige Einwohner"): checks the adapter
        own = audit(pub.assign(denominator=pd.NA, population=pd.NA, rate=pd.NA), log,
                    dataclasses.replace(prot, publish_zeros=False),
                    true_values=sub.assign(denominator=pd.NA), indicators=inds)
        n, s = loss(sub, run.secondary[ok])
        report[method] = {
            "secondary": n,
            "secondary_sum": s,
            "seconds": run.seconds,
            "solver_seconds": run.solver_seconds,
            "failed_trees": run.failed_trees,
            "audit": audit_summary(tau_audit),
            "audit_tau_model": audit_summary(own),
        }
    return report


def print_case(r: dict) -> None:
    print(f"\n== {r['case']} (secondary = {r.get('method', 'greedy')}): {r['cells']:,} cells in {r['trees']} indicator-years (built in {r['generate_s']:.1f} s)")
    print(f"peak RSS {r['peak_rss_mb']:.0f} MB")
    for label in ("before", "after"):
        s = r[label]
        a = s["audit"]
        print(f"-- {label} (denominators {'protected' if label == 'after' else 'as published before'}): "
              f"suppression {s['protect_s']:.2f} s   audit {s['audit_s']:.2f} s")
        print(f"   hidden by rule: {s['by_rule']}")
        print(f"   information loss: {s['secondary']:,} secondary cells, sum of their values "
              f"{s['secondary_sum']:,.0f}; denominators withheld: {s['denominators_withheld']:,}")
        if "units" in s:
            print(f"   indicator-years with complements by outcome (greedy = fallback): {s['units']}")
        print(f"   audit: passed={a['passed']} primary at risk={a['primary_at_risk']} "
              f"narrow secondaries={a['secondary_narrow']} violations={a['violations']}")
    tau = r.get("tau")
    if not tau:
        return
    if "skipped" in tau:
        print(f"τ-ARGUS: skipped ({tau['skipped']})")
        return
    print(f"-- same primaries, sample of {tau['trees']} indicator-years ({tau['cells']:,} cells; "
          f"{tau['failed_trees']} more left out where τ-ARGUS failed; times include them)")
    print(f"{'method':<8}{'secondary':>10}{'sum':>12}{'time s':>9}{'solver s':>10}{'failed':>8}  audit")
    for name in ("ours", "MOD", "OPT"):
        m = tau[name]
        a = m["audit"]
        print(
            f"{name:<8}{m['secondary']:>10,}{m['secondary_sum']:>12,.0f}{m['seconds']:>9.2f}"
            f"{m.get('solver_seconds', m['seconds']):>10.2f}{m.get('failed_trees', 0):>8}  "
            f"passed={a['passed']} primary at risk={a['primary_at_risk']} narrow secondaries={a['secondary_narrow']}"
        )
    for name in ("MOD", "OPT"):
        a = tau[name]["audit_tau_model"]
        print(f"{name} against τ-ARGUS's own attacker (hidden ≥ 0, no denominators): passed={a['passed']} "
              f"primary at risk={a['primary_at_risk']} narrow secondaries={a['secondary_narrow']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["demo", "berlin", "national"])
    parser.add_argument("--tau-trees", type=int, default=60, help="indicator-years compared with τ-ARGUS (0: none)")
    parser.add_argument("--national-years", type=int, default=3)
    parser.add_argument("--national-tau-trees", type=int, default=4, help="τ-ARGUS sample for the national case")
    parser.add_argument("--secondary", nargs="+", default=["greedy"], choices=["greedy", "optimal"],
                        help="secondary suppression(s) to run, each case once per method")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.tau_trees, args.national_years, args.secondary[0])))
        return
    for case in args.cases:
        for method in args.secondary:
            trees = args.national_tau_trees if case == "national" else args.tau_trees
            cmd = [sys.executable, __file__, "--case", case, "--tau-trees", str(trees),
                   "--national-years", str(args.national_years), "--secondary", method]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"\n== {case} ({method}): failed\n{proc.stderr[-2000:]}")
                continue
            print_case(json.loads(proc.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
