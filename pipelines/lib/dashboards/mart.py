"""Reading the published mart: run info, indicator catalogue and indicator values.

Values are read in the slices the pages need — one indicator (:func:`read_all_values`), a group of
districts (:func:`read_district_values`), single indicator-years (:class:`MartCells`) — so that no process
holds every value of a national mart at once. The dashboards read nothing else. Values are only taken over where the status is "veröffentlicht";
for every other status the numbers are dropped here even if a column were filled, so nothing hidden
can reach a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from pipelines.lib.dashboards.formatting import NO_DATA, PUBLISHED, STATUSES
from pipelines.lib.duck import connect


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    created_epoch: float
    software_version: str
    city_name: str
    data_date: str | None
    crs: str


@dataclass(frozen=True)
class IndicatorMeta:
    indicator_id: str
    label: str
    denominator_label: str
    domain: str
    life_phase: str
    direction: str
    unit: str
    unit_label: str
    denominator_public: bool
    source: str


class Value(NamedTuple):
    """One published-mart cell; the numbers are None unless ``status`` is "veröffentlicht".

    A named tuple, not a dataclass: a national site reads ten million of them."""

    district_id: str
    status: str
    numerator: int | None = None
    denominator: int | None = None
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    is_derived: bool = False  # the numerator derived (share × denominator, a crosswalk), not counted

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED and self.rate is not None


def open_mart(path: Path, *, spatial: bool = True):
    """A read-only connection to the published mart (spatial loaded offline).

    ``spatial=False`` for reading values only: loading the extension costs more than most value reads."""
    return connect(Path(path), read_only=True, spatial=spatial)


def read_run_info(con) -> RunInfo:
    row = con.execute(
        "select run_id, epoch(created_at), software_version, city_name, data_date, crs "
        "from run_info order by created_at desc limit 1"
    ).fetchone()
    if row is None:
        raise ValueError("run_info des veröffentlichten Marts ist leer.")
    return RunInfo(row[0], float(row[1]), row[2], row[3], row[4], row[5])


def read_indicators(con) -> list[IndicatorMeta]:
    rows = con.execute(
        "select indicator_id, label, denominator_label, domain, life_phase, direction, unit, unit_label, "
        "denominator_public, source from indicators order by indicator_id"
    ).fetchall()
    return [IndicatorMeta(*r[:8], bool(r[8]), r[9]) for r in rows]


def latest_year(con, indicator_id: str) -> int | None:
    """The newest year with any row for the indicator (None when the indicator has no rows)."""
    row = con.execute(
        "select max(year) from indicator_values where indicator_id = ?", [indicator_id]
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def read_all_values(con, indicator_id: str) -> dict[int, dict[str, Value]]:
    """Year → district id → value for one indicator, every year with rows (ascending)."""
    rows = con.execute(
        f"select year, {_CELL} from indicator_values where indicator_id = ? order by year, district_id",
        [indicator_id],
    ).fetchall()
    return {int(year): {r[1]: _make(r[1:]) for r in group} for year, group in groupby(rows, itemgetter(0))}


def read_latest_values(con) -> dict[str, tuple[int, dict[str, Value]]]:
    """Indicator id → (its newest year with rows, district id → value in that year): the comparison page."""
    rows = con.execute(
        f"select indicator_id, year, {_CELL} from indicator_values "
        "semi join (select indicator_id, max(year) as year from indicator_values group by all) using (indicator_id, year) "
        "order by indicator_id, district_id"
    ).fetchall()
    return {indicator_id: (int(rows_[0][1]), {r[2]: _make(r[2:]) for r in rows_})
            for indicator_id, group in groupby(rows, itemgetter(0)) for rows_ in [list(group)]}


def read_years(con) -> dict[str, tuple[int, ...]]:
    """Indicator id → every year with rows for it (ascending), as :func:`read_all_values` has them."""
    rows = con.execute(
        "select indicator_id, year from indicator_values group by all order by indicator_id, year"
    ).fetchall()
    out: dict[str, list[int]] = {}
    for indicator_id, year in rows:
        out.setdefault(indicator_id, []).append(int(year))
    return {k: tuple(v) for k, v in out.items()}


def read_finest_coverage(con) -> dict[tuple[str, int], tuple[int, int]]:
    """(indicator id, year) → (districts of the finest level with a published value, districts of that level
    with a row): how much of the map a committee sees."""
    rows = con.execute(
        "select v.indicator_id, v.year, count(*) filter (where v.status = 'veröffentlicht'), count(*) "
        "from indicator_values v join districts d using (district_id) "
        "where d.level_rank = (select max(level_rank) from districts) group by all order by all"
    ).fetchall()
    return {(str(i), int(y)): (int(shown), int(total)) for i, y, shown, total in rows}


def read_district_values(con, district_ids: Sequence[str]) -> dict[str, dict[int, dict[str, Value]]]:
    """Indicator id → year → district id → value, for the given districts only (every indicator, every
    year with rows for them)."""
    rows = con.execute(
        f"select indicator_id, year, {_CELL} "
        "from indicator_values v semi join (select unnest(?::varchar[]) as district_id) using (district_id) "
        "order by indicator_id, year, district_id",  # a semi join: four times faster than ``in`` here
        [list(district_ids)],
    ).fetchall()
    out: dict[str, dict[int, dict[str, Value]]] = {}
    for (indicator_id, year), group in groupby(rows, itemgetter(0, 1)):
        out.setdefault(indicator_id, {})[int(year)] = {r[2]: _make(r[2:]) for r in group}
    return out


class MartCells:
    """The values of single indicator-years, read from the mart when first asked for and kept.

    For the analysis pages, which look up the status of a few indicator-years (the need index's
    components, the hot-spot indicators): :meth:`preload` reads those known in advance in one query;
    anything else is read when asked for. Holds no connection between reads (workers may fork).
    """

    def __init__(self, mart_path: Path):
        self.path = Path(mart_path)
        self._cells: dict[tuple[str, int], dict[str, Value]] = {}

    def preload(self, pairs: Iterable[tuple[str, int]]) -> None:
        wanted = sorted({(i, int(y)) for i, y in pairs} - set(self._cells))
        if not wanted:
            return
        with open_mart(self.path, spatial=False) as con:
            rows = con.execute(
                f"select indicator_id, year, {_CELL} from indicator_values "
                "join (select unnest(?::varchar[]) as indicator_id, unnest(?::integer[]) as year) w "
                "using (indicator_id, year) order by indicator_id, year, district_id",
                [[i for i, _ in wanted], [y for _, y in wanted]],
            ).fetchall()
        for pair in wanted:
            self._cells[pair] = {}
        for (indicator_id, year), group in groupby(rows, itemgetter(0, 1)):
            self._cells[(indicator_id, int(year))] = {r[2]: _make(r[2:]) for r in group}

    def get(self, indicator_id: str, year: int) -> dict[str, Value]:
        """District id → value of one indicator-year (empty where the mart has none)."""
        key = (indicator_id, int(year))
        if key not in self._cells:
            self.preload([key])
        return self._cells[key]


def read_values(con, indicator_id: str, year: int | None) -> dict[str, Value]:
    """District id → value for one indicator and year; numbers only for published cells."""
    if year is None:
        return {}
    rows = con.execute(
        f"select {_CELL} from indicator_values where indicator_id = ? and year = ? order by district_id",
        [indicator_id, year],
    ).fetchall()
    return {row[0]: _make(row) for row in rows}


def read_benchmarks(con, *, indicator_id: str | None = None, district_ids: Sequence[str] | None = None
                    ) -> dict[tuple[str, int, str], tuple[str | None, str | None]]:
    """(indicator, year, district) → (vs_city, vs_parent) from the published ``indicator_benchmarks`` (the
    analysis stage's comparisons of published figures), for one indicator or some districts; empty where
    the mart has no such table."""
    if not con.execute("select count(*) from information_schema.tables "
                       "where table_name = 'indicator_benchmarks'").fetchone()[0]:
        return {}
    where, params = [], []
    if indicator_id is not None:
        where.append("indicator_id = ?")
        params.append(indicator_id)
    if district_ids is not None:
        where.append("district_id in (select unnest(?::varchar[]))")
        params.append(list(district_ids))
    rows = con.execute("select indicator_id, year, district_id, vs_city, vs_parent from indicator_benchmarks"
                       + (" where " + " and ".join(where) if where else ""), params).fetchall()
    return {(r[0], int(r[1]), r[2]): (r[3], r[4]) for r in rows}


def read_level_ranges(con) -> dict[tuple[str, int, str], tuple[float, float, float, float]]:
    """(indicator, year, level) → (minimum, lower quartile, upper quartile, maximum) of the published rates
    of that level: the spans the profiles' spine charts draw (published figures only)."""
    rows = con.execute(
        "select v.indicator_id, v.year, d.level, min(v.rate), quantile_cont(v.rate, 0.25), "
        "quantile_cont(v.rate, 0.75), max(v.rate) from indicator_values v join districts d using (district_id) "
        f"where v.status = {_quoted(PUBLISHED)} and v.rate is not null group by all"
    ).fetchall()
    return {(r[0], int(r[1]), r[2]): (float(r[3]), float(r[4]), float(r[5]), float(r[6])) for r in rows}


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The columns of a Value, with the numbers taken over for published cells only and any unknown status
# read as "keine Daten": whatever a column holds, nothing of a hidden cell is read into Python.
_CELL = ", ".join([
    "district_id",
    f"case when status in ({', '.join(map(_quoted, STATUSES))}) then status else {_quoted(NO_DATA)} end",
    *(f"case when status = {_quoted(PUBLISHED)} then {column} end"
      for column in ("numerator::bigint", "denominator::bigint", "rate::double", "ci_low::double", "ci_high::double")),
    f"coalesce(status = {_quoted(PUBLISHED)} and is_derived, false)",
])
_make = Value._make
