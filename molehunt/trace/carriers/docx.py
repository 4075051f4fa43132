"""Hide a recipient's codeword in a Word (.docx) document through the text carrier, keeping its formatting.

The carrier works on the document's *text*: every ``w:t`` of the body in document order, ``w:tab`` as a tab,
``w:br``/``w:cr`` as a newline, paragraphs joined by a blank line (so each paragraph starts a sentence and no
robust variant crosses two paragraphs). :func:`embed` marks that text with :func:`molehunt.trace.carriers.text.embed`
and writes each change back into the ``w:t`` elements it touches: runs, styles, tables, headers and every other part
of the package stay as they were. A change inside one run keeps that run's formatting; a change across runs (a word
split by a spell-check or revision mark) is written into the first run and removed from the others, so the whole
marked word takes the first run's formatting, which is the same formatting in the usual case of a word split by
markup. A change that would touch a tab, a line break or a paragraph break is skipped: such a position reads the
original's form (the carrier's robust slots never span those, and fragile marks go before the break).

The tracer lays the positions out from :func:`docx_text` of the original, and a leak is read as text: a leaked
.docx through :func:`docx_text`, text pasted out of it as it is.

>>> copy = embed(original_docx, codeword, scheme=2)  # doctest: +SKIP
>>> text.extract(docx_text(original_docx), docx_text(copy), scheme=2)  # doctest: +SKIP
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import docx
import numpy as np
import numpy.typing as npt
from docx.oxml.ns import qn

from molehunt.errors import MolehuntError
from molehunt.trace import limits
from molehunt.trace.carriers import text

PARAGRAPH_BREAK = "\n\n"
_TEXT, _TAB, _BREAKS, _PARAGRAPH = qn("w:t"), qn("w:tab"), {qn("w:br"), qn("w:cr")}, qn("w:p")
_CHUNK = re.compile(r"\S+\s*|\s+")
_SYNC = 6  # chunks that must agree after a change for the copy and the original to be back in step
_REACH = 24  # at most this many chunks on either side of one change


class DocxError(MolehuntError):
    """A file that is not a Word document python-docx can open."""


@dataclass
class _Piece:
    element: Any  # the w:t element holding this text; None for a tab, a break or a paragraph break
    start: int  # offset in the original document text
    stop: int  # where it ends there (its text may change; these offsets do not)
    text: str


def is_docx(data: bytes) -> bool:
    """Whether ``data`` is a ZIP package with a Word main document (``word/document.xml``)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return "word/document.xml" in package.namelist()
    except zipfile.BadZipFile:
        return False


def docx_text(data: bytes) -> str:
    """The text the carrier marks: the body's paragraphs (tables' included) joined by blank lines."""
    return "".join(piece.text for piece in _pieces(_open(data)))


def embed(data: bytes, symbols: Sequence[int] | npt.NDArray[np.integer], *, scheme: int) -> bytes:
    """The copy of the .docx ``data`` carrying ``symbols`` (one per position of ``text.layout(docx_text(data))``).

    Raises DocxError for a file python-docx cannot open, ValueError/SchemeError as text.embed does.
    """
    document = _open(data)
    pieces = _pieces(document)
    original = "".join(piece.text for piece in pieces)
    marked = text.embed(original, symbols, scheme=scheme)
    starts, stops = [p.start for p in pieces], [p.stop for p in pieces]
    for start, end, new in reversed(_changes(original, marked)):  # from the end: earlier offsets stay valid
        _apply(pieces[bisect_left(stops, start) : bisect_right(starts, end)], start, end, new)
    return _save(document)


def extract(original: bytes, leaked: str, *, scheme: int) -> npt.NDArray[np.int64]:
    """The symbol at each position of the original .docx's layout, read from a leak's text (-1: unreadable)."""
    return text.extract(docx_text(original), leaked, scheme=scheme)


def add_notice(data: bytes, notice: str) -> bytes:
    """The document with ``notice`` as a paragraph of every page header (the body, and so the fingerprint, are
    untouched)."""
    document = _open(data)
    for number, section in enumerate(document.sections):
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if document.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
        for header in headers:
            if header.is_linked_to_previous and number > 0:  # shows the previous section's header, noted already
                continue
            header.add_paragraph(notice)
    return _save(document)


def _open(data: bytes) -> Any:
    try:  # python-docx inflates each part in one call: it gets a copy whose parts were inflated within the limits
        bounded = limits.repack_zip(data)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError) as exc:
        raise DocxError(f"not a Word document python-docx can open ({type(exc).__name__}: {exc})") from None
    try:
        return docx.Document(io.BytesIO(bounded))
    except Exception as exc:  # python-docx raises zip, XML and its own errors for a damaged package
        raise DocxError(f"not a Word document python-docx can open ({type(exc).__name__}: {exc})") from None


def _save(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pieces(document: Any) -> list[_Piece]:
    pieces: list[_Piece] = []
    at = 0

    def add(element: Any, value: str) -> None:
        nonlocal at
        pieces.append(_Piece(element, at, at + len(value), value))
        at += len(value)

    started = False
    for element in document.element.body.iter(_PARAGRAPH, _TEXT, _TAB, *_BREAKS):
        tag = element.tag
        if tag == _PARAGRAPH:
            if started:
                add(None, PARAGRAPH_BREAK)
            started = True
        elif tag == _TEXT:
            add(element, element.text or "")
        elif tag == _TAB:
            if element.getparent().tag == qn("w:r"):  # a tab stop in paragraph properties is no character
                add(None, "\t")
        else:
            add(None, "\n")
    return pieces


def _changes(original: str, marked: str) -> list[tuple[int, int, str]]:
    """(start, end, new text) in the original for every difference, in order: chunk by chunk (a chunk is a word
    and the space after it; chunks that differ only by zero-width marks stay in step), re-synchronised after
    each visible change (the carrier's changes are local), then character by character inside each change."""
    a, b = _CHUNK.findall(original), _CHUNK.findall(marked)
    a_keys, b_keys = [c.translate(text.STRIP_MARKS) for c in a], [c.translate(text.STRIP_MARKS) for c in b]
    a_at = _starts(a)
    i = j = 0
    out: list[tuple[int, int, str]] = []
    while i < len(a) or j < len(b):
        if i < len(a) and j < len(b) and a_keys[i] == b_keys[j]:
            di, dj = 1, 1
        else:
            di, dj = _resync(a_keys, b_keys, i, j)
        old, new = "".join(a[i : i + di]), "".join(b[j : j + dj])
        if old != new:
            for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
                if tag != "equal":
                    out.append((a_at[i] + i1, a_at[i] + i2, new[j1:j2]))
        i, j = i + di, j + dj
    return out


def _starts(chunks: list[str]) -> list[int]:
    starts, at = [], 0
    for chunk in chunks:
        starts.append(at)
        at += len(chunk)
    starts.append(at)
    return starts


def _resync(a: list[str], b: list[str], i: int, j: int) -> tuple[int, int]:
    """The fewest chunks (di, dj) to skip in each so that the next _SYNC chunks agree (or both end)."""
    for total in range(1, 2 * _REACH + 1):
        for di in range(max(0, total - _REACH), min(total, _REACH) + 1):
            dj = total - di
            if i + di > len(a) or j + dj > len(b):
                continue
            if a[i + di : i + di + _SYNC] == b[j + dj : j + dj + _SYNC]:
                return di, dj
    raise ValueError("the marked text drifted too far from the original to write back")  # a carrier bug


def _apply(near: list[_Piece], start: int, end: int, new: str) -> None:
    """Replace original[start:end] by ``new`` in the w:t elements holding it (see the module's note); ``near``
    holds every piece that touches [start, end], ends included."""
    touched = [p for p in near if p.start < end and start < p.stop]
    if start == end:  # an insertion goes at the end of the text before it, else at the start of the one after
        before = [p for p in near if p.start < start <= p.stop and p.element is not None]
        after = [p for p in near if p.start == start and p.element is not None]
        touched = before[-1:] or after[:1]
        if not touched:
            return
    if any(p.element is None for p in touched):
        return
    first, *rest = touched
    head = first.text[: max(0, start - first.start)]
    tail_piece = touched[-1]
    tail = tail_piece.text[end - tail_piece.start :] if end <= tail_piece.stop else ""
    if rest:
        _set(first, head + new)
        for piece in rest[:-1]:
            _set(piece, "")
        _set(tail_piece, tail)
    else:
        _set(first, head + new + tail)


def _set(piece: _Piece, value: str) -> None:
    piece.text = value
    piece.element.text = value
    if value != value.strip():  # Word drops leading and trailing spaces of a w:t unless told to keep them
        piece.element.set(qn("xml:space"), "preserve")
