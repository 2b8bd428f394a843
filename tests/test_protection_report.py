"""The protection report states the rules in force (in German, no cell values); the protection stage
reports the indicator-years it withheld after a boundary reform, in the Dagster metadata and the report."""

from __future__ import annotations

import dataclasses
import shutil

import dagster as dg
import pandas as pd

from pipelines.lib.config import load_config
from pipelines.lib.duck import connect
from pipelines.lib.release.protection_report import WITHHELD_FILE, rules_in_force, write_report
from pipelines.lib.stages.protection import private_run_dir, true_cells
from pipelines.lib.workspace import Workspace

ZERO_EXCEPTION = ("unter den Teilgebieten eines Gebiets, das ein Teilgebiet mit „zu wenige Einwohner“ hat, "
                  "kann eine Null als Sekundärsperrung geheimgehalten werden")


def test_rules_in_force(tiny_inputs):
    config = load_config(tiny_inputs)
    text = "\n".join(rules_in_force(config))
    assert "Nullen werden veröffentlicht" in text and ZERO_EXCEPTION in text
    assert "aus Fallzahl und Quote ableitbar" in text and "Nenner nicht veröffentlicht bei: keine)" in text
    assert "k = 3" in text and "Gesundheitsamt: k = 5" in text and "Mindesteinwohnerzahl 300" in text

    private = [dataclasses.replace(i, denominator_public=i.id != "arbeitslosigkeit") for i in config.indicators]
    no_zeros = dataclasses.replace(config.protection, publish_zeros=False)
    other = dataclasses.replace(config, indicators=private, protection=no_zeros)
    text = "\n".join(rules_in_force(other))
    assert "Nenner nicht veröffentlicht bei: arbeitslosigkeit)" in text
    assert "Nullen werden veröffentlicht" not in text and "nur als mindestens 0 bekannt" in text


def test_withheld_in_metadata_and_report(tiny_published, tmp_path):
    from pipelines.defs.protection import protected_mart
    from pipelines.defs.resources import WorkspaceResource

    ws_path = tmp_path / "ws"
    shutil.copytree(tiny_published, ws_path)
    ws = Workspace(ws_path)
    cells = true_cells(ws)
    year = int(cells["year"].max())
    with connect(ws.ledger, spatial=False) as con:  # an earlier release published a district now gone
        con.execute("insert into published_cells values ('alt', 'kinderarmut', ?, '99999999', 7, 70)", [year])

    result = dg.materialize([protected_mart], resources={"sozialmonitor": WorkspaceResource(path=str(ws_path))},
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success
    (event,) = result.asset_materializations_for_node("protected_mart")
    assert event.metadata["Zurückgehaltene Indikator-Jahre (Gebietsreform oder frühere Freigaben)"].value == 1
    run_dir = private_run_dir(ws, result.run_id)  # the candidate release is the run's own
    withheld = pd.read_parquet(run_dir / WITHHELD_FILE)
    assert withheld.values.tolist() == [["kinderarmut", year, "area_system"]]

    log = pd.read_parquet(run_dir / "suppression_log.parquet")
    report = write_report(run_dir / "schutzbericht.md", load_config(ws_path), "lauf", cells, log, True, 0, [])
    text = report.read_text(encoding="utf-8")
    assert "Zurückgehaltene Indikator-Jahre (früher auf anderem Gebietsstand veröffentlicht): 1" in text
    assert "eine dort geheimgehaltene Zelle eingrenzen würden; sie fehlen in dieser Freigabe): 0" in text
    assert ZERO_EXCEPTION in text


def test_report_says_how_much_of_the_finest_level_shows_a_value(tiny_published):
    """The committee's figure, per indicator in its newest year, counted here from the published mart."""
    from pipelines.lib.release.switch import current_run_id

    ws = Workspace(tiny_published)
    run_id = current_run_id(ws)
    text = (private_run_dir(ws, run_id) / "schutzbericht.md").read_text(encoding="utf-8")
    with connect(ws.mart_releases / run_id / "sozialmonitor.duckdb", read_only=True, spatial=False) as con:
        expected = con.execute(
            """
            with finest as (select v.* from indicator_values v join districts d using (district_id)
                            where d.level_rank = (select max(level_rank) from districts)),
                 newest as (select indicator_id, max(year) as year from finest group by all)
            select indicator_id, year, count(*) filter (where status = 'veröffentlicht'), count(*)
            from finest join newest using (indicator_id, year) group by all order by indicator_id
            """).fetchall()
    assert "## Sichtbare Gebiete" in text and expected
    for indicator, year, shown, total in expected:
        assert f"| {indicator} | {year} | {shown} von {total} | {100 * shown / total:.0f} % |" in text
    assert any(shown < total for _, _, shown, total in expected)
