"""Tracing a leak through the vault: fingerprinted copies in, accused recipients (and nobody else) out."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.audit import AuditLog
from molehunt.cli import app
from molehunt.config import Home
from molehunt.store import open_store
from molehunt.trace.carriers.text import STRIP_MARKS, normalize
from molehunt.vault.service import Vault
from molehunt.vault.tracing import TraceError, trace_leak
from tests.unit.trace.carriers.prose import UNRELATED, document

RECIPIENTS = [f"user{i:02d}" for i in range(30)]


@dataclass
class Library:
    home: Home
    doc_id: str
    copies: dict[str, str]
    root: Path


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("trace")
    home = Home(root / "home").ensure()
    source = root / "plan.md"
    source.write_text(document(4000, seed=5))
    copies = {}
    with open_store(home.store_path) as store:
        vault = Vault(home, store)
        for user in [*RECIPIENTS, "outsider"]:
            vault.grant(user, "SECRET", ["apollo"])
        doc_id = vault.add(source, "SECRET", "apollo", as_user="user00")
        for user in RECIPIENTS:
            out = root / f"{user}.md"
            vault.checkout(doc_id, for_user=user, out_path=out)
            copies[user] = out.read_text()
    return Library(home, doc_id, copies, root)


@pytest.fixture
def vault(library: Library) -> Iterator[Vault]:
    with open_store(library.home.store_path) as store:
        yield Vault(library.home, store)


def _leak(library: Library, name: str, text: str) -> Path:
    path = library.root / name
    path.write_text(text)
    return path


def test_copies_differ_per_recipient_but_say_the_same(library: Library) -> None:
    assert len(set(library.copies.values())) == len(RECIPIENTS)
    assert {normalize(copy) for copy in library.copies.values()} == {normalize((library.root / "plan.md").read_text())}


def test_a_whole_leaked_copy_names_its_recipient_only(library: Library, vault: Vault) -> None:
    found = trace_leak(vault, _leak(library, "one.md", library.copies["user07"]), doc_id=None, actor="analyst")
    assert found.doc_id == library.doc_id and found.matched_by.startswith("content")
    assert [user for user, _ in found.accusation.accused] == ["user07"]
    assert found.recipients == len(RECIPIENTS) and found.accusation.false_accusation_bound <= 1e-3


def test_copies_merged_by_three_insiders_name_them(library: Library, vault: Vault) -> None:
    parts = [library.copies[user].split("\n\n") for user in ("user03", "user11", "user24")]
    merged = "\n\n".join(parts[i % 3][i] for i in range(len(parts[0])))
    found = trace_leak(vault, _leak(library, "merged.md", merged), doc_id=library.doc_id, actor="analyst")
    assert {user for user, _ in found.accusation.accused} == {"user03", "user11", "user24"}


def test_an_excerpt_still_names_the_source(library: Library, vault: Vault) -> None:
    text = library.copies["user19"]
    excerpt = text[len(text) // 3 : len(text) // 3 + len(text) // 10]
    found = trace_leak(vault, _leak(library, "excerpt.md", excerpt), doc_id=None, actor="analyst")
    assert 0 < found.accusation.positions_read < found.positions
    assert [user for user, _ in found.accusation.accused] == ["user19"]


def test_a_retyped_excerpt_too_short_accuses_nobody_and_says_so(library: Library, vault: Vault) -> None:
    text = library.copies["user19"].translate(STRIP_MARKS)
    retyped = text[: len(text) // 10]
    found = trace_leak(vault, _leak(library, "retyped.md", retyped), doc_id=library.doc_id, actor="analyst")
    assert found.accusation.accused == ()
    # Accusing even the top scorer would carry more than the false-accusation probability asked for (the bound
    # itself varies with the home's random fingerprint key, so it is compared with the target, not a constant).
    assert found.accusation.false_accusation_bound > found.accusation.eps_target and "nobody" in found.accusation.note


def test_an_unmarked_text_accuses_nobody(library: Library, vault: Vault) -> None:
    with pytest.raises(TraceError, match="no vault document matches"):
        trace_leak(vault, _leak(library, "other.md", UNRELATED), doc_id=None, actor="analyst")
    plain = (library.root / "plan.md").read_text()  # the original, never handed out
    found = trace_leak(vault, _leak(library, "original.md", plain), doc_id=library.doc_id, actor="analyst")
    assert found.accusation.accused == ()


def test_a_pdf_checkout_is_traced_through_text_extraction(library: Library, vault: Vault) -> None:
    out = library.root / "outsider.pdf"
    vault.checkout(library.doc_id, for_user="outsider", out_path=out, pdf=True)
    assert out.read_bytes().startswith(b"%PDF")
    found = trace_leak(vault, out, doc_id=None, actor="analyst")
    assert [user for user, _ in found.accusation.accused] == ["outsider"]


def test_every_trace_is_in_the_audit_log_and_the_cli_prints_json(library: Library, tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    shutil.copytree(library.home.root, home.root)
    leak = _leak(library, "cli.md", library.copies["user02"])
    result = CliRunner().invoke(app, ["--home", str(home.root), "trace", str(leak), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["doc_id"] == library.doc_id and [a["user"] for a in data["accused"]] == ["user02"]
    assert {"positions_read", "threshold", "false_accusation_bound", "scores"} <= set(data)
    with AuditLog.open(home.root / "audit", home.root / "keys") as log:
        entry = log.entry(data["audit_entry"])
    assert (entry.action, entry.target) == ("trace", library.doc_id)
    assert entry.details["accused"] == ["user02"]
    missing = CliRunner().invoke(app, ["--home", str(home.root), "trace", str(tmp_path / "nope.md")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    retyped = library.copies["user02"].split("\n\n")[1][:60].translate(STRIP_MARKS)
    tiny = _leak(library, "tiny.md", retyped)
    few = CliRunner().invoke(app, ["--home", str(home.root), "trace", str(tiny), "--doc", library.doc_id, "--json"])
    assert few.exit_code == 0, few.output
    data = json.loads(few.output)  # valid JSON even without a finite threshold
    assert data["accused"] == [] and (data["threshold"] is None or data["positions_read"] > 0)
