"""`molehunt vault add` takes Word documents and refuses what cannot carry a fingerprint unless --allow-unmarked;
`molehunt trace leaked.docx` names the recipient of a Word copy."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
from typer.testing import CliRunner

from tests.unit.trace.carriers.prose import document

runner = CliRunner()
RECIPIENTS = [f"user{i:02d}" for i in range(30)]


def molehunt(home: Path, *args: str) -> tuple[int, str, str]:
    from molehunt.cli import app

    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.stdout.strip(), result.stderr.strip()


def test_a_word_copy_is_traced_and_an_unmarkable_file_needs_allow_unmarked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made = docx.Document()
    for paragraph in document(1200, seed=41).split("\n\n"):
        made.add_paragraph(paragraph)
    out = io.BytesIO()
    made.save(out)
    plan = tmp_path / "plan.docx"
    plan.write_bytes(out.getvalue())
    for user in [*RECIPIENTS, "keeper"]:
        assert molehunt(home, "vault", "grant", user, "--clearance", "SECRET", "--projects", "apollo")[0] == 0
    code, doc_id, _ = molehunt(
        home, "vault", "add", str(plan), "--label", "SECRET", "--project", "apollo", "--as", "keeper"
    )
    assert code == 0 and doc_id.startswith("doc-")
    for user in RECIPIENTS:
        code, said, warned = molehunt(
            home, "vault", "checkout", doc_id, "--for", user, "--out", str(tmp_path / f"{user}.docx")
        )
        assert code == 0 and said.endswith("(fingerprinted)"), warned
    code, said, _ = molehunt(home, "trace", str(tmp_path / "user17.docx"), "--json")
    assert code == 0, said
    found = json.loads(said)
    assert found["doc_id"] == doc_id and [a["user"] for a in found["accused"]] == ["user17"]

    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(64))
    code, _, refused = molehunt(
        home, "vault", "add", str(photo), "--label", "SECRET", "--project", "apollo", "--as", "keeper"
    )
    assert code == 2 and "cannot carry a fingerprint" in refused and "--allow-unmarked" in refused
    code, kept, _ = molehunt(
        home,
        "vault",
        "add",
        str(photo),
        "--label",
        "SECRET",
        "--project",
        "apollo",
        "--as",
        "keeper",
        "--allow-unmarked",
    )
    assert code == 0
    code, said, warned = molehunt(
        home, "vault", "checkout", kept, "--for", "user01", "--out", str(tmp_path / "copy.jpg")
    )
    assert code == 0 and said.endswith("(not fingerprinted)") and "cannot be traced" in warned
    code, _, warned = molehunt(home, "vault", "read", kept, "--as", "user02")
    assert code == 0 and "cannot be traced" in warned
    code, _, warned = molehunt(home, "vault", "read", doc_id, "--as", "user02")
    assert code == 0 and "cannot be traced" not in warned
