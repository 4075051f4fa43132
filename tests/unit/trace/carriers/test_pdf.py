"""The PDF copy: readable A4 pages with page numbers, and both layers survive pypdf's text extraction."""

from __future__ import annotations

import io

import numpy as np
import pytest
from pypdf import PdfReader

from molehunt.trace.carriers.pdf import pdf_text, render_pdf
from molehunt.trace.carriers.text import MARKS, embed, extract, layout
from tests.unit.trace.carriers.conftest import codeword
from tests.unit.trace.carriers.prose import document

TITLE = "Records handling procedure (OFFICIAL-SENSITIVE)"


@pytest.fixture(scope="module")
def rendered() -> tuple[str, np.ndarray, bytes]:
    original = document(3000, seed=4)
    symbols = codeword(layout(original), 9)
    return original, symbols, render_pdf(embed(original, symbols), title=TITLE)


def test_the_pdf_is_a_titled_numbered_a4_document(rendered: tuple[str, np.ndarray, bytes]) -> None:
    _, _, data = rendered
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert pages >= 3
    assert reader.metadata is not None and reader.metadata.title == TITLE
    for number, page in enumerate(reader.pages, start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
        assert page.extract_text().rstrip().endswith(f"Page {number} of {pages}")
    assert reader.pages[0].extract_text().startswith(TITLE)


def test_both_layers_survive_text_extraction(rendered: tuple[str, np.ndarray, bytes]) -> None:
    original, symbols, data = rendered
    text = pdf_text(data)
    assert not text.startswith(TITLE) and "Page 1 of" not in text
    assert np.array_equal(extract(original, text), symbols)


def test_an_unmarked_pdf_reads_robust_slots_only() -> None:
    original = document(600, seed=5)
    shape = layout(original)
    read = extract(original, pdf_text(render_pdf(original, title="Plain")))
    assert (read[: shape.robust] >= 0).all()
    assert (read[shape.robust :] == -1).all()
    assert not any(mark in pdf_text(render_pdf(original, title="Plain")) for mark in MARKS)
