"""Dashboards: the committee site of the candidate release, built from its mart only."""


import dagster as dg

from pipelines.defs.analysis import ANALYSIS
from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib.stages import publish
from pipelines.lib.ui_labels import ui_metadata


@dg.asset(group_name="website", kinds={"html"}, deps=ANALYSIS,
          description="Die Website für die Ausschüsse: Karten, Steckbriefe, Auswertungen, Vergleich und Suche "
                      "der neuen Freigabe, offline lesbar.")
def release_dashboards(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    candidate = sozialmonitor.run_candidate(context)
    with step("dashboards"):
        publish.dashboards(candidate, sozialmonitor.config())
    pages = sorted(p.relative_to(candidate.site).as_posix() for p in candidate.site.rglob("*.html"))
    return dg.MaterializeResult(metadata=ui_metadata({"release": candidate.run_id, "pages": len(pages),
                                                  "site": dg.MetadataValue.path(str(candidate.site))}))
