"""Publish stage: exports and dashboards of the candidate, its independent audit, and the switch."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipelines.lib.analysis.stage import audit_constraints
from pipelines.lib.audit import audit
from pipelines.lib.audit.denominators import denominator_groups
from pipelines.lib.audit.over_time import audit_over_time, new_release
from pipelines.lib.audit.relations import relation_constraints
from pipelines.lib.audit.site import PublishedCells, page_problems, site_pages
from pipelines.lib.config import Config
from pipelines.lib.dashboards import build_site
from pipelines.lib.dashboards.mart import read_finest_coverage
from pipelines.lib.duck import connect
from pipelines.lib.parallel import Background, run_together
from pipelines.lib.release import ledger
from pipelines.lib.release.candidate import Candidate
from pipelines.lib.release.catalogue_page import CATALOGUE_LINK, write_catalogue_page
from pipelines.lib.release.export_check import export_problems
from pipelines.lib.release.exports import write_exports
from pipelines.lib.release.german_csv import neutralise_frame
from pipelines.lib.release.protection_report import write_report
from pipelines.lib.release.switch import prune, switch
from pipelines.lib.stages.protection import CELLS_QUERY, private_run_dir
from pipelines.lib.vocabulary import NO_DATA, PUBLISHED
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
    hidden_cells: int  # hidden by the protection or kept secret upstream: "geheimgehalten", "zu wenige Einwohner"
    at_risk: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    report: Path | None = None
    no_data_cells: int = 0  # "keine Daten": nothing delivered, nothing hidden

    def summary(self) -> dict:
        return {"passed": self.passed, "hidden_cells": self.hidden_cells, "no_data_cells": self.no_data_cells,
                "cells_at_risk": len(self.at_risk), "problems": len(self.problems)}




def cell_counts(status: pd.Series) -> tuple[int, int]:
    """(hidden, without data) among the cells' statuses: a "keine Daten" cell was not delivered (or not
    computable), not hidden, and is counted apart."""
    shown = status.eq(PUBLISHED).to_numpy()
    no_data = status.eq(NO_DATA).to_numpy()
    return int((~shown & ~no_data).sum()), int(no_data.sum())
SITE_PARTS = 8  # the site's pages in this many parts, handed to whichever worker is free

# every text key of the published cells as a code: its place among the sorted texts (codes sort as texts)
_CODES = {
    "indicator_codes": "select distinct indicator_id as id from indicator_values",
    "district_codes": "select district_id as id from districts union select parent_id from districts "
                      "where parent_id is not null",
    "status_codes": "select distinct status as id from indicator_values where status is not null",
}


def published_cells(mart: Path) -> pd.DataFrame:
    """The published indicator values with each district's place in the hierarchy, ordered by indicator,
    year, level and district: the columns the audit reads (keys, parent, level, numerator, denominator,
    rate, status), compact — the texts as categoricals, the numbers as NumPy floats (missing: NaN).

    DuckDB joins and sorts integer codes, not the texts of ten million rows (that took gigabytes)."""
    with connect(mart, read_only=True, spatial=False) as con:
        categories = {}
        for name, query in _CODES.items():
            con.execute(f"create temp table {name} as select id, (row_number() over (order by id) - 1)::integer "
                        f"as code from ({query})")
            categories[name] = [row[0] for row in con.execute(f"select id from {name} order by code").fetchall()]
        table = con.execute(
            """
            select i.code as indicator_id, v.year, c.code as district_id, p.code as parent_id,
                   d.level_rank::tinyint as level_rank, v.numerator::double as numerator,
                   v.denominator::double as denominator, v.rate, s.code as status
            from indicator_values v join districts d using (district_id)
            join indicator_codes i on i.id = v.indicator_id
            join district_codes c on c.id = v.district_id
            left join district_codes p on p.id = d.parent_id
            left join status_codes s on s.id = v.status
            order by i.code, v.year, d.level_rank, c.code
            """
        ).to_arrow_table()
    texts = {"indicator_id": "indicator_codes", "district_id": "district_codes", "parent_id": "district_codes",
             "status": "status_codes"}
    # copies, not views of the Arrow table: a view of one column would keep all of the table alive
    return pd.DataFrame({
        name: pd.Categorical.from_codes(table[name].fill_null(-1).to_numpy(), categories=categories[texts[name]])
        if name in texts else table[name].to_pandas().to_numpy(copy=True)
        for name in table.column_names
    })


def config_indicators(config: Config) -> dict:
    return {i.id: i for i in config.indicators}


def published_population(mart: Path) -> pd.DataFrame:
    """The published age bands (``population``: district_id, year, age_band, population)."""
    with connect(mart, read_only=True, spatial=False) as con:
        return con.execute("select district_id, year, age_band, population from population").df()


def _pandas(table: pa.Table, texts: tuple[str, ...] = ()) -> pd.DataFrame:
    """An Arrow table as a DataFrame that keeps nothing of it alive (a NumPy view of one column would keep
    the whole query result): ``texts`` as categoricals, the other columns copied."""
    return pd.DataFrame({
        name: table[name].dictionary_encode().to_pandas() if name in texts
        else table[name].to_pandas().to_numpy(copy=True)
        for name in table.column_names
    })


def true_values(ws: Workspace) -> pd.DataFrame:
    """The private cells' keys and true counts (numerator, denominator) from the current warehouse, for the
    audit and the protection report: the keys as categoricals, the counts as floats."""
    with connect(ws.warehouse, read_only=True, spatial=False) as con:
        table = con.execute(
            f"select indicator_id, year, district_id, numerator::double as numerator, "
            f"denominator::double as denominator from ({CELLS_QUERY})"
        ).to_arrow_table()
    return _pandas(table, ("indicator_id", "district_id"))


def _aligned(frame: pd.DataFrame, truth: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``frame`` and the keys and numerators of ``truth`` with the text keys as categoricals of the same
    categories (the truth's, then those only ``frame`` has): a merge of the two compares integer codes,
    not the texts of ten million rows (a merge of texts with categoricals even converts them to objects)."""
    frame, keys = frame.copy(), truth[["indicator_id", "year", "district_id", "numerator"]].copy()
    for column in ("indicator_id", "district_id"):
        categories = keys[column].cat.categories
        extra = pd.Index(frame[column].dropna().unique()).difference(categories)
        keys[column] = keys[column].cat.add_categories(extra)
        frame[column] = pd.Categorical(frame[column], categories=keys[column].cat.categories)
    return frame, keys


def earlier_knowledge(ws: Workspace, truth: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """What earlier releases still tell (:func:`ledger.earlier_knowledge`), of the cells the audit looks
    them up for: the cells of ``cells`` that are not published now, and every cell of a district that is not
    among ``cells``' districts. Of the other cells the audit uses nothing (a published figure is known
    anyway), so its result is the same as with the whole ledger, read here without its millions of rows."""
    if not ws.ledger.exists():
        return ledger.known_values(ws.ledger)  # nothing was published before
    unshown = cells.loc[cells["status"].ne(PUBLISHED).to_numpy(), ["indicator_id", "year", "district_id"]]
    unshown = pa.Table.from_pandas(unshown.astype({"indicator_id": str, "district_id": str}), preserve_index=False)
    districts = pa.table({"district_id": pd.Series(cells["district_id"].unique(), dtype=object).astype(str)})
    with connect(ws.ledger, read_only=True, spatial=False) as con:
        con.register("unshown", unshown)
        con.register("current_districts", districts)
        known = con.execute(  # as ledger.known_values, of these cells
            """
            select distinct p.indicator_id, p.year, p.district_id, p.numerator from published_cells p
            where p.district_id not in (select district_id from current_districts)
               or exists (select 1 from unshown u where u.indicator_id = p.indicator_id and u.year = p.year
                          and u.district_id = p.district_id)
            order by all
            """
        ).df()
    if known.empty:  # nothing the ledger knows of these cells (still_known would give it back as it is)
        return known
    return ledger.still_known(*_aligned(known, truth))


def _linked_cells(cells: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The cells of the indicators in declared relations, with text columns (for :func:`relation_constraints`)."""
    members = sorted({m for rel in config.relations for m in rel.members})
    linked = cells.loc[cells["indicator_id"].isin(members).to_numpy(),
                       ["indicator_id", "year", "district_id", "status"]]
    return linked.astype({"indicator_id": str, "district_id": str, "status": str}).reset_index(drop=True)


def _hidden_value_problems(mart: Path) -> list[str]:
    """Hidden cells (every status but "veröffentlicht") that carry a numerator, rate or interval."""
    columns = ("numerator", "rate", "ci_low", "ci_high")
    with connect(mart, read_only=True, spatial=False) as con:
        counts = con.execute(
            f"select {', '.join(f'count({c})' for c in columns)} from indicator_values "
            f"where status is distinct from '{PUBLISHED}'"
        ).fetchone()
    return [f"{n} hidden cells carry a value in column {col}" for col, n in zip(columns, counts, strict=True) if n]


def _consistency_problems(candidate: Candidate) -> list[str]:
    """Derived figures only where their inputs are published, and exports equal to the mart."""
    problems = _hidden_value_problems(candidate.mart)
    # every export (Parquet, CSV, Excel, GeoPackage, GeoParquet), read back with its reference reader
    problems += export_problems(candidate.mart, candidate.exports)
    return problems


def _site_part(site: Path, pages: list[Path], published: PublishedCells) -> dict[Path, list[str]]:
    return {page: page_problems(site, page, published) for page in pages}


def run_audit(ws: Workspace, config: Config, candidate: Candidate) -> AuditOutcome:
    """Audit the complete candidate release against the private suppression log."""
    # the exports and the mart's hidden cells need nothing read here: checked from now on, beside the rest
    consistency = Background(lambda: _consistency_problems(candidate))
    try:
        cells = published_cells(candidate.mart)
        run_dir = private_run_dir(ws, candidate.run_id)
        log = pd.read_parquet(run_dir / "suppression_log.parquet")
        truth = true_values(ws)
        earlier = earlier_knowledge(ws, truth, cells)
        population = published_population(candidate.mart)  # age bands: denominators that are band sums
        # allocation amounts are linear in counts; linked tables relate numerators
        constraints = (audit_constraints(candidate.mart)
                       + relation_constraints(_linked_cells(cells, config), config.relations))
        published = PublishedCells.of(cells)  # what the site's pages may show, shared with the workers
        pages = site_pages(candidate.site)
        # the disclosure audit and the site's pages in parts (a national site has 12,000), each to the next
        # free worker
        result, *site_parts = run_together(
            lambda: audit(cells, log, config.protection, true_values=truth, earlier_releases=earlier,
                          indicators={i.id: i for i in config.indicators}, constraints=constraints,
                          relations=config.relations, population=population),
            *(partial(_site_part, candidate.site, pages[i::SITE_PARTS], published) for i in range(SITE_PARTS)),
        )
        problems = consistency.result()
    except BaseException:
        consistency.cancel()
        raise
    # the release together with every earlier one (their patterns in the ledger)
    over_time = audit_over_time(new_release(cells, truth, population), ledger.release_patterns(ws.ledger, exclude=candidate.run_id),
                                config.protection, {i.id: i for i in config.indicators},
                                denominator_groups(config_indicators(config), config.relations, cells))
    if len(over_time):
        problems.append(f"{len(over_time)} hidden cells of this or an earlier release are narrowed below their "
                        "requirement by the releases together")
    by_page = {page: found for part in site_parts for page, found in part.items()}
    problems += [problem for page in pages for problem in by_page[page]]
    violations = result.violations
    if len(violations):
        problems.append(f"{len(violations)} published cells break a protection rule")
    hidden, no_data = cell_counts(cells["status"])
    outcome = AuditOutcome(
        passed=bool(result.passed) and not problems,
        hidden_cells=hidden,
        at_risk=result.at_risk,
        problems=problems,
        no_data_cells=no_data,
    )
    out = ws.audit_dir / candidate.run_id
    out.mkdir(parents=True, exist_ok=True)
    neutralise_frame(outcome.at_risk).to_csv(out / "cells_at_risk.csv", index=False)
    neutralise_frame(over_time).to_csv(out / "cells_at_risk_over_time.csv", index=False)
    neutralise_frame(violations).to_csv(out / "rule_violations.csv", index=False)
    log_aligned, truth_aligned = _aligned(log, truth)  # for the report's merge of the two
    write_report(run_dir / "schutzbericht.md", config, candidate.run_id, truth_aligned, log_aligned,
                 outcome.passed, len(outcome.at_risk), problems, no_data=no_data, coverage=_coverage(candidate))
    outcome.report = out / "audit.json"
    outcome.report.write_text(
        json.dumps({**outcome.summary(), "problem_list": problems}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    return outcome


def _coverage(candidate: Candidate) -> dict[tuple[str, int], tuple[int, int]]:
    """How much of the finest level shows a value, per indicator-year: the start page's figure, for the report."""
    with connect(candidate.mart, read_only=True, spatial=False) as con:
        return read_finest_coverage(con)


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
    # before the switch: a crash errs on caution; with the release's pattern, for the audits of later releases
    ledger.record(ws.ledger, candidate.run_id, candidate.mart, true_values(ws))
    candidate.mark_complete(report)
    switch(candidate)
    return prune(ws, config.keep_releases)
