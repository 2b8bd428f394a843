"""Malformed inputs: each gives its validation finding, exit code 2, no traceback, and publishes nothing.

The corpus (``bad_inputs.py``) breaks the tiny demo city's own files; a property-based fuzz test feeds
the CSV reader and the count parser arbitrary bytes and cells, which may only ever produce findings.
"""

from __future__ import annotations

import logging
import shutil

import pandas as pd
import pytest
from bad_inputs import CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from release_checks import published_bytes

from pipelines.cli import main
from pipelines.lib.config import load_config
from pipelines.lib.ingest.load import load_inputs
from pipelines.lib.ingest.numbers import parse_counts
from pipelines.lib.ingest.tables import read_table
from pipelines.lib.workspace import WORKSPACE_ENV, Workspace


def test_the_corpus_is_large_and_names_real_codes():
    from pipelines.lib.ingest.codes import CODES

    assert len(CORPUS) >= 30 and len({c.name for c in CORPUS}) == len(CORPUS)
    assert all(any(code.startswith(c.code) for code in CODES) for c in CORPUS)


# a handful of cases in the default suite, the whole corpus in the slow stage of CI
@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=() if i % 6 == 0 else pytest.mark.slow)
                                  for i, c in enumerate(CORPUS)])
def test_malformed_input_is_reported_and_publishes_nothing(case, tiny_workspace, monkeypatch, capfd):
    ws = tiny_workspace
    monkeypatch.setenv("DAGSTER_HOME", str(Workspace(ws).dagster_home))
    monkeypatch.setenv(WORKSPACE_ENV, str(ws))
    monkeypatch.setattr(logging.getLogger("sozialmonitor"), "handlers", [])
    before = published_bytes(ws)
    case.break_into(ws)
    assert main(["run", "--quiet", "--workspace", str(ws)]) == 2
    out = capfd.readouterr()
    shown = out.out + out.err
    assert "Traceback" not in shown, shown
    assert any(f"[{case.code}" in line and case.file in line for line in out.out.splitlines()), shown
    assert published_bytes(ws) == before
    assert (ws / "STATUS.txt").read_text(encoding="utf-8").startswith("FEHLER")


# ---------------------------------------------------------------- fuzzing

CELLS = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"-?[0-9]{1,30}([.,][0-9]{0,5})?", fullmatch=True),
    st.from_regex(r"[0-9]{1,3}(\.[0-9]{3}){1,8}", fullmatch=True),
    st.sampled_from(["-", ".", "x", "/", "…", "", " ", "1e400", "NaN", "inf", "#DIV/0!", "#NV", "=A1",
                     "9223372036854775808", "-9223372036854775809", "\u2212" + "5", "0x1F", "１２"]),
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=600))
def test_csv_reader_never_raises_on_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "daten.csv"
    path.write_bytes(data)
    table, findings = read_table(path, "daten.csv")
    assert table is not None or findings


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=7), min_size=1, max_size=8),
       sep=st.sampled_from([";", ",", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       newline=st.sampled_from(["\n", "\r\n"]), final=st.booleans())
def test_csv_reader_and_count_parser_only_report_findings(tmp_path, rows, sep, encoding, newline, final):
    text = newline.join(sep.join(r) for r in [["Gebiet", "Jahr", "Zähler"], *rows]) + (newline if final else "")
    path = tmp_path / "daten.csv"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        return
    table, findings = read_table(path, "daten.csv")
    assert all(f.code.startswith("SM-") for f in findings)
    if table is not None:
        for column in table.frame.columns:
            parsed = parse_counts(table.text(column), decimal=table.decimal)
            assert len(parsed.value) == len(table.frame)
            assert set(parsed.problem.unique()) <= {"", *(f"SM-E30{i}" for i in range(10))}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(CELLS, CELLS), min_size=1, max_size=6))
def test_fuzzed_count_file_gives_findings_not_exceptions(tiny_inputs, tmp_path_factory, cells):
    ws = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(tiny_inputs / "data_raw", ws / "data_raw")
    shutil.copy(tiny_inputs / "sozialmonitor.toml", ws)
    csv = ws / "data_raw" / "gesundheit" / "zahnaerztlicher_dienst.csv"
    good = pd.read_csv(csv, sep=";", dtype=str)
    lines = ["Planungsraum;Jahr;Indikator;Zähler;Nenner"]
    for i, (num, den) in enumerate(cells):
        row = good.iloc[i % len(good)]
        lines.append(";".join([row["Planungsraum"], row["Jahr"], row["Indikator"], num, den]))
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs = load_inputs(load_config(ws))
    assert all(f.code.startswith("SM-") for f in inputs.findings)
