"""Views for the common questions: the latest year per indicator, a wide table per district, time series.

Views reference published tables only and are stored as SQL in the mart, so they work read-only.
``v_district_wide`` has one column per indicator of the release; its SQL is generated from the catalogue
(columns in indicator-id order).
"""

from __future__ import annotations

from collections.abc import Sequence

from pipelines.lib.release.schema.core import DERIVED_TEXT, RUN_ID, STATUSES
from pipelines.lib.release.schema.model import VIEW, Column, IndicatorColumn, Table

_LATEST_YEARS = "select indicator_id, max(year) as year from indicator_values group by indicator_id"


def _indicator_and_district(prefix: str = "") -> tuple[Column, ...]:
    return (
        Column("indicator_id", "VARCHAR", "Kennung des Indikators.", nullable=False),
        Column("indicator_label", "VARCHAR", "Bezeichnung des Indikators.", nullable=False),
        Column("unit_label", "VARCHAR", "Einheit der Werte.", nullable=False),
        Column("district_id", "VARCHAR", "Gebietsschlüssel.", nullable=False),
        Column("district_name", "VARCHAR", "Name des Gebiets.", nullable=False),
        Column("level", "VARCHAR", "Kennung der Gebietsebene.", nullable=False),
        Column("level_rank", "INTEGER", "Rang der Ebene (0 = ganze Stadt).", nullable=False),
        Column("year", "INTEGER", prefix + "Berichtsjahr.", nullable=False),
    )


_VALUE_COLUMNS = (
    Column("numerator", "BIGINT", "Zähler; leer, wenn nicht veröffentlicht.", unit="Personen"),
    Column("denominator", "BIGINT", "Nenner; leer, wenn nicht veröffentlicht.", unit="Personen"),
    Column("rate", "DOUBLE", "Wert in der Einheit unit_label; leer, wenn nicht veröffentlicht.",
           unit="unit_label"),
    Column("ci_low", "DOUBLE", "Untere Grenze des 95-%-Konfidenzintervalls.", unit="unit_label"),
    Column("ci_high", "DOUBLE", "Obere Grenze des 95-%-Konfidenzintervalls.", unit="unit_label"),
    Column("status", "VARCHAR", "Status der Zelle (siehe indicator_values.status).", nullable=False,
           values=STATUSES),
    Column("is_derived", "BOOLEAN", DERIVED_TEXT, nullable=False),
)

_SELECT_VALUES = """select v.indicator_id, i.label as indicator_label, i.unit_label, v.district_id,
       d.name as district_name, d.level, d.level_rank, v.year, v.numerator, v.denominator, v.rate,
       v.ci_low, v.ci_high, v.status, v.is_derived"""

_JOINS = """join indicators i on i.indicator_id = v.indicator_id
join districts d on d.district_id = v.district_id"""

LATEST_VALUES = Table(
    "v_latest_values",
    "Neuestes Jahr je Indikator: alle Gebiete mit Wert, Intervall und Status, dazu der Wert des Vorjahres.",
    (
        *_indicator_and_district("Neuestes Berichtsjahr des Indikators: "),
        *_VALUE_COLUMNS,
        Column("rate_previous_year", "DOUBLE",
               "Wert im Vorjahr (year − 1); leer, wenn er nicht veröffentlicht ist.", unit="unit_label"),
        RUN_ID,
    ),
    kind=VIEW,
    order_by=("indicator_id", "level_rank", "district_id"),
    query=f"""with latest as ({_LATEST_YEARS})
{_SELECT_VALUES},
       case when p.status = 'veröffentlicht' then p.rate end as rate_previous_year,
       v.run_id
from indicator_values v
join latest l on l.indicator_id = v.indicator_id and l.year = v.year
{_JOINS}
left join indicator_values p
       on p.indicator_id = v.indicator_id and p.district_id = v.district_id and p.year = v.year - 1""",
)

TIME_SERIES = Table(
    "v_time_series",
    "Zeitreihe je Indikator und Gebiet: ein Eintrag je Jahr mit Wert, Intervall und Status.",
    (*_indicator_and_district(), *_VALUE_COLUMNS, RUN_ID),
    kind=VIEW,
    order_by=("indicator_id", "level_rank", "district_id", "year"),
    query=f"""{_SELECT_VALUES},
       v.run_id
from indicator_values v
{_JOINS}""",
)

_WIDE_FIXED = (
    Column("district_id", "VARCHAR", "Gebietsschlüssel.", key=True),
    Column("district_name", "VARCHAR", "Name des Gebiets.", nullable=False),
    Column("level", "VARCHAR", "Kennung der Gebietsebene.", nullable=False),
    Column("level_label", "VARCHAR", "Bezeichnung der Gebietsebene.", nullable=False),
    Column("level_rank", "INTEGER", "Rang der Ebene (0 = ganze Stadt).", nullable=False),
    Column("parent_id", "VARCHAR", "Schlüssel des übergeordneten Gebiets."),
    Column("population", "BIGINT", "Einwohnerinnen und Einwohner.", unit="Personen"),
    RUN_ID,
)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def district_wide_query(indicators: Sequence[IndicatorColumn]) -> str:
    """One row per district, one column per indicator (in the given order) with its latest published rate."""
    fixed = {c.name for c in _WIDE_FIXED}
    clash = sorted(fixed & {i.indicator_id for i in indicators})
    if clash:
        raise ValueError(f"indicator ids {clash} collide with columns of v_district_wide")
    per_indicator = "".join(
        f",\n       max(v.rate) filter (where v.indicator_id = {quote_literal(i.indicator_id)}"
        f" and v.status = 'veröffentlicht') as {quote_identifier(i.indicator_id)}"
        for i in indicators
    )
    return f"""with latest as ({_LATEST_YEARS}),
latest_values as (
    select v.* from indicator_values v join latest l on l.indicator_id = v.indicator_id and l.year = v.year
)
select d.district_id, d.name as district_name, d.level, d.level_label, d.level_rank, d.parent_id,
       d.population, d.run_id{per_indicator}
from districts d
left join latest_values v on v.district_id = d.district_id
group by d.district_id, d.name, d.level, d.level_label, d.level_rank, d.parent_id, d.population, d.run_id"""


DISTRICT_WIDE = Table(
    "v_district_wide",
    "Eine Zeile je Gebiet, eine Spalte je Indikator (Spaltenname = indicator_id, nach Kennung sortiert) mit "
    "dem veröffentlichten Wert im neuesten Jahr des Indikators.",
    _WIDE_FIXED,
    kind=VIEW,
    order_by=("level_rank", "district_id"),
    query=district_wide_query,
    per_indicator=Column("<indicator_id>", "DOUBLE", "{label}: Wert im neuesten Jahr ({unit}); leer, wenn "
                         "nicht veröffentlicht."),
)

VIEWS = (LATEST_VALUES, TIME_SERIES, DISTRICT_WIDE)
