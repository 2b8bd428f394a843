"""``sozialmonitor serve``: one Dagster UI per workspace and port, and every process it starts stopped with it.

``dagster dev`` starts the webserver, the daemon and code servers as children of its own. They run in a
process group of their own here, and a SIGTERM or Ctrl+C to ``serve`` stops the whole group (after a grace
period, by SIGKILL), so nothing is left serving a workspace that nobody watches. Before anything starts,
a busy port or a workspace that is already served is said in German instead of Dagster's
"address already in use" deep in its log.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from filelock import FileLock, Timeout

GRACE_SECONDS = 20.0  # dagster dev stops its children itself when given the time


class ServeRefused(Exception):
    """The port is taken or the workspace is already served (the message is German)."""


def check_port(host: str, port: int) -> None:
    """Raise :class:`ServeRefused` when ``host:port`` cannot be bound (another program listens there)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeRefused(
                    f"Port {port} auf {host} ist schon belegt – läuft „sozialmonitor serve“ bereits? Die "
                    f"Oberfläche dort öffnen, den laufenden Dienst beenden oder einen anderen Port wählen "
                    f"(--port).") from exc
            raise ServeRefused(f"Adresse {host}:{port} kann nicht geöffnet werden: {exc.strerror}.") from exc


def serve_lock(lock_file: Path) -> FileLock:
    """The workspace's serve lock, held for as long as ``serve`` runs (:class:`ServeRefused` if taken)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_file))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise ServeRefused(
            f"Dieser Arbeitsbereich wird bereits bedient: ein anderes „sozialmonitor serve“ läuft für "
            f"{lock_file.parent.parent}. Dessen Oberfläche nutzen oder es zuerst beenden (Strg+C).") from exc
    return lock


def run_group(cmd: Sequence[str], cwd: Path, grace: float = GRACE_SECONDS) -> int:
    """Run ``cmd`` in a process group of its own until it ends; SIGTERM or SIGINT to this process stops the
    whole group (SIGTERM, then SIGKILL after ``grace`` seconds). Returns the child's exit code."""
    child = subprocess.Popen(list(cmd), cwd=cwd, start_new_session=True)
    stopping: list[int] = []

    def stop(signum, _frame) -> None:
        stopping.append(signum)
        _signal_group(child.pid, signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                code = child.wait(timeout=grace if stopping else None)
                break
            except subprocess.TimeoutExpired:
                _signal_group(child.pid, signal.SIGKILL)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        # whatever of the group outlived its leader (a daemon, a code server) goes with it
        _signal_group(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + min(grace, 5.0)
        while _group_alive(child.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        _signal_group(child.pid, signal.SIGKILL)
    return 0 if stopping else code


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
