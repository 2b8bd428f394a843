"""The published vocabulary is defined once (``pipelines/lib/vocabulary.py``) and is what releases say."""

from __future__ import annotations

import ast
from pathlib import Path

from pipelines.lib import vocabulary
from pipelines.lib.duck import connect
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace

PIPELINES = Path(__file__).resolve().parents[1] / "pipelines"


def status_constants(source: str) -> list[str]:
    """Module-level names assigned a status literal (``PUBLISHED = "veröffentlicht"``)."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            value = node.value
            if isinstance(value, ast.Constant) and value.value in vocabulary.STATUSES:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found += [t.id for t in targets if isinstance(t, ast.Name)]
    return found


def test_no_module_defines_a_status_of_its_own():
    assert status_constants('PUBLISHED = "veröffentlicht"\nOTHER = "x"\n') == ["PUBLISHED"]  # the check finds it
    own = {path.relative_to(PIPELINES).as_posix(): names for path in sorted(PIPELINES.rglob("*.py"))
           if path.name != "vocabulary.py" and (names := status_constants(path.read_text(encoding="utf-8")))}
    assert own == {}


def test_a_release_says_only_the_statuses_of_the_vocabulary(tiny_published):
    ws = Workspace(tiny_published)
    mart = ws.mart_releases / current_run_id(ws) / "sozialmonitor.duckdb"
    with connect(mart, read_only=True, spatial=False) as con:
        said = {row[0] for row in con.execute("select distinct status from indicator_values").fetchall()}
    assert said <= set(vocabulary.STATUSES) and vocabulary.PUBLISHED in said and vocabulary.SECRET in said
