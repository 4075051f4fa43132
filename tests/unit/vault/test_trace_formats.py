"""Every document type the vault takes is fingerprinted per recipient and traced: extension-less text, Word and PDF
originals; a type that cannot carry a mark is refused unless allowed, and its copies say so."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from molehunt.audit import AuditLog
from molehunt.config import Home
from molehunt.opstore import connect
from molehunt.protect import Level, set_level
from molehunt.store import open_store
from molehunt.trace import marking
from molehunt.trace.carriers.docx import docx_text
from molehunt.trace.carriers.text import CURRENT_SCHEME, STRIP_MARKS
from molehunt.vault import service
from molehunt.vault.errors import VaultError
from molehunt.vault.service import Vault, content_type_of
from molehunt.vault.tracing import trace_leak
from tests.unit.trace.carriers import scheme1
from tests.unit.trace.carriers.prose import document

RECIPIENTS = [f"user{i:02d}" for i in range(30)]


def _word(words: int, seed: int) -> bytes:
    made = docx.Document()
    made.add_heading("Site security plan", level=1)
    for n, paragraph in enumerate(document(words, seed=seed).split("\n\n")):
        half = paragraph.split(" ")
        p = made.add_paragraph()
        p.add_run(" ".join(half[: len(half) // 2]) + " ").bold = n % 4 == 0
        p.add_run(" ".join(half[len(half) // 2 :]))
    out = io.BytesIO()
    made.save(out)
    return out.getvalue()


def _pdf(words: int, seed: int) -> bytes:
    made = FPDF(format="A4")
    made.set_font("helvetica", size=11)
    made.add_page()
    for paragraph in document(words, seed=seed).split("\n\n"):
        made.multi_cell(0, 5.5, paragraph.encode("latin-1", "replace").decode("latin-1"))
        made.ln(2)
    return bytes(made.output())


@dataclass
class Library:
    home: Home
    root: Path
    docs: dict[str, str]  # name -> doc id
    originals: dict[str, Path]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("formats")
    home = Home(root / "home").ensure()
    originals = {"notes": root / "NOTES", "plan.docx": root / "plan.docx", "report.pdf": root / "report.pdf"}
    originals["notes"].write_text(document(1500, seed=31))
    originals["plan.docx"].write_bytes(_word(1500, seed=32))
    originals["report.pdf"].write_bytes(_pdf(2500, seed=33))
    docs = {}
    with open_store(home.store_path) as store:
        vault = Vault(home, store)
        for user in [*RECIPIENTS, "keeper"]:
            vault.grant(user, "SECRET", ["apollo"])
        for name, path in originals.items():
            docs[name] = vault.add(path, "SECRET", "apollo", as_user="keeper")
            for user in RECIPIENTS:
                done = vault.checkout(docs[name], for_user=user, out_path=root / f"{user}-{name}")
                assert done.fingerprinted and done.out.endswith(name)
    return Library(home, root, docs, originals)


@pytest.fixture
def vault(library: Library) -> Iterator[Vault]:
    with open_store(library.home.store_path) as store:
        yield Vault(library.home, store)


def _accused(vault: Vault, leak: Path, doc_id: str | None = None) -> list[str]:
    return [user for user, _ in trace_leak(vault, leak, doc_id=doc_id, actor="analyst").accusation.accused]


def test_types_come_from_the_content(library: Library) -> None:
    assert content_type_of(library.originals["notes"], library.originals["notes"].read_bytes()) == "txt"
    word = library.originals["plan.docx"].read_bytes()
    assert content_type_of(Path("renamed.bin"), word) == "docx"
    assert content_type_of(Path("x.pdf"), library.originals["report.pdf"].read_bytes()) == "pdf"
    assert content_type_of(Path("photo.jpg"), b"\xff\xd8\xff\xe0\x00\x10JFIF\x00") == "jpg"
    assert content_type_of(Path("notes.jpg"), "Plain words, a café and a tab\t.\n".encode()) == "txt"
    assert content_type_of(Path("blob"), bytes(range(256))) == "other"


@pytest.mark.parametrize(("name", "user"), [("notes", "user07"), ("plan.docx", "user12"), ("report.pdf", "user21")])
def test_a_leaked_copy_of_each_type_names_its_recipient_only(
    library: Library, vault: Vault, name: str, user: str
) -> None:
    leak = library.root / f"{user}-{name}"
    found = trace_leak(vault, leak, doc_id=None, actor="analyst")
    assert found.doc_id == library.docs[name] and found.matched_by.startswith("content")
    assert [u for u, _ in found.accusation.accused] == [user]
    assert found.recipients == len(RECIPIENTS)


@pytest.mark.parametrize("name", ["notes", "plan.docx", "report.pdf"])
def test_the_unmarked_original_accuses_nobody(library: Library, vault: Vault, name: str) -> None:
    assert _accused(vault, library.originals[name], library.docs[name]) == []


def test_text_pasted_out_of_a_word_copy_names_its_recipient(library: Library, vault: Vault) -> None:
    pasted = library.root / "pasted.txt"
    pasted.write_text(docx_text((library.root / "user03-plan.docx").read_bytes()))
    assert _accused(vault, pasted) == ["user03"]
    retyped = library.root / "retyped.txt"  # the invisible marks lost: the visible variants remain
    retyped.write_text(pasted.read_text().translate(STRIP_MARKS))
    found = trace_leak(vault, retyped, doc_id=library.docs["plan.docx"], actor="analyst")
    assert {u for u, _ in found.accusation.accused} <= {"user03"}


def test_each_copy_records_its_carrier_and_scheme(library: Library, vault: Vault) -> None:
    schemes = vault.recipient_schemes(library.docs["report.pdf"])
    assert set(schemes) == set(RECIPIENTS) and all(found == {1} for found in schemes.values())
    with AuditLog.open(library.home.root / "audit", library.home.root / "keys") as log:
        marks = [log.entry(i).details.get("fingerprint") for i in range(log.size) if log.entry(i).action == "checkout"]
    assert {(m.get("carrier"), m.get("scheme")) for m in marks if isinstance(m, dict)} == {
        ("text", CURRENT_SCHEME),
        ("docx", CURRENT_SCHEME),
        ("pdf-lines", 1),
    }


def test_an_unmarkable_type_is_refused_unless_allowed_and_its_copy_warns(
    library: Library, vault: Vault, tmp_path: Path
) -> None:
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))
    with pytest.raises(VaultError, match=r"cannot carry a fingerprint.*--allow-unmarked"):
        vault.add(archive, "SECRET", "apollo", as_user="keeper")
    scanned = tmp_path / "scan.pdf"  # a PDF with no text line: nothing to shift
    blank = FPDF()
    blank.add_page()
    scanned.write_bytes(bytes(blank.output()))
    with pytest.raises(VaultError, match="no text lines"):
        vault.add(scanned, "SECRET", "apollo", as_user="keeper")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\u00e9 menu".encode("latin-1"))
    with pytest.raises(VaultError, match="not UTF-8"):
        vault.add(latin, "SECRET", "apollo", as_user="keeper")
    doc_id = vault.add(archive, "SECRET", "apollo", as_user="keeper", allow_unmarked=True)
    done = vault.checkout(doc_id, for_user="user01", out_path=tmp_path / "copy.zip")
    assert not done.fingerprinted and done.warning and "cannot be traced" in done.warning
    assert (tmp_path / "copy.zip").read_bytes() == archive.read_bytes()


def test_a_copy_issued_under_scheme_1_is_still_traced(
    vault: Vault, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A copy made before schemes were recorded (its audit entry names none) is read with scheme 1, while the
    same document's newer copies are read with theirs."""
    memo = tmp_path / "memo.md"
    memo.write_text(document(1500, seed=35))
    doc_id = vault.add(memo, "SECRET", "apollo", as_user="keeper")
    with monkeypatch.context() as old:
        old.setattr(marking, "layout", scheme1.layout)
        old.setattr(marking, "embed", scheme1.embed)
        old.setattr(marking, "print_alphabet", lambda *args, **kwargs: (), raising=False)
        old.setattr(
            service,
            "_fingerprint_details",
            lambda marked: {"fingerprint": {"robust": marked.robust, "fragile": marked.fragile}},
        )
        vault.checkout(doc_id, for_user="keeper", out_path=tmp_path / "keeper.md")
    for user in RECIPIENTS[:10]:
        vault.checkout(doc_id, for_user=user, out_path=tmp_path / f"{user}.md")
    schemes = vault.recipient_schemes(doc_id)
    assert schemes["keeper"] == {1} and schemes["user05"] == {CURRENT_SCHEME}
    assert _accused(vault, tmp_path / "keeper.md") == ["keeper"]
    assert _accused(vault, tmp_path / "user05.md") == ["user05"]


def test_an_elevated_recipients_copies_carry_the_notice_and_are_still_traced(home: Home, tmp_path: Path) -> None:
    """The notice is added after marking, so the fingerprint is laid out from the original, as the tracer does."""
    sources = {
        "memo.md": document(1200, seed=51).encode(),
        "plan.docx": _word(1200, seed=52),
        "report.pdf": _pdf(2500, 53),
    }
    with open_store(home.store_path) as store:
        vault = Vault(home, store)
        for user in RECIPIENTS[:8]:
            vault.grant(user, "SECRET", ["apollo"])
        with closing(connect(home)) as con:
            set_level(con, "user03", Level.ELEVATED, ["test"], source="analyst", by="test")
        for name, data in sources.items():
            (tmp_path / name).write_bytes(data)
            doc_id = vault.add(tmp_path / name, "SECRET", "apollo", as_user="user00")
            for user in RECIPIENTS[:8]:
                vault.checkout(doc_id, for_user=user, out_path=tmp_path / f"{user}-{name}")
            copy = tmp_path / f"user03-{name}"
            assert _accused(vault, copy) == ["user03"], name
    notice = "Issued to user03 on "
    assert (tmp_path / "user03-memo.md").read_text().startswith(notice)
    header = docx.Document(str(tmp_path / "user03-plan.docx")).sections[0].header
    assert any(p.text.startswith(notice) for p in header.paragraphs)
    assert notice in PdfReader(tmp_path / "user03-report.pdf").pages[-1].extract_text()
    assert notice not in PdfReader(tmp_path / "user04-report.pdf").pages[-1].extract_text()


def test_two_insiders_pdf_pages_interleaved_name_only_them(library: Library, vault: Vault) -> None:
    copies = [PdfReader(library.root / f"{user}-report.pdf") for user in ("user05", "user06")]
    merged = PdfWriter()
    for number in range(len(copies[0].pages)):
        merged.add_page(copies[number % 2].pages[number])
    leak = library.root / "merged-report.pdf"
    with leak.open("wb") as out:
        merged.write(out)
    accused = set(_accused(vault, leak))
    assert accused and accused <= {"user05", "user06"}
