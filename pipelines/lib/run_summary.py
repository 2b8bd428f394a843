"""A run's summary in German: what it checked, found and published, in one sentence a planner reads.

"3 Dateien geprüft, 0 Fehler, 2 Hinweise, Freigabe 1a2b… veröffentlicht, 1.234 Zellen geheimgehalten."
The numbers are read back from the run's own Dagster events (the metadata the assets and checks record
under their German labels, :mod:`pipelines.lib.ui_labels`), so a run started on the command line, by the
schedule or by the sensor is summarised alike: at the end of ``sozialmonitor run``, in ``STATUS.txt``,
in the Dagster UI (the last asset's metadata and the run's tag ``sozialmonitor/zusammenfassung``) and by
``sozialmonitor status``. The summary carries counts of files, findings and hidden cells only — never a
count of the private data.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, fields

SUMMARY_TAG = "sozialmonitor/zusammenfassung"

# failure kinds, for what ``sozialmonitor status`` says to do
INVALID, UNSAFE, ERROR = "invalid", "unsafe", "error"


def _count(n: int, one: str, many: str) -> str:
    text = str(n) if -1000 < n < 1000 else f"{n:,}".replace(",", ".")
    return f"{text} {one if n == 1 else many}"


@dataclass(frozen=True)
class RunSummary:
    ok: bool
    run_id: str | None = None
    files: int | None = None  # input files checked
    errors: int | None = None
    warnings: int | None = None
    release: str | None = None  # the release this run published
    hidden_cells: int | None = None  # cells of that release without a published value (audit's count)
    unchanged: str | None = None  # nothing changed: this release stays
    kind: str | None = None  # of a failure: INVALID, UNSAFE or ERROR

    def sentence(self) -> str:
        """One German sentence: what was checked, found and published (or that nothing was)."""
        if self.unchanged:
            return f"Keine Änderungen seit Freigabe {self.unchanged}, die gültig bleibt."
        parts = []
        if self.files is not None:
            parts.append(_count(self.files, "Datei", "Dateien") + " geprüft")
        if self.errors is not None:
            parts.append(_count(self.errors, "Fehler", "Fehler"))
        if self.warnings is not None:
            parts.append(_count(self.warnings, "Hinweis", "Hinweise"))
        if self.ok and self.release:
            parts.append(f"Freigabe {self.release} veröffentlicht")
            if self.hidden_cells is not None:
                parts.append(_count(self.hidden_cells, "Zelle", "Zellen") + " geheimgehalten")
        elif not self.ok:
            parts.append("Lauf fehlgeschlagen, nichts veröffentlicht")
        text = ", ".join(parts) if parts else ("Lauf abgeschlossen" if self.ok else "Lauf fehlgeschlagen")
        return text[0].upper() + text[1:] + "."

    def dumps(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def loads(cls, text: str) -> RunSummary:
        data = json.loads(text)
        return cls(**{f.name: data.get(f.name) for f in fields(cls) if f.name in data})


def _value(metadata: dict, key: str):
    entry = metadata.get(key)
    value = getattr(entry, "value", entry)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def summary_of_events(records, *, ok: bool, run_id: str | None = None, kind: str | None = None) -> RunSummary:
    """The summary of a run from its event log entries (materializations and check evaluations)."""
    from pipelines.lib import ui_labels as labels

    found: dict[str, int | str | None] = {}
    checks: dict[str, bool] = {}
    hidden_from_protection = None
    for record in records:
        event = getattr(record, "dagster_event", None)
        if event is None:
            continue
        data = event.event_specific_data
        if event.event_type_value == "ASSET_MATERIALIZATION":
            name, metadata = data.materialization.asset_key.to_user_string(), data.materialization.metadata
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            name, metadata = data.check_name, data.metadata
            checks[name] = data.passed
        else:
            continue
        if name == "raw_inputs":
            found["files"] = _value(metadata, labels.FILES)
            found["errors"] = _value(metadata, labels.ERRORS)
            found["warnings"] = _value(metadata, labels.WARNINGS)
        elif name == "release_audit":
            found["hidden_cells"] = _value(metadata, labels.HIDDEN_CELLS)
        elif name == "protected_mart":
            hidden_from_protection = _value(metadata, labels.HIDDEN_CELLS)
        elif name == "current_release":
            release = metadata.get(labels.RELEASE)
            found["release"] = getattr(release, "value", release)
    if found.get("hidden_cells") is None:
        found["hidden_cells"] = hidden_from_protection
    return RunSummary(ok=ok, run_id=run_id, kind=None if ok else (kind or failure_kind(checks)), **found)


def summary_of_run(instance, run_id: str, *, ok: bool, kind: str | None = None) -> RunSummary:
    """The summary of the Dagster run ``run_id`` in ``instance`` (finished or, from its last step, running).
    An event log that cannot be read gives a summary without numbers: summarising never fails a run."""
    import dagster as dg

    types = {dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION}
    try:
        records = instance.all_logs(run_id, of_type=types)
    except Exception:
        return RunSummary(ok=ok, run_id=run_id, kind=None if ok else (kind or ERROR))
    return summary_of_events(records, ok=ok, run_id=run_id, kind=kind)


def failure_kind(check_results: dict[str, bool | None], ledger_unsafe: bool = False) -> str:
    """What kind of failure a run's checks show: invalid inputs, an unsafe release, or another error."""
    if check_results.get("inputs_valid") is False or check_results.get("inputs_consistent") is False:
        return INVALID
    if check_results.get("release_audit") is False or ledger_unsafe:
        return UNSAFE
    return ERROR


def tag_run(instance, summary: RunSummary) -> None:
    """The summary as the Dagster run's tag (shown on the run's page and in the run list)."""
    if summary.run_id:
        # a full disk, say, leaves the run untagged: the status file and the terminal still have the summary
        with contextlib.suppress(Exception):
            instance.add_run_tags(summary.run_id, {SUMMARY_TAG: summary.sentence()})
