"""Analysis: rates, benchmarks, need index, hot spots, offer coverage and allocation, each a table of the
candidate mart computed from its published figures only."""


import dagster as dg

from pipelines.defs.progress import step
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib.analysis import stage


def _run(sozialmonitor: WorkspaceResource, run_id: str, name: str, fn) -> dg.Output[str]:
    candidate = sozialmonitor.candidate(run_id)
    with step(name):
        result = fn(candidate.mart, sozialmonitor.config())
    return dg.Output(candidate.run_id, metadata=result)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"},
          description="Rates and 95 % intervals of published values, written into the candidate mart.")
def indicator_rates(sozialmonitor: WorkspaceResource, protected_mart: str) -> dg.Output[str]:
    return _run(sozialmonitor, protected_mart, "analysis", stage.analyse_rates)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"},
          description="Each value against the city and the parent district; change over two years.")
def indicator_benchmarks(sozialmonitor: WorkspaceResource, indicator_rates: str) -> dg.Output[str]:
    return _run(sozialmonitor, indicator_rates, "benchmarks", stage.analyse_benchmarks)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"},
          description="Need index (Handlungsbedarf): status, dynamics, special need, weight sensitivity.")
def need_index(sozialmonitor: WorkspaceResource, indicator_rates: str) -> dg.Output[str]:
    return _run(sozialmonitor, indicator_rates, "need index", stage.analyse_need_index)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"},
          description="Hot spots: local Moran's I (empirical Bayes rates, need index), FDR-corrected.")
def hotspots(sozialmonitor: WorkspaceResource, need_index: str) -> dg.Output[str]:
    return _run(sozialmonitor, need_index, "hot spots", stage.analyse_hotspots)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"},
          description="Offers per 1,000 children, supply gaps, distance to the nearest offer.")
def offer_coverage(sozialmonitor: WorkspaceResource, need_index: str) -> dg.Output[str]:
    return _run(sozialmonitor, need_index, "offer coverage", stage.analyse_offers)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"},
          description="Needs-based allocation of the budget, beside a per-capita split.")
def allocation(sozialmonitor: WorkspaceResource, need_index: str) -> dg.Output[str]:
    return _run(sozialmonitor, need_index, "allocation", stage.analyse_allocation)


@dg.asset(group_name="analysis", kinds={"duckdb"},
          description="Every analysis table of the candidate mart exists (exports and dashboards start here).")
def analysis_tables(indicator_benchmarks: str, hotspots: str, offer_coverage: str, allocation: str) -> dg.Output[str]:
    ids = {indicator_benchmarks, hotspots, offer_coverage, allocation}
    if len(ids) != 1:
        raise dg.Failure(f"analysis tables belong to different candidates {sorted(ids)}: "
                         "materialize the whole pipeline in one run")
    return dg.Output(indicator_benchmarks, metadata={"release": indicator_benchmarks})
