"""A failed run says why in German where planners look: STATUS.txt, the e-mail and the Dagster run's failure
(the step failure's description, not a stack trace); and the sensor starts nothing when nothing changed."""

from __future__ import annotations

import logging
import re
import time

import dagster as dg
import pytest
from smtp_server import SmtpServer
from test_notify import with_notify

from pipelines.cli import main
from pipelines.defs import automation
from pipelines.lib.run_failure import MAX_LISTED, StepFailure, run_failure_text, unexpected_text
from pipelines.lib.workspace import WORKSPACE_ENV, Workspace

BROKEN = "gesundheit/zahnaerztlicher_dienst.csv"


@pytest.fixture
def in_process(tiny_workspace, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(Workspace(tiny_workspace).dagster_home))
    monkeypatch.setenv(WORKSPACE_ENV, str(tiny_workspace))
    monkeypatch.setattr(logging.getLogger("sozialmonitor"), "handlers", [])
    return tiny_workspace


def _break(ws, value: str = "-9999") -> None:
    csv = ws / "data_raw" / BROKEN
    lines = csv.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(";")
    fields[3] = value
    lines[1] = ";".join(fields)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _last_run_failures(ws) -> tuple[dg.DagsterRun, list]:
    with dg.DagsterInstance.from_config(str(Workspace(ws).dagster_home)) as instance:
        run = instance.get_runs(limit=1)[0]
        records = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
        return run, [r.event_log_entry.dagster_event for r in records]


def test_broken_input_gives_the_german_findings_in_status_and_the_dagster_failure(in_process, capfd):
    ws = in_process
    _break(ws)
    assert main(["run", "--quiet", "--workspace", str(ws)]) == 2
    status = (ws / "STATUS.txt").read_text(encoding="utf-8")
    first, summary, *findings = status.splitlines()
    assert first.startswith("FEHLER")
    # the run's summary: how many files were checked, how many errors, nothing published
    assert re.fullmatch(r"Zusammenfassung: \d+ Dateien geprüft, [1-9]\d* Fehler, \d+ Hinweise?, Lauf fehlgeschlagen, "
                        r"nichts veröffentlicht\.", summary), summary
    assert findings[0].startswith("Eingabedaten fehlerhaft: ") and "letzte Freigabe bleibt gültig" in findings[0]
    # the finding itself: file, row, column, what to do; in German; not Dagster's English summary
    line = next(f for f in findings if "zahnaerztlicher_dienst.csv" in f)
    assert line.startswith("- [SM-E") and "Zeile 2" in line and "Spalte" in line
    assert "Steps failed" not in status and "Execution of" not in status
    assert "-9999" not in status  # the cell value (it may be a private count) stays in the private report
    assert str(Workspace(ws).validation_report.with_suffix(".txt")) in status
    # the Dagster run: failed, and its step failure carries the same text as its description
    run, failures = _last_run_failures(ws)
    assert run.status == dg.DagsterRunStatus.FAILURE
    [failure] = failures
    assert failure.step_key == "raw_inputs_inputs_valid"
    description = failure.event_specific_data.user_failure_data.description
    assert description == "\n".join(findings)
    assert "Traceback" not in capfd.readouterr().out


def test_unexpected_error_is_one_german_sentence_naming_the_step_and_the_run(in_process, monkeypatch):
    ws = in_process

    def broken(*args, **kwargs):
        raise ValueError("division by zero in the hierarchy")

    monkeypatch.setattr("pipelines.lib.stages.warehouse.run", broken)
    assert main(["run", "--quiet", "--force", "--workspace", str(ws)]) == 1
    run, [failure] = _last_run_failures(ws)
    summary, *status = (ws / "STATUS.txt").read_text(encoding="utf-8").splitlines()[1:]
    assert summary.startswith("Zusammenfassung: ") and "Lauf fehlgeschlagen, nichts veröffentlicht." in summary
    assert status == [f"Lauf fehlgeschlagen: unerwarteter Fehler im Schritt „aggregate hierarchy“ (ValueError: "
                      f"division by zero in the hierarchy). Nichts veröffentlicht, die letzte Freigabe bleibt gültig. "
                      f"Details im Ereignisprotokoll des Dagster-Laufs {run.run_id} (sozialmonitor serve → Runs)."]
    data = failure.event_specific_data
    assert data.user_failure_data.description == status[0]
    assert "Traceback" in data.user_failure_data.metadata["Technische Details"].text  # for whoever fixes it


def test_the_daemons_failure_sensor_writes_and_mails_the_german_findings(in_process):
    ws = in_process
    _break(ws)
    assert main(["run", "--quiet", "--workspace", str(ws)]) == 2
    (ws / "STATUS.txt").unlink()
    run, [failure] = _last_run_failures(ws)
    sensor = next(s for s in automation.build_automation(Workspace(ws)).sensors if s.name == "status_on_failure")
    with SmtpServer() as server:
        with_notify(ws, server.port)
        with dg.DagsterInstance.from_config(str(Workspace(ws).dagster_home)) as instance:
            scheduled = run.with_tags({"sozialmonitor/trigger": "schedule", "dagster/schedule_name": "nightly"})
            run_failure = instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records[0].event_log_entry.dagster_event
            context = dg.build_run_status_sensor_context(sensor_name=sensor.name, dagster_event=run_failure,
                                                         dagster_instance=instance, dagster_run=scheduled)
            sensor(context.for_run_failure())
    status = (ws / "STATUS.txt").read_text(encoding="utf-8")
    description = failure.event_specific_data.user_failure_data.description
    assert status.startswith("FEHLER") and run.run_id in status and description in status
    assert "Steps failed" not in status
    # the daemon's run is summarised like a command-line run: in the status and as the run's tag
    summary = re.search(r"^Zusammenfassung: (\d+ Dateien geprüft, [1-9]\d* Fehler, .*nichts veröffentlicht\.)$",
                        status, flags=re.M)
    assert summary, status
    with dg.DagsterInstance.from_config(str(Workspace(ws).dagster_home)) as instance:
        assert instance.get_run_by_id(run.run_id).tags["sozialmonitor/zusammenfassung"] == summary.group(1)
    [(_, _, mail)] = server.messages
    body = mail.get_content().replace("\r\n", "\n")
    assert description in body and "Zeitplan" in body and "Steps failed" not in body


def test_run_failure_text_prefers_descriptions_and_limits_the_list():
    text = run_failure_text([StepFailure("a", "Eingabedaten fehlerhaft: 1 Fehler."),
                             StepFailure("b", None, "KeyError", "'x'")], "r1")
    assert text.splitlines() == ["Eingabedaten fehlerhaft: 1 Fehler.", unexpected_text("b", "KeyError", "'x'", "r1")]
    assert "r1" in text.splitlines()[1] and "Schritt „b“" in text
    assert "unbekannter Fehler" in run_failure_text([], "r2")
    assert MAX_LISTED == 20


def _evaluate(sensor, cursor):
    data = sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor))
    return data.run_requests, data.skip_message, data.cursor


def test_sensor_starts_nothing_when_inputs_configuration_and_program_are_unchanged(tiny_workspace, monkeypatch):
    ws = Workspace(tiny_workspace)
    sensor = next(s for s in automation.build_automation(ws).sensors if s.name == "new_input_files")
    settle = automation.schedule_settings(ws).settle_seconds
    # the first look after `serve` sees files it has not run for; they then stay as they are
    requests, reason, cursor = _evaluate(sensor, None)
    assert requests == [] and "waiting" in reason
    later = time.time() + settle + 1
    monkeypatch.setattr(automation.time, "time", lambda: later)
    requests, reason, cursor = _evaluate(sensor, cursor)
    assert requests == [] and reason.startswith("keine Änderungen seit Freigabe ")
    requests, reason, cursor = _evaluate(sensor, cursor)
    assert requests == [] and reason == "inputs unchanged since the last run"
    # a real change (content, not only a time) still starts a run once the files have settled
    _break(tiny_workspace, "7")
    requests, reason, cursor = _evaluate(sensor, cursor)
    assert requests == []
    monkeypatch.setattr(automation.time, "time", lambda: later + settle + 1)
    requests, reason, cursor = _evaluate(sensor, cursor)
    assert len(requests) == 1 and requests[0].tags["sozialmonitor/trigger"] == "sensor"
