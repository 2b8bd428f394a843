"""Publish: exports, the independent audit of the whole candidate, and the atomic switch."""


import dagster as dg

from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib import unchanged
from pipelines.lib.run_failure import audit_text
from pipelines.lib.stages import publish


@dg.asset(group_name="publish", kinds={"parquet"}, description="Parquet exports of the candidate mart.")
def release_exports(sozialmonitor: WorkspaceResource, analysis_tables: str) -> dg.Output[str]:
    candidate = sozialmonitor.candidate(analysis_tables)
    with step("exports"):
        written = publish.exports(candidate)
    return dg.Output(candidate.run_id, metadata={"files": [p.name for p in written]})


@dg.asset(group_name="publish", kinds={"duckdb"},
          description="The complete candidate release (mart, exports, dashboards), waiting for its audit.")
def candidate_release(release_exports: str, release_dashboards: str) -> dg.Output[str]:
    if release_exports != release_dashboards:
        raise dg.Failure(f"Export ({release_exports}) und Dashboards ({release_dashboards}) gehören zu "
                         "verschiedenen Kandidaten: die ganze Pipeline in einem Lauf ausführen.")
    return dg.Output(release_exports, metadata={"release": release_exports})


@dg.asset_check(asset=candidate_release, blocking=True,
                description="Unabhängige Prüfung: kein geheimgehaltener Wert lässt sich erschließen.")
def release_audit(sozialmonitor: WorkspaceResource, candidate_release: str):
    ws = sozialmonitor.workspace
    with step("audit release") as log:
        outcome = publish.run_audit(ws, sozialmonitor.config(), sozialmonitor.candidate(candidate_release))
        if not outcome.passed:
            log.warning("%-22s %d cells at risk, %d problems: nothing is published", "", len(outcome.at_risk),
                        len(outcome.problems))
    metadata = {**outcome.summary(), "report": dg.MetadataValue.path(str(outcome.report))}
    yield dg.AssetCheckResult(
        passed=outcome.passed, metadata=metadata,
        description=None if outcome.passed else
        f"Freigabe gestoppt: {len(outcome.at_risk)} gefährdete Zellen, {len(outcome.problems)} weitere Probleme.",
    )
    if not outcome.passed:
        raise dg.Failure(description=audit_text(len(outcome.at_risk), len(outcome.problems), ws.audit_dir),
                         metadata=metadata, allow_retries=False)


@dg.asset(group_name="publish", kinds={"duckdb"},
          description="The release analysts and committees see: data_marts/sozialmonitor.duckdb, dashboards/.")
def current_release(sozialmonitor: WorkspaceResource, candidate_release: str) -> dg.MaterializeResult:
    ws = sozialmonitor.workspace
    config = sozialmonitor.config()
    candidate = sozialmonitor.candidate(candidate_release)
    with step("switch release"):
        pruned = publish.switch_on(ws, config, candidate)
        unchanged.record_success(ws, candidate.run_id)
    return dg.MaterializeResult(metadata={"release": candidate.run_id, "mart": dg.MetadataValue.path(str(ws.mart)),
                                          "pruned_releases": len(pruned)})
