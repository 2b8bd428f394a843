"""The published mart's schema: the one source of truth for its DDL, the data dictionary and the catalogue.

Each group of published tables lives in its own module and is listed in ``GROUPS``; a stage that adds
tables to the mart describes them in a new module (tables as :class:`Table` with German column
descriptions), adds it here, creates them with :func:`create_statements` of its group, bumps
``SCHEMA_VERSION`` and updates ``tests/mart_schema_snapshot.json`` (``python -m
pipelines.lib.release.schema --snapshot``). Everything else — the ``data_dictionary`` table, the page
``datenkatalog.html``, every export and the audit's export check — follows from this registry.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipelines.lib.release.schema import analysis, core, public, views
from pipelines.lib.release.schema.model import KIND_LABELS, TABLE, VIEW, Column, IndicatorColumn, Table

SCHEMA_VERSION = 4

# group -> tables, in the order they are created and documented. write_mart creates "core" and "views";
# "public" (sql/release/public_tables.sql) and "analysis" (sql/release/analysis_schema.sql) are created by
# the protection and analysis stages; a test compares every published table of a real mart with this registry.
GROUPS: dict[str, tuple[Table, ...]] = {
    "core": core.TABLES,
    "public": public.TABLES,
    "analysis": analysis.TABLES,
    "views": views.VIEWS,
}

__all__ = [
    "GROUPS",
    "SCHEMA_VERSION",
    "TABLE",
    "VIEW",
    "Column",
    "IndicatorColumn",
    "Table",
    "create_statements",
    "dictionary_rows",
    "published",
    "published_tables",
    "published_views",
    "snapshot",
    "static_ddl",
    "table",
]


def published() -> tuple[Table, ...]:
    """Every published table and view, in registry order."""
    return tuple(t for group in GROUPS.values() for t in group)


def published_tables() -> tuple[Table, ...]:
    return tuple(t for t in published() if t.kind == TABLE)


def published_views() -> tuple[Table, ...]:
    return tuple(t for t in published() if t.kind == VIEW)


def table(name: str) -> Table:
    for t in published():
        if t.name == name:
            return t
    raise KeyError(f"{name} is not a published table")


def _create_table(t: Table) -> str:
    keys = t.keys
    lines = []
    for col in t.columns:
        line = f"    {col.name} {col.type.lower()}"
        if len(keys) == 1 and col.key:
            line += " primary key"
        elif not col.nullable and not col.key:
            line += " not null"
        lines.append(line)
    if len(keys) > 1:
        lines.append(f"    primary key ({', '.join(keys)})")
    return f"create table {t.name} (\n" + ",\n".join(lines) + "\n);\n"


def _create_view(t: Table, indicators: Sequence[IndicatorColumn]) -> str:
    query = t.query(indicators) if callable(t.query) else t.query
    return f"create view {t.name} as\n{query};\n"


def create_statements(tables: Sequence[Table], indicators: Sequence[IndicatorColumn] | None = None) -> str:
    """DDL for ``tables``; views whose columns depend on the indicators need ``indicators``."""
    parts = []
    for t in tables:
        if t.kind == TABLE:
            parts.append(_create_table(t))
        elif t.is_dynamic and indicators is None:
            raise ValueError(f"view {t.name} needs the release's indicators")
        else:
            parts.append(_create_view(t, indicators or ()))
    return "\n".join(parts)


STATIC_DDL_HEADER = (
    "-- The published mart (protected figures only). Every table carries the run id of its release.\n"
    "-- GENERATED from pipelines/lib/release/schema (the data dictionary); do not edit by hand:\n"
    "--   python -m pipelines.lib.release.schema --ddl > sql/release/mart_schema.sql\n"
    "-- v_district_wide (one column per indicator) is created by write_mart from the release's catalogue.\n\n"
)


def static_ddl() -> str:
    """The core tables and the views that do not depend on the indicators (sql/release/mart_schema.sql)."""
    tables = [t for t in GROUPS["core"] + GROUPS["views"] if not t.is_dynamic]
    return STATIC_DDL_HEADER + create_statements(tables)


def dictionary_rows(indicators: Sequence[IndicatorColumn], run_id: str) -> list[dict]:
    """The rows of the ``data_dictionary`` table for a release with ``indicators``."""
    rows = []
    for t in published():
        for position, col in enumerate(t.indicator_columns(indicators), start=1):
            rows.append({
                "table_name": t.name,
                "table_kind": KIND_LABELS[t.kind],
                "table_description": t.description,
                "column_position": position,
                "column_name": col.name,
                "data_type": col.type,
                "is_key": col.key,
                "nullable": col.nullable and not col.key,
                "unit": col.unit,
                "allowed_values": " | ".join(col.values) if col.values else None,
                "description": col.description,
                "run_id": run_id,
            })
    return rows


def snapshot() -> dict:
    """The schema contract (without descriptions): what may not change without a ``SCHEMA_VERSION`` bump."""
    tables = {}
    for t in sorted(published(), key=lambda t: t.name):
        columns = [*t.columns, *((t.per_indicator,) if t.per_indicator is not None else ())]
        tables[t.name] = {"kind": t.kind, "order_by": list(t.sort_columns),
                          "columns": [_contract(c) for c in columns]}
    return {"schema_version": SCHEMA_VERSION, "tables": tables}


def _contract(c: Column) -> str:
    """One column as a line of the snapshot, e.g. ``status VARCHAR not null values=a|b``."""
    text = f"{c.name} {c.type}" + (" key" if c.key else "") + ("" if c.nullable or c.key else " not null")
    return text + (" values=" + "|".join(c.values) if c.values else "")
