"""The refresh job, its nightly schedule and the sensor on data_raw/."""


import time

import dagster as dg

from pipelines.lib.config import Schedule, load_config
from pipelines.lib.findings import ConfigError
from pipelines.lib.notify import report_daemon_run
from pipelines.lib.run_failure import run_failure_text, step_failures
from pipelines.lib.run_summary import RunSummary, summary_of_run, tag_run
from pipelines.lib.unchanged import unchanged_release
from pipelines.lib.watch import WatchState, decide, snapshot
from pipelines.lib.workspace import Workspace

JOB_NAME = "refresh"


def schedule_settings(ws: Workspace) -> Schedule:
    """The workspace's schedule settings; defaults where the configuration cannot be read yet."""
    try:
        return load_config(ws.root).schedule
    except ConfigError:
        return Schedule()


refresh_job = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Vollständige Aktualisierung: Eingabedaten prüfen → Datenbestand → Geheimhaltung → Auswertungen → "
                "Website und Dateien → unabhängige Prüfung → Freigabe umschalten.",
)


def _summary(instance, run, *, ok: bool) -> RunSummary | None:
    """The summary of a daemon's run, also set as its tag; command-line runs summarise themselves."""
    if run.tags.get("sozialmonitor/trigger") == "cli":
        return None
    summary = summary_of_run(instance, run.run_id, ok=ok)
    tag_run(instance, summary)
    return summary


def build_automation(ws: Workspace) -> dg.Definitions:
    settings = schedule_settings(ws)
    @dg.schedule(name="nightly_refresh", job=refresh_job, cron_schedule=settings.cron,
                 execution_timezone=settings.timezone, default_status=dg.DefaultScheduleStatus.RUNNING,
                 description="Nächtliche Aktualisierung (übersprungen, wenn sich nichts geändert hat).")
    def nightly(context: dg.ScheduleEvaluationContext):
        same = unchanged_release(ws)
        if same:
            return dg.SkipReason(f"keine Änderungen seit Freigabe {same}")
        return dg.RunRequest(tags={"sozialmonitor/trigger": "schedule"})

    @dg.sensor(job=refresh_job, name="new_input_files", minimum_interval_seconds=settings.sensor_interval_seconds,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Startet einen Lauf, wenn sich Dateien in data_raw/ geändert haben und stabil sind "
                           "(nicht, wenn Eingaben, Konfiguration und Programm wie bei der Freigabe sind).")
    def new_input_files(context: dg.SensorEvaluationContext):
        decision = decide(WatchState.loads(context.cursor), snapshot(ws.data_raw), time.time(),
                          settings.settle_seconds)
        context.update_cursor(decision.state.dumps())
        if not decision.run:
            return dg.SkipReason(decision.reason)
        same = unchanged_release(ws)  # the schedule's and the command line's check: contents, not times
        if same:
            return dg.SkipReason(f"keine Änderungen seit Freigabe {same}")
        return dg.RunRequest(run_key=decision.run_key, tags={"sozialmonitor/trigger": "sensor"})

    @dg.run_failure_sensor(name="status_on_failure", default_status=dg.DefaultSensorStatus.RUNNING,
                           description="Schreibt STATUS.txt (und die E-Mail aus [notify]) nach einem Fehlschlag.")
    def status_on_failure(context: dg.RunFailureSensorContext):
        run = context.dagster_run
        detail = run_failure_text(step_failures(context.get_step_failure_events()), run.run_id)
        report_daemon_run(ws, run.run_id, False, detail, run.tags, _summary(context.instance, run, ok=False))

    @dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, name="status_on_success",
                          default_status=dg.DefaultSensorStatus.RUNNING,
                          description="Schreibt STATUS.txt nach einem erfolgreichen Lauf.")
    def status_on_success(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        report_daemon_run(ws, run.run_id, True, "", run.tags, _summary(context.instance, run, ok=True))

    return dg.Definitions(jobs=[refresh_job], schedules=[nightly],
                          sensors=[new_input_files, status_on_failure, status_on_success])


@dg.definitions
def automation() -> dg.Definitions:
    return build_automation(Workspace.at())
