"""``serve`` binds to loopback; any other address is refused unless --allow-remote, which says what it exposes.

The server itself is never started here: ``serve_process.run_group`` is replaced by a recorder."""

from __future__ import annotations

import pytest

from pipelines import cli
from pipelines.lib import serve_process
from pipelines.lib.serve_host import is_loopback


@pytest.fixture
def started(monkeypatch, tmp_path):
    """The commands ``serve`` would start (nothing is started); DAGSTER_HOME is restored afterwards."""
    calls: list[list[str]] = []
    monkeypatch.setattr(serve_process, "run_group", lambda cmd, cwd, **kw: calls.append(list(cmd)) or 0)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "unused"))
    monkeypatch.setenv(cli.WORKSPACE_ENV, str(tmp_path / "unused"))
    return calls


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "sozialmonitor.stadt.example"])
def test_serve_on_a_reachable_address_is_refused_without_allow_remote(started, tmp_path, capsys, host):
    code = cli.main(["serve", "--workspace", str(tmp_path / "ws"), "--host", host])
    out = capsys.readouterr().out
    assert code == cli.EXIT_ERROR and started == []
    assert f"Abbruch: --host {host}" in out and "--allow-remote" in out and "ohne Anmeldung" in out
    assert not (tmp_path / "ws").exists()  # refused before anything is prepared


def test_serve_with_allow_remote_starts_and_says_what_it_exposes(started, tmp_path, capsys):
    code = cli.main(["serve", "--workspace", str(tmp_path / "ws"), "--host", "0.0.0.0", "--allow-remote"])
    out = capsys.readouterr().out
    assert code == cli.EXIT_OK and len(started) == 1
    assert started[0][-4:] == ["-h", "0.0.0.0", "-p", "3000"]
    assert "Achtung: die Dagster-Oberfläche ist auf 0.0.0.0:3000 ohne Anmeldung" in out
    assert "Läufe starten und abbrechen" in out and "Protokolle, Metadaten und Prüfergebnisse" in out


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_serve_on_loopback_needs_no_flag_and_warns_not(started, tmp_path, capsys, host):
    code = cli.main(["serve", "--workspace", str(tmp_path / "ws"), "--host", host])
    out = capsys.readouterr().out
    assert code == cli.EXIT_OK and len(started) == 1 and started[0][-3] == host
    assert "Achtung" not in out and "Abbruch" not in out


def test_the_default_host_is_loopback():
    args = cli.build_parser().parse_args(["serve"])
    assert is_loopback(args.host) and not args.allow_remote


def test_a_busy_port_or_a_served_workspace_is_said_in_german(started, tmp_path, capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = cli.main(["serve", "--workspace", str(tmp_path / "ws"), "--port", str(port)])
        out = capsys.readouterr().out
    assert code == cli.EXIT_ERROR and started == []
    assert f"Port {port} auf 127.0.0.1 ist schon belegt" in out and "--port" in out

    ws = tmp_path / "ws2"
    held = serve_process.serve_lock(ws / "data_private" / "serve.lock")  # another serve of this workspace
    try:
        code = cli.main(["serve", "--workspace", str(ws), "--port", "0"])
        out = capsys.readouterr().out
    finally:
        held.release()
    assert code == cli.EXIT_ERROR and started == []
    assert "Dieser Arbeitsbereich wird bereits bedient" in out
    code = cli.main(["serve", "--workspace", str(ws), "--port", "0"])  # free again: it starts
    assert code == cli.EXIT_OK and len(started) == 1


def test_the_dagster_yaml_serve_writes_turns_off_telemetry_and_the_community_pop_up(started, tmp_path):
    """Dagster itself reads the file: no telemetry, no first-start pop-up ("nux"); an older file of ours is
    brought up to date, a planner's own file is left as it is."""
    import dagster as dg

    from pipelines.lib.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    ws.dagster_home.mkdir(parents=True)
    yaml = ws.dagster_home / "dagster.yaml"
    yaml.write_text("# Written by sozialmonitor: one run at a time, nothing sent anywhere.\n"
                    "telemetry:\n  enabled: false\n", encoding="utf-8")  # as written before the pop-up setting
    assert cli.main(["serve", "--workspace", str(ws.root), "--port", "0"]) == cli.EXIT_OK and len(started) == 1
    with dg.DagsterInstance.from_config(str(ws.dagster_home)) as instance:
        assert instance.nux_enabled is False and instance.telemetry_enabled is False
        assert instance.get_settings("nux") == {"enabled": False}

    own = "# the planner's own settings\ntelemetry:\n  enabled: false\n"
    yaml.write_text(own, encoding="utf-8")
    assert cli.main(["serve", "--workspace", str(ws.root), "--port", "0"]) == cli.EXIT_OK
    assert yaml.read_text(encoding="utf-8") == own
