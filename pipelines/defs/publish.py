"""Publish: exports, the independent audit of the whole candidate, and the atomic switch."""


from dataclasses import replace

import dagster as dg

from pipelines.defs.analysis import ANALYSIS
from pipelines.defs.dashboards import release_dashboards
from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib import unchanged
from pipelines.lib.run_failure import audit_text
from pipelines.lib.run_summary import summary_of_run
from pipelines.lib.stages import publish
from pipelines.lib.ui_labels import ui_metadata


@dg.asset(group_name="freigabe", kinds={"parquet"}, deps=ANALYSIS,
          description="Die veröffentlichten Tabellen der neuen Freigabe als Dateien (Parquet und CSV) zum "
                      "Weiterverarbeiten.")
def release_exports(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    candidate = sozialmonitor.run_candidate(context)
    with step("exports"):
        written = publish.exports(candidate)
    return dg.MaterializeResult(metadata=ui_metadata({"release": candidate.run_id, "files": [p.name for p in written]}))


@dg.asset(group_name="freigabe", kinds={"duckdb"}, deps=[release_exports, release_dashboards],
          description="Die vollständige neue Freigabe (Datenbank, Dateien, Website), bevor sie geprüft wird.")
def candidate_release(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    candidate = sozialmonitor.run_candidate(context)
    missing = [name for name, path in (("Export", candidate.exports), ("Dashboards", candidate.site))
               if not path.exists()]
    if missing:
        raise dg.Failure(description=f"Der Kandidat {candidate.run_id} ist unvollständig ({', '.join(missing)} "
                         "fehlt): die ganze Pipeline in einem Lauf ausführen.", allow_retries=False)
    return dg.MaterializeResult(metadata=ui_metadata({"release": candidate.run_id}))


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
    metadata = ui_metadata({**outcome.summary(), "report": dg.MetadataValue.path(str(outcome.report))})
    yield dg.AssetCheckResult(
        passed=outcome.passed, metadata=metadata,
        description=None if outcome.passed else
        f"Freigabe gestoppt: {len(outcome.at_risk)} gefährdete Zellen, {len(outcome.problems)} weitere Probleme.",
    )
    if not outcome.passed:
        raise dg.Failure(description=audit_text(len(outcome.at_risk), len(outcome.problems), ws.audit_dir),
                         metadata=metadata, allow_retries=False)


@dg.asset(group_name="freigabe", kinds={"duckdb"}, deps=[candidate_release],
          description="Die gültige Freigabe, die Fachleute und Ausschüsse sehen (data_marts/sozialmonitor.duckdb, "
                      "dashboards/): die geprüfte neue Freigabe wird in einem Schritt umgeschaltet.")
def current_release(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    ws = sozialmonitor.workspace
    config = sozialmonitor.config()
    candidate = sozialmonitor.run_candidate(context)
    with step("switch release"):
        pruned = publish.switch_on(ws, config, candidate)
        unchanged.record_success(ws, candidate.run_id)
    # the run's summary, from the events of its earlier steps: the last asset of the run shows it
    summary = replace(summary_of_run(context.instance, context.run.run_id, ok=True), release=candidate.run_id)
    return dg.MaterializeResult(metadata=ui_metadata({
        "summary": dg.MetadataValue.text(summary.sentence()), "release": candidate.run_id,
        "mart": dg.MetadataValue.path(str(ws.mart)), "pruned_releases": len(pruned)}))
