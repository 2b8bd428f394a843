"""Analysis: rates, benchmarks, need index, hot spots, offer coverage and allocation, each a table of the
candidate mart computed from its published figures only."""


import dagster as dg

from pipelines.defs.progress import step
from pipelines.defs.protection import protected_mart
from pipelines.defs.resources import WorkspaceResource
from pipelines.lib.analysis import stage
from pipelines.lib.ui_labels import ui_metadata


def _run(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource, name: str, fn) -> dg.MaterializeResult:
    """One analysis step on the candidate release of this run (never on another run's release)."""
    candidate = sozialmonitor.run_candidate(context)
    with step(name):
        result = fn(candidate.mart, sozialmonitor.config())
    return dg.MaterializeResult(metadata=ui_metadata({"release": candidate.run_id, **result}))


@dg.asset(group_name="auswertungen", kinds={"python", "duckdb"}, deps=[protected_mart],
          description="Quoten mit 95-%-Vertrauensintervall, nur aus veröffentlichten Werten, in der neuen Freigabe.")
def indicator_rates(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "analysis", stage.analyse_rates)


@dg.asset(group_name="auswertungen", kinds={"python", "duckdb"}, deps=[indicator_rates],
          description="Vergleich jedes Werts mit der Stadt und dem übergeordneten Gebiet; Veränderung über zwei Jahre.")
def indicator_benchmarks(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "benchmarks", stage.analyse_benchmarks)


@dg.asset(group_name="auswertungen", kinds={"python", "duckdb"}, deps=[indicator_rates],
          description="Handlungsbedarfsindex je Gebiet: Statusklasse, Dynamik, besonderer Handlungsbedarf und wie stark "
                      "das Ergebnis von den Gewichten abhängt.")
def need_index(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "need index", stage.analyse_need_index)


@dg.asset(group_name="auswertungen", kinds={"python", "duckdb"}, deps=[need_index],
          description="Räumliche Schwerpunkte: wo sich hohe oder niedrige Werte häufen (lokales Moran’s I, für viele "
                      "Tests korrigiert).")
def hotspots(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "hot spots", stage.analyse_hotspots)


@dg.asset(group_name="auswertungen", kinds={"python", "duckdb"}, deps=[need_index],
          description="Versorgung mit Angeboten: Angebote je 1.000 Kinder, Versorgungslücken, Weg zum nächsten Angebot.")
def offer_coverage(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "offer coverage", stage.analyse_offers)


@dg.asset(group_name="auswertungen", kinds={"python", "duckdb"}, deps=[need_index],
          description="Bedarfsgerechte Verteilung des Budgets auf die Gebiete, neben einer Verteilung nur nach Kopfzahl.")
def allocation(context: dg.AssetExecutionContext, sozialmonitor: WorkspaceResource) -> dg.MaterializeResult:
    return _run(context, sozialmonitor, "allocation", stage.analyse_allocation)


# every analysis table of the candidate mart: exports and dashboards start after all of them
ANALYSIS = [indicator_benchmarks, hotspots, offer_coverage, allocation]
