"""Run the SQL models in ``sql/``: each ``.sql`` file is one ``select`` that becomes a table.

Layers run in order (staging → intermediate); inside a layer, a model runs after the models it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parents[3] / "sql"
WAREHOUSE_LAYERS = ("staging", "intermediate")


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


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
        con.execute(f"create or replace table {model.name} as {model.sql}")
        counts[model.name] = con.execute(f"select count(*) from {model.name}").fetchone()[0]
    return counts


def read_sql(relative: str, sql_dir: Path = SQL_DIR) -> str:
    """The text of one SQL file, e.g. ``read_sql('release/mart_schema.sql')``."""
    return (sql_dir / relative).read_text(encoding="utf-8")
