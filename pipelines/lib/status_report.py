"""``sozialmonitor status``: the state of a workspace in German, for a planner who does not open the UI.

The last run (when, started how, its result and summary; if it failed, why and what to do), the release
committees see now (its id, when it was made, its data date, where the site is) and when the next
scheduled run is due. Read from ``data_private/last_run.json`` (written with ``STATUS.txt``), the current
release's ``run_info`` and the ``[schedule]`` of ``sozialmonitor.toml``; an older workspace with only a
``STATUS.txt`` shows that file instead of the summary.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pipelines.lib.dashboards.formatting import format_date, format_timestamp
from pipelines.lib.notify import LastRun, read_last_run, read_status
from pipelines.lib.run_summary import INVALID, UNSAFE
from pipelines.lib.workspace import Workspace

WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


@dataclass(frozen=True)
class Status:
    ok: bool | None  # None: no run yet
    lines: list[str]


def what_to_do(ws: Workspace, last: LastRun) -> str:
    """What a planner does after a failed run, by what failed."""
    kind = last.summary.kind if last.summary else None
    if kind == INVALID:
        reports = [p.with_suffix(".txt") for p in (ws.validation_report, ws.consistency_report)]
        # the report the failure names (the other may be left from an earlier run)
        found = ([str(p) for p in reports if str(p) in last.text] or [str(p) for p in reports if p.exists()]
                 or [str(reports[0])])
        return ("Was tun: den Bericht lesen (" + ", ".join(found) + "), die genannten Dateien in data_raw/ "
                "berichtigen, mit „sozialmonitor validate“ prüfen und dann „sozialmonitor run“ starten.")
    if kind == UNSAFE:
        return (f"Was tun: den Prüfbericht in {ws.audit_dir} lesen: die neue Freigabe hätte geheimgehaltene Werte "
                "erschließbar gemacht (oder das Register der veröffentlichten Zellen fehlt, dann „sozialmonitor "
                "ledger“). Die Schutzregeln in sozialmonitor.toml prüfen oder die Statistikstelle fragen, dann "
                "„sozialmonitor run“.")
    return ("Was tun: die Meldung oben lesen (Speicherplatz, Schreibrechte, ein anderer Lauf); die technischen "
            "Details stehen im Ereignisprotokoll des Dagster-Laufs (sozialmonitor serve → Runs). Danach "
            "„sozialmonitor run“ erneut starten.")


def release_lines(ws: Workspace, timezone: str) -> list[str]:
    """The release committees see now: id, when made, data date, the site."""
    from pipelines.lib.release.switch import current_run_id

    run_id = current_run_id(ws)
    if not run_id or not ws.mart.exists():
        return ["Gültige Freigabe: noch keine (zuerst „sozialmonitor run“)."]
    made = data_date = None
    try:
        from pipelines.lib.dashboards.mart import read_run_info
        from pipelines.lib.duck import connect

        with connect(ws.mart, read_only=True, spatial=False) as con:
            info = read_run_info(con)
        made, data_date = info.created_epoch, info.data_date
    except Exception:  # a mart being switched or damaged: the id is still known
        pass
    when = f" vom {format_timestamp(made, timezone)}" if made else ""
    return [f"Gültige Freigabe: {run_id}{when}, Datenstand {format_date(data_date)}",
            f"  Website: {ws.dashboards / 'index.html'}; Datenbank: {ws.mart}"]


def next_run(cron: str, timezone: str, now: float | None = None) -> str | None:
    """The next time the schedule is due, German (``Di 08.12.2026, 02:00 Uhr``), or None if unreadable."""
    try:
        from dagster._utils.schedules import cron_string_iterator

        due = next(cron_string_iterator(time.time() if now is None else now, cron, timezone))
    except Exception:
        return None
    return f"{WEEKDAYS[due.weekday()]} {due:%d.%m.%Y, %H:%M} Uhr"


def serve_running(ws: Workspace) -> bool:
    """Whether a ``sozialmonitor serve`` (the daemon that runs the schedule and the sensor) holds the workspace."""
    from pipelines.lib.serve_process import ServeRefused, serve_lock

    if not ws.data_private.is_dir():
        return False
    try:
        serve_lock(ws.data_private / "serve.lock").release()
    except ServeRefused:
        return True
    return False


def schedule_line(ws: Workspace, cron: str, timezone: str) -> str:
    due = next_run(cron, timezone)
    when = f"{due} ({timezone})" if due else f"nach dem Zeitplan „{cron}“ ({timezone})"
    running = ("„sozialmonitor serve“ läuft" if serve_running(ws) else
               "„sozialmonitor serve“ läuft gerade nicht: ohne es gibt es keine geplanten Läufe")
    return (f"Nächster geplanter Lauf: {when}, übersprungen, wenn sich nichts geändert hat; {running}. "
            "Neue Dateien in data_raw/ starten einen Lauf, solange „sozialmonitor serve“ läuft.")


def workspace_status(ws: Workspace) -> Status:
    """The whole summary (see the module docstring) and the last run's result."""
    from pipelines.lib.config import load_config
    from pipelines.lib.findings import ConfigError

    try:
        schedule = load_config(ws.root).schedule
    except ConfigError:
        from pipelines.lib.config import Schedule

        schedule = Schedule()
    lines = [f"Sozialmonitor – Stand des Arbeitsbereichs {ws.root}"]
    last = read_last_run(ws)
    old = read_status(ws) if last is None else None
    ok: bool | None
    if last is not None:
        ok = last.ok
        started = f", gestartet über: {last.trigger}" if last.trigger else ""
        lines.append(f"Letzter Lauf: {'OK' if last.ok else 'FEHLER'} – beendet am "
                     f"{format_timestamp(last.finished, schedule.timezone)}{started}")
        if last.summary is not None:
            lines.append(f"  {last.summary.sentence()}")
        if not last.ok:
            lines += [f"  {line}" for line in last.text.splitlines() if line.strip()]
            lines.append(what_to_do(ws, last))
    elif old is not None:
        ok = old[0]
        lines.append(f"Letzter Lauf ({ws.status_file.name}):")
        lines += [f"  {line}" for line in old[1].splitlines()]
    else:
        ok = None
        lines.append(f"Noch kein Lauf in {ws.root} (keine Datei {ws.status_file.name}).")
    lines += release_lines(ws, schedule.timezone)
    lines.append(schedule_line(ws, schedule.cron, schedule.timezone))
    return Status(ok, lines)
