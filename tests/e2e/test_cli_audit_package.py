"""`molehunt audit verify-package FILE` checks an evidence package offline and names what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from molehunt.audit import AuditLog, NewEntry, append_entry
from molehunt.audit.package import EXPORT_DIGEST, assemble, content_digest
from molehunt.cli import app

runner = CliRunner()


def _package(tmp_path: Path) -> Path:
    content = json.dumps({"case": {"id": 3}, "events": [{"line": 12}]})
    audit, keys_dir = tmp_path / "home" / "audit", tmp_path / "home" / "keys"
    opened = append_entry(audit, keys_dir, NewEntry("ana", "case.open", "ACM2278", {"day": "2010-07-01"}))
    export = append_entry(
        audit, keys_dir, NewEntry("ana", "case.export", "case:3", {EXPORT_DIGEST: content_digest(content)})
    )
    with AuditLog.open(audit, keys_dir, checkpoint_on_close=False) as log:
        package = assemble(log, content, [opened], export)
    path = tmp_path / "case-3.molehunt-evidence.json"
    path.write_text(json.dumps(package))
    return path


def test_a_package_verifies_without_any_home(tmp_path: Path) -> None:
    path = _package(tmp_path)
    result = runner.invoke(app, ["--home", str(tmp_path / "elsewhere"), "audit", "verify-package", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 2 audit entries proven") and "case.export case:3 by ana" in result.output
    as_json = runner.invoke(app, ["audit", "verify-package", str(path), "--json"])
    assert json.loads(as_json.output)["ok"] is True


def test_a_tampered_or_missing_package_exits_2_naming_the_problem(tmp_path: Path) -> None:
    path = _package(tmp_path)
    path.write_text(path.read_text().replace('\\"line\\": 12', '\\"line\\": 13'))
    result = runner.invoke(app, ["audit", "verify-package", str(path)])
    assert result.exit_code == 2 and "changed after export" in result.output and "Traceback" not in result.output
    missing = runner.invoke(app, ["audit", "verify-package", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "cannot read the package" in missing.output
