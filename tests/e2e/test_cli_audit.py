"""`molehunt audit` end to end (issue 20, finding 4): a log left as normal use leaves it is fully covered, a second
home witnesses it (from the log's folder or from exported files) and a rollback is caught against the witness."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from molehunt.audit import AuditLog, NewEntry, append_entry
from molehunt.audit.entries import Entry
from molehunt.audit.framing import frame
from molehunt.audit.verify import ENTRIES_FILE
from molehunt.cli import app

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
runner = CliRunner()


def molehunt(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), "audit", *args])
    return result.exit_code, " ".join(result.output.split())


def use(home: Path, start: int, count: int, actor: str = "user") -> None:
    """Normal use: one append_entry per request, as the vault and the dashboard do."""
    for i in range(start, start + count):
        append_entry(home / "audit", home / "keys", NewEntry(f"{actor}{i}", "read", f"doc-{i}", {"n": i}, T0))


def test_an_ordinary_log_is_covered_and_verify_says_so(tmp_path: Path) -> None:
    use(tmp_path, 0, 5)
    code, said = molehunt(tmp_path, "verify")
    assert code == 0 and "entries: 5" in said and "not covered by any checkpoint yet: 0" in said
    # A crash after an entry reached the disk and before its checkpoint: verify reports it and signs nothing.
    with (tmp_path / "audit" / ENTRIES_FILE).open("ab") as handle:
        handle.write(frame([Entry.create(5, NewEntry("user5", "read", "doc-5", {}, T0)).canonical]))
    for _ in range(2):  # twice: the first verify signed nothing
        result = runner.invoke(app, ["--home", str(tmp_path), "audit", "verify", "--json"])
        report = json.loads(result.stdout)
        assert result.exit_code == 0 and (report["entries"], report["uncovered"]) == (6, 1)
    use(tmp_path, 6, 1)  # the next writer covers it
    report = json.loads(runner.invoke(app, ["--home", str(tmp_path), "audit", "verify", "--json"]).stdout)
    assert report["ok"] and (report["entries"], report["uncovered"]) == (7, 0)


def test_a_witness_home_catches_a_rollback(tmp_path: Path) -> None:
    log, witness = tmp_path / "log", tmp_path / "witness"
    use(log, 0, 6)
    code, said = molehunt(witness, "witness", "--from", str(log))
    assert code == 0 and "6 entries" in said and "pinned its public key" in said, said
    copies = list((witness / "witness").glob("*.json"))
    assert len(copies) == 1 and stat.S_IMODE(copies[0].stat().st_mode) == 0o600
    earlier = tmp_path / "earlier"
    shutil.copytree(log / "audit", earlier)  # what an insider keeps to roll back to

    use(log, 6, 9)
    code, said = molehunt(witness, "witness", "--from", str(log / "audit"))
    assert code == 0 and "15 entries" in said and "extends the 6 entries witnessed before" in said, said
    assert molehunt(log, "verify", "--against", str(witness))[0] == 0
    assert molehunt(log, "verify", "--against", str(copies[0]))[0] == 0

    shutil.rmtree(log / "audit")
    shutil.copytree(earlier, log / "audit")  # every file of the log back as it was at 6 entries
    assert molehunt(log, "verify")[0] == 0  # consistent on its own: only the witness can tell
    code, said = molehunt(log, "verify", "--against", str(witness))
    assert code == 2 and "witnessed checkpoint covers 15 entries but only 6 are present" in said, said
    code, said = molehunt(witness, "witness", "--from", str(log))
    assert code == 2 and "rollback" in said and len(said.splitlines()) == 1


def test_a_witness_from_exported_files_checks_consistency(tmp_path: Path) -> None:
    log, witness, carried = tmp_path / "log", tmp_path / "witness", tmp_path / "usb" / "checkpoint.json"
    carried.parent.mkdir()
    use(log, 0, 3)
    assert molehunt(log, "checkpoint", "--export", str(carried))[0] == 0
    assert molehunt(witness, "witness", "--from", str(carried))[0] == 0
    use(log, 3, 4)
    assert molehunt(log, "checkpoint", "--export", str(carried))[0] == 0  # carries a proof from the last export
    code, said = molehunt(witness, "witness", "--from", str(carried))
    assert code == 0 and "extends the 3 entries witnessed before" in said, said

    shutil.rmtree(log / "audit")  # the key holder rewrites history and exports it with a proof from 7
    use(log, 0, 9, actor="forged")
    assert molehunt(log, "checkpoint", "--export", str(carried), "--since", "7")[0] == 0
    code, said = molehunt(witness, "witness", "--from", str(carried))
    assert code == 2 and "history rewritten" in said, said
    code, said = molehunt(log, "verify", "--against", str(witness))
    assert code == 2 and "does not extend the witnessed checkpoint" in said


def test_a_changed_witness_copy_is_one_error_line(tmp_path: Path) -> None:
    log, witness = tmp_path / "log", tmp_path / "witness"
    use(log, 0, 2)
    assert molehunt(witness, "witness", "--from", str(log))[0] == 0
    (copy,) = (witness / "witness").glob("*.json")
    copy.write_text(copy.read_text().replace('"tree_size": 2', '"tree_size": 1'))
    result = runner.invoke(app, ["--home", str(log), "audit", "verify", "--against", str(witness)])
    assert result.exit_code == 2 and result.stderr.startswith("error:") and len(result.stderr.splitlines()) == 1
    with AuditLog.open(log / "audit", log / "keys") as opened:
        assert opened.size == 2
