"""The Dagster UI (no login) carries no raw count of the private warehouse: a run with a consistency finding
shows how many problems and which districts, a run with a validation error where it is — the counts
themselves stay in the reports in data_private/."""

from __future__ import annotations

import json
import re

import dagster as dg
import pandas as pd
from conftest import run_cli
from dagster._serdes import serialize_value

from pipelines.lib.workspace import Workspace

SUBSET, DENOMINATOR = "8765", "9876"  # planted raw counts, found nowhere else in a run's events


def plant(ws, numerator: str, denominator: str) -> tuple[int, str]:
    """Set the first kinderarmut_u3 row of the tiny city's social data; (its row in the file, its district)."""
    path = ws / "data_raw" / "soziales" / "sozialdaten.csv"
    counts = pd.read_csv(path, sep=";", dtype=str, encoding="cp1252", keep_default_na=False)
    row = counts.index[counts["Indikator"] == "kinderarmut_u3"][0]
    counts.at[row, "Zähler"], counts.at[row, "Nenner"] = numerator, denominator
    counts.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    return row + 2, counts.at[row, "Planungsraum"]


def ui_events(ws) -> list[tuple[str, str]]:
    """(event type, everything the UI can show of it: message, metadata, descriptions) of the last run."""
    with dg.DagsterInstance.from_config(str(Workspace(ws).dagster_home)) as instance:
        run = instance.get_runs(limit=1)[0]
        return [(e.dagster_event_type.value if e.dagster_event else "LOG",
                 json.dumps(json.loads(serialize_value(e)), ensure_ascii=False)) for e in instance.all_logs(run.run_id)]


def check_evaluation(events, name: str) -> str:
    return next(text for kind, text in events if kind == "ASSET_CHECK_EVALUATION" and f'"{name}"' in text)


def appears(number: str, text: str) -> bool:
    return re.search(rf"(?<![\d.]){number}(?![\d.])", text) is not None


def test_consistency_finding_shows_counts_of_problems_and_districts_not_raw_counts(tiny_workspace):
    row, district = plant(tiny_workspace, SUBSET, DENOMINATOR)  # a subset above its whole, a differing denominator
    result = run_cli("run", "--quiet", "--force", "--workspace", str(tiny_workspace))
    assert result.returncode == 2 and "[SM-E331]" in result.stdout, result.stdout + result.stderr
    events = ui_events(tiny_workspace)
    leaks = [kind for kind, text in events if appears(SUBSET, text) or appears(DENOMINATOR, text)]
    assert leaks == []
    consistent = check_evaluation(events, "inputs_consistent")
    assert '"Fehler"' in consistent and '"Betroffene Gebiete (Anzahl)"' in consistent and district in consistent
    assert re.search(r"\d+ Widersprüche in den Eingabedaten, 1 Gebiet betroffen – Bericht", consistent)
    # the private report still says where, for the planner; the warehouse still holds the counts
    report = Workspace(tiny_workspace).consistency_report.with_suffix(".txt").read_text(encoding="utf-8")
    assert f"sozialdaten.csv, Zeile {row}" in report


def test_validation_error_values_stay_out_of_the_ui(tiny_workspace):
    row, _ = plant(tiny_workspace, "7654", "6543")  # numerator above denominator: SM-E304 with both counts
    result = run_cli("run", "--quiet", "--force", "--workspace", str(tiny_workspace))
    assert result.returncode == 2, result.stdout + result.stderr
    report = Workspace(tiny_workspace).validation_report.with_suffix(".txt").read_text(encoding="utf-8")
    assert "7654 > 6543" in report  # the planner's report keeps the value
    events = ui_events(tiny_workspace)
    assert [kind for kind, text in events if appears("7654", text) or appears("6543", text)] == []
    valid = check_evaluation(events, "inputs_valid")
    assert "SM-E304" in valid and "sozialdaten.csv" in valid and f"| {row} |" in valid
