"""Warehouse stage: aggregate counts along the district hierarchy (SQL models in ``sql/``)."""

from __future__ import annotations

import pandas as pd

from pipelines.lib.duck import connect
from pipelines.lib.warehouse.load import WarehouseSummary, build_models
from pipelines.lib.workspace import Workspace


def run(ws: Workspace) -> WarehouseSummary:
    return build_models(ws.warehouse)


def coverage_gaps(ws: Workspace) -> pd.DataFrame:
    """Smallest districts lacking rows for an indicator-year that other districts have."""
    with connect(ws.warehouse, read_only=True) as con:
        return con.execute("select * from int_coverage_gaps").df()


def implausible_values(ws: Workspace) -> pd.DataFrame:
    """Cells whose rate lies outside the plausible range of its unit."""
    with connect(ws.warehouse, read_only=True) as con:
        return con.execute("select * from int_implausible_values").df()
