"""``sozialmonitor sql``: queries against a published release, read-only, with the spatial extension loaded.

It opens the mart inside the release folder (``data_marts/releases/<run_id>/sozialmonitor.duckdb``, the
same file as ``data_marts/sozialmonitor.duckdb``), so a refresh can switch the next release on while a
session is open; the session keeps reading the release it opened.

Queries are untrusted: the connection is locked down by DuckDB (``connect(..., untrusted=True)``: no file
outside the release folder, no network, no extension, no setting changed back), and statements that write
files or open other databases (``COPY``, ``EXPORT``, ``ATTACH``, ``LOAD``/``INSTALL``, ``PREPARE``…) are
refused before they run — DuckDB keeps the database file itself writable for ``COPY … TO``, so the release's
own mart would otherwise not be safe. Refusals are explained in German.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from pipelines.lib.duck import connect
from pipelines.lib.release.candidate import Candidate
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace

PROMPT, CONTINUATION = "sozialmonitor> ", "         ...> "
MAX_CELL = 60
HELP = """Befehle: SQL-Anweisungen enden mit ';'.
  .tables  Tabellen und Sichten anzeigen
  .help    diese Hilfe
  .quit    beenden (auch .exit oder Strg+D)
Spalten und ihre Bedeutung: select * from data_dictionary;
Nur lesend: Dateien, andere Datenbanken (ATTACH), COPY … TO und Erweiterungen sind gesperrt."""

# statement types an analyst may run; anything else (COPY, EXPORT, ATTACH, DETACH, LOAD/INSTALL, PREPARE,
# EXECUTE, COPY DATABASE, …) is refused. Writes to the mart itself fail on its read-only attachment.
ALLOWED_STATEMENTS = {"SELECT", "EXPLAIN", "CALL", "PRAGMA", "SET", "VARIABLE_SET", "TRANSACTION", "CREATE",
                      "DROP", "INSERT", "UPDATE", "DELETE", "ALTER"}
_EXPLAINED = re.compile(r"\s*explain\s+(?:analy[sz]e\s+)?(.*)", flags=re.S | re.I)
REFUSED = ("Nicht erlaubt: die SQL-Konsole liest nur die Freigabe. Dateien außerhalb der Freigabe "
           "(read_csv, read_parquet …), andere Datenbanken (ATTACH), das Schreiben von Dateien (COPY … TO, "
           "EXPORT DATABASE), Erweiterungen (LOAD, INSTALL) und das Ändern von Einstellungen sind gesperrt. "
           "Die veröffentlichten Dateien liegen im Ordner exports/ der Freigabe.")


class NoRelease(Exception):
    """The workspace has no (such) release."""


class Refused(Exception):
    """A statement the shell does not run (it would write files or open other databases)."""

    def __init__(self, what: str):
        super().__init__(f"{REFUSED} (Anweisung: {what})")


def release_mart(ws: Workspace, run_id: str | None = None) -> Path:
    """The mart of release ``run_id`` (default: the current release)."""
    run_id = run_id or current_run_id(ws)
    if run_id is None:
        if ws.mart.exists():
            return ws.mart
        raise NoRelease("Es gibt noch keine Freigabe: zuerst 'sozialmonitor run'.")
    mart = Candidate(ws, run_id).mart
    if not mart.exists():
        raise NoRelease(f"Die Freigabe {run_id} gibt es nicht (mehr) in {ws.mart_releases}.")
    return mart


def open_release(ws: Workspace, run_id: str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a release with the spatial extension loaded, locked down for untrusted
    queries: DuckDB reads files in the release folder only."""
    mart = release_mart(ws, run_id)
    return connect(mart, untrusted=True, allowed_directories=[mart.parent])


def check_statements(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise :class:`Refused` for any statement of ``sql`` the shell does not run (before any runs)."""
    for statement in con.extract_statements(sql):
        kind = statement.type.name
        if kind == "EXPLAIN":  # EXPLAIN ANALYZE runs what it explains
            inner = _EXPLAINED.fullmatch(statement.query)
            if inner is None:
                raise Refused("EXPLAIN")
            check_statements(con, inner.group(1))
        elif kind not in ALLOWED_STATEMENTS:
            raise Refused(" ".join(statement.query.split())[:60] or kind)


def error_message(exc: Exception) -> str:
    """A German message for a failed statement: refusals of the locked connection explained."""
    text = str(exc)
    if isinstance(exc, Refused):
        return f"Fehler: {text}"
    if isinstance(exc, duckdb.PermissionException) or "configuration has been locked" in text:
        return f"Fehler: {REFUSED}\n(DuckDB: {text.splitlines()[0]})"
    if "Could not open GDAL dataset" in text:  # st_read outside the release: GDAL does not say why
        return f"Fehler: {exc}\nDie Datei fehlt oder liegt außerhalb der Freigabe (dort ist Lesen gesperrt)."
    return f"Fehler: {exc}"


def _cell(value) -> str:
    if value is None:
        return "NULL"
    text = "x'" + bytes(value).hex() + "'" if isinstance(value, bytes | bytearray) else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """A plain text table: a header, a rule, the rows (numbers right-aligned) and the row count."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [bool(rows) and all((isinstance(r[i], int | float) and not isinstance(r[i], bool)) or r[i] is None
                                  for r in rows) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        return " | ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True))

    out = [line(list(columns)), "-+-".join("-" * w for w in widths), *(line(r) for r in cells)]
    out.append(f"({len(rows)} {'Zeile' if len(rows) == 1 else 'Zeilen'})")
    return "\n".join(s.rstrip() for s in out)


def run_statement(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """Run ``sql`` (one or more statements) and format the result of the last one; :class:`Refused` when a
    statement would write files or open other databases (then none runs)."""
    check_statements(con, sql)
    cursor = con.execute(sql)
    if cursor.description is None:
        return "OK"
    columns = [d[0] for d in cursor.description]
    return format_table(columns, cursor.fetchall())


class UnknownCommand(ValueError):
    """A dot-command the shell does not know."""


def dot_command(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """The output of ``.tables`` or ``.help`` (``.quit`` is the shell's); anything else raises UnknownCommand."""
    command = text.strip().split()[0].lower()
    if command == ".tables":
        return tables_overview(con)
    if command == ".help":
        return HELP
    raise UnknownCommand(f"Unbekannter Befehl {command}; .help zeigt die Befehle.")


def run_command(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """One command as ``sozialmonitor sql -c`` takes it: a dot-command (``.tables``) or SQL."""
    return dot_command(con, text) if text.strip().startswith(".") else run_statement(con, text)


def tables_overview(con: duckdb.DuckDBPyConnection) -> str:
    return run_statement(con, "select table_name, table_type from information_schema.tables "
                              "where table_schema = 'main' order by table_type, table_name")


def shell(con: duckdb.DuckDBPyConnection, lines: Iterable[str], write: Callable[[str], None],
          prompt: Callable[[str], None] | None = None) -> int:
    """Read statements (ending with ';') from ``lines`` and write each result; returns the number of errors.

    ``prompt`` shows the prompt before each line (interactive use only).
    """
    errors = 0
    buffer: list[str] = []
    if prompt:
        prompt(PROMPT)
    for raw in lines:
        text = raw.rstrip("\r\n")
        stripped = text.strip()
        if not buffer and stripped.startswith("."):
            command = stripped.split()[0].lower()
            if command in (".quit", ".exit", ".q"):
                return errors
            try:
                write(dot_command(con, stripped))
            except UnknownCommand as exc:
                write(str(exc))
                errors += 1
        elif stripped or buffer:
            buffer.append(text)
            if stripped.endswith(";"):
                statement = "\n".join(buffer)
                buffer = []
                try:
                    write(run_statement(con, statement))
                except (duckdb.Error, Refused) as exc:
                    write(error_message(exc))
                    errors += 1
        if prompt:
            prompt(CONTINUATION if buffer else PROMPT)
    if buffer:
        write("Abbruch: die letzte Anweisung endet nicht mit ';' und wurde nicht ausgeführt.")
        errors += 1
    return errors
