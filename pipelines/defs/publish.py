"""Publish: exports, the independent audit of the whole candidate, and the atomic switch."""


import dagster as dg

from pipelines.defs.analysis import ANALYSIS
from pipelines.defs.dashboards import release_dashboards
from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib import unchanged
from pipelines.lib.run_failure import audit_text
from pipelines.lib.stages import publish


@dg.asset(group_name="publish", kinds={"parquet"}, deps=ANALYSIS,
          description="Parquet exports of the candidate mart.")
def release_exports(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    candidate = sozialmonitor.run_candidate(context)
    with step("exports"):
        written = publish.exports(candidate)
    return dg.MaterializeResult(metadata={"release": candidate.run_id, "files": [p.name for p in written]})


@dg.asset(group_name="publish", kinds={"duckdb"}, deps=[release_exports, release_dashboards],
          description="The complete candidate release (mart, exports, dashboards), waiting for its audit.")
def candidate_release(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    candidate = sozialmonitor.run_candidate(context)
    missing = [name for name, path in (("Export", candidate.exports), ("Dashboards", candidate.site))
               if not path.exists()]
    if missing:
        raise dg.Failure(description=f"Der Kandidat {candidate.run_id} ist unvollständig ({', '.join(missing)} "
                         "fehlt): die ganze Pipeline in einem Lauf ausführen.", allow_retries=False)
    return dg.MaterializeResult(metadata={"release": candidate.run_id})


@dg.asset_check(asset=candidate_release, blocking=True,
                description="Unabhängige Prüfung: kein geheimgehaltener Wert lässt sich erschließen.")
def release_audit(context: dg.AssetCheckExecutionContext, sozialmonitor: WorkspaceResource):
    ws = sozialmonitor.workspace
    candidate = sozialmonitor.run_candidate(context)
    with step("audit release") as log:
        outcome = publish.run_audit(ws, sozialmonitor.config(), candidate)
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


@dg.asset(group_name="publish", kinds={"duckdb"}, deps=[candidate_release],
          description="The release analysts and committees see: data_marts/sozialmonitor.duckdb, dashboards/.")
def current_release(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    ws = sozialmonitor.workspace
    config = sozialmonitor.config()
    candidate = sozialmonitor.run_candidate(context)
    with step("switch release"):
        pruned = publish.switch_on(ws, config, candidate)
        unchanged.record_success(ws, candidate.run_id)
    return dg.MaterializeResult(metadata={"release": candidate.run_id, "mart": dg.MetadataValue.path(str(ws.mart)),
                                          "pruned_releases": len(pruned)})
