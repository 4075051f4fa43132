"""The Word carrier: a marked .docx is a valid document with its formatting, and its text reads back the codeword."""

from __future__ import annotations

import io

import docx
import numpy as np
import pytest
from docx.shared import Pt

from molehunt.trace.carriers import text
from molehunt.trace.carriers.docx import DocxError, add_notice, docx_text, embed, extract, is_docx
from tests.unit.trace.carriers.prose import document

SCHEME = text.CURRENT_SCHEME


def _word_document() -> bytes:
    """Headings, paragraphs split into differently formatted runs, a word split across two runs, a table."""
    made = docx.Document()
    made.add_heading("Handling of records", level=1)
    for n, paragraph in enumerate(document(1500, seed=11).split("\n\n")):
        words = paragraph.split(" ")
        p = made.add_paragraph(style="List Bullet" if n % 7 == 3 else None)
        first = p.add_run(" ".join(words[: len(words) // 2]) + " ")
        second = p.add_run(" ".join(words[len(words) // 2 :]))
        first.bold = n % 3 == 0
        second.italic = n % 2 == 0
        second.font.size = Pt(10 + n % 3)
    split = made.add_paragraph("The team will ")
    split.add_run("organ")
    split.add_run("ise the archive, e.g. by colour, and the centre's travellers too.")
    table = made.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "We organise the colour of the centre."
    table.cell(1, 1).text = "Three servers, e.g. the build server, were checked."
    out = io.BytesIO()
    made.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def original() -> bytes:
    return _word_document()


def _codeword(original: bytes, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    return [int(rng.integers(q)) for q in text.layout(docx_text(original), SCHEME).alphabet]


def _runs(data: bytes) -> list[list[tuple[object, ...]]]:
    opened = docx.Document(io.BytesIO(data))
    return [
        [(run.bold, run.italic, run.font.size, run.style.name if run.style else None) for run in p.runs]
        for p in opened.paragraphs
    ]


def test_a_marked_copy_reads_back_its_codeword_from_the_docx_and_from_its_text(original: bytes) -> None:
    word = _codeword(original, seed=1)
    copy = embed(original, word, scheme=SCHEME)
    assert is_docx(copy) and not is_docx(b"PK\x03\x04 not a zip") and not is_docx(docx_text(original).encode())
    assert extract(original, docx_text(copy), scheme=SCHEME).tolist() == word
    assert docx_text(copy) == text.embed(docx_text(original), word, scheme=SCHEME)
    pasted = docx_text(copy).translate(text.STRIP_MARKS)  # retyped or pasted without the invisible marks
    robust = text.layout(docx_text(original), SCHEME).robust
    assert extract(original, pasted, scheme=SCHEME)[:robust].tolist() == word[:robust]
    assert (extract(original, docx_text(original), scheme=SCHEME)[robust:] == -1).all()


def test_a_marked_copy_keeps_paragraphs_styles_and_run_formatting(original: bytes) -> None:
    copy = embed(original, _codeword(original, seed=2), scheme=SCHEME)
    before, after = docx.Document(io.BytesIO(original)), docx.Document(io.BytesIO(copy))
    assert [p.style.name for p in after.paragraphs] == [p.style.name for p in before.paragraphs]
    assert _runs(copy) == _runs(original)
    assert len(after.tables) == 1 and len(after.tables[0].rows) == 2
    changed = [
        (a.text, b.text)
        for a, b in zip(before.paragraphs, after.paragraphs, strict=True)
        if text.normalize(a.text, SCHEME) != text.normalize(b.text, SCHEME)
    ]
    assert changed == []  # only the marked words differ: each copy normalizes to the original's text
    assert sum(p.text != q.text for p, q in zip(before.paragraphs, after.paragraphs, strict=True)) > 10


def test_a_word_split_across_runs_is_marked_in_its_first_run() -> None:
    made = docx.Document()
    p = made.add_paragraph("We will ")
    p.add_run("organ")
    p.add_run("ise the files.")
    out = io.BytesIO()
    made.save(out)
    source = docx_text(out.getvalue())
    forms = text.layout(source, SCHEME)
    word = [1 if q == 2 else 0 for q in forms.alphabet]
    copy = embed(out.getvalue(), word, scheme=SCHEME)
    runs = [run.text for run in docx.Document(io.BytesIO(copy)).paragraphs[0].runs]
    assert "".join(runs).translate(text.STRIP_MARKS) != "We will organise the files."
    assert extract(out.getvalue(), docx_text(copy), scheme=SCHEME).tolist() == word


def test_the_notice_goes_in_the_header_and_leaves_the_body_alone(original: bytes) -> None:
    noted = add_notice(original, "Issued to alice on 2026-03-01 - copy 1")
    opened = docx.Document(io.BytesIO(noted))
    assert "Issued to alice on 2026-03-01 - copy 1" in [p.text for p in opened.sections[0].header.paragraphs]
    assert docx_text(noted) == docx_text(original)


def test_a_file_that_is_not_a_word_document_is_a_clear_error() -> None:
    with pytest.raises(DocxError, match="not a Word document"):
        docx_text(b"PK\x03\x04 broken")
