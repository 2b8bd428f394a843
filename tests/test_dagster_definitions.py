"""The Dagster definitions: the asset graph, checks, the nightly schedule and the sensor."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import dagster as dg
import pytest

from pipelines.lib.workspace import WORKSPACE_ENV

EXPECTED_ASSETS = {  # asset → its group, as the UI's lineage names it (German)
    "raw_inputs": "eingabedaten",
    "core_indicator_cells": "datenbestand",
    "protected_mart": "geheimhaltung",
    "indicator_rates": "auswertungen",
    "indicator_benchmarks": "auswertungen",
    "need_index": "auswertungen",
    "hotspots": "auswertungen",
    "offer_coverage": "auswertungen",
    "allocation": "auswertungen",
    "release_exports": "freigabe",
    "release_dashboards": "website",
    "candidate_release": "freigabe",
    "current_release": "freigabe",
}


@pytest.fixture
def defs(tiny_inputs, monkeypatch):
    monkeypatch.setenv(WORKSPACE_ENV, str(tiny_inputs))
    from pipelines.definitions import defs as build

    return build()


def test_asset_graph_groups_and_dependencies(defs):
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string(): k for k in graph.get_all_asset_keys()}
    assert set(keys) == set(EXPECTED_ASSETS)
    for name, group in EXPECTED_ASSETS.items():
        assert graph.get(keys[name]).group_name == group
    upstream = {name: {p.to_user_string() for p in graph.get(keys[name]).parent_keys} for name in keys}
    assert upstream["core_indicator_cells"] == {"raw_inputs"}
    assert upstream["protected_mart"] == {"core_indicator_cells"}
    assert upstream["indicator_rates"] == {"protected_mart"}
    assert upstream["indicator_benchmarks"] == {"indicator_rates"}
    assert upstream["need_index"] == {"indicator_rates"}
    for name in ("hotspots", "offer_coverage", "allocation"):
        assert upstream[name] == {"need_index"}
    # exports and dashboards (and so the audit of the candidate) come after every analysis table
    analysis = {"indicator_benchmarks", "hotspots", "offer_coverage", "allocation"}
    assert upstream["release_exports"] == upstream["release_dashboards"] == analysis
    assert upstream["candidate_release"] == {"release_exports", "release_dashboards"}
    assert upstream["current_release"] == {"candidate_release"}


# a curated rule for "German, not English": some German function words, none of the English ones
GERMAN_WORDS = {"der", "die", "das", "und", "des", "den", "dem", "im", "mit", "für", "von", "aus", "je", "jedes",
                "jeder", "jede", "ein", "eine", "nach", "wenn", "nicht", "oder", "sich", "zum", "zur", "wird", "bei"}
ENGLISH_WORDS = {"the", "of", "and", "every", "each", "with", "into", "from", "is", "are", "for", "when", "its",
                 "per", "rows", "release", "errors", "warnings", "cells", "hidden", "report", "files", "pages"}


def is_german(text: str | None) -> bool:
    words = set(re.findall(r"[a-zäöüß]+", (text or "").lower()))
    return bool(words & GERMAN_WORDS) and not words & ENGLISH_WORDS


def test_the_german_rule_tells_english_from_german():
    assert is_german("Liest und prüft jede Eingabedatei in data_raw/.")
    assert not is_german("Rates and 95 % intervals of published values, written into the candidate mart.")
    assert not is_german("") and not is_german(None)


def test_every_asset_check_job_schedule_and_sensor_has_a_german_description(defs):
    graph = defs.resolve_asset_graph()
    described = {k.to_user_string(): graph.get(k).description for k in graph.get_all_asset_keys()}
    specs = [s for a in defs.assets if isinstance(a, dg.AssetsDefinition) for s in a.check_specs]
    specs += [s for c in defs.asset_checks for s in c.check_specs]
    described.update({f"check {s.name}": s.description for s in specs})
    described["job refresh"] = defs.resolve_job_def("refresh").description
    described.update({f"schedule {s.name}": s.description for s in defs.schedules})
    described.update({f"sensor {s.name}": s.description for s in defs.sensors})
    assert len(described) >= len(EXPECTED_ASSETS) + 4 + 1 + 1 + 3
    assert [name for name, text in described.items() if not is_german(text)] == []


def test_every_metadata_label_the_ui_shows_is_german(tiny_workspace):
    """A real run's events: every key of every materialization's and check's metadata is a German label (a
    table's name after "Zeilen: " is code)."""
    from pipelines.lib.workspace import Workspace

    with dg.DagsterInstance.from_config(str(Workspace(tiny_workspace).dagster_home)) as instance:
        run = instance.get_runs(limit=1)[0]
        types = {dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION}
        keys = set()
        for record in instance.all_logs(run.run_id, of_type=types):
            data = record.dagster_event.event_specific_data
            keys |= set(getattr(data, "materialization", data).metadata)
    assert {"Geprüfte Dateien", "Fehler", "Hinweise", "Geheimgehaltene Zellen", "Freigabe", "Zusammenfassung"} <= keys
    labels = {k.split(": ", 1)[0] if k.startswith("Zeilen: ") else k for k in keys}
    english = [k for k in labels if not k[:1].isupper() or "_" in k
               or set(re.findall(r"[a-zäöüß]+", k.lower())) & ENGLISH_WORDS]
    assert english == []


def test_blocking_checks_guard_the_release(defs):
    checks = {k.name: k for k in defs.resolve_asset_graph().asset_check_keys}
    assert {"inputs_valid", "districts_covered", "inputs_consistent", "release_audit"} <= set(checks)
    assert checks["release_audit"].asset_key.to_user_string() == "candidate_release"
    specs = {s.name: s for a in defs.assets if isinstance(a, dg.AssetsDefinition) for s in a.check_specs}
    specs.update({s.name: s for c in defs.asset_checks for s in c.check_specs})
    assert specs["inputs_valid"].blocking and specs["release_audit"].blocking and specs["inputs_consistent"].blocking


def test_nightly_schedule_and_sensor(defs):
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Berlin"
    assert schedule.job_name == "refresh"
    sensor = defs.resolve_sensor_def("new_input_files")
    assert sensor.job_name == "refresh"
    job = defs.resolve_job_def("refresh")
    assert job.executor_def.name == "in_process"


def test_sensor_requests_a_run_only_once_files_are_stable(defs, tiny_inputs, monkeypatch):
    sensor = defs.resolve_sensor_def("new_input_files")
    clock = [1_000_000.0]
    monkeypatch.setattr("pipelines.defs.automation.time.time", lambda: clock[0])
    with dg.instance_for_test() as instance:
        first = sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(first, dg.SkipReason)
        ctx = dg.build_sensor_context(instance=instance, cursor=None)
        sensor(ctx)
        clock[0] += 10_000
        ctx2 = dg.build_sensor_context(instance=instance, cursor=ctx.cursor)
        result = sensor(ctx2)
        assert isinstance(result, dg.RunRequest)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_localhost_refuses_a_second_serve_and_stops_everything_on_sigterm(tiny_inputs):
    import psutil

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "serve", "--workspace", str(tiny_inputs), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as resp:
                    body = resp.read().decode()
            except OSError:
                time.sleep(2)
        assert body is not None and "dagster_webserver_version" in body

        second = subprocess.run(  # the same workspace again, on another port: a German refusal, at once
            [sys.executable, "-m", "pipelines.cli", "serve", "--workspace", str(tiny_inputs),
             "--port", str(free_port())], capture_output=True, text=True, timeout=120)
        assert second.returncode == 1 and "Dieser Arbeitsbereich wird bereits bedient" in second.stdout

        started = psutil.Process(proc.pid).children(recursive=True)
        assert started  # dagster dev and its webserver and daemon
        proc.send_signal(signal.SIGTERM)  # to serve alone, as a service manager or `kill` would
        proc.wait(timeout=90)
        _, alive = psutil.wait_procs(started, timeout=30)
        assert [p.pid for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        for p in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if "dagster" in " ".join(p.cmdline()):
                    p.kill()
