"""Table symbols of German official statistics (Zeichenerklärung) and the flags they map to.

A count cell holds either a number or one of these symbols. ``-`` means "exactly zero" and becomes
the number 0 with flag ``value``; every other symbol keeps the value empty and says why.
"""

from __future__ import annotations

FLAG_VALUE = "value"
FLAG_SECRET = "secret"
FLAG_NOT_MEANINGFUL = "not_meaningful"
FLAG_UNRELIABLE = "unreliable"
FLAG_NOT_YET = "not_yet"
FLAG_MISSING = "missing"

FLAGS = (FLAG_VALUE, FLAG_SECRET, FLAG_UNRELIABLE, FLAG_NOT_MEANINGFUL, FLAG_NOT_YET, FLAG_MISSING)

ZERO_SYMBOLS = frozenset({"-", "\u2013"})  # hyphen-minus and the typeset en dash

# symbol (after stripping whitespace) -> flag; zero symbols map to FLAG_VALUE with the number 0
SYMBOLS: dict[str, str] = {
    "-": FLAG_VALUE,
    "\u2013": FLAG_VALUE,
    ".": FLAG_SECRET,
    "x": FLAG_NOT_MEANINGFUL,
    "X": FLAG_NOT_MEANINGFUL,
    "/": FLAG_UNRELIABLE,
    "\u2026": FLAG_NOT_YET,
    "...": FLAG_NOT_YET,
}

# German labels, for messages
FLAG_LABELS = {
    FLAG_VALUE: "Zahl",
    FLAG_SECRET: "geheim gehalten oder unbekannt („.“)",
    FLAG_NOT_MEANINGFUL: "nicht sinnvoll („x“)",
    FLAG_UNRELIABLE: "nicht sicher genug („/“)",
    FLAG_NOT_YET: "noch nicht verfügbar („…“)",
    FLAG_MISSING: "fehlt (leere Zelle)",
}


def symbol_flag(text: str) -> str | None:
    """The flag of a table symbol (surrounding whitespace ignored), or ``None`` if it is no symbol."""
    return SYMBOLS.get(text.strip())
