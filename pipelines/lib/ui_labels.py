"""German labels of the metadata the Dagster UI shows to planners (the code's own keys stay English).

Every asset and check passes its metadata through :func:`ui_metadata`; a key without a label here is a
programming error (a test runs the pipeline and checks every label the UI receives). The run summary
(:mod:`pipelines.lib.run_summary`) reads the numbers back by these labels.
"""

from __future__ import annotations

# the labels the run summary reads back
RELEASE = "Freigabe"
FILES = "Geprüfte Dateien"
ERRORS = "Fehler"
WARNINGS = "Hinweise"
HIDDEN_CELLS = "Geheimgehaltene Zellen"
SUMMARY = "Zusammenfassung"

LABELS = {
    "release": RELEASE,
    "files_checked": FILES,
    "errors": ERRORS,
    "warnings": WARNINGS,
    "report": "Bericht",
    "findings": "Meldungen",
    "hidden_cells": HIDDEN_CELLS,
    "withheld_indicator_years": "Zurückgehaltene Indikator-Jahre (Gebietsreform oder frühere Freigaben)",
    "gaps": "Fehlende Gebiet-Indikator-Jahre",
    "examples": "Beispiele",
    "districts_affected": "Betroffene Gebiete (Anzahl)",
    "districts": "Betroffene Gebiete",
    "pages": "Seiten",
    "site": "Website der Freigabe",
    "files": "Dateien",
    "mart": "Datenbank der Freigabe",
    "pruned_releases": "Gelöschte ältere Freigaben",
    "passed": "Bestanden",
    "no_data_cells": "Zellen ohne Daten",
    "cells_at_risk": "Gefährdete Zellen",
    "problems": "Weitere Probleme",
    "values_with_rate": "Werte mit Quote und Intervall",
    "indicator_benchmarks": "Vergleiche mit Stadt und übergeordnetem Gebiet",
    "need_index": "Gebiete mit Handlungsbedarfsindex",
    "special_need": "Gebiete mit besonderem Handlungsbedarf",
    "hotspots": "Geprüfte Gebiete (Schwerpunkte)",
    "significant": "Signifikante Schwerpunkte",
    "offer_coverage": "Gebiete mit Versorgungsquote",
    "supply_gaps": "Versorgungslücken",
    "allocation": "Gebiete mit Betrag",
    "allocated": "Verteilter Betrag (Euro)",
    "summary": SUMMARY,
}

ROWS_PREFIX = "Zeilen: "  # row counts of tables: "rows_<table>" → "Zeilen: <table>"


def label(key: str) -> str:
    """The German label of a metadata key (``rows_<table>`` → ``Zeilen: <table>``, the table's name is code)."""
    if key.startswith("rows_"):
        return ROWS_PREFIX + key[len("rows_"):]
    try:
        return LABELS[key]
    except KeyError:
        raise KeyError(f"no German label for the metadata key {key!r} (pipelines/lib/ui_labels.py)") from None


def ui_metadata(metadata: dict) -> dict:
    """``metadata`` with German labels as keys, the values unchanged."""
    return {label(k): v for k, v in metadata.items()}
