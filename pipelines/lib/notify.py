"""A failed run is visible without opening the UI: ``STATUS.txt`` in the workspace and, optionally, an e-mail.

Mail goes through the SMTP server configured in ``sozialmonitor.toml``::

    [notify]
    smtp_host = "mail.stadt.example"
    smtp_port = 25
    from = "sozialmonitor@stadt.example"
    to = ["statistik@stadt.example"]
    starttls = true
    on_success = false        # also mail successful runs

The texts carry only the run's summary (no counts): what failed — the German findings without the cell
values they quote, see :mod:`pipelines.lib.run_failure` — and where the report lies.
"""

from __future__ import annotations

import json
import os
import smtplib
import socket
import time
from dataclasses import dataclass
from email.message import EmailMessage

from pipelines.lib.private_modes import FILE_MODE
from pipelines.lib.run_summary import RunSummary
from pipelines.lib.workspace import Workspace


@dataclass(frozen=True)
class MailSettings:
    smtp_host: str
    sender: str
    to: tuple[str, ...]
    smtp_port: int = 25
    starttls: bool = False
    on_success: bool = False
    timeout: float = 30.0


def mail_settings(section: dict) -> MailSettings | None:
    """The ``[notify]`` section as settings; ``None`` when no mail is configured."""
    if not section.get("smtp_host") or not section.get("to"):
        return None
    to = section["to"]
    return MailSettings(
        smtp_host=str(section["smtp_host"]),
        smtp_port=int(section.get("smtp_port", 25)),
        sender=str(section.get("from", f"sozialmonitor@{socket.getfqdn()}")),
        to=(to,) if isinstance(to, str) else tuple(str(t) for t in to),
        starttls=bool(section.get("starttls", False)),
        on_success=bool(section.get("on_success", False)),
        timeout=float(section.get("timeout", 30)),
    )


def status_text(text: str, summary: RunSummary | None) -> str:
    """The text of a run's status: its summary first (one sentence), then what the run said."""
    return f"Zusammenfassung: {summary.sentence()}\n{text}" if summary is not None else text


def write_status(ws: Workspace, ok: bool, text: str, summary: RunSummary | None = None,
                 trigger: str = "Kommandozeile") -> None:
    """``STATUS.txt`` (``OK``/``FEHLER``, the time, the summary and the text) and, for ``sozialmonitor
    status``, the same as JSON in ``data_private/last_run.json``."""
    now = time.time()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
    ws.status_file.write_text(f"{'OK' if ok else 'FEHLER'} {stamp}\n{status_text(text, summary)}\n",
                              encoding="utf-8")
    if ws.data_private.is_dir():
        record = {"ok": ok, "finished": now, "trigger": trigger, "text": text,
                  "summary": None if summary is None else json.loads(summary.dumps())}
        ws.last_run_file.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.chmod(ws.last_run_file, FILE_MODE)  # private like everything in data_private/ (written after the run)


@dataclass(frozen=True)
class LastRun:
    ok: bool
    finished: float
    trigger: str
    text: str
    summary: RunSummary | None


def read_last_run(ws: Workspace) -> LastRun | None:
    """The last run as :func:`write_status` recorded it, or ``None`` (none yet, or only an older status file)."""
    try:
        data = json.loads(ws.last_run_file.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    summary = data.get("summary")
    return LastRun(bool(data.get("ok")), float(data.get("finished") or 0), str(data.get("trigger") or ""),
                   str(data.get("text") or ""), RunSummary.loads(json.dumps(summary)) if summary else None)


def read_status(ws: Workspace) -> tuple[bool, str] | None:
    """``(ok, text)`` of the last run, or ``None`` when no run has written a status yet."""
    try:
        text = ws.status_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return text.startswith("OK"), text.rstrip("\n")


def send_mail(settings: MailSettings, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, settings.sender, ", ".join(settings.to)
    msg.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        smtp.send_message(msg)


def _settings(ws: Workspace) -> MailSettings | None:
    from pipelines.lib.config import load_config
    from pipelines.lib.findings import ConfigError

    try:
        return mail_settings(load_config(ws.root).section("notify"))
    except ConfigError:
        return None


def report(ws: Workspace, ok: bool, text: str, *, trigger: str = "Kommandozeile",
           summary: RunSummary | None = None) -> list[str]:
    """Write the status file and send the configured mail; returns notes on anything that failed."""
    from pipelines.lib.write_errors import write_problem

    notes = []
    try:
        write_status(ws, ok, text, summary, trigger)
    except OSError as exc:
        notes.append(f"Statusdatei {ws.status_file} nicht geschrieben: {write_problem(exc) or exc}")
    settings = _settings(ws)
    if settings and (not ok or settings.on_success):
        subject = f"sozialmonitor: Lauf {'erfolgreich' if ok else 'FEHLGESCHLAGEN'} ({ws.root.name})"
        body = (f"{'OK' if ok else 'FEHLER'} {time.strftime('%Y-%m-%d %H:%M:%S')} – gestartet über: {trigger}\n"
                f"Arbeitsbereich: {ws.root} auf {socket.gethostname()}\n\n{status_text(text, summary)}\n\n"
                f"Status jederzeit: sozialmonitor status --workspace {ws.root}\n")
        try:
            send_mail(settings, subject, body)
        except (OSError, smtplib.SMTPException) as exc:
            notes.append(f"E-Mail an {', '.join(settings.to)} über {settings.smtp_host}:{settings.smtp_port} "
                         f"nicht gesendet: {exc}")
    return notes


def report_daemon_run(ws: Workspace, run_id: str, ok: bool, detail: str, tags: dict,
                      summary: RunSummary | None = None) -> list[str]:
    """Status (and mail) for a run the Dagster daemon started; command-line runs report themselves."""
    if tags.get("sozialmonitor/trigger") == "cli":
        return []
    trigger = {"sensor": "neue Dateien in data_raw/"}.get(tags.get("sozialmonitor/trigger", ""),
                                                          "Zeitplan/Dagster" if tags.get("dagster/schedule_name")
                                                          else "Dagster")
    keeps = "" if "letzte Freigabe bleibt gültig" in detail else "\nDie letzte Freigabe bleibt gültig."
    text = f"Lauf {run_id} abgeschlossen." if ok else f"Lauf {run_id} fehlgeschlagen.\n{detail}{keeps}"
    return report(ws, ok, text, trigger=trigger, summary=summary)
