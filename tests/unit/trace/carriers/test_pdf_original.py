"""The PDF-original carrier: line baselines shifted by 1/576 inch carry the codeword; the PDF reads the same."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from molehunt.trace.carriers import pdf_original
from molehunt.trace.carriers.pdf_original import PdfOriginalError, add_notice, embed, extract, positions
from tests.unit.trace.carriers.prose import document


def _pdf(words: int = 2500) -> bytes:
    """A text PDF as an office program writes one: Helvetica, wrapped paragraphs, several pages."""
    made = FPDF(format="A4")
    made.set_font("helvetica", size=11)
    made.add_page()
    for paragraph in document(words, seed=21).split("\n\n"):
        made.multi_cell(0, 5.5, paragraph.encode("latin-1", "replace").decode("latin-1"))
        made.ln(2)
    return bytes(made.output())


@pytest.fixture(scope="module")
def original() -> bytes:
    return _pdf()


def _symbols(count: int, seed: int) -> list[int]:
    return np.random.default_rng(seed).integers(0, 2, count).tolist()


def test_every_line_carries_a_symbol_and_reads_back(original: bytes) -> None:
    count = positions(original)
    assert count >= 30 * len(PdfReader(io.BytesIO(original)).pages)  # one per text line
    word = _symbols(count, seed=1)
    assert extract(original, embed(original, word)).tolist() == word
    assert (extract(original, original) == -1).all()  # the original reads nothing: it accuses nobody


def test_a_marked_pdf_has_the_same_pages_and_text(original: bytes) -> None:
    copy = PdfReader(io.BytesIO(embed(original, _symbols(positions(original), seed=2))))
    source = PdfReader(io.BytesIO(original))
    assert len(copy.pages) == len(source.pages) > 1
    assert [page.extract_text() for page in copy.pages] == [page.extract_text() for page in source.pages]


def test_the_notice_is_on_every_page_and_the_lines_still_read(original: bytes) -> None:
    word = _symbols(positions(original), seed=3)
    noted = add_notice(embed(original, word), "Issued to alice on 2026-03-01 - copy 1")
    pages = PdfReader(io.BytesIO(noted)).pages
    assert all("Issued to alice on 2026-03-01 - copy 1" in page.extract_text() for page in pages)
    assert extract(original, noted).tolist() == word


def test_a_copy_resaved_by_pypdf_still_reads(original: bytes) -> None:
    word = _symbols(positions(original), seed=4)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(embed(original, word))))
    writer.add_metadata({"/Title": "renamed"})
    out = io.BytesIO()
    writer.write(out)
    assert extract(original, out.getvalue()).tolist() == word


def test_a_page_range_reads_its_pages_and_the_rest_is_unreadable(original: bytes) -> None:
    word = _symbols(positions(original), seed=5)
    writer = PdfWriter()
    writer.append(io.BytesIO(embed(original, word)), pages=(0, 1))
    out = io.BytesIO()
    writer.write(out)
    read = extract(original, out.getvalue())
    first = (read >= 0).sum()
    assert 0 < first < len(word) and read[:first].tolist() == word[:first] and (read[first:] == -1).all()


def test_bad_input_is_a_clear_error(original: bytes) -> None:
    with pytest.raises(PdfOriginalError):
        positions(b"%PDF-1.4 nothing else")
    with pytest.raises(ValueError, match="symbols"):
        embed(original, [0, 1])
    assert (extract(original, b"not a pdf") == -1).all()
    assert pdf_original.SHIFT < 0.2  # points: below what a reader sees


REAL = Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf")  # pdfTeX: many lines per text object, Td and T* moves


@pytest.mark.skipif(not REAL.exists(), reason="Debian's libtasn1-doc is not installed")
def test_a_pdftex_manual_is_marked_line_by_line_and_keeps_its_text_and_size() -> None:
    original = REAL.read_bytes()
    word = _symbols(positions(original), seed=6)
    copy = embed(original, word)
    assert extract(original, copy).tolist() == word and len(word) > 30 * 20
    before, after = PdfReader(io.BytesIO(original)), PdfReader(io.BytesIO(copy))
    assert [p.extract_text() for p in after.pages[:5]] == [p.extract_text() for p in before.pages[:5]]
    assert len(copy) < 1.5 * len(original)  # content streams stay compressed
