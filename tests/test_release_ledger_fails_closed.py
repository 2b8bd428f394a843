"""The ledger fails closed: without it (or with a damaged one) beside earlier releases nothing is released,
and ``sozialmonitor ledger --rebuild`` records the kept releases again."""

from __future__ import annotations

import shutil

import pytest
from conftest import run_cli
from pandas.testing import assert_frame_equal

from pipelines.lib.duck import connect
from pipelines.lib.release import ledger
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace

EXIT_UNSAFE = 3


def _run(ws: Workspace):
    return run_cli("run", "--quiet", "--force", "--workspace", str(ws.root))


def test_missing_ledger_stops_the_run_and_rebuild_restores_it(tiny_workspace):
    ws = Workspace(tiny_workspace)
    before = current_run_id(ws)
    known = ledger.known_values(ws.ledger)
    assert len(known)
    ws.ledger.unlink()

    result = _run(ws)
    assert result.returncode == EXIT_UNSAFE, result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert "Register" in said and "fehlt" in said and "sozialmonitor ledger --rebuild" in said
    assert current_run_id(ws) == before  # the last good release stays switched on
    assert not ws.ledger.exists()  # and the run did not start a new, forgetful ledger
    assert run_cli("ledger", "--workspace", str(ws.root)).returncode == EXIT_UNSAFE

    rebuilt = run_cli("ledger", "--rebuild", "--workspace", str(ws.root))
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert_frame_equal(ledger.known_values(ws.ledger), known)  # what the kept release published
    pattern = ledger.release_patterns(ws.ledger)[before]  # and its pattern, for the audit over time
    shown = pattern["status"] == "veröffentlicht"
    assert (pattern.loc[shown, "true_numerator"] == pattern.loc[shown, "numerator"]).all()
    assert pattern.loc[~shown, "true_numerator"].isna().all()  # what it cannot know stays unknown
    ledger.check(ws)
    assert _run(ws).returncode == 0


@pytest.mark.parametrize("damage", ["garbage", "empty ledger"])
def test_damaged_ledger_stops_the_run(tiny_workspace, damage):
    ws = Workspace(tiny_workspace)
    before = current_run_id(ws)
    if damage == "garbage":
        ws.ledger.write_bytes(b"not a database" * 100)
        expected = "beschädigt"
    else:  # replaced by a valid ledger that knows nothing of the kept releases
        ws.ledger.unlink()
        with connect(ws.ledger, spatial=False) as con:
            con.execute(ledger._DDL)
        expected = "kennt 1 der aufbewahrten Freigaben nicht"
    with pytest.raises(ledger.LedgerUnsafe, match=expected):
        ledger.check(ws)
    result = _run(ws)
    assert result.returncode == EXIT_UNSAFE, result.stdout + result.stderr
    assert expected in result.stdout + result.stderr
    assert current_run_id(ws) == before

    count, old = ledger.rebuild(ws)
    assert count == 1 and old is not None and old.exists()  # the damaged one is kept aside
    ledger.check(ws)


def test_no_earlier_release_needs_no_ledger(tmp_path, tiny_inputs):
    ws = Workspace(tmp_path / "ws")
    shutil.copytree(tiny_inputs, ws.root)
    ledger.check(ws)  # nothing released yet: the first release starts the ledger
    assert not ws.ledger.exists()
