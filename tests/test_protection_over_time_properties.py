"""Property: two successive releases of a small random table, protected, cannot be narrowed — checked by an
exact integer program (HiGHS) over everything both releases publish.

Random hierarchies (a city, 2–3 regions, 2–3 areas each) carry two indicators that share a denominator
(the same ``denominator_label``), random counts and denominators (tiny ones, small populations and zeros
included). The second delivery revises some figures and may lose an area's rows (and with them its parents' sums, as
the warehouse builds them). Both releases are
protected as the pipeline does (``protect_together``, the second with the first's pattern from the
ledger), and the integer program — every count and denominator of both releases an integer unknown, the
published ones fixed, sums up the hierarchy, ``x ≤ n``, one denominator per group, the bounds each status
implies, the rates of counts whose denominator is withheld, unchanged values equal across releases —
gives every hidden cell's exact range, which must meet its requirement (P1 case: up to k; P2 case: a
complement up to k; never narrower than the protection interval, except a known zero).
"""

from __future__ import annotations

import math
from typing import ClassVar

import highspy
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.lib.audit.over_time import new_release
from pipelines.lib.config import Indicator, Protection
from pipelines.lib.stages.linked import protect_together

PROT = Protection()
INDICATORS = {i: Indicator(id=i, label=i, domain="Soziales", life_phase="0-18", direction="none", unit="share",
                           denominator_label="Kinder") for i in ("a", "b")}
KEY = ["indicator_id", "year", "district_id"]
HIDDEN = ("geheimgehalten", "zu wenige Einwohner")


@st.composite
def deliveries(draw):
    regions = draw(st.integers(2, 3))
    leaves = {f"R{r}": [f"R{r}L{j}" for j in range(draw(st.integers(2, 3)))] for r in range(regions)}
    areas = [leaf for group in leaves.values() for leaf in group]
    den = {a: draw(st.sampled_from([1, 2, 3, 5, 12, 25, 40, 60])) for a in areas}
    pop = {a: draw(st.sampled_from([150, 400, 2000])) for a in areas}
    first = {(i, a): draw(st.integers(0, den[a])) for i in INDICATORS for a in areas}
    second = dict(first)
    for key in draw(st.lists(st.sampled_from(sorted(first)), max_size=3, unique=True)):  # revisions
        second[key] = draw(st.integers(0, den[key[1]]))
    missing = draw(st.one_of(st.none(), st.sampled_from(areas)))
    return leaves, den, pop, first, second, missing


def cells(leaves, den, pop, counts, missing=None) -> pd.DataFrame:
    """The cells as the warehouse builds them: parents sum their areas; a parent with an area lacking its
    figures lacks them too (``int_indicator_cells.sql``)."""
    rows = []
    for i in INDICATORS:
        for region, group in leaves.items():
            for a in group:
                gone = a == missing
                rows.append((i, a, region, 2, None if gone else counts[(i, a)], None if gone else den[a], pop[a]))
            gone = missing in group
            rows.append((i, region, "C", 1, None if gone else sum(counts[(i, a)] for a in group),
                         None if gone else sum(den[a] for a in group), sum(pop[a] for a in group)))
        every = [a for group in leaves.values() for a in group]
        gone = missing is not None
        rows.append((i, "C", None, 0, None if gone else sum(counts[(i, a)] for a in every),
                     None if gone else sum(den[a] for a in every), sum(pop.values())))
    frame = pd.DataFrame(rows, columns=["indicator_id", "district_id", "parent_id", "level_rank", "numerator",
                                        "denominator", "population"])
    frame.insert(1, "year", 2024)
    frame["is_upstream_hidden"] = False
    return frame.astype({"numerator": "Int64", "denominator": "Int64", "population": "Int64"})


def floor_of(table: pd.DataFrame) -> dict:
    """What "geheimgehalten" tells (≥ 1, or ≥ 0 beside a "zu wenige Einwohner" or "keine Daten" sibling)."""
    small = set(table.loc[table["status"].isin(["zu wenige Einwohner", "keine Daten"]), ["indicator_id", "parent_id"]]
                .itertuples(index=False, name=None))
    return {(r.indicator_id, r.district_id): 0 if (r.indicator_id, r.parent_id) in small else 1
            for r in table.itertuples()}


class Program:
    """The attacker's integer program over both releases."""

    def __init__(self, tables: list[pd.DataFrame]):
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.index: dict = {}
        self.bounds: list[list[float]] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        for r, table in enumerate(tables):
            self._release(r, table)
        for r in range(1, len(tables)):  # unchanged values stay unchanged
            for key, (x, n) in self._truth(tables[r]).items():
                for q in range(r):
                    if key in self.truths[q] and self.truths[q][key] == (x, n):
                        self._equal(("x", q, *key), ("x", r, *key))
                        self._equal(("n", q, "Kinder", key[1]), ("n", r, "Kinder", key[1]))
        self._build()

    truths: ClassVar[list] = []

    def _truth(self, table):
        return {(t.indicator_id, t.district_id): (t.true_numerator, t.true_denominator)
                for t in table.itertuples() if not pd.isna(t.true_numerator)}

    def var(self, key) -> int:
        if key not in self.index:
            self.index[key] = len(self.bounds)
            self.bounds.append([0.0, math.inf])
        return self.index[key]

    def _fix(self, key, lo, hi=None):
        b = self.bounds[self.var(key)]
        b[0], b[1] = max(b[0], lo), min(b[1], lo if hi is None else hi)

    def _equal(self, a, b):
        self.rows.append(({self.var(a): 1.0, self.var(b): -1.0}, 0.0, 0.0))

    def _release(self, r, table):
        if r == 0:
            Program.truths = []
        Program.truths.append(self._truth(table))
        floor = floor_of(table)
        for t in table.itertuples():
            if t.status == "keine Daten":
                continue
            x, n = ("x", r, t.indicator_id, t.district_id), ("n", r, "Kinder", t.district_id)
            self.rows.append(({self.var(x): 1.0, self.var(n): -1.0}, -math.inf, 0.0))  # x ≤ n
            if t.status == "veröffentlicht":
                self._fix(x, float(t.numerator))
                if pd.isna(t.denominator) and not pd.isna(t.rate):  # (a withheld denominator shows no rate)
                    raise AssertionError("a rate beside a withheld denominator")
            else:
                self._fix(x, float(floor[(t.indicator_id, t.district_id)]) if t.status == "geheimgehalten" else 0.0,
                          math.inf)
            if not pd.isna(t.denominator):
                self._fix(n, float(t.denominator))
            elif t.status != "zu wenige Einwohner":
                self._fix(n, float(PROT.min_denominator), math.inf)  # not P3: n ≥ min_denominator
            elif t.population >= PROT.min_population:
                self._fix(n, 0.0, float(PROT.min_denominator - 1))
        present = table[table["status"] != "keine Daten"]
        inner = present[present["parent_id"].notna() & present["parent_id"].isin(set(present["district_id"]))]
        for (ind, parent), kids in inner.groupby(["indicator_id", "parent_id"]):  # counts add up
            self._sum(("x", r, ind, parent), [("x", r, ind, d) for d in kids["district_id"]])
        first = inner[inner["indicator_id"] == inner["indicator_id"].min()]
        for parent, kids in first.groupby("parent_id"):  # and so does the one shared denominator
            self._sum(("n", r, "Kinder", parent), [("n", r, "Kinder", d) for d in kids["district_id"]])

    def _sum(self, parent, children):
        coefs = {self.var(parent): 1.0}
        for child in children:
            coefs[self.var(child)] = -1.0
        self.rows.append((coefs, 0.0, 0.0))

    def _build(self):
        lo = np.array([b[0] for b in self.bounds])
        hi = np.array([b[1] if math.isfinite(b[1]) else highspy.kHighsInf for b in self.bounds])
        self.h.addVars(len(lo), lo, hi)
        self.h.changeColsIntegrality(len(lo), np.arange(len(lo), dtype=np.int32),
                                     np.array([highspy.HighsVarType.kInteger] * len(lo)))
        for coefs, lo_r, hi_r in self.rows:
            idx = np.array(list(coefs), dtype=np.int32)
            self.h.addRow(lo_r if math.isfinite(lo_r) else -highspy.kHighsInf,
                          hi_r if math.isfinite(hi_r) else highspy.kHighsInf, len(idx), idx,
                          np.array([coefs[i] for i in idx]))

    def extreme(self, objective: dict, sense) -> float:
        n = len(self.bounds)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
        for j, c in objective.items():
            self.h.changeColCost(j, c)
        self.h.changeObjectiveSense(sense)
        self.h.run()
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return float(self.h.getInfo().objective_function_value)
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return math.inf
        raise AssertionError(f"the attacker's program is {self.h.modelStatusToString(status)}")


def check(tables: list[pd.DataFrame]) -> list[str]:
    program = Program(tables)
    problems = []
    width = PROT.protection_interval
    for r, table in enumerate(tables):
        for t in table.itertuples():
            if t.status not in HIDDEN or pd.isna(t.true_numerator):
                continue
            x_true, n_true, k = t.true_numerator, t.true_denominator, PROT.k
            j = program.index[("x", r, t.indicator_id, t.district_id)]
            m = program.index[("n", r, "Kinder", t.district_id)]
            up = program.extreme({j: 1.0}, highspy.ObjSense.kMaximize)
            low = program.extreme({j: 1.0}, highspy.ObjSense.kMinimize)
            comp = program.extreme({m: 1.0, j: -1.0}, highspy.ObjSense.kMaximize)
            where = f"release {r + 1} {t.indicator_id} {t.district_id} ({t.status}, x={x_true}, n={n_true})"
            cap = n_true if t.status == "geheimgehalten" else math.inf  # a P3 cell's denominator is protected too
            if 1 <= x_true <= k - 1 and up < min(k, cap) - 1e-6:
                problems.append(f"{where}: upper {up}")
            if 1 <= n_true - x_true <= k - 1 and comp < k - 1e-6:
                problems.append(f"{where}: complement at most {comp}")
            if x_true != 0 and up - low < min(width, cap - low) - 1e-6:
                problems.append(f"{where}: interval {low}–{up}")
    return problems


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries())
def test_two_releases_protected_cannot_be_narrowed(case):
    leaves, den, pop, first, second, missing = case
    one = cells(leaves, den, pop, first)
    first_result = protect_together(one, INDICATORS, PROT, lambda _p: [])
    first_table = new_release(first_result.published, one)
    two = cells(leaves, den, pop, second, missing)
    second_result = protect_together(two, INDICATORS, PROT, lambda _p: [], patterns={"r1": first_table})
    second_table = new_release(second_result.published, two)
    assert first_result.counts["unresolved"] == 0 and second_result.counts["unresolved"] == 0
    problems = check([first_table, second_table])
    assert not problems, problems
