"""The ``sozialmonitor`` command line.

Exit codes: 0 done, 2 invalid input (nothing published), 3 the release would be unsafe (nothing
published), 1 anything else (including: another run holds the workspace).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from pipelines.lib.findings import ConfigError
from pipelines.lib.workspace import WORKSPACE_ENV, Workspace

EXIT_OK, EXIT_ERROR, EXIT_INVALID_INPUT, EXIT_UNSAFE = 0, 1, 2, 3

DAGSTER_MARK = "# Written by sozialmonitor"
# nux: the UI's first-start pop-up (Dagster's "new user experience", asking to join its community); its
# instance setting ``nux: enabled`` (dagster/_core/instance/config.py) turns it off for every browser.
DAGSTER_YAML = f"""\
{DAGSTER_MARK}: one run at a time, nothing sent anywhere, no community pop-up.
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 1
telemetry:
  enabled: false
nux:
  enabled: false
"""


def _prepare_dagster(ws: Workspace) -> str | None:
    """Point Dagster at the workspace: its instance lives in data_private/ (runs hold private metadata).

    data_private/ is made owner-only first; returns the German warning when something in it was wider."""
    from pipelines.lib.private_modes import secure_workspace

    note = secure_workspace(ws)
    ws.dagster_home.mkdir(parents=True, exist_ok=True)
    yaml = ws.dagster_home / "dagster.yaml"
    # ours is brought up to date (an older one lacks the pop-up setting); a planner's own file is kept
    old = yaml.read_text(encoding="utf-8") if yaml.exists() else None
    if old is None or (old.startswith(DAGSTER_MARK) and old != DAGSTER_YAML):
        yaml.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(ws.dagster_home)
    os.environ[WORKSPACE_ENV] = str(ws.root)
    return note


def _say(msg: str) -> None:
    print(msg, flush=True)


def _progress_to_terminal(quiet: bool) -> None:
    """Stage progress on the terminal; Dagster's own event log goes to its instance (the UI) only."""
    log = logging.getLogger("sozialmonitor")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s  %(message)s", datefmt="%H:%M:%S"))
        log.addHandler(handler)
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False


def write_status(ws: Workspace, ok: bool, text: str, summary=None) -> None:
    """A status file in the workspace, readable without opening the UI, and the configured e-mail; the run's
    summary (:class:`~pipelines.lib.run_summary.RunSummary`) first."""
    from pipelines.lib.notify import report

    for note in report(ws, ok, text, summary=summary):
        _say(note)


def _ledger_unsafe(error) -> str | None:
    """The German message of a missing or damaged ledger in the error chain, if that is what failed."""
    while error is not None:
        if error.cls_name == "LedgerUnsafe":
            message, prefix = error.message.strip(), "LedgerUnsafe: "
            return message[message.find(prefix) + len(prefix):] if prefix in message else message
        error = error.cause
    return None


# ---------------------------------------------------------------- commands


def cmd_init(args) -> int:
    from pipelines.lib.templates import create_workspace

    target = Path(args.directory).resolve()
    try:
        create_workspace(target)
    except FileExistsError as exc:
        _say(f"Abbruch: {exc}")
        return EXIT_ERROR
    _say(f"Arbeitsbereich angelegt: {target}\nNächste Schritte: sozialmonitor.toml anpassen, Dateien nach "
         f"data_raw/ legen, dann 'sozialmonitor validate --workspace {target}'.")
    return EXIT_OK


def cmd_demo(args) -> int:
    from pipelines.lib.demo.generator import SIZES, generate_city

    ws = Workspace.at(args.workspace)
    summary = generate_city(ws.root, **SIZES[args.size])
    levels = ", ".join(f"{n} {level}" for level, n in summary.districts.items())
    _say(f"Demo city written to {ws.data_raw}: {levels}; years {summary.years[0]}–{summary.years[-1]}")
    if args.no_run:
        return EXIT_OK
    return cmd_run(args)


def cmd_validate(args) -> int:
    from pipelines.lib.config import load_config
    from pipelines.lib.private_modes import restrict, secure_workspace
    from pipelines.lib.stages import ingest

    ws = Workspace.at(args.workspace)
    config = load_config(ws.root)
    note = secure_workspace(ws)
    if note:
        _say(note)
    outcome = ingest.run(ws, config, load=False)
    restrict(ws.data_private)
    for f in outcome.findings:
        _say(f.render())
    errors = len(outcome.errors)
    _say(f"{errors} Fehler, {len(outcome.findings) - errors} Hinweise. Bericht: {outcome.report}")
    return EXIT_INVALID_INPUT if errors else EXIT_OK


def run_pipeline(ws: Workspace, *, wait_seconds: float = 0.0, quiet: bool = False, force: bool = False) -> int:
    """Materialize the whole pipeline once, in-process, recorded in the workspace's Dagster instance.

    Unless ``force``, a run whose inputs, configuration and code are those of the published release
    stops at once: there is nothing to do ("keine Änderungen").
    """
    from pipelines.lib.config import load_config
    from pipelines.lib.release.lock import RunLocked, run_lock
    from pipelines.lib.run_summary import INVALID, UNSAFE, RunSummary, failure_kind, summary_of_run, tag_run
    from pipelines.lib.unchanged import unchanged_release

    load_config(ws.root)  # fail early, with the configuration's own message
    note = _prepare_dagster(ws)  # data_private/ owner-only; a warning when it was not
    if note:
        _say(note)

    def status(ok: bool, text: str, summary=None) -> None:  # the run's status carries the warning
        write_status(ws, ok, f"{text}\n{note}" if note else text, summary)

    try:  # say it now rather than deep inside Dagster's log
        with run_lock(ws.lock_file, wait_seconds=wait_seconds):
            same = None if force else unchanged_release(ws)
    except RunLocked as exc:
        _say(str(exc))
        return EXIT_ERROR
    if same:
        msg = (f"keine Änderungen: Eingaben, Konfiguration und Programm wie bei Freigabe {same}, "
               "die gültig bleibt (neu aufbauen mit --force).")
        _say(msg)
        status(True, msg, RunSummary(ok=True, unchanged=same))
        return EXIT_OK
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.defs.resources import WorkspaceResource
    from pipelines.lib.release.switch import current_run_id

    job = defs().resolve_job_def("refresh")
    _progress_to_terminal(quiet)
    started = time.monotonic()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            resources={"sozialmonitor": WorkspaceResource(path=str(ws.root), lock_wait_seconds=wait_seconds)},
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            tags={"sozialmonitor/trigger": "cli"},
        )
        checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
        ledger_unsafe = not result.success and any(
            _ledger_unsafe(f.event_specific_data.error) for f in result.get_step_failure_events())
        kind = None if result.success else failure_kind(checks, ledger_unsafe)
        summary = summary_of_run(instance, result.run_id, ok=result.success, kind=kind)
        tag_run(instance, summary)  # the same sentence on the Dagster run
    from pipelines.lib.private_modes import restrict

    restrict(ws.data_private)  # what the run created (inside the owner-only folder) owner-only too
    elapsed = time.monotonic() - started
    if not result.success:
        from pipelines.lib.run_failure import run_failure_text, step_failures

        # the same German text as the Dagster run's failure, the schedule's and the sensor's status
        msg = run_failure_text(step_failures(result.get_step_failure_events()), result.run_id)
        if kind == INVALID:  # the terminal is the planner's own: the whole report, with the values
            report = (ws.validation_report if checks.get("inputs_valid") is False else ws.consistency_report)
            _say(report.with_suffix(".txt").read_text(encoding="utf-8"))
        _say(msg)
        _say(f"Zusammenfassung: {summary.sentence()}")
        status(False, msg, summary)
        return {INVALID: EXIT_INVALID_INPUT, UNSAFE: EXIT_UNSAFE}.get(kind, EXIT_ERROR)
    release = summary.release or current_run_id(ws)
    seconds = f"{elapsed:.1f}".replace(".", ",")
    msg = f"Datenbank: {ws.mart}; Website: {ws.dashboards / 'index.html'} (Freigabe {release}, Laufzeit {seconds} s)"
    _say(msg)
    _say(f"Zusammenfassung: {summary.sentence()}")
    status(True, msg, summary)
    return EXIT_OK


def cmd_run(args) -> int:
    return run_pipeline(Workspace.at(args.workspace), wait_seconds=args.wait, quiet=args.quiet,
                        force=getattr(args, "force", False))


def cmd_status(args) -> int:
    """The workspace's state in German (last run, current release, next scheduled run): exit 0 when the last
    run succeeded, 1 when it failed or none ran yet."""
    from pipelines.lib.status_report import workspace_status

    status = workspace_status(Workspace.at(args.workspace))
    for line in status.lines:
        _say(line)
    return EXIT_OK if status.ok else EXIT_ERROR


def cmd_audit(args) -> int:
    from pipelines.lib.config import load_config
    from pipelines.lib.private_modes import restrict
    from pipelines.lib.release.candidate import Candidate
    from pipelines.lib.release.switch import current_run_id
    from pipelines.lib.stages import publish

    ws = Workspace.at(args.workspace)
    run_id = args.release or current_run_id(ws)
    if not run_id:
        _say("Es gibt noch keine Freigabe: zuerst 'sozialmonitor run'.")
        return EXIT_ERROR
    outcome = publish.run_audit(ws, load_config(ws.root), Candidate(ws, run_id))
    restrict(ws.data_private)  # the audit's results are private
    _say(f"Release {run_id}: {'bestanden' if outcome.passed else 'NICHT bestanden'} – "
         f"{outcome.hidden_cells} geheimgehaltene Zellen, {outcome.no_data_cells} ohne Daten („keine Daten“), "
         f"{len(outcome.at_risk)} gefährdet. "
         f"Bericht: {outcome.report}")
    for problem in outcome.problems:
        _say(f"  - {problem}")
    return EXIT_OK if outcome.passed else EXIT_UNSAFE


def cmd_ledger(args) -> int:
    from pipelines.lib.release import ledger
    from pipelines.lib.release.lock import RunLocked, run_lock

    ws = Workspace.at(args.workspace)
    if not args.rebuild:
        try:
            ledger.check(ws)
        except ledger.LedgerUnsafe as exc:
            _say(str(exc))
            return EXIT_UNSAFE
        _say(f"Register {ws.ledger}: in Ordnung.")
        return EXIT_OK
    try:
        with run_lock(ws.lock_file):
            count, old = ledger.rebuild(ws)
    except RunLocked as exc:
        _say(str(exc))
        return EXIT_ERROR
    _say(f"Register {ws.ledger} aus {count} aufbewahrten Freigaben neu aufgebaut"
         + (f"; das alte liegt in {old}." if old else "."))
    return EXIT_OK


def cmd_sql(args) -> int:
    from pipelines.lib.release import sql_shell

    try:
        con = sql_shell.open_release(Workspace.at(args.workspace), args.release)
    except sql_shell.NoRelease as exc:
        _say(str(exc))
        return EXIT_ERROR
    try:
        if args.command_sql is not None:
            try:
                _say(sql_shell.run_command(con, args.command_sql))  # SQL or a dot-command (.tables)
            except Exception as exc:  # duckdb.Error or a refusal, without importing duckdb here
                _say(sql_shell.error_message(exc))
                return EXIT_ERROR
            return EXIT_OK
        interactive = sys.stdin.isatty()
        if interactive:
            _say(f"Freigabe {sql_shell.release_mart(Workspace.at(args.workspace), args.release).parent.name}, "
                 "nur lesend. .help zeigt die Befehle.")
        prompt = (lambda text: print(text, end="", flush=True)) if interactive else None
        errors = sql_shell.shell(con, sys.stdin, _say, prompt)
        return EXIT_OK if interactive or not errors else EXIT_ERROR
    finally:
        con.close()


def cmd_print(args) -> int:
    from pipelines.lib.dashboards.printing import print_site
    from pipelines.lib.release.switch import current_run_id

    ws = Workspace.at(args.workspace)
    run_id = current_run_id(ws)
    site = ws.dashboards / "releases" / run_id if run_id else None
    if site is None or not site.is_dir():
        _say("Es gibt noch keine Freigabe: zuerst 'sozialmonitor run'.")
        return EXIT_ERROR
    try:
        summary = print_site(site, maps=args.only != "steckbriefe", profiles=args.only != "karten", progress=_say)
    except FileNotFoundError as exc:
        _say(f"Abbruch: {exc}")
        return EXIT_ERROR
    for problem in summary.problems:
        _say(f"  - {problem}")
    _say(f"{len(summary.maps)} Kartendateien, {len(summary.rankings)} Rangfolgen und {len(summary.profiles)} "
         f"Steckbriefe in {site / 'druck'}")
    return EXIT_ERROR if summary.problems else EXIT_OK


def cmd_serve(args) -> int:
    from pipelines.lib.serve_host import check_host

    allowed, exposure = check_host(args.host, args.port, args.allow_remote)
    if exposure:
        _say(exposure)
    if not allowed:
        return EXIT_ERROR
    from pipelines.lib.serve_process import ServeRefused, check_port, run_group, serve_lock

    ws = Workspace.at(args.workspace)
    try:  # one UI per workspace and port, said in German before anything starts
        lock = serve_lock(ws.data_private / "serve.lock")
    except ServeRefused as exc:
        _say(str(exc))
        return EXIT_ERROR
    try:
        check_port(args.host, args.port)
        note = _prepare_dagster(ws)
        if note:
            _say(note)
        dagster = shutil.which("dagster", path=str(Path(sys.executable).parent)) or "dagster"
        cmd = [dagster, "dev", "-m", "pipelines.definitions", "-h", args.host, "-p", str(args.port)]
        _say(f"Dagster UI on http://{args.host}:{args.port} (workspace {ws.root}); stop with Ctrl+C")
        return run_group(cmd, ws.root)  # SIGTERM or Ctrl+C stops every process it started
    except ServeRefused as exc:
        _say(str(exc))
        return EXIT_ERROR
    finally:
        lock.release()


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sozialmonitor", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def with_workspace(p):
        p.add_argument("--workspace", "-w", default=None, help="workspace folder (default: current directory)")
        return p

    p = sub.add_parser("init", help="create a new workspace with a commented configuration")
    p.add_argument("directory")
    p.set_defaults(func=cmd_init)

    p = with_workspace(sub.add_parser("demo", help="generate the demo city into data_raw/ and run the pipeline"))
    p.add_argument("--size", default="demo", choices=["tiny", "demo"])
    p.add_argument("--no-run", action="store_true", help="only generate the input files")
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for a running run")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = with_workspace(sub.add_parser("run", help="refresh everything once (in-process)"))
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for a running run")
    p.add_argument("--quiet", "-q", action="store_true")
    p.add_argument("--force", action="store_true", help="rebuild even when nothing has changed")
    p.set_defaults(func=cmd_run)

    p = with_workspace(sub.add_parser("status", help="the workspace's state: last run, current release, next run (exit 0 OK, 1 failed)"))
    p.set_defaults(func=cmd_status)

    p = with_workspace(sub.add_parser("validate", help="check the input files only"))
    p.set_defaults(func=cmd_validate)

    p = with_workspace(sub.add_parser("audit", help="audit the current (or a given) release"))
    p.add_argument("--release", default=None)
    p.set_defaults(func=cmd_audit)

    p = with_workspace(sub.add_parser("ledger", help="check the private ledger of published cells, or rebuild it"))
    p.add_argument("--rebuild", action="store_true", help="rebuild it from the kept releases in data_marts/releases/")
    p.set_defaults(func=cmd_ledger)

    p = with_workspace(sub.add_parser("sql", help="query the current release read-only (spatial loaded)"))
    p.add_argument("-c", dest="command_sql", default=None, metavar="SQL", help="run one query and print the result")
    p.add_argument("--release", default=None, help="a kept release (run id) instead of the current one")
    p.set_defaults(func=cmd_sql)

    p = with_workspace(sub.add_parser("print", help="print versions of the current release (PDF/PNG, Chromium)"))
    p.add_argument("--only", choices=["karten", "steckbriefe"], default=None, help="only maps or only profiles")
    p.set_defaults(func=cmd_print)

    p = with_workspace(sub.add_parser("serve", help="start the Dagster UI and daemon for the workspace"))
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a --host other machines can reach (the UI has no login)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        _say(f"Konfigurationsfehler: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except OSError as exc:  # cannot write (outside a pipeline step): say why, in German
        from pipelines.lib.write_errors import write_problem

        problem = write_problem(exc)
        if problem is None:
            raise
        _say(f"Abbruch: {problem} Die letzte Freigabe bleibt gültig.")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
