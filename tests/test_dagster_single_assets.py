"""Single assets materialised on their own, out of order, through Dagster's API: every step writes only into
the candidate release of its own run, so the live release (and any complete one) is never changed."""

from __future__ import annotations

import hashlib
import json

import dagster as dg
import pytest

from pipelines.defs.resources import WorkspaceResource
from pipelines.lib.release.candidate import Candidate, ReleaseClosed
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import WORKSPACE_ENV, Workspace

DOWNSTREAM = ["indicator_rates", "need_index", "allocation", "release_exports", "release_dashboards",
              "candidate_release", "current_release"]


def fingerprint(ws: Workspace) -> dict[str, str]:
    """Every file of the published side (marts, releases, site) with its content hash."""
    out = {}
    for root in (ws.data_marts, ws.dashboards):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            out[str(path.relative_to(ws.root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_single_downstream_assets_never_write_into_the_live_release(tiny_workspace, monkeypatch):
    monkeypatch.setenv(WORKSPACE_ENV, str(tiny_workspace))
    ws = Workspace.at(tiny_workspace)
    live = current_run_id(ws)
    assert live and Candidate(ws, live).is_complete
    before = fingerprint(ws)
    from pipelines.defs import analysis, dashboards, publish

    assets = {a.key.to_user_string(): a for module in (analysis, dashboards, publish)
              for a in vars(module).values() if isinstance(a, dg.AssetsDefinition) and len(a.keys) == 1}
    resources = {"sozialmonitor": WorkspaceResource(path=str(ws.root))}
    with dg.instance_for_test() as instance:
        for name in DOWNSTREAM:  # each on its own, in an order no run would take
            result = dg.materialize([assets[name]], resources=resources, instance=instance,
                                    raise_on_error=False)
            assert not result.success, name
            failure = result.get_step_failure_events()[0].event_specific_data.error
            text = str(failure.message)
            assert "keine Kandidaten-Freigabe" in text and "ganze Pipeline" in text, (name, text)
            assert not Candidate(ws, result.run_id).mart_dir.exists()  # nothing was started either
    assert fingerprint(ws) == before
    assert current_run_id(ws) == live


def test_a_complete_or_live_release_refuses_every_write(tiny_workspace):
    ws = Workspace.at(tiny_workspace)
    live = Candidate(ws, current_run_id(ws))
    with pytest.raises(ReleaseClosed, match="abgeschlossen"):
        live.ensure_writable()
    with pytest.raises(ReleaseClosed):
        live.start()  # would remove the live release's folders
    # live but not (yet) marked complete, as in the middle of a crashed switch: still closed
    live.marker.unlink()
    with pytest.raises(ReleaseClosed, match="abgeschlossen"):
        live.ensure_writable()
    # a complete release that is no longer live is immutable too
    (ws.data_marts / "CURRENT").write_text("some-other-run\n", encoding="utf-8")
    live.marker.write_text(json.dumps({"run_id": live.run_id, "completed_at": "2026-01-01T00:00:00+00:00"}))
    with pytest.raises(ReleaseClosed, match="abgeschlossen"):
        live.ensure_writable()
