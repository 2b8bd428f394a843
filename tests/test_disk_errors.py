"""A run that cannot write (full disk, read-only file system) stops with a clear German message.

The operating system's errors are injected at the write points in-process: CI runs as root, where
tests built on file permissions cannot fail.
"""

from __future__ import annotations

import errno
import logging
import os

import pytest
from release_checks import published_bytes, published_release

from pipelines.cli import main
from pipelines.lib.workspace import WORKSPACE_ENV, Workspace

MESSAGES = {errno.ENOSPC: "Kein Speicherplatz mehr", errno.EROFS: "Dateisystem ist schreibgeschützt"}

WRITE_POINTS = [  # module, attribute, error: from the first write of a run to the switch
    ("pipelines.lib.release.lock", "FileLock", errno.EROFS),  # the run lock itself
    ("pipelines.lib.stages.ingest", "write_report", errno.ENOSPC),  # validation report
    ("pipelines.lib.stages.ingest", "load_raw", errno.EROFS),  # the private warehouse
    ("pipelines.lib.stages.protection", "write_mart", errno.ENOSPC),  # the candidate mart
    ("pipelines.lib.release.switch", "_stage_link", errno.EROFS),  # the switch, after the audit
    ("pipelines.lib.release.switch", "_stage_text", errno.ENOSPC),
]


@pytest.fixture
def in_process(tiny_workspace, monkeypatch):
    """Run the command in this process (so errors can be injected), isolated from other tests."""
    monkeypatch.setenv("DAGSTER_HOME", str(Workspace(tiny_workspace).dagster_home))
    monkeypatch.setenv(WORKSPACE_ENV, str(tiny_workspace))
    monkeypatch.setattr(logging.getLogger("sozialmonitor"), "handlers", [])
    return tiny_workspace


@pytest.mark.parametrize(("module", "attribute", "code"), WRITE_POINTS,
                         ids=[f"{a}-{errno.errorcode[c]}" for _, a, c in WRITE_POINTS])
def test_run_that_cannot_write_stops_clearly_and_keeps_the_release(in_process, monkeypatch, capfd,
                                                                    module, attribute, code):
    ws = in_process
    before, release = published_bytes(ws), published_release(ws)
    target = ws / "data_private" / "x"

    def cannot_write(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(target))

    monkeypatch.setattr(f"{module}.{attribute}", cannot_write)
    assert main(["run", "--quiet", "--force", "--workspace", str(ws)]) == 1
    out = capfd.readouterr()
    shown = out.out + out.err
    assert MESSAGES[code] in shown and str(target) in shown, shown
    assert "Traceback" not in shown and "Errno" not in shown, shown
    assert "letzte Freigabe bleibt gültig" in shown
    assert published_bytes(ws) == before and published_release(ws) == release
    assert not list((ws / "data_marts").glob(".*.tmp")) and not list((ws / "dashboards").glob(".*.tmp"))
    if attribute != "FileLock":
        status = (ws / "STATUS.txt").read_text(encoding="utf-8")
        assert status.startswith("FEHLER") and MESSAGES[code] in status
