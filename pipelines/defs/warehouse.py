"""Warehouse: aggregate counts bottom-up along the district hierarchy with the SQL models."""


import dagster as dg

from pipelines.defs.ingest import MAX_LISTED, findings_markdown, raw_inputs
from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib.run_failure import findings_text
from pipelines.lib.stages import warehouse
from pipelines.lib.ui_labels import ui_metadata
from pipelines.lib.warehouse.consistency import affected_districts


@dg.asset(group_name="datenbestand", kinds={"duckdb", "sql"}, deps=[raw_inputs],
          description="Fallzahlen jedes Indikators für jedes Gebiet auf jeder Ebene, von den kleinsten Gebieten "
                      "aufwärts summiert (geschützt, nicht veröffentlicht).")
def core_indicator_cells(sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    with step("aggregate hierarchy"):
        summary = warehouse.run(sozialmonitor.workspace)
    return dg.MaterializeResult(metadata=ui_metadata({f"rows_{k}": v for k, v in summary.row_counts.items()}))


@dg.asset_check(asset=core_indicator_cells, blocking=False,
                description="Jeder Planungsraum hat Daten für jeden Indikator und jedes Jahr.")
def districts_covered(sozialmonitor: WorkspaceResource) -> dg.AssetCheckResult:
    gaps = warehouse.coverage_gaps(sozialmonitor.workspace)
    return dg.AssetCheckResult(
        passed=gaps.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata=ui_metadata({"gaps": len(gaps), "examples": dg.MetadataValue.md(gaps.head(20).to_markdown(index=False))
                              if len(gaps) else "keine"}),
    )


@dg.asset_check(asset=core_indicator_cells, blocking=True,
                description="Die Quoten sind plausibel und verknüpfte Indikatoren stimmig (Teilmengen, Summen, "
                            "Nenner); sonst hält der Lauf an und nichts wird veröffentlicht.")
def inputs_consistent(sozialmonitor: WorkspaceResource):
    findings, report = warehouse.consistency(sozialmonitor.workspace)
    districts = affected_districts(findings)
    # the UI has no login: how many problems and where, never a count of the warehouse (those stay in the report)
    metadata = ui_metadata({"errors": len(findings), "districts_affected": len(districts),
                            "districts": ", ".join(districts[:MAX_LISTED]) or "keine",
                            "findings": dg.MetadataValue.md(findings_markdown(findings)),
                            "report": dg.MetadataValue.path(str(report))})
    yield dg.AssetCheckResult(
        passed=not findings, metadata=metadata,
        description=(f"{len(findings)} Widersprüche in den Eingabedaten, {len(districts)} "
                     f"{'Gebiet' if len(districts) == 1 else 'Gebiete'} betroffen – Bericht: {report}")
        if findings else None,
    )
    if findings:
        raise dg.Failure(description=findings_text("Eingabedaten widersprüchlich", findings,
                                                   report.with_suffix(".txt")),
                         metadata=metadata, allow_retries=False)
