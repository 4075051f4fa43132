"""Finding 2 of issue 20: parallel `molehunt vault read` processes on one home all succeed, one event per entry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from molehunt.audit import AuditLog
from molehunt.config import Home
from molehunt.store import open_store
from molehunt.trace.carriers.text import STRIP_MARKS
from molehunt.vault.service import Vault

READERS = 8
TEXT = b"# Apollo\nStage two ignition at T+152 s.\n"
_CLI = "import sys; from molehunt.cli import app; sys.argv[0] = 'molehunt'; app()"


def test_parallel_cli_reads_all_succeed_and_record_one_event_each(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    plan = tmp_path / "plan.md"
    plan.write_bytes(TEXT)
    with open_store(home.store_path) as store:
        vault = Vault(home, store)
        vault.grant("viewer", "SECRET", ["apollo"])
        doc_id = vault.add(plan, "SECRET", "apollo", as_user="viewer")
    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[3]), "COLUMNS": "200"}
    env.pop("MOLEHUNT_VAULT_KEY", None)
    command = [sys.executable, "-c", _CLI, "--home", str(home.root), "vault", "read", doc_id, "--as", "viewer"]
    children = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(READERS)
    ]
    results = [(*child.communicate(timeout=120), child.returncode) for child in children]
    failed = [err.decode() for _, err, code in results if code != 0]
    assert not failed, failed
    assert all("Stage two ignition" in out.decode().translate(STRIP_MARKS) for out, _, _ in results)
    with AuditLog.open(home.audit_dir, home.keys_dir) as log:
        reads = [log.entry(i) for i in range(log.size) if log.entry(i).action == "read"]
    assert [entry.details["decision"] for entry in reads] == ["allow"] * READERS
    with open_store(home.store_path) as store:
        lines = store.con.execute(
            "SELECT line FROM events WHERE source = 'vault' AND activity = 'read' ORDER BY line"
        ).fetchall()
    assert [line for (line,) in lines] == [entry.seq for entry in reads]
