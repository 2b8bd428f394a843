"""Protecting indicators apart (in forked workers) gives exactly the result of protecting them together."""

from __future__ import annotations

import pandas as pd

from pipelines.lib import parallel
from pipelines.lib.config import load_config
from pipelines.lib.protection import protect
from pipelines.lib.protection.parts import protect_by_indicator
from pipelines.lib.release import ledger
from pipelines.lib.stages.protection import true_cells
from pipelines.lib.workspace import Workspace

KEY = ["indicator_id", "year", "district_id"]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(KEY).reset_index(drop=True)


def test_parts_equal_the_whole(tiny_published, monkeypatch):
    ws = Workspace(tiny_published)
    config = load_config(ws.root)
    cells = true_cells(ws)
    indicators = {i.id: i for i in config.indicators}
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)  # the demo's 17 indicators go to the workers too
    for known in (None, ledger.earlier_knowledge(ws.ledger, cells)):  # with the ledger's earlier releases too
        whole = protect(cells, indicators, config.protection, earlier_releases=known)
        parts = protect_by_indicator(cells, indicators, config.protection, earlier_releases=known)
        pd.testing.assert_frame_equal(_sorted(parts.published), _sorted(whole.published))
        pd.testing.assert_frame_equal(_sorted(parts.log), _sorted(whole.log))
        assert parts.counts == whole.counts and whole.counts["secondary"] > 0
    assert known is not None and len(known) > 0
