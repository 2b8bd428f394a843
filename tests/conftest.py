"""Shared fixtures: a tiny generated workspace, run once per test session and copied per test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from pipelines.lib.demo.generator import SIZES, generate_city

# Property tests count examples, not milliseconds: a loaded CI machine must not fail them on time.
settings.register_profile("sozialmonitor", deadline=None)
settings.load_profile("sozialmonitor")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the ``sozialmonitor`` command in a fresh process, as a planner would."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT,
    )


@pytest.fixture(scope="session")
def tiny_inputs(tmp_path_factory) -> Path:
    """A tiny demo city's inputs and configuration (nothing run yet)."""
    ws = tmp_path_factory.mktemp("tiny_inputs")
    generate_city(ws, **SIZES["tiny"])
    return ws


@pytest.fixture(scope="session")
def tiny_published(tiny_inputs, tmp_path_factory) -> Path:
    """The tiny city after one successful command-line run (do not modify: copy it)."""
    ws = tmp_path_factory.mktemp("tiny_published") / "ws"
    shutil.copytree(tiny_inputs, ws)
    result = run_cli("run", "--quiet", "--workspace", str(ws))
    assert result.returncode == 0, result.stdout + result.stderr
    return ws


@pytest.fixture
def tiny_workspace(tiny_published, tmp_path) -> Path:
    """A private copy of the published tiny workspace for a test that changes it."""
    ws = tmp_path / "ws"
    shutil.copytree(tiny_published, ws)
    return ws
