"""The data_raw/ sensor: names, sizes and times only; waits until files stop changing."""

from __future__ import annotations

import os

from pipelines.lib.watch import WatchState, decide, is_ignored, snapshot


def touch(path, text="x", mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, ns=(mtime, mtime))


def test_temporary_and_hidden_files_are_ignored(tmp_path):
    touch(tmp_path / "a.csv")
    touch(tmp_path / "~$Mappe.xlsx")
    touch(tmp_path / ".~lock.a.csv#")
    touch(tmp_path / "upload.csv.part")
    touch(tmp_path / "sub" / "b.xlsx")
    touch(tmp_path / "README.md")
    assert [e[0] for e in snapshot(tmp_path)] == ["a.csv", "sub/b.xlsx"]
    assert is_ignored("~$esu.xlsx") and not is_ignored("esu.xlsx")


def test_run_only_after_files_are_stable_for_the_settle_time(tmp_path):
    touch(tmp_path / "a.csv", mtime=1_000_000_000)
    state = WatchState()
    d = decide(state, snapshot(tmp_path), now=100.0, settle_seconds=60)
    assert not d.run and "waiting" in d.reason
    d = decide(d.state, snapshot(tmp_path), now=130.0, settle_seconds=60)
    assert not d.run  # stable for only 30 s
    # the file grows while being copied: the clock starts again
    touch(tmp_path / "a.csv", text="xx", mtime=2_000_000_000)
    d = decide(d.state, snapshot(tmp_path), now=170.0, settle_seconds=60)
    assert not d.run
    d = decide(d.state, snapshot(tmp_path), now=200.0, settle_seconds=60)
    assert not d.run  # 30 s since the last change
    d = decide(d.state, snapshot(tmp_path), now=231.0, settle_seconds=60)
    assert d.run and d.run_key
    # nothing changed afterwards: no second run
    again = decide(WatchState.loads(d.state.dumps()), snapshot(tmp_path), now=1000.0, settle_seconds=60)
    assert not again.run and "unchanged" in again.reason


def test_touching_a_temporary_file_does_not_trigger(tmp_path):
    touch(tmp_path / "a.csv", mtime=1_000_000_000)
    d = decide(WatchState(), snapshot(tmp_path), now=0.0, settle_seconds=10)
    d = decide(d.state, snapshot(tmp_path), now=20.0, settle_seconds=10)
    assert d.run
    touch(tmp_path / "~$a.xlsx")
    d2 = decide(d.state, snapshot(tmp_path), now=40.0, settle_seconds=10)
    assert not d2.run and "unchanged" in d2.reason


def test_empty_folder_never_runs(tmp_path):
    d = decide(WatchState(), snapshot(tmp_path / "missing"), now=0.0, settle_seconds=0)
    assert not d.run
