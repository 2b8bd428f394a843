"""The release audit at scale: compact inputs (categorical keys, integer lookups, batched propagation,
checks in DuckDB) find exactly what the plain ones find, and every leak is still found."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipelines.lib.audit import audit, propagation
from pipelines.lib.audit.propagation import tighten
from pipelines.lib.config import load_config
from pipelines.lib.duck import connect
from pipelines.lib.release import ledger
from pipelines.lib.release.candidate import Candidate
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.stages import publish
from pipelines.lib.stages.protection import private_run_dir, true_cells
from pipelines.lib.workspace import Workspace

KEY = ["indicator_id", "year", "district_id"]
TEXT = ["indicator_id", "district_id", "parent_id", "status"]


def _release(path):
    ws = Workspace(path)
    run_id = current_run_id(ws)
    log = pd.read_parquet(private_run_dir(ws, run_id) / "suppression_log.parquet")
    return ws, Candidate(ws, run_id), load_config(ws.root), log


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain values, for comparing results whatever the key types."""
    return frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)
                         or frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)})


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(_plain(a.cells), _plain(b.cells), check_dtype=False)
    pd.testing.assert_frame_equal(_plain(a.violations).reset_index(drop=True),
                                  _plain(b.violations).reset_index(drop=True), check_dtype=False)


def test_published_cells_are_the_marts_rows_in_order_with_compact_columns(tiny_published):
    _, candidate, _, _ = _release(tiny_published)
    cells = publish.published_cells(candidate.mart)
    with connect(candidate.mart, read_only=True) as con:
        plain = con.execute(
            "select v.indicator_id, v.year, v.district_id, d.parent_id, d.level_rank, v.numerator, v.denominator, "
            "v.rate, v.status from indicator_values v join districts d using (district_id) "
            "order by v.indicator_id, v.year, d.level_rank, v.district_id").df()
    assert all(isinstance(cells[c].dtype, pd.CategoricalDtype) for c in TEXT)
    assert list(cells.columns) == list(plain.columns) and len(cells) == len(plain)
    for column in cells.columns:
        got, want = cells[column].astype(object), plain[column].astype(object)
        assert (got.isna() == want.isna()).all(), column
        assert (got[got.notna()].to_numpy() == want[want.notna()].to_numpy()).all(), column


def test_audit_of_categorical_keys_equals_the_audit_of_texts(tiny_published):
    ws, candidate, config, log = _release(tiny_published)
    cells = publish.published_cells(candidate.mart)
    texts = cells.astype({c: object for c in TEXT})
    hidden = np.flatnonzero(texts["status"].to_numpy() != "veröffentlicht")
    shown = np.flatnonzero(texts["status"].to_numpy() == "veröffentlicht")
    assert len(hidden) >= 3
    # leaks of every kind the audit reports, and a log with a gap, a repeated and a needless entry
    texts.loc[hidden[0], "numerator"] = 2.0
    texts.loc[hidden[1], "rate"] = 12.5
    texts.loc[shown[0], "numerator"] = 1.0
    texts.loc[shown[1], ["status", "numerator", "rate"]] = ["zu wenige Einwohner", np.nan, np.nan]
    bad_log = pd.concat([log.iloc[1:], log.iloc[:1], texts.loc[shown[2:4], KEY].assign(rule="P1", k=3)],
                        ignore_index=True)
    truth = true_cells(ws)
    earlier = pd.concat([  # hidden cells published before (twice: the last figure counts), a vanished district
        texts.loc[hidden[:2], KEY].assign(numerator=4), texts.loc[hidden[:1], KEY].assign(numerator=6),
        pd.DataFrame({"indicator_id": [texts.loc[0, "indicator_id"]], "year": [int(texts.loc[0, "year"])],
                      "district_id": ["weg"], "numerator": [5]}),
    ], ignore_index=True)
    compact = texts.astype({c: "category" for c in TEXT})
    indicators = {i.id: i for i in config.indicators}
    for kwargs in ({"true_values": truth, "earlier_releases": earlier, "indicators": indicators},
                   {"true_values": None, "earlier_releases": None, "indicators": None}):
        plain = audit(texts, bad_log, config.protection, **kwargs)
        assert not plain.passed and len(plain.violations) and (~plain.cells["passed"]).any()
        cat_truth = kwargs["true_values"]
        if cat_truth is not None:
            cat_truth = cat_truth.astype({"indicator_id": "category", "district_id": "category"})
        _same(plain, audit(compact, bad_log, config.protection, **{**kwargs, "true_values": cat_truth}))


def test_true_values_with_two_rows_for_a_cell_are_refused(tiny_published):
    ws, candidate, config, log = _release(tiny_published)
    truth = true_cells(ws)
    with pytest.raises(ValueError, match="several rows"):
        audit(publish.published_cells(candidate.mart), log, config.protection,
              true_values=pd.concat([truth, truth.iloc[:1]], ignore_index=True))


def test_the_ledger_read_for_the_unpublished_cells_only_changes_nothing(tiny_workspace):
    ws, candidate, config, log = _release(tiny_workspace)
    cells = publish.published_cells(candidate.mart)
    truth = true_cells(ws)
    hidden = cells.loc[cells["status"] != "veröffentlicht", KEY].astype({"indicator_id": str, "district_id": str})
    true_of = truth.set_index(KEY)["numerator"]
    first = hidden.iloc[0]
    first_true = int(true_of.loc[(first["indicator_id"], first["year"], first["district_id"])])
    second = hidden.iloc[1]
    with connect(ws.ledger, spatial=False) as con:  # earlier releases told a hidden cell, a revised one, a gone district
        con.execute("insert into published_cells values ('alt', ?, ?, ?, ?, null)",
                    [first["indicator_id"], int(first["year"]), first["district_id"], first_true])
        con.execute("insert into published_cells values ('alt', ?, ?, ?, ?, null)",
                    [second["indicator_id"], int(second["year"]), second["district_id"], 10_000])
        con.execute("insert into published_cells values ('alt', 'kinderarmut', 2001, '99999999', 7, 70)")
    full = ledger.earlier_knowledge(ws.ledger, truth)
    read = publish.earlier_knowledge(ws, publish.true_values(ws), cells)
    assert len(read) == 2 and len(full) > len(read)  # the known hidden cell and the gone district
    assert set(map(tuple, _plain(read)[KEY].astype({"year": int}).to_numpy().tolist())) == {
        (first["indicator_id"], int(first["year"]), first["district_id"]), ("kinderarmut", 2001, "99999999")}
    indicators = {i.id: i for i in config.indicators}
    with_full = audit(cells, log, config.protection, true_values=truth, earlier_releases=full, indicators=indicators)
    with_read = audit(cells, log, config.protection, true_values=truth, earlier_releases=read, indicators=indicators)
    _same(with_full, with_read)
    assert "früher veröffentlicht" in " ".join(with_read.at_risk["reason"])

    outcome = publish.run_audit(ws, config, candidate)  # and the stage itself finds the known hidden cell
    assert not outcome.passed and len(outcome.at_risk) >= 1


def test_a_hidden_cell_with_a_value_in_the_mart_fails_the_release_audit(tiny_workspace):
    ws, candidate, config, _ = _release(tiny_workspace)
    assert publish.run_audit(ws, config, candidate).passed
    with connect(candidate.mart) as con:
        key = con.execute("select indicator_id, year, district_id from indicator_values "
                          "where status = 'geheimgehalten' order by all limit 1").fetchone()
        con.execute("update indicator_values set numerator = 2, ci_low = 1.0 where indicator_id = ? and year = ? "
                    "and district_id = ?", list(key))
    outcome = publish.run_audit(ws, config, candidate)
    assert not outcome.passed
    assert "1 hidden cells carry a value in column numerator" in outcome.problems
    assert "1 hidden cells carry a value in column ci_low" in outcome.problems
    report = json.loads(outcome.report.read_text(encoding="utf-8"))
    assert report["passed"] is False and report["problem_list"] == outcome.problems


def test_a_leak_on_a_top_level_units_map_page_fails_the_release_audit(tiny_workspace):
    """At national scale each indicator has a page per top-level unit (``indikatoren/<id>/<unit>.html``):
    a hidden district drawn with a value there is found as on the overview page."""
    ws, candidate, config, _ = _release(tiny_workspace)
    overview = next((candidate.site / "indikatoren").glob("*.html"))
    html = overview.read_text(encoding="utf-8")
    start = html.index('id="sm-daten">') + len('id="sm-daten">')
    end = html.index("</script>", start)
    data = json.loads(html[start:end])
    year, per_level = next((y, levels) for y, levels in data["werte"].items()
                           if any(c and c[0] != 0 for cells in levels for c in cells))
    level, i = next((n, i) for n, cells in enumerate(per_level) for i, c in enumerate(cells) if c and c[0] != 0)
    data["werte"][year][level][i] = [0, "3,1"]
    unit = candidate.site / "indikatoren" / overview.stem / "einheit.html"
    unit.parent.mkdir()
    unit.write_text(html[:start] + json.dumps(data, ensure_ascii=False) + html[end:], encoding="utf-8")
    outcome = publish.run_audit(ws, config, candidate)
    assert not outcome.passed
    assert (f"indikatoren/{overview.stem}/einheit.html: 1 districts drawn as published that the mart does not "
            "publish") in outcome.problems


def _forest(rng, trees: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random sum trees one after the other (rows of a tree together), leaves known or in an interval."""
    parent, lo, hi = [], [], []
    for _ in range(trees):
        root = len(parent)
        parent.append(-1)
        kids = list(range(root + 1, root + 1 + int(rng.integers(2, 6))))
        parent += [root] * len(kids)
        values = rng.integers(0, 9, len(kids))
        hidden = rng.random(len(kids)) < 0.4
        lo += [float(values.sum())] + [1.0 if h else float(v) for v, h in zip(values, hidden, strict=True)]
        hi += [float(values.sum())] + [np.inf if h else float(v) for v, h in zip(values, hidden, strict=True)]
    return np.array(parent), np.array(lo), np.array(hi)


def test_propagation_in_batches_equals_one_pass(monkeypatch):
    rng = np.random.default_rng(5)
    parent, lo, hi = _forest(rng, 60)
    whole = tighten(parent, lo, hi)
    monkeypatch.setattr(propagation, "BATCH", 7)
    assert len(propagation.batches(parent)) > 10
    for got, want in zip(tighten(parent, lo, hi), whole, strict=True):
        np.testing.assert_array_equal(got, want)


CONTRADICTION = ([-1, 0, 0], [5.0, 3.0, 4.0], [5.0, 3.0, 4.0])  # a total of 5 published over 3 and 4
# a chain of sums: the known total reaches the deepest hidden cell only in the third sweep (6, 2, then 1)
CHAIN = ([-1, 0, 0, 1, 1, 3, 3], [10.0, 0.0, 4.0, 0.0, 4.0, 0.0, 1.0],
         [10.0, np.inf, 4.0, np.inf, 4.0, np.inf, 1.0])


@pytest.mark.parametrize("batch", [5, 10_000])
def test_a_contradiction_in_one_tree_leaves_the_bounds_of_the_others(monkeypatch, batch):
    """Trees in the same run of sweeps and in later ones reach their fixpoint as without the contradiction
    (the sweeps used to stop everywhere at the first one, the chain's hidden cells still open)."""
    monkeypatch.setattr(propagation, "BATCH", batch)
    alone = tighten(np.array(CHAIN[0]), np.array(CHAIN[1]), np.array(CHAIN[2]))
    np.testing.assert_array_equal(alone[0][[1, 3, 5]], [6, 2, 1])
    np.testing.assert_array_equal(alone[1][[1, 3, 5]], [6, 2, 1])
    parent = np.array(CONTRADICTION[0] + [p + 3 if p >= 0 else -1 for p in CHAIN[0]])
    lower, upper, feasible = tighten(parent, np.array(CONTRADICTION[1] + CHAIN[1]),
                                     np.array(CONTRADICTION[2] + CHAIN[2]))
    assert not feasible[:3].all() and feasible[3:].all()
    np.testing.assert_array_equal(lower[3:], alone[0])
    np.testing.assert_array_equal(upper[3:], alone[1])
