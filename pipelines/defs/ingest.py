"""Ingest: validate every input file and load the raw counts into the private warehouse."""


import json

import dagster as dg

from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib.findings import Finding
from pipelines.lib.run_failure import findings_text
from pipelines.lib.stages import ingest
from pipelines.lib.ui_labels import ui_metadata

MAX_LISTED = 50


def findings_markdown(findings: list[Finding]) -> str:
    """Findings as a table for the Dagster UI (no login): where and what, never the cell's value — a value
    of a count file is a raw count; it stays in the report in data_private/."""
    rows = ["| Code | Datei | Zeile | Spalte | Meldung |", "|---|---|---|---|---|"]
    for f in findings[:MAX_LISTED]:
        cells = [f.code, f.file, "" if f.row is None else str(f.row), f.column or "", f"{f.message}. {f.hint}"]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if len(findings) > MAX_LISTED:
        rows.append(f"| … | {len(findings) - MAX_LISTED} weitere Meldungen im Bericht | | | |")
    return "\n".join(rows)


@dg.asset(group_name="eingabedaten", kinds={"python", "duckdb"},
          description="Liest und prüft jede Eingabedatei in data_raw/ und lädt sie in den geschützten "
                      "Datenbestand (data_private/).")
def raw_inputs(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    ws = sozialmonitor.workspace
    with step("validate inputs") as log:
        outcome = ingest.run(ws, sozialmonitor.config())
        log.info("%-22s %d errors, %d warnings", "", len(outcome.errors), len(outcome.findings) - len(outcome.errors))
    for f in outcome.errors:
        context.log.error(f.render(with_value=False))  # the UI's log: the value stays in the report
    return dg.MaterializeResult(
        metadata=ui_metadata({
            "files_checked": outcome.files,
            "errors": len(outcome.errors),
            "warnings": len(outcome.findings) - len(outcome.errors),
            "report": dg.MetadataValue.path(str(outcome.report)),
            **{f"rows_{k}": v for k, v in outcome.row_counts.items()},
        })
    )


@dg.asset_check(asset=raw_inputs, blocking=True, description="Alle Eingabedateien sind fehlerfrei; sonst hält der Lauf an und nichts wird "
                            "veröffentlicht.")
def inputs_valid(sozialmonitor: WorkspaceResource):
    """Passes without errors; otherwise records the failed check and fails the run with the German findings."""
    report = sozialmonitor.workspace.validation_report
    findings = [Finding(**d) for d in json.loads(report.read_text(encoding="utf-8"))]
    errors = [f for f in findings if f.severity == "error"]
    metadata = ui_metadata({
        "errors": len(errors),
        "findings": dg.MetadataValue.md(findings_markdown(errors or findings)),
        "report": dg.MetadataValue.path(str(report)),
    })
    yield dg.AssetCheckResult(
        passed=not errors, metadata=metadata,
        description=(f"{len(errors)} Fehler in den Eingabedaten – Bericht: {report}" if errors else "Keine Fehler."),
    )
    if errors:
        raise dg.Failure(description=findings_text("Eingabedaten fehlerhaft", errors, report.with_suffix(".txt")),
                         metadata=metadata, allow_retries=False)
