"""`molehunt audit` through CliRunner: checkpoint/export, prove and entry checked independently, verify and tamper."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from molehunt.audit import AuditLog, NewEntry, load_export
from molehunt.audit import checkpoint as checkpoints
from molehunt.audit.entries import canonical_json
from molehunt.audit.framing import scan
from molehunt.audit.keys import public_key_from_hex
from molehunt.audit.merkle import leaf_hash, verify_inclusion
from molehunt.audit.verify import ENTRIES_FILE
from molehunt.cli.audit import audit_app
from molehunt.config import resolve_home

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
runner = CliRunner()


def invoke(home: Path, *args: str) -> Any:
    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = resolve_home(home)

    app.add_typer(audit_app, name="audit")
    return runner.invoke(app, ["audit", *args])


def append(home: Path, count: int, *, actor: str = "u", checkpoint_each: bool = False) -> None:
    with AuditLog.open(home / "audit", home / "keys") as log:
        for _ in range(count):
            i = log.size
            log.append(NewEntry(f"{actor}{i}", "read", f"doc-{i}", {"i": i}, T0))
            if checkpoint_each:
                log.checkpoint()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    append(tmp_path, 5)
    return tmp_path


def test_checkpoint_exports_a_file_a_witness_can_check(home: Path) -> None:
    result = invoke(home, "checkpoint", "--export", str(home / "witness.json"))
    assert result.exit_code == 0, result.output
    exported = load_export(home / "witness.json")
    assert exported.checkpoint.tree_size == 5
    assert "5 entries" in result.stdout and exported.checkpoint.root_hash.hex() in result.stdout
    assert exported.public_key in result.stdout


def test_prove_and_entry_check_out_independently(home: Path) -> None:
    assert invoke(home, "checkpoint", "--export", str(home / "witness.json")).exit_code == 0
    append(home, 2)  # 7 entries, a size that is not a power of two; entry 6 is not covered yet
    proved = invoke(home, "prove", "6", "--json")
    assert proved.exit_code == 0, proved.output
    proof = json.loads(proved.stdout)
    assert set(proof) == {"leaf_index", "tree_size", "leaf_hash", "audit_path", "root_hash", "checkpoint"}
    assert (proof["leaf_index"], proof["tree_size"]) == (6, 7)  # prove signed a checkpoint covering entry 6

    shown = invoke(home, "entry", "6", "--json")
    assert shown.exit_code == 0, shown.output
    entry = json.loads(shown.stdout)
    claimed = entry.pop("leaf_hash")
    assert entry["actor"] == "u6"
    assert leaf_hash(canonical_json(entry)).hex() == claimed == proof["leaf_hash"]

    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    verify_inclusion(bytes.fromhex(claimed), 6, proof["tree_size"], path, bytes.fromhex(proof["root_hash"]))
    signed = checkpoints.Checkpoint.from_json(proof["checkpoint"])
    assert signed.root_hash.hex() == proof["root_hash"]
    checkpoints.verify(signed, public_key_from_hex(load_export(home / "witness.json").public_key))

    verified = invoke(home, "verify", "--against", str(home / "witness.json"), "--json")
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    assert report["ok"] and (report["entries"], report["verified_size"], report["uncovered"]) == (7, 7, 0)


def test_prove_reuses_a_covering_checkpoint(home: Path) -> None:
    append(home, 1)  # the writer signs a checkpoint of 6 entries as it closes
    signed = json.loads(invoke(home, "verify", "--json").stdout)["checkpoints"]
    proof = json.loads(invoke(home, "prove", "2", "--json").stdout)
    assert proof["tree_size"] == 6
    assert json.loads(invoke(home, "verify", "--json").stdout)["checkpoints"] == signed


@pytest.mark.parametrize(("command", "index"), [("prove", "5"), ("prove", "-1"), ("entry", "9"), ("entry", "-1")])
def test_an_index_outside_the_log_is_one_error_line(home: Path, command: str, index: str) -> None:
    result = invoke(home, command, "--json", "--", index)
    assert result.exit_code == 2
    assert result.stderr.startswith("error:") and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_verify_without_a_log_fails_and_creates_nothing(tmp_path: Path) -> None:
    result = invoke(tmp_path, "verify")
    assert result.exit_code == 2 and "no audit log" in result.stderr
    assert not (tmp_path / "keys").exists()


def test_a_log_open_elsewhere_is_reported(home: Path) -> None:
    with AuditLog.open(home / "audit", home / "keys"):
        result = invoke(home, "checkpoint")
    assert result.exit_code == 2 and "open in another process" in result.stderr


def test_verify_ok_prints_the_counts(home: Path) -> None:
    invoke(home, "checkpoint")
    result = invoke(home, "verify")
    assert result.exit_code == 0, result.output
    assert (
        "entries: 5, checkpoints: 3, proven by a checkpoint: 5, not covered by any checkpoint yet: 0" in result.stdout
    )
    assert "ok" in result.stdout


def _flip(home: Path, index: int, old: bytes, new: bytes) -> None:
    path = home / "audit" / ENTRIES_FILE
    data = bytearray(path.read_bytes())
    start = scan(bytes(data)).offsets[index]
    at = data.index(old, start)
    data[at : at + len(old)] = new
    path.write_bytes(bytes(data))


def test_a_broken_entry_is_named(home: Path) -> None:
    invoke(home, "checkpoint")
    _flip(home, 3, b"{", b"[")  # entry 3 is no longer a JSON object
    result = invoke(home, "verify")
    assert result.exit_code == 2
    # the writer's first append signed a checkpoint of one entry, which still proves entry 0
    assert "first bad entry: 1 (entries from 1 on are unproven; entry 3 itself is damaged)" in result.stderr
    assert "entry 3" in result.stdout
    report = json.loads(invoke(home, "verify", "--json").stdout)
    assert (report["first_bad_entry"], report["damaged_entry"]) == (1, 3)


def test_a_plausible_edit_is_named_by_the_checkpoints(tmp_path: Path) -> None:
    append(tmp_path, 6, checkpoint_each=True)
    _flip(tmp_path, 4, b"u4", b"u9")  # still a canonical entry: only the Merkle root can tell
    result = invoke(tmp_path, "verify", "--json")
    assert result.exit_code == 2 and "first bad entry: 4" in result.stderr
    report = json.loads(result.stdout)
    assert not report["ok"] and report["first_bad_entry"] == 4 and report["verified_size"] == 4
    assert {p["kind"] for p in report["problems"]} == {"root-mismatch"}


def test_rewritten_history_fails_against_the_witness(home: Path) -> None:
    witness = home / "witness.json"
    assert invoke(home, "checkpoint", "--export", str(witness)).exit_code == 0
    append(home, 3)
    assert invoke(home, "checkpoint").exit_code == 0
    assert invoke(home, "verify", "--against", str(witness)).exit_code == 0  # honest growth extends the witness

    shutil.rmtree(home / "audit")  # the insider rewrites history with the same key and re-signs it
    append(home, 8, actor="forged")
    assert invoke(home, "checkpoint").exit_code == 0
    assert invoke(home, "verify").exit_code == 0  # self-consistent on its own

    result = invoke(home, "verify", "--against", str(witness), "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert [p["kind"] for p in report["problems"]] == ["witness"]
    assert "does not extend the witnessed checkpoint" in report["problems"][0]["message"]


def test_a_witness_signed_by_another_key_fails(home: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = tmp_path_factory.mktemp("other")
    append(other, 5)
    assert invoke(other, "checkpoint", "--export", str(other / "witness.json")).exit_code == 0
    invoke(home, "checkpoint")
    result = invoke(home, "verify", "--against", str(other / "witness.json"))
    assert result.exit_code == 2 and "witness" in result.stdout


def test_a_damaged_witness_file_is_one_error_line(home: Path) -> None:
    invoke(home, "checkpoint", "--export", str(home / "witness.json"))
    text = (home / "witness.json").read_text()
    (home / "witness.json").write_text(text.replace('"tree_size": 5', '"tree_size": 6'))
    result = invoke(home, "verify", "--against", str(home / "witness.json"))
    assert result.exit_code == 2 and "bad signature" in result.stderr
