"""Analysis: rates and confidence intervals from the published figures of the candidate."""


import dagster as dg

from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib.analysis.stage import analyse_candidate


@dg.asset(group_name="analysis", kinds={"python", "duckdb"},
          description="Rates and 95 % intervals of published values, written into the candidate mart.")
def indicator_rates(sozialmonitor: WorkspaceResource, protected_mart: str) -> dg.Output[str]:
    candidate = sozialmonitor.candidate(protected_mart)
    with step("analysis"):
        result = analyse_candidate(candidate.mart, sozialmonitor.config())
    return dg.Output(candidate.run_id, metadata=result)
