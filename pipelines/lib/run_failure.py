"""Why a run failed, in German: one text for ``STATUS.txt``, the e-mail and the Dagster run's failure.

A blocking check that stops the run (invalid or contradictory inputs, an unsafe release) raises
``dagster.Failure`` with :func:`findings_text` or :func:`audit_text` as its description; the Dagster run
page shows it as the failure, and :func:`run_failure_text` reads the same descriptions back from the
run's step failures, wherever the run was started (command line, schedule, sensor). An unexpected error
becomes one German sentence naming the step and where the details are (the run's event log).

The texts leave ``data_private/`` (status file, e-mail), so a finding is written without the cell value
it quotes: file, row, column, what is wrong and what to do; the values stay in the private report.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.findings import Finding

MAX_LISTED = 20
KEEPS = "Nichts veröffentlicht, die letzte Freigabe bleibt gültig."


def finding_line(f: Finding) -> str:
    """A finding as a person reads it, without the quoted cell value (that may be a private count)."""
    return dataclasses.replace(f, value=None).render()


def findings_text(title: str, findings: Sequence[Finding], report: Path) -> str:
    """``title`` (e.g. "Eingabedaten fehlerhaft"), the first findings, and the report with all of them."""
    lines = [f"{title}: {_count(len(findings), 'Fehler', 'Fehler')}. {KEEPS}"]
    lines += [f"- {finding_line(f)}" for f in findings[:MAX_LISTED]]
    if len(findings) > MAX_LISTED:
        lines.append(f"- … und {len(findings) - MAX_LISTED} weitere")
    lines.append(f"Alle Meldungen mit den Werten: {report}")
    return "\n".join(lines)


def audit_text(at_risk: int, problems: int, report: Path | str) -> str:
    """The release audit stopped the release: how many cells and problems, where the report is (the
    problems themselves name hidden cells and their bounds: they stay in the private report)."""
    return (f"Prüfung der Freigabe fehlgeschlagen: {_count(at_risk, 'gefährdete Zelle', 'gefährdete Zellen')}, "
            f"{_count(problems, 'weiteres Problem', 'weitere Probleme')}. {KEEPS} Bericht: {report}")


@dataclass(frozen=True)
class StepFailure:
    """One failed step of a run: its German description (a ``dagster.Failure``) or the raw error."""

    step: str
    description: str | None
    error_class: str | None = None
    error_message: str | None = None


def step_failures(events: Iterable) -> list[StepFailure]:
    """The step failures of Dagster ``STEP_FAILURE`` events (from a result, a run or a sensor context)."""
    out = []
    for event in events:
        data = event.event_specific_data
        user = getattr(data, "user_failure_data", None)
        error = getattr(data, "error", None)
        out.append(StepFailure(event.step_key or "?", getattr(user, "description", None) or None,
                               *(_cause(error) if error is not None else (None, None))))
    return out


def _cause(error) -> tuple[str, str]:
    """The innermost meaningful error: a failure to write by its German text, else Dagster's wrapped cause."""
    info = error
    while info is not None:
        if info.cls_name == "WriteFailed":
            return info.cls_name, info.message.split(": ", 1)[-1].strip().rstrip(".")
        info = info.cause
    while error.cause is not None and error.cls_name == "DagsterExecutionStepExecutionError":
        error = error.cause  # Dagster's wrapper says only which step failed; the cause says why
    message = re.sub(rf"^[\w.]*{re.escape(error.cls_name)}: ", "", error.message.strip())
    return error.cls_name, message


def unexpected_text(step: str, error_class: str | None, message: str | None, run_id: str | None) -> str:
    """One German sentence for an error nobody planned for, and where its details are."""
    if error_class == "WriteFailed" and message:
        return f"Lauf fehlgeschlagen: {message}. {KEEPS}"
    first = (message or "").strip().splitlines()[0][:300] if message and message.strip() else ""
    what = f" ({error_class}: {first})" if error_class and first else (f" ({error_class})" if error_class else "")
    where = (f"im Ereignisprotokoll des Dagster-Laufs {run_id} (sozialmonitor serve → Runs)" if run_id
             else "im Ereignisprotokoll des Dagster-Laufs (sozialmonitor serve → Runs)")
    return f"Lauf fehlgeschlagen: unerwarteter Fehler im Schritt „{step}“{what}. {KEEPS} Details {where}."


def run_failure_text(failures: Sequence[StepFailure], run_id: str | None = None) -> str:
    """The German text of a failed run: the failures' own descriptions first, else one sentence each."""
    if not failures:
        return f"Lauf fehlgeschlagen: unbekannter Fehler. {KEEPS}" + (
            f" Details im Ereignisprotokoll des Dagster-Laufs {run_id}." if run_id else "")
    texts = []
    for f in failures:
        text = f.description or unexpected_text(f.step, f.error_class, f.error_message, run_id)
        if text not in texts:
            texts.append(text)
    return "\n".join(texts)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
