"""Run the SQL models in ``sql/``: each ``.sql`` file is one ``select`` that becomes a table.

Layers run in order (staging → intermediate); inside a layer, a model runs after the models it names.
A model whose text holds the line ``-- materialise: view`` becomes a view instead (a plain renaming
of a raw table: copying ten million rows would only cost time).

Tables with ``HUGEINT`` columns (sums of counts) are written without bit-packing: DuckDB reads
bit-packed ``HUGEINT`` about a hundred times slower than plain ones (seconds per column and scan at
national scale), and every later stage reads these tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parents[3] / "sql"
WAREHOUSE_LAYERS = ("staging", "intermediate")
VIEW_MARK = "-- materialise: view"


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def is_view(self) -> bool:
        return VIEW_MARK in self.sql.splitlines()


def discover(layers: tuple[str, ...] = WAREHOUSE_LAYERS, sql_dir: Path = SQL_DIR) -> list[Model]:
    """All models of the given layers, in an order that respects their references."""
    ordered: list[Model] = []
    for layer in layers:
        models = {p.stem: Model(p.stem, layer, p) for p in sorted((sql_dir / layer).glob("*.sql"))}
        graph = {
            name: {other for other in models if other != name and re.search(rf"\b{other}\b", m.sql)}
            for name, m in models.items()
        }
        ordered.extend(models[name] for name in TopologicalSorter(graph).static_order())
    return ordered


def run_models(con: duckdb.DuckDBPyConnection, models: list[Model] | None = None) -> dict[str, int]:
    """Materialise every model as a table; return the row count of each."""
    counts: dict[str, int] = {}
    for model in models if models is not None else discover():
        materialise(con, model)
        counts[model.name] = con.execute(f"select count(*) from {model.name}").fetchone()[0]
    return counts


def materialise(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Create the model's table (or view), replacing an older one."""
    sql = model.sql
    if model.is_view:
        con.execute(f"create or replace view {model.name} as {sql}")
        return
    wide = any(str(t) == "HUGEINT" for t in con.sql(sql).types)
    if wide:
        con.execute("set disabled_compression_methods = 'bitpacking'")
    try:
        con.execute(f"create or replace table {model.name} as {sql}")
    finally:
        if wide:
            con.execute("reset disabled_compression_methods")


def read_sql(relative: str, sql_dir: Path = SQL_DIR) -> str:
    """The text of one SQL file, e.g. ``read_sql('release/mart_schema.sql')``."""
    return (sql_dir / relative).read_text(encoding="utf-8")
