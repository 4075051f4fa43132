"""The print layer's PDF: every copy laid out line for line like the original, text layers intact, words moved."""

from __future__ import annotations

import io

import numpy as np
import pytest
from pypdf import PdfReader

from molehunt.trace.carriers.pdf import pdf_text
from molehunt.trace.carriers.printed import SHIFT, print_layout, render_printed
from molehunt.trace.carriers.text import STRIP_MARKS, embed, extract, layout
from molehunt.trace.carriers.tokens import tokenize
from tests.unit.trace.carriers.conftest import codeword
from tests.unit.trace.carriers.prose import document

TITLE = "Records handling procedure (OFFICIAL-SENSITIVE)"


@pytest.fixture(scope="module")
def original() -> str:
    return document(2500, seed=4)


def _copy(original: str, seed: int) -> tuple[np.ndarray, list[int], bytes]:
    text_symbols = codeword(layout(original), seed)
    prints = np.random.default_rng(seed).integers(0, 2, len(print_layout(original, TITLE).positions)).tolist()
    marked = embed(original, text_symbols)
    return text_symbols, prints, render_printed(marked, original=original, title=TITLE, symbols=prints)


def _lines(data: bytes) -> list[list[list[tuple[float, str]]]]:
    """Per page, per drawn line (top to bottom): (x, word) of each word the PDF draws there, after (y, "")."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        rows: dict[float, list[tuple[float, str]]] = {}

        def visit(text: str, _cm: object, tm: list[float], *_: object, rows=rows) -> None:
            if text.strip():
                rows.setdefault(round(tm[5], 1), []).append((tm[4], text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append([[(y, ""), *sorted(rows[y])] for y in sorted(rows, reverse=True)])
    return pages


def test_every_copy_breaks_lines_and_pages_where_the_original_does(original: str) -> None:
    plain = render_printed(original, original=original, title=TITLE)
    copies = [_copy(original, seed)[2] for seed in (1, 2)]
    plan = print_layout(original, TITLE)
    drawn = [_lines(data) for data in (plain, *copies)]
    assert {len(pages) for pages in drawn} == {plan.pages}
    # Every line at the same height on the same page; its first word the same but where a variant joined two words
    # across the original's line break ("is | not" -> "isn't").
    heights = [[[line[0][0] for line in page] for page in pages] for pages in drawn]
    assert [[len(page) for page in pages] for pages in drawn] == [[len(page) for page in drawn[0]]] * 3
    firsts = [[tokenize(line[1][1]).keys[:1] for page in pages for line in page] for pages in drawn]
    for copy in firsts[1:]:
        assert sum(a == b for a, b in zip(firsts[0], copy, strict=True)) >= 0.97 * len(copy)
    assert heights[0] == heights[1] == heights[2]
    assert sum(len(page) for page in drawn[0]) == len(plan.lines) + len(plan.title) + plan.pages  # + footers


def test_both_text_layers_survive_extraction(original: str) -> None:
    symbols, _, data = _copy(original, 3)
    assert np.array_equal(extract(original, pdf_text(data)), symbols)
    assert (
        PdfReader(io.BytesIO(data))
        .pages[-1]
        .extract_text()
        .rstrip()
        .endswith(f"Page {print_layout(original, TITLE).pages} of {print_layout(original, TITLE).pages}")
    )


def test_each_position_moves_its_middle_word_by_its_symbol(original: str) -> None:
    _, prints, data = _copy(original, 5)
    plain = render_printed(original, original=original, title=TITLE)
    moved = [
        round(a[0] - b[0], 2)
        for page_a, page_b in zip(_lines(data), _lines(plain), strict=True)
        for line_a, line_b in zip(page_a, page_b, strict=True)
        if len(line_a) == len(line_b)
        for a, b in zip(line_a[1:], line_b[1:], strict=True)
    ]
    points = SHIFT * 72 / 25.4
    right = sum(1 for m in moved if abs(m - points) < 0.01)
    left = sum(1 for m in moved if abs(m + points) < 0.01)
    # Most positions' words are whole in the copy (lines with a contraction are left out of this count), so most
    # symbols are printed, in both directions as drawn; no other word moves.
    assert right + left >= 0.8 * len(prints)
    assert abs(right / (right + left) - sum(prints) / len(prints)) <= 0.05
    same_words = [
        round(a[0] - b[0], 2)
        for page_a, page_b in zip(_lines(data), _lines(plain), strict=True)
        for line_a, line_b in zip(page_a, page_b, strict=True)
        if [w.translate(STRIP_MARKS) for _, w in line_a[1:]] == [w for _, w in line_b[1:]]
        for a, b in zip(line_a[1:], line_b[1:], strict=True)
    ]
    assert len(same_words) > len(moved) / 2
    assert all(abs(m) < 0.01 or abs(abs(m) - points) < 0.01 for m in same_words)


def test_positions_are_laid_out_from_the_original_alone(original: str) -> None:
    plan = print_layout(original, TITLE)
    body_lines = {position.line for position in plan.positions}
    assert len(plan.positions) >= 4 * len(body_lines)  # a full line of ~13 words carries 5 or 6
    assert len(plan.positions) >= len(original.split()) // 3
    assert print_layout(original, TITLE) == plan
    assert print_layout(original, "Another title").positions != () and plan.alphabet == (2,) * len(plan.positions)


def test_bad_symbols_and_foreign_texts_are_refused(original: str) -> None:
    with pytest.raises(ValueError, match="binary symbols"):
        render_printed(original, original=original, title=TITLE, symbols=[0, 1])
    with pytest.raises(ValueError, match="not a copy"):
        render_printed("One short paragraph.", original=original, title=TITLE)


def test_a_notice_is_printed_on_every_page_outside_the_layout(original: str) -> None:
    symbols, prints, data = _copy(original, 6)
    notice = "Issued to user07 on 2026-12-06: do not copy"
    marked = embed(original, symbols)
    noticed = render_printed(marked, original=original, title=TITLE, symbols=prints, notice=notice)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(noticed)).pages]
    assert all(notice in page for page in pages)
    assert np.array_equal(extract(original, pdf_text(noticed)), symbols)
    # The body is drawn exactly where it is without the notice: the notice is one more line on each page.
    body = [[line for line in page if notice not in " ".join(w for _, w in line[1:])] for page in _lines(noticed)]
    assert body == _lines(data)


def test_a_copy_whose_variant_joins_two_lines_of_a_block_keeps_the_layout() -> None:
    # Scheme 2 may turn "as | long as" across a line break into "so long as" on one line.
    original = document(400, seed=9) + (
        "\n\n    b) Convey the object code, valid for as\n    long as you offer spare parts for that product\n"
        "    model, to give anyone a copy.\n"
    )
    copy = original.replace("valid for as\n    long as", "valid for so long as")
    plain, joined = (render_printed(text, original=original, title=TITLE) for text in (original, copy))
    assert [len(page) for page in _lines(joined)] == [len(page) for page in _lines(plain)]
    assert "valid for so long as you offer" in " ".join(pdf_text(joined).split())


def test_an_indented_paragraph_of_prose_carries_positions_and_indented_code_does_not() -> None:
    prose = (
        "    a) The work must carry prominent notices stating that you modified it, and giving a relevant date.\n"
        "    The notice must be kept with every copy that you convey to anyone, in whole or in part."
    )
    code = "    if (copies > 0) {\n        convey(copies, notice);\n    }"
    original = f"Terms and conditions\n\n{prose}\n\n{code}\n"
    plan = print_layout(original, TITLE)
    indented = [unit for unit in plan.units if unit.indent > 0]
    assert [unit.text.split()[:2] for unit in indented] == [["a)", "The"]]
    assert {plan.units[position.unit].text for position in plan.positions} == {indented[0].text}
    assert sum(1 for unit in plan.units if not unit.coded and "convey(copies" in unit.text) == 1
