"""Analysis: rates, benchmarks, need index, hot spots, offer coverage and allocation, each a table of the
candidate mart computed from its published figures only."""


import dagster as dg

from pipelines.defs.progress import step
from pipelines.defs.protection import protected_mart
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib.analysis import stage


def _run(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource, name: str, fn) -> dg.MaterializeResult:
    """One analysis step on the candidate release of this run (never on another run's release)."""
    candidate = sozialmonitor.run_candidate(context)
    with step(name):
        result = fn(candidate.mart, sozialmonitor.config())
    return dg.MaterializeResult(metadata={"release": candidate.run_id, **result})


@dg.asset(group_name="analysis", kinds={"python", "duckdb"}, deps=[protected_mart],
          description="Rates and 95 % intervals of published values, written into the candidate mart.")
def indicator_rates(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "analysis", stage.analyse_rates)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"}, deps=[indicator_rates],
          description="Each value against the city and the parent district; change over two years.")
def indicator_benchmarks(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "benchmarks", stage.analyse_benchmarks)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"}, deps=[indicator_rates],
          description="Need index (Handlungsbedarf): status, dynamics, special need, weight sensitivity.")
def need_index(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "need index", stage.analyse_need_index)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"}, deps=[need_index],
          description="Hot spots: local Moran's I (empirical Bayes rates, need index), FDR-corrected.")
def hotspots(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "hot spots", stage.analyse_hotspots)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"}, deps=[need_index],
          description="Offers per 1,000 children, supply gaps, distance to the nearest offer.")
def offer_coverage(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "offer coverage", stage.analyse_offers)


@dg.asset(group_name="analysis", kinds={"python", "duckdb"}, deps=[need_index],
          description="Needs-based allocation of the budget, beside a per-capita split.")
def allocation(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "allocation", stage.analyse_allocation)


# every analysis table of the candidate mart: exports and dashboards start after all of them
ANALYSIS = [indicator_benchmarks, hotspots, offer_coverage, allocation]
