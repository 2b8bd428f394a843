"""Publish stage: exports and dashboards of the candidate, its independent audit, and the switch."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipelines.lib.analysis.stage import audit_constraints
from pipelines.lib.audit import audit
from pipelines.lib.audit.relations import relation_constraints
from pipelines.lib.audit.site import site_problems
from pipelines.lib.config import Config
from pipelines.lib.dashboards import build_site
from pipelines.lib.duck import connect
from pipelines.lib.parallel import run_together
from pipelines.lib.release import ledger
from pipelines.lib.release.candidate import Candidate
from pipelines.lib.release.catalogue_page import CATALOGUE_LINK, write_catalogue_page
from pipelines.lib.release.export_check import export_problems
from pipelines.lib.release.exports import write_exports
from pipelines.lib.release.protection_report import write_report
from pipelines.lib.release.switch import prune, switch
from pipelines.lib.stages.protection import private_run_dir, true_cells
from pipelines.lib.workspace import Workspace


def exports(candidate: Candidate) -> list[Path]:
    return write_exports(candidate.mart, candidate.exports)


def dashboards(candidate: Candidate, config: Config):
    summary = build_site(candidate.mart, candidate.site, config, links=(CATALOGUE_LINK,))
    write_catalogue_page(candidate.mart, candidate.site)  # datenkatalog.html, the data dictionary
    return summary


@dataclass
class AuditOutcome:
    passed: bool
    hidden_cells: int
    at_risk: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    report: Path | None = None

    def summary(self) -> dict:
        return {"passed": self.passed, "hidden_cells": self.hidden_cells, "cells_at_risk": len(self.at_risk),
                "problems": len(self.problems)}


def published_cells(mart: Path) -> pd.DataFrame:
    """The published indicator values with each district's place in the hierarchy."""
    with connect(mart, read_only=True) as con:
        return con.execute(
            """
            select v.indicator_id, v.year, v.district_id, d.parent_id, d.level_rank,
                   v.numerator, v.denominator, v.rate, v.ci_low, v.ci_high, v.status
            from indicator_values v join districts d using (district_id)
            order by v.indicator_id, v.year, d.level_rank, v.district_id
            """
        ).df()


def _consistency_problems(candidate: Candidate, cells: pd.DataFrame) -> list[str]:
    """Derived figures only where their inputs are published, and exports equal to the mart."""
    problems = []
    hidden = cells["status"] != "veröffentlicht"
    for col in ("numerator", "rate", "ci_low", "ci_high"):
        n = int(cells.loc[hidden, col].notna().sum())
        if n:
            problems.append(f"{n} hidden cells carry a value in column {col}")
    # every export (Parquet, CSV, Excel, GeoPackage, GeoParquet), read back with its reference reader
    problems += export_problems(candidate.mart, candidate.exports)
    return problems


def run_audit(ws: Workspace, config: Config, candidate: Candidate) -> AuditOutcome:
    """Audit the complete candidate release against the private suppression log."""
    cells = published_cells(candidate.mart)
    run_dir = private_run_dir(ws, candidate.run_id)
    log = pd.read_parquet(run_dir / "suppression_log.parquet")
    truth = true_cells(ws)
    earlier = ledger.earlier_knowledge(ws.ledger, truth)
    # allocation amounts are linear in counts; linked tables relate numerators
    constraints = audit_constraints(candidate.mart) + relation_constraints(cells, config.relations)
    # three independent checks side by side: the disclosure audit, the exports, the site
    result, consistency, site = run_together(
        lambda: audit(cells, log, config.protection, true_values=truth, earlier_releases=earlier,
                      indicators={i.id: i for i in config.indicators}, constraints=constraints),
        lambda: _consistency_problems(candidate, cells),
        lambda: site_problems(candidate.site, cells),
    )
    problems = consistency + site
    violations = result.violations
    if len(violations):
        problems.append(f"{len(violations)} published cells break a protection rule")
    outcome = AuditOutcome(
        passed=bool(result.passed) and not problems,
        hidden_cells=int((cells["status"] != "veröffentlicht").sum()),
        at_risk=result.at_risk,
        problems=problems,
    )
    out = ws.audit_dir / candidate.run_id
    out.mkdir(parents=True, exist_ok=True)
    outcome.at_risk.to_csv(out / "cells_at_risk.csv", index=False)
    violations.to_csv(out / "rule_violations.csv", index=False)
    write_report(run_dir / "schutzbericht.md", config, candidate.run_id, truth, log, outcome.passed,
                 len(outcome.at_risk), problems)
    outcome.report = out / "audit.json"
    outcome.report.write_text(
        json.dumps({**outcome.summary(), "problem_list": problems}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    return outcome


def audit_report(ws: Workspace, candidate: Candidate) -> dict | None:
    """The audit result recorded for a candidate, or None if it was never audited."""
    path = ws.audit_dir / candidate.run_id / "audit.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def switch_on(ws: Workspace, config: Config, candidate: Candidate) -> list[str]:
    """Mark the audited candidate complete, switch it on and prune old releases."""
    report = audit_report(ws, candidate)
    if not report or not report["passed"]:
        raise RuntimeError(f"release {candidate.run_id} has not passed its audit; nothing is published")
    report.pop("problem_list", None)
    ledger.record(ws.ledger, candidate.run_id, candidate.mart)  # before the switch: a crash errs on caution
    candidate.mark_complete(report)
    switch(candidate)
    return prune(ws, config.keep_releases)
