"""`molehunt vault ...` round trip through a small parent app that sets ctx.obj like molehunt.cli does."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from molehunt.cli.vault import app as vault_app
from molehunt.config import resolve_home
from molehunt.trace.carriers.text import STRIP_MARKS


def make_app(home: Path) -> typer.Typer:
    parent = typer.Typer()

    @parent.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = resolve_home(home)

    parent.add_typer(vault_app, name="vault")
    return parent


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOLEHUNT_VAULT_KEY", raising=False)


def test_cli_round_trip(tmp_path: Path) -> None:
    app = make_app(tmp_path / "home")
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["vault", *args])
        return result.exit_code, result.output

    assert run("grant", "alice", "--clearance", "SECRET:CRYPTO", "--projects", "apollo,gemini") == (
        0,
        "alice: SECRET:CRYPTO projects=apollo,gemini\n",
    )
    assert run("grant", "bob", "--clearance", "confidential", "--projects", "apollo")[0] == 0
    source = tmp_path / "plan.md"
    source.write_text("# plan\nsecret words\n")
    code, out = run("add", str(source), "--label", "SECRET:CRYPTO", "--project", "apollo", "--as", "alice")
    assert code == 0
    doc_id = out.strip()
    assert doc_id.startswith("doc-")

    code, out = run("ls", "--as", "alice")
    assert code == 0 and out == f"{doc_id}\tSECRET:CRYPTO\tapollo\ttxt\t20\tplan.md\n"
    nothing = runner.invoke(app, ["vault", "ls", "--as", "bob"])
    # Finding nothing says so, on stderr: stdout stays tab-separated rows only (issue 17).
    assert (nothing.exit_code, nothing.stdout, nothing.stderr) == (0, "", "No documents bob may read.\n")

    code, out = run("read", doc_id, "--as", "alice")
    assert code == 0 and out.translate(STRIP_MARKS) == "# plan\nsecret words\n"
    code, out = run("read", doc_id, "--as", "bob")
    assert code == 2
    assert f"read {doc_id} denied: missing-compartments, no-read-up" in out

    copy = tmp_path / "copy.md"
    code, out = run("checkout", doc_id, "--for", "alice", "--out", str(copy))
    assert code == 0 and copy.read_text().translate(STRIP_MARKS) == "# plan\nsecret words\n"
    assert "(fingerprinted)" in out and "warning: " in out  # two words cannot carry a traceable fingerprint

    code, out = run("decoy", "--project", "apollo", "--count", "2")
    assert code == 0 and len(out.split()) == 2

    assert run("revoke", "alice") == (0, "alice: revoked\n")
    assert run("read", doc_id, "--as", "alice")[0] == 2
    code, out = run("add", str(source), "--label", "COSMIC", "--project", "apollo", "--as", "bob")
    assert code == 2 and "unknown classification level 'COSMIC'" in out
