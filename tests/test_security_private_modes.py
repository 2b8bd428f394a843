"""data_private/ and everything in it are owner-only (folders 0700, files 0600) after a run, and a run warns
in German (output and STATUS.txt) when it finds them wider, then narrows them."""

from __future__ import annotations

import os
import stat

import pytest
from conftest import run_cli

from pipelines.lib.private_modes import FILE_MODE, FOLDER_MODE, restrict, warning, wider_entries
from pipelines.lib.workspace import Workspace

pytestmark = pytest.mark.skipif(os.name == "nt", reason="owner-only modes are POSIX permissions")


def mode(path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_everything_private_is_owner_only_after_a_run(tiny_published):
    ws = Workspace(tiny_published)
    private = ws.data_private
    expected = [ws.warehouse, ws.ledger, ws.lock_file, ws.validation_report, ws.consistency_report, ws.dagster_home,
                ws.dagster_home / "dagster.yaml", ws.audit_dir, *ws.audit_dir.glob("*/audit.json"),
                *ws.audit_dir.glob("*/cells_at_risk.csv"), *private.glob("releases/*/suppression_log.parquet")]
    assert all(p.exists() for p in expected) and len(expected) == 11
    entries = [private, *private.rglob("*")]
    wrong = [(p.relative_to(tiny_published).as_posix(), oct(mode(p))) for p in entries if not p.is_symlink()
             and mode(p) != (FOLDER_MODE if p.is_dir() else FILE_MODE)]
    assert wrong == []
    assert wider_entries(private) == []


def test_a_run_warns_about_wider_permissions_and_narrows_them(tiny_workspace):
    ws = Workspace(tiny_workspace)
    os.chmod(ws.data_private, 0o755)
    os.chmod(ws.warehouse, 0o644)
    os.chmod(ws.ledger, 0o666)
    result = run_cli("run", "--quiet", "--workspace", str(tiny_workspace))  # nothing changed: a short run
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warnung: data_private/ war für andere Benutzerkonten zugänglich" in result.stdout
    assert "data_private/warehouse.duckdb (644)" in result.stdout and "data_private (755)" in result.stdout
    status = ws.status_file.read_text(encoding="utf-8")
    assert "keine Änderungen" in status and "Warnung: data_private/" in status
    assert (mode(ws.data_private), mode(ws.warehouse), mode(ws.ledger)) == (0o700, 0o600, 0o600)
    again = run_cli("run", "--quiet", "--workspace", str(tiny_workspace))
    assert "Warnung" not in again.stdout and "Hinweis" not in again.stdout
    assert "Warnung" not in ws.status_file.read_text(encoding="utf-8")


def test_a_new_private_folder_is_created_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0o000)
    try:
        root = tmp_path / "ws" / "data_private"
        assert restrict(root) == []
        (root / "reports").mkdir()  # as a library creates it, with the umask's mode
        (root / "reports" / "konsistenz.txt").write_text("x")
        assert mode(root) == 0o700
        found = restrict(root)
    finally:
        os.umask(old)
    assert {p.name for p, _ in found} == {"reports", "konsistenz.txt"}
    assert mode(root / "reports") == 0o700 and mode(root / "reports" / "konsistenz.txt") == 0o600
    assert warning(root, found) is None  # never reachable: the folder itself was owner-only
    os.chmod(root, 0o750)
    text = warning(root, restrict(root))
    assert text.startswith("Warnung: data_private/ war für andere Benutzerkonten zugänglich (data_private (750))")


def test_symbolic_links_are_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("public")
    os.chmod(outside, 0o644)
    root = tmp_path / "data_private"
    restrict(root)
    (root / "link").symlink_to(outside)
    assert restrict(root) == []
    assert mode(outside) == 0o644
