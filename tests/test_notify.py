"""A failed run is visible without the UI: STATUS.txt, `sozialmonitor status`, and an e-mail via SMTP."""

from __future__ import annotations

import logging
import re
import shutil
import socket

import pytest
from smtp_server import SmtpServer

from pipelines.cli import main
from pipelines.lib.notify import read_status, report, report_daemon_run
from pipelines.lib.workspace import WORKSPACE_ENV, Workspace


def with_notify(ws, port: int, *, starttls: bool = False) -> None:
    """Append a [notify] section (to the configuration as first copied, kept in sozialmonitor.toml.orig)."""
    config, orig = ws / "sozialmonitor.toml", ws / "sozialmonitor.toml.orig"
    if not orig.exists():
        shutil.copy(config, orig)
    lines = ["", "[notify]", 'smtp_host = "127.0.0.1"', f"smtp_port = {port}", 'from = "sozialmonitor@stadt.example"',
             'to = ["statistik@stadt.example", "it@stadt.example"]', f"starttls = {str(starttls).lower()}"]
    config.write_text(orig.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def config_only(tiny_inputs, tmp_path):
    """A workspace with configuration and inputs, never run."""
    ws = tmp_path / "ws"
    shutil.copytree(tiny_inputs, ws)
    return ws


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_failure_writes_status_and_mails_the_configured_recipients(config_only):
    ws = Workspace(config_only)
    with SmtpServer() as server:
        with_notify(config_only, server.port)
        assert report(ws, False, "Lauf fehlgeschlagen: Kein Speicherplatz mehr.", trigger="Zeitplan") == []
        ok, text = read_status(ws)
        assert not ok and "Kein Speicherplatz mehr" in text
        assert report(ws, True, "Release abc published.") == []  # success: no mail unless on_success
        assert read_status(ws)[0]
    assert len(server.messages) == 1
    sender, rcpts, msg = server.messages[0]
    assert sender == "<sozialmonitor@stadt.example>"
    assert rcpts == ["<statistik@stadt.example>", "<it@stadt.example>"]
    assert "FEHLGESCHLAGEN" in msg["Subject"]
    body = msg.get_content()
    assert "Kein Speicherplatz mehr" in body and "Zeitplan" in body and str(config_only) in body


def test_unreachable_or_starttls_less_server_is_a_note_not_a_crash(config_only):
    ws = Workspace(config_only)
    with_notify(config_only, free_port())
    notes = report(ws, False, "Lauf fehlgeschlagen.")
    assert len(notes) == 1 and "nicht gesendet" in notes[0]
    assert read_status(ws)[0] is False  # the status file is written regardless
    with SmtpServer() as server:
        with_notify(config_only, server.port, starttls=True)
        notes = report(ws, False, "Lauf fehlgeschlagen.")
    assert len(notes) == 1 and "STARTTLS" in notes[0].upper() and not server.messages


def test_daemon_runs_report_themselves_command_line_runs_do_not(config_only):
    ws = Workspace(config_only)
    assert report_daemon_run(ws, "r1", False, "Fehler im Schritt audit", {"sozialmonitor/trigger": "cli"}) == []
    assert read_status(ws) is None
    report_daemon_run(ws, "r2", False, "Fehler im Schritt audit", {"dagster/schedule_name": "nightly_refresh"})
    ok, text = read_status(ws)
    assert not ok and "r2" in text and "Fehler im Schritt audit" in text and "letzte Freigabe" in text
    report_daemon_run(ws, "r3", True, "", {"sozialmonitor/trigger": "sensor"})
    assert read_status(ws)[0] and "r3" in read_status(ws)[1]


def test_status_command_exit_codes(config_only, capsys):
    ws = Workspace(config_only)
    assert main(["status", "--workspace", str(config_only)]) == 1
    assert "Noch kein Lauf" in capsys.readouterr().out
    report(ws, False, "Eingabedaten fehlerhaft.")
    assert main(["status", "--workspace", str(config_only)]) == 1
    assert "FEHLER" in capsys.readouterr().out
    report(ws, True, "Release x published.")
    assert main(["status", "--workspace", str(config_only)]) == 0


def test_daemon_status_sensors_are_defined(config_only, monkeypatch):
    monkeypatch.setenv(WORKSPACE_ENV, str(config_only))
    from pipelines.definitions import defs

    d = defs()
    assert {"status_on_failure", "status_on_success"} <= {s.name for s in d.sensors}


def test_failed_command_line_run_sends_the_mail(tiny_workspace, monkeypatch, capfd):
    ws = tiny_workspace
    monkeypatch.setenv("DAGSTER_HOME", str(Workspace(ws).dagster_home))
    monkeypatch.setenv(WORKSPACE_ENV, str(ws))
    monkeypatch.setattr(logging.getLogger("sozialmonitor"), "handlers", [])
    (ws / "data_raw" / "gesundheit" / "zahnaerztlicher_dienst.csv").write_bytes(b"\x00\x01\x02")
    with SmtpServer() as server:
        with_notify(ws, server.port)
        assert main(["run", "--quiet", "--workspace", str(ws)]) == 2
    assert len(server.messages) == 1
    assert "Eingabedaten fehlerhaft" in server.messages[0][2].get_content()
    assert "nicht gesendet" not in capfd.readouterr().out


def _next_two_o_clock(timezone: str = "Europe/Berlin") -> str:
    """The next 02:00 in ``timezone`` (the tiny city's schedule, ``0 2 * * *``), as status writes it."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo(timezone))
    due = now.replace(hour=2, minute=0, second=0, microsecond=0)
    if due <= now:
        due = (due + timedelta(days=1)).replace(hour=2)
    return f"{('Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa', 'So')[due.weekday()]} {due:%d.%m.%Y, %H:%M} Uhr"


def test_a_real_run_is_summarised_in_status_the_dagster_run_and_the_status_command(tiny_workspace):
    """The tiny city's run: its summary counts the input files, findings and hidden cells of the published
    release, the same sentence in STATUS.txt, on the Dagster run and its last asset; ``status`` adds the
    release's data date and the next scheduled run; after a failed run it says what to do."""
    import json

    import dagster as dg
    from conftest import run_cli

    from pipelines.lib.dashboards.formatting import format_count, format_date
    from pipelines.lib.duck import connect
    from pipelines.lib.release.switch import current_run_id

    ws = Workspace(tiny_workspace)
    release = current_run_id(ws)
    files = sum(1 for p in ws.data_raw.rglob("*") if p.is_file())
    hints = sum(1 for f in json.loads(ws.validation_report.read_text(encoding="utf-8")) if f["severity"] != "error")
    with connect(ws.mart, read_only=True, spatial=False) as con:
        hidden = con.execute("select count(*) from indicator_values "
                             "where status not in ('veröffentlicht', 'keine Daten')").fetchone()[0]
        data_date = con.execute("select data_date from run_info order by created_at desc limit 1").fetchone()[0]
    assert files >= 3 and hidden > 0
    sentence = (f"{files} Dateien geprüft, 0 Fehler, {hints} {'Hinweis' if hints == 1 else 'Hinweise'}, "
                f"Freigabe {release} veröffentlicht, {format_count(hidden)} Zellen geheimgehalten.")
    lines = ws.status_file.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("OK ") and lines[1] == f"Zusammenfassung: {sentence}"
    with dg.DagsterInstance.from_config(str(ws.dagster_home)) as instance:
        run = instance.get_runs(limit=1)[0]
        assert run.tags["sozialmonitor/zusammenfassung"] == sentence
        [last] = [r.dagster_event.event_specific_data.materialization for r in
                  instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
                  if r.dagster_event.asset_key.to_user_string() == "current_release"]
        assert last.metadata["Zusammenfassung"].value == sentence

    result = run_cli("status", "--workspace", str(ws.root))
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Letzter Lauf: OK – beendet am " in out and "gestartet über: Kommandozeile" in out
    assert f"  {sentence}\n" in out
    assert f"Gültige Freigabe: {release} vom " in out and f"Datenstand {format_date(data_date)}" in out
    assert f"Nächster geplanter Lauf: {_next_two_o_clock()} (Europe/Berlin)" in out
    assert "„sozialmonitor serve“ läuft gerade nicht" in out and "Was tun" not in out

    broken = ws.data_raw / "gesundheit" / "zahnaerztlicher_dienst.csv"
    broken.write_bytes(b"\x00\x01\x02")
    failed = run_cli("run", "--quiet", "--workspace", str(ws.root))
    assert failed.returncode == 2, failed.stdout + failed.stderr
    summary = failed.stdout.strip().splitlines()[-1]  # the run's last word is its summary
    assert re.fullmatch(rf"Zusammenfassung: {files} Dateien geprüft, [1-9]\d* Fehler, \d+ Hinweise?, "
                        r"Lauf fehlgeschlagen, nichts veröffentlicht\.", summary), failed.stdout
    result = run_cli("status", "--workspace", str(ws.root))
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "Letzter Lauf: FEHLER – beendet am " in out and f"  {summary.removeprefix('Zusammenfassung: ')}\n" in out
    assert "  Eingabedaten fehlerhaft: " in out and "zahnaerztlicher_dienst.csv" in out
    assert f"Was tun: den Bericht lesen ({ws.validation_report.with_suffix('.txt')})" in out
    assert f"Gültige Freigabe: {release} vom " in out  # the last release stays
