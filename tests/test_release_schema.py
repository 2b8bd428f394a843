"""The published mart's schema: one source of truth (pipelines/lib/release/schema), a snapshot that forces a
version bump, and a real mart that matches the dictionary table by table and column by column."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from pipelines.lib.duck import connect
from pipelines.lib.release.schema import (
    SCHEMA_VERSION,
    VIEW,
    IndicatorColumn,
    dictionary_rows,
    published,
    snapshot,
    static_ddl,
    table,
)
from pipelines.lib.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "mart_schema_snapshot.json"
UPDATE = "python -m pipelines.lib.release.schema --snapshot > tests/mart_schema_snapshot.json"


def schema_change_problem(stored: dict, current: dict) -> str | None:
    """Why ``current`` may not replace the ``stored`` snapshot as it is, or None if they agree."""
    if current == stored:
        return None
    if current["tables"] != stored["tables"] and current["schema_version"] <= stored["schema_version"]:
        changed = sorted(name for name in set(current["tables"]) | set(stored["tables"])
                         if current["tables"].get(name) != stored["tables"].get(name))
        return (f"The published schema changed ({', '.join(changed)}) but SCHEMA_VERSION is still "
                f"{current['schema_version']}: bump SCHEMA_VERSION in pipelines/lib/release/schema/__init__.py, "
                f"then update the snapshot: {UPDATE}")
    return f"SCHEMA_VERSION is {current['schema_version']}: update the snapshot: {UPDATE}"


def test_published_schema_matches_its_snapshot_or_the_version_was_bumped():
    problem = schema_change_problem(json.loads(SNAPSHOT.read_text(encoding="utf-8")), snapshot())
    assert problem is None, problem


def test_a_changed_column_without_a_version_bump_is_caught():
    stored = snapshot()
    changed = copy.deepcopy(stored)
    changed["tables"]["indicator_values"]["columns"][5] = "rate DECIMAL(9,1)"
    assert "bump SCHEMA_VERSION" in schema_change_problem(stored, changed)
    added = copy.deepcopy(stored)
    added["tables"]["new_table"] = {"kind": "table", "order_by": ["a"], "columns": ["a VARCHAR key"]}
    assert "new_table" in schema_change_problem(stored, added)
    bumped = {**added, "schema_version": stored["schema_version"] + 1}
    assert "update the snapshot" in schema_change_problem(stored, bumped)
    assert "bump" not in schema_change_problem(stored, bumped)


def test_mart_schema_sql_is_generated_from_the_dictionary():
    text = (ROOT / "sql" / "release" / "mart_schema.sql").read_text(encoding="utf-8")
    assert text == static_ddl(), "regenerate: python -m pipelines.lib.release.schema --ddl > sql/release/mart_schema.sql"


def test_every_column_is_documented_in_german():
    for t in published():
        assert t.description.strip(), t.name
        names = [c.name for c in t.columns]
        assert len(names) == len(set(names)), t.name
        for col in t.columns:
            assert col.description.strip() and col.type == col.type.upper(), f"{t.name}.{col.name}"
        if t.kind != VIEW:
            assert "run_id" in names, f"{t.name} carries no run id"
            assert set(t.sort_columns) <= set(names), t.name


@pytest.fixture(scope="module")
def mart(tiny_published):
    with connect(Workspace(tiny_published).mart, read_only=True) as con:
        yield con


def _indicators(con) -> list[IndicatorColumn]:
    return [IndicatorColumn(*r) for r in
            con.execute("select indicator_id, label, unit_label from indicators order by indicator_id").fetchall()]


def test_the_published_mart_has_exactly_the_documented_tables_and_columns(mart):
    kinds = dict(mart.execute("select table_name, table_type from information_schema.tables "
                              "where table_schema = 'main'").fetchall())
    documented = {t.name for t in published()}
    assert set(kinds) == documented, ("undocumented: " + str(sorted(set(kinds) - documented)) + "; missing: "
                                      + str(sorted(documented - set(kinds))))
    indicators = _indicators(mart)
    keys = {t: sorted(cols) for t, cols in mart.execute(
        "select table_name, constraint_column_names from duckdb_constraints() "
        "where constraint_type = 'PRIMARY KEY'").fetchall()}
    for t in published():
        assert kinds[t.name] == ("VIEW" if t.kind == VIEW else "BASE TABLE"), t.name
        actual = mart.execute("select column_name, data_type, is_nullable from information_schema.columns "
                              "where table_name = ? order by ordinal_position", [t.name]).fetchall()
        expected = t.indicator_columns(indicators)
        assert [(a[0], a[1]) for a in actual] == [(c.name, c.type) for c in expected], t.name
        if t.kind != VIEW:
            assert [a[2] == "YES" for a in actual] == [c.nullable and not c.key for c in expected], t.name
            assert keys.get(t.name, []) == sorted(t.keys), t.name


def test_run_info_and_data_dictionary_describe_this_release(mart):
    run_id, version = mart.execute("select run_id, schema_version from run_info").fetchone()
    assert version == SCHEMA_VERSION
    cursor = mart.execute("select * from data_dictionary order by table_name, column_position")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    indicators = _indicators(mart)
    expected = sorted(dictionary_rows(indicators, run_id), key=lambda r: (r["table_name"], r["column_position"]))
    assert rows == expected
    wide = [r["column_name"] for r in rows if r["table_name"] == "v_district_wide"]
    assert wide[-len(indicators):] == sorted(i.indicator_id for i in indicators)
    status = next(r for r in rows if (r["table_name"], r["column_name"]) == ("indicator_values", "status"))
    assert status["allowed_values"] == "veröffentlicht | geheimgehalten | zu wenige Einwohner | keine Daten"


def test_views_answer_the_common_questions(mart):
    latest = dict(mart.execute("select indicator_id, max(year) from indicator_values group by 1").fetchall())
    per_view = dict(mart.execute("select indicator_id, min(year) from v_latest_values group by 1 "
                                 "having min(year) = max(year)").fetchall())
    assert per_view == latest
    n_districts = mart.execute("select count(*) from districts").fetchone()[0]
    assert mart.execute("select count(*) from v_latest_values").fetchone()[0] == n_districts * len(latest)
    # the previous year's rate is the published rate of year - 1, never a hidden one
    wrong = mart.execute("""
        select count(*) from v_latest_values l
        left join indicator_values p on p.indicator_id = l.indicator_id and p.district_id = l.district_id
             and p.year = l.year - 1 and p.status = 'veröffentlicht'
        where l.rate_previous_year is distinct from p.rate""").fetchone()[0]
    assert wrong == 0
    assert (mart.execute("select count(*) from v_time_series").fetchone()[0]
            == mart.execute("select count(*) from indicator_values").fetchone()[0])
    # wide: one row per district, one column per indicator in id order, the latest published rate or NULL
    columns = [r[0] for r in mart.execute("describe v_district_wide").fetchall()]
    fixed = [c.name for c in table("v_district_wide").columns]
    assert columns == fixed + sorted(latest)
    assert mart.execute("select count(*), count(distinct district_id) from v_district_wide").fetchone() == (
        n_districts, n_districts)
    for ind in ("kinderarmut", "kita_u3"):
        mismatches = mart.execute(f"""
            select count(*) from v_district_wide w join v_latest_values l
              on l.district_id = w.district_id and l.indicator_id = '{ind}'
            where w.{ind} is distinct from (case when l.status = 'veröffentlicht' then l.rate end)""").fetchone()[0]
        assert mismatches == 0
        hidden = mart.execute(f"select count(*) from v_latest_values where indicator_id = '{ind}' "
                              "and status <> 'veröffentlicht'").fetchone()[0]
        nulls = mart.execute(f"select count(*) from v_district_wide where {ind} is null").fetchone()[0]
        assert nulls >= hidden


def test_indicators_name_their_data_owner(mart, tiny_published):
    from pipelines.lib.config import load_config

    owners = {i.id: i.data_owner or None for i in load_config(tiny_published).indicators}
    published = dict(mart.execute("select indicator_id, data_owner from indicators").fetchall())
    assert published == owners and any(owners.values())
