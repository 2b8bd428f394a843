"""The workspace resource: which folder a run works on, its configuration, and the run lock."""


import dagster as dg
from pydantic import PrivateAttr

from pipelines.lib.config import Config, load_config
from pipelines.lib.private_modes import restrict, secure_workspace
from pipelines.lib.release.candidate import Candidate, ReleaseClosed
from pipelines.lib.release.lock import run_lock
from pipelines.lib.workspace import Workspace


class WorkspaceResource(dg.ConfigurableResource):
    """A sozialmonitor workspace. Holding it for a run holds the workspace's run lock."""

    path: str
    lock_wait_seconds: float = 0.0

    _lock = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        note = secure_workspace(self.workspace)  # data_private/ owner-only before anything is written
        if note:
            context.log.warning(note)
        self._lock = run_lock(self.workspace.lock_file, wait_seconds=self.lock_wait_seconds)
        self._lock.__enter__()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        restrict(self.workspace.data_private)  # what the run created, owner-only too
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None

    @property
    def workspace(self) -> Workspace:
        return Workspace.at(self.path)

    def config(self) -> Config:
        return load_config(self.workspace.root)

    def candidate(self, run_id: str) -> Candidate:
        return Candidate(self.workspace, run_id)

    def run_candidate(self, context) -> Candidate:
        """The candidate release of the running Dagster run, checked to be writable: a step never writes
        into another run's release (the live one, say) when it is materialised on its own."""
        candidate = self.candidate(context.run.run_id)
        try:
            candidate.ensure_writable()
        except ReleaseClosed as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        return candidate


@dg.definitions
def resources() -> dg.Definitions:
    # Daemon runs (schedule, sensor) wait for a command-line run to finish instead of failing.
    return dg.Definitions(
        resources={"sozialmonitor": WorkspaceResource(path=str(Workspace.at().root), lock_wait_seconds=3600)}
    )
