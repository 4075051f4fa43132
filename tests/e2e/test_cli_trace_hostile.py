"""`molehunt trace` and `molehunt vault add` on hostile files: exit code 2, one clear line naming the file, no
traceback, and nothing added to the vault or the audit log."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.hostile_leaks import pdf_stream_bomb, png_header, word_bomb

runner = CliRunner()


def molehunt(home: Path, *args: str) -> tuple[int, str]:
    from molehunt.cli import app

    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.output.strip()


def audit_state(home: Path) -> list[tuple[str, int]]:
    folder = home / "audit"
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def hostile(tmp_path: Path) -> dict[str, Path]:
    files = {
        "fifo": tmp_path / "leak.txt",
        "sparse": tmp_path / "huge.pdf",
        "bomb.docx": tmp_path / "bomb.docx",
        "junk.pdf": tmp_path / "junk.pdf",
        "bomb.png": tmp_path / "bomb.png",
    }
    os.mkfifo(files["fifo"])
    with files["sparse"].open("wb") as handle:
        handle.truncate(5 * 1024**3)
    files["bomb.docx"].write_bytes(word_bomb(80 * 1024**2))  # 64 MB is the limit on one part
    files["junk.pdf"].write_bytes(b"%PDF-1.7\n" + os.urandom(2048))
    files["bomb.png"].write_bytes(png_header(50_000, 50_000))
    return files


def test_hostile_leaks_and_documents_are_refused_in_one_line(tmp_path: Path, hostile: dict[str, Path]) -> None:
    home = tmp_path / "home"
    assert molehunt(home, "vault", "grant", "keeper", "--clearance", "SECRET", "--projects", "apollo")[0] == 0
    before = audit_state(home)
    assert before  # the grant is in the log: the comparison below has something to compare
    for name, path in [*hostile.items(), ("dev-zero", Path("/dev/zero"))]:
        code, said = molehunt(home, "trace", str(path))
        assert code == 2, (name, said)
        assert "Traceback" not in said and str(path) in said and len(said.splitlines()) <= 3, (name, said)
    for name in ("fifo", "sparse", "bomb.docx"):
        path = hostile[name]
        args = ["vault", "add", str(path), "--label", "SECRET", "--project", "apollo", "--as", "keeper"]
        code, said = molehunt(home, *args, "--allow-unmarked")
        assert code == 2 and "Traceback" not in said and str(path) in said, (name, said)
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(pdf_stream_bomb())  # pypdf stops inflating it: a PDF that cannot carry a fingerprint
    code, said = molehunt(home, "vault", "add", str(bomb), "--label", "SECRET", "--project", "apollo", "--as", "keeper")
    assert code == 2 and "Traceback" not in said and "cannot read this PDF" in said, said
    assert audit_state(home) == before  # nothing was added, nothing was traced
    code, listed = molehunt(home, "vault", "ls", "--as", "keeper")
    assert code == 0 and "doc-" not in listed
