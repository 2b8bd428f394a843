"""Dashboards: the committee site of the candidate release, built from its mart only."""


import dagster as dg

from pipelines.defs.analysis import ANALYSIS
from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib.stages import publish


@dg.asset(group_name="dashboards", kinds={"html"}, deps=ANALYSIS,
          description="Choropleth maps of every indicator (candidate release, offline).")
def release_dashboards(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    candidate = sozialmonitor.run_candidate(context)
    with step("dashboards"):
        publish.dashboards(candidate, sozialmonitor.config())
    pages = sorted(p.relative_to(candidate.site).as_posix() for p in candidate.site.rglob("*.html"))
    return dg.MaterializeResult(metadata={"release": candidate.run_id, "pages": len(pages), "site": dg.MetadataValue.path(str(candidate.site))})
