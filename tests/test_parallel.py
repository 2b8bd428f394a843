"""Pages rendered by forked workers: results in the items' order, work really spread, errors not lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.lib import parallel


def _square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_results_come_back_in_order_from_several_processes():
    items = list(range(parallel.MIN_ITEMS * 3))
    results = parallel.map_pages(_square_with_pid, items, workers=2)
    assert [r[0] for r in results] == [n * n for n in items]
    assert os.getpid() not in {pid for _, pid in results}  # rendered by the workers


def test_few_items_or_one_worker_run_in_this_process():
    few = parallel.map_pages(_square_with_pid, list(range(parallel.MIN_ITEMS - 1)), workers=2)
    one = parallel.map_pages(_square_with_pid, list(range(parallel.MIN_ITEMS * 2)), workers=1)
    assert {pid for _, pid in few + one} == {os.getpid()}


def _fails_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("page 7 cannot be rendered")
    return n


def test_a_failing_page_fails_the_build():
    with pytest.raises(ValueError, match="page 7"):
        parallel.map_pages(_fails_on_seven, list(range(parallel.MIN_ITEMS * 2)), workers=2)


def _pid_and_inner_pids() -> tuple[int, set[int]]:
    inner = parallel.map_pages(_square_with_pid, list(range(parallel.MIN_ITEMS * 2)), workers=2)
    return os.getpid(), {pid for _, pid in inner}


def test_jobs_run_side_by_side_and_workers_start_no_workers():
    results = parallel.run_together(_pid_and_inner_pids, _pid_and_inner_pids, lambda: "third")
    assert results[2] == "third"
    for pid, inner in results[:2]:
        assert pid != os.getpid() and inner == {pid}  # a job's own pages ran in the job's process



def test_workers_end_quietly_under_a_parent_that_handles_sigterm():
    # Dagster's run handles SIGTERM by raising; a worker that inherited that handler and is terminated by
    # its pool printed a traceback into the planner's terminal
    script = (
        "import signal\n"
        "from pipelines.lib import parallel\n"
        "def interrupted(*_):\n"
        "    raise RuntimeError('interrupted')\n"
        "signal.signal(signal.SIGTERM, interrupted)\n"
        "print(sum(parallel.map_pages(abs, list(range(parallel.MIN_ITEMS * 4)), workers=2)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parents[1])
    assert done.stdout.split() == [str(sum(range(parallel.MIN_ITEMS * 4)))]
    assert done.stderr == ""


def test_pools_end_their_workers_even_under_a_handler_that_swallows_sigterm():
    # a pool ended with SIGTERM caught workers still starting up (on a busy machine): they ran the parent's
    # handler instead, survived, and the build waited for them forever. Here every other worker starts
    # slowly, and the parent's handler swallows SIGTERM.
    script = (
        "import os, signal, time\n"
        "from pipelines.lib import parallel\n"
        "signal.signal(signal.SIGTERM, lambda *_: None)\n"
        "ready = parallel._default_signals\n"
        "def slow_start():\n"
        "    if os.getpid() % 2:\n"
        "        time.sleep(0.5)\n"
        "    ready()\n"
        "parallel._default_signals = slow_start\n"
        "def fail(n):\n"
        "    raise ValueError(n)\n"
        "for _ in range(3):\n"
        "    parallel.map_pages(abs, list(range(parallel.MIN_ITEMS)), workers=4)\n"
        "    try:\n"
        "        parallel.map_pages(fail, list(range(parallel.MIN_ITEMS)), workers=4)\n"
        "    except ValueError:\n"
        "        pass\n"
        "print('done')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parents[1])
    assert done.stdout.split() == ["done"], done.stderr[-2000:]


def _fails() -> int:
    raise ValueError("the export check failed")


@pytest.mark.skipif(parallel.usable_cores() < 2, reason="a background job runs in this process on one core")
def test_a_background_job_runs_in_a_worker_of_its_own_while_the_caller_goes_on():
    job = parallel.Background(os.getpid)
    here = parallel.run_together(os.getpid, os.getpid)  # the caller's own workers meanwhile
    assert job.result() not in {os.getpid(), *here}
    with pytest.raises(ValueError, match="export check failed"):
        parallel.Background(_fails).result()
    parallel.Background(os.getpid).cancel()  # a caller that failed first ends it


def test_a_background_job_inside_a_worker_runs_there():
    def inner() -> tuple[int, int]:
        return os.getpid(), parallel.Background(os.getpid).result()

    for pid, background in parallel.run_together(inner, inner):
        assert pid == background
