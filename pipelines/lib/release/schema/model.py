"""The building blocks of the published schema: a column and a table (or view) with German documentation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

TABLE, VIEW = "table", "view"
KIND_LABELS = {TABLE: "Tabelle", VIEW: "Sicht"}


@dataclass(frozen=True)
class Column:
    """One published column.

    ``type`` is the DuckDB type as ``information_schema.columns.data_type`` reports it (upper case).
    ``description`` is German; ``unit`` and ``values`` (the allowed values) are documentation and part of
    the contract: changing them changes the schema.
    """

    name: str
    type: str
    description: str
    nullable: bool = True
    key: bool = False
    unit: str | None = None
    values: tuple[str, ...] = ()

    def ddl(self) -> str:
        return f"{self.name} {self.type.lower()}" + ("" if self.nullable or self.key else " not null")


@dataclass(frozen=True)
class IndicatorColumn:
    """One indicator as a column of a wide view: its id (the column name), label and unit label."""

    indicator_id: str
    label: str
    unit_label: str


@dataclass(frozen=True)
class Table:
    """A published table or view.

    ``order_by``: the row order of every export (defaults to the key columns). A view gives its
    ``query``: a select statement, or a function of the release's indicators for views with one column
    per indicator (``per_indicator`` then documents those columns, which follow ``columns``).
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    kind: str = TABLE
    order_by: tuple[str, ...] = ()
    query: str | Callable[[Sequence[IndicatorColumn]], str] | None = None
    per_indicator: Column | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    @property
    def sort_columns(self) -> tuple[str, ...]:
        return self.order_by or self.keys or (self.columns[0].name,)

    @property
    def is_dynamic(self) -> bool:
        """True for a view whose columns depend on the release's indicators."""
        return callable(self.query)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name}")

    def indicator_columns(self, indicators: Sequence[IndicatorColumn]) -> tuple[Column, ...]:
        """The documented columns of this table in a release with ``indicators`` (in their order)."""
        if self.per_indicator is None:
            return self.columns
        template = self.per_indicator
        extra = tuple(
            Column(i.indicator_id, template.type, template.description.format(label=i.label, unit=i.unit_label),
                   nullable=template.nullable, unit=i.unit_label)
            for i in indicators
        )
        return self.columns + extra
