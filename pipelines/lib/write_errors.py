"""Failures to write (full disk, read-only file system, quota, no permission), explained in German.

A run that cannot write stops; what it had written of a candidate release is never switched on, so the
last release stays current. Libraries that do not raise ``OSError`` (DuckDB) are recognised by the
operating system's message in their error text.
"""

from __future__ import annotations

import errno

_REASONS = {
    errno.ENOSPC: ("Kein Speicherplatz mehr auf dem Datenträger",
                   "Bitte Platz schaffen (z. B. mit einer kleineren Zahl aufbewahrter Freigaben unter "
                   "[release] keep) und den Lauf wiederholen."),
    errno.EDQUOT: ("Das Speicherkontingent des Dienstkontos ist erschöpft",
                   "Bitte das Kontingent erhöhen oder Platz schaffen und den Lauf wiederholen."),
    errno.EROFS: ("Das Dateisystem ist schreibgeschützt",
                  "Bitte prüfen, ob das Laufwerk des Arbeitsbereichs beschreibbar eingebunden ist, und den "
                  "Lauf wiederholen."),
    errno.EACCES: ("Keine Schreibberechtigung",
                   "Der Lauf braucht Schreibrechte auf den ganzen Arbeitsbereich: bitte das Konto des "
                   "Dienstes und die Rechte der Ordner prüfen."),
    errno.EPERM: ("Schreiben nicht erlaubt",
                  "Der Lauf braucht Schreibrechte auf den ganzen Arbeitsbereich: bitte das Konto des "
                  "Dienstes und die Rechte der Ordner prüfen."),
}
_OS_TEXTS = {
    "No space left on device": errno.ENOSPC,
    "Disk quota exceeded": errno.EDQUOT,
    "Read-only file system": errno.EROFS,
}


class WriteFailed(Exception):
    """A run could not write; the message says why, in German, and what to do."""


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def write_problem(exc: BaseException) -> str | None:
    """The German explanation when ``exc`` (or its cause) is a failure to write, else ``None``."""
    for e in _chain(exc):
        if isinstance(e, WriteFailed):
            return str(e)
        code = e.errno if isinstance(e, OSError) else None
        if code not in _REASONS:
            code = next((c for text, c in _OS_TEXTS.items() if text in str(e)), None)
        if code in _REASONS:
            reason, hint = _REASONS[code]
            where = getattr(e, "filename", None)
            return f"{reason}{f' ({where})' if where else ''}. {hint}"
    return None
