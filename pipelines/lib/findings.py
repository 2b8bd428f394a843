"""Validation findings: one German message per problem, with a stable code and its location.

Planners are not programmers: every finding names the file, the row and the column, the offending
value and what to do about it. Findings are collected (never raised one by one) so that a file
reports all of its problems at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in the inputs or the configuration.

    ``row`` is the row number as a person sees it in a spreadsheet program: the header is row 1,
    the first data row is row 2. ``None`` where the finding concerns the whole file or column.
    """

    file: str
    code: str
    message: str
    hint: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: str = "error"  # "error" stops the run, "warning" is reported only

    def render(self, with_value: bool = True) -> str:
        """The finding as one German line; ``with_value=False`` leaves out the cell's value (a raw count must
        not reach the Dagster UI, which has no login)."""
        where = [self.file]
        if self.row is not None:
            where.append(f"Zeile {self.row}")
        if self.column:
            where.append(f"Spalte „{self.column}“")
        value = f" (Wert: „{self.value}“)" if self.value is not None and with_value else ""
        kind = "Fehler" if self.severity == "error" else "Hinweis"
        return f"[{self.code}] {kind} in {', '.join(where)}: {self.message}{value}. {self.hint}"

    def to_dict(self) -> dict:
        return asdict(self)


class ValidationFailed(Exception):
    """Raised when the inputs hold at least one error; carries every finding."""

    def __init__(self, findings: Iterable[Finding]):
        self.findings = sorted(findings, key=_sort_key)
        errors = [f for f in self.findings if f.severity == "error"]
        super().__init__(f"{len(errors)} Fehler in den Eingabedaten")


class ConfigError(Exception):
    """The workspace configuration is wrong; the message is German and says what to change."""


def _sort_key(f: Finding):
    return (f.file, f.row if f.row is not None else -1, f.column or "", f.code)


def errors_of(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def write_report(findings: Iterable[Finding], path: Path) -> Path:
    """Write all findings as JSON (for tools) and as text (for people) beside it."""
    findings = sorted(findings, key=_sort_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    text = path.with_suffix(".txt")
    lines = [f.render() for f in findings] or ["Keine Probleme gefunden."]
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
