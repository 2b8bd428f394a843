"""No-change refresh: unchanged inputs, configuration and code skip the work; --force rebuilds."""

from __future__ import annotations

import json

import dagster as dg
from conftest import run_cli
from release_checks import published_bytes, published_release

from pipelines.lib.unchanged import fingerprint, unchanged_release
from pipelines.lib.workspace import Workspace


def dagster_runs(ws) -> int:
    with dg.DagsterInstance.from_config(str(Workspace(ws).dagster_home)) as instance:
        return len(instance.get_run_records())


def test_unchanged_workspace_is_skipped_and_force_rebuilds(tiny_workspace):
    ws = tiny_workspace
    before, runs = published_bytes(ws), dagster_runs(ws)
    result = run_cli("run", "--workspace", str(ws))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "keine Änderungen" in result.stdout and published_release(ws) in result.stdout
    assert published_bytes(ws) == before and dagster_runs(ws) == runs
    assert (ws / "STATUS.txt").read_text(encoding="utf-8").startswith("OK")
    forced = run_cli("run", "--quiet", "--force", "--workspace", str(ws))
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert published_bytes(ws)["current"] != before["current"] and dagster_runs(ws) == runs + 1
    # the forced run is the new record (its code hash is not compared: the tree may change under tests)
    record = json.loads((Workspace(ws).data_private / "state" / "last_success.json").read_text(encoding="utf-8"))
    assert record["run_id"] == published_release(ws)
    assert {k: v for k, v in fingerprint(Workspace(ws)).items() if k != "code"} == \
        {k: v for k, v in record.items() if k in ("inputs", "config")}


def test_any_change_of_input_configuration_code_or_published_state_means_work(tiny_workspace, monkeypatch):
    w = Workspace(tiny_workspace)
    record = json.loads((w.data_private / "state" / "last_success.json").read_text(encoding="utf-8"))
    monkeypatch.setattr("pipelines.lib.unchanged.code_version", lambda: "another program")
    assert unchanged_release(w) is None
    # the program as when the release was built (others may edit the tree while the suite runs)
    monkeypatch.setattr("pipelines.lib.unchanged.code_version", lambda: record["code"])
    release = unchanged_release(w)
    assert release == published_release(tiny_workspace)
    csv = w.data_raw / "gesundheit" / "zahnaerztlicher_dienst.csv"
    original = csv.read_bytes()
    csv.write_bytes(original + b"\n")  # one more byte: content differs
    assert unchanged_release(w) is None
    csv.write_bytes(original)
    assert unchanged_release(w) == release
    (w.data_raw / "gesundheit" / "neu.csv").write_text("x", encoding="utf-8")  # a new file a glob may match
    assert unchanged_release(w) is None
    (w.data_raw / "gesundheit" / "neu.csv").unlink()
    (w.data_raw / "gesundheit" / "~$lock.xlsx").write_text("Excel lock", encoding="utf-8")  # ignored
    assert unchanged_release(w) == release
    config = w.root / "sozialmonitor.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("keep = 5", "keep = 4"), encoding="utf-8")
    assert unchanged_release(w) is None
    config.write_text(text, encoding="utf-8")
    assert unchanged_release(w) == release
    (w.data_marts / "CURRENT").write_text("other\n", encoding="utf-8")  # published state not the recorded one
    assert unchanged_release(w) is None


def test_nightly_schedule_skips_when_nothing_changed(tiny_workspace, monkeypatch):
    from pipelines.defs.automation import build_automation

    w = Workspace(tiny_workspace)
    record = json.loads((w.data_private / "state" / "last_success.json").read_text(encoding="utf-8"))
    monkeypatch.setattr("pipelines.lib.unchanged.code_version", lambda: record["code"])
    schedule = build_automation(w).resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *"
    with dg.build_schedule_context() as context:
        skipped = schedule.evaluate_tick(context)
    assert not skipped.run_requests and "keine Änderungen" in skipped.skip_message
    (w.data_raw / "gesundheit" / "zahnaerztlicher_dienst.csv").write_text("anders\n", encoding="utf-8")
    with dg.build_schedule_context() as context:
        due = schedule.evaluate_tick(context)
    assert len(due.run_requests) == 1
