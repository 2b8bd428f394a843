"""One run at a time: the lock is shared across processes and released when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from pipelines.lib.release.lock import RunLocked, run_lock

# The holder takes SIGTERM's default action whatever it inherits: a child inherits an ignored signal and the
# signal mask of the test process, which earlier tests in the same worker may have changed (Dagster maps
# SIGTERM to the SIGINT handler; the pools block it while they fork). Once, on a loaded CI machine, the
# holder outlived its SIGTERM by 20 s.
HOLDER = """
import signal, sys, time
from pathlib import Path
from pipelines.lib.release.lock import run_lock
signal.signal(signal.SIGTERM, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
with run_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def start_holder(lock_file):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock_file)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_run_gets_a_clear_message_and_lock_frees_when_holder_is_killed(tmp_path):
    lock_file = tmp_path / "run.lock"
    proc = start_holder(lock_file)
    try:
        with pytest.raises(RunLocked) as exc, run_lock(lock_file, wait_seconds=0.2):
            pass
        assert "anderer Lauf" in str(exc.value) and str(proc.pid) in str(exc.value)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    started = time.monotonic()
    with run_lock(lock_file, wait_seconds=5):
        assert time.monotonic() - started < 5


def test_waiting_run_proceeds_once_the_first_finishes(tmp_path):
    lock_file = tmp_path / "run.lock"
    proc = start_holder(lock_file)
    subprocess.Popen(["sh", "-c", f"sleep 1; kill {proc.pid}"])
    with run_lock(lock_file, wait_seconds=20):
        assert proc.wait(timeout=5) != 0
