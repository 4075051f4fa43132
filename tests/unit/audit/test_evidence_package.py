"""Evidence packages verify offline, and any change to their content or cited actions is caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from molehunt.audit import AuditLog, NewEntry, append_entry, keys
from molehunt.audit.package import EXPORT_DIGEST, assemble, content_digest, verify_package

CONTENT = json.dumps({"case": {"id": 1, "subject": "P-1A2B3C4D"}, "events": [{"kind": "device", "line": 7}]})


@pytest.fixture
def package(tmp_path: Path) -> dict[str, object]:
    audit, keys_dir = tmp_path / "audit", tmp_path / "keys"
    opened = append_entry(audit, keys_dir, NewEntry("ana", "case.open", "ACM2278", {"day": "2010-07-01"}))
    for n in range(20):  # unrelated activity around it
        append_entry(audit, keys_dir, NewEntry("bob", "login", "web", {"n": n}))
    noted = append_entry(audit, keys_dir, NewEntry("ana", "case.note", "case:1", {"text": "USB copies"}))
    export = append_entry(
        audit, keys_dir, NewEntry("ana", "case.export", "case:1", {EXPORT_DIGEST: content_digest(CONTENT)})
    )
    with AuditLog.open(audit, keys_dir, checkpoint_on_close=False) as log:
        return assemble(log, CONTENT, [opened, noted], export)


def _bytes(package: dict[str, object]) -> bytes:
    return json.dumps(package).encode()


def test_a_package_verifies_offline_and_lists_its_actions(package: dict[str, object]) -> None:
    report = verify_package(_bytes(package))
    assert report.ok, report.problems
    assert report.entries == 3
    assert [a.split()[1] for a in report.actions] == ["case.open", "case.note", "case.export"]


def test_a_changed_content_is_caught(package: dict[str, object]) -> None:
    package["content"] = str(package["content"]).replace('line": 7', 'line": 8')
    report = verify_package(_bytes(package))
    assert not report.ok and "changed after export" in report.problems[0]
    # recomputing the digest does not help: the export's audit entry still records the original one
    package["content_sha256"] = content_digest(str(package["content"]))
    again = verify_package(_bytes(package))
    assert not again.ok and any("another content digest" in p for p in again.problems)


def test_an_altered_or_dropped_action_is_caught(package: dict[str, object]) -> None:
    entries = package["entries"]
    assert isinstance(entries, list)
    entries[1]["entry"] = entries[1]["entry"].replace("USB copies", "nothing found")
    report = verify_package(_bytes(package))
    assert not report.ok and any("entry 21" in p for p in report.problems)
    entries.pop()  # the export entry itself
    assert any("export's own audit entry" in p for p in verify_package(_bytes(package)).problems)


def test_another_key_and_garbage_are_refused_in_one_line(package: dict[str, object], tmp_path: Path) -> None:
    append_entry(tmp_path / "other", tmp_path / "other-keys", NewEntry("x", "y", "z"))
    with AuditLog.open(tmp_path / "other", tmp_path / "other-keys", checkpoint_on_close=False) as other:
        package["public_key"] = keys.public_bytes(other.public_key).hex()
        package["key_id"] = keys.key_id(other.public_key)
    report = verify_package(_bytes(package))
    assert not report.ok and report.problems  # every proof's checkpoint signature fails under the wrong key
    for raw in (b"", b"\xff\xfe", b"[]", b'{"format": "molehunt-evidence-package/1"}'):
        bad = verify_package(raw)
        assert not bad.ok and len(bad.problems) == 1
