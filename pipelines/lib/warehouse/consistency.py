"""Consistency of the inputs across rows and indicators, as validation findings with file and row.

Checked after aggregation, where every source's rows meet: rates outside their unit's range, and
contradictions to the declared relations between indicators.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.lib.duck import connect
from pipelines.lib.findings import Finding
from pipelines.lib.ingest.codes import finding

_RELATION_CODES = {"subset": "SM-E331", "shared_denominator": "SM-E332", "sum": "SM-E333"}
_DISTRICT = re.compile(r", Gebiet (\S+)$")  # the end of every message below

_SOURCES = """
    left join raw_counts as src
        on src.indicator_id = v.indicator_id and src.year = v.year and src.district_id = v.district_id
"""


def consistency_findings(warehouse: Path) -> list[Finding]:
    """One finding per implausible cell and per relation contradiction (never a value of a cell)."""
    with connect(warehouse, read_only=True, spatial=False) as con:
        implausible = con.execute(
            "select v.indicator_id, v.year, v.district_id, src.source_file, src.source_row "
            f"from int_implausible_values as v {_SOURCES} "
            "where src.source_file is not null order by all"  # sums of implausible rows are not repeated
        ).fetchall()
        relations = con.execute(
            "select v.kind, v.indicator_id, v.related_id, v.year, v.district_id, src.source_file, src.source_row "
            f"from int_relation_violations as v {_SOURCES} order by all"
        ).fetchall()
    out = []
    for indicator, year, district, file, row in implausible:  # messages end with ", Gebiet <id>" (_DISTRICT)
        out.append(finding("SM-E330", file or "(berechnet)", f"{indicator}, {year}, Gebiet {district}",
                           row=row, column="Zähler/Nenner"))
    for kind, indicator, related, year, district, file, row in relations:
        detail = f"{indicator}{' / ' + related if related else ''}, {year}, Gebiet {district}"
        out.append(finding(_RELATION_CODES[kind], file or "(berechnet)", detail, row=row,
                           column="Nenner" if kind == "shared_denominator" else "Zähler"))
    return out


def affected_districts(findings: list[Finding]) -> list[str]:
    """The districts the consistency findings concern, sorted (each once)."""
    return sorted({m.group(1) for f in findings if (m := _DISTRICT.search(f.message))})
