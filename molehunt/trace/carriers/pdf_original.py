"""Hide a recipient's codeword in a PDF original (a PDF put into the vault as it is) by shifting its text lines.

Each text line of each page (a distinct baseline of the page's content stream, in order of first appearance)
carries two binary positions: the copy moves the whole line up (1) or down (0), and right (1) or left (0), by
:data:`SHIFT` points, 1/576 inch, far below what a reader or a screen at normal zoom can see; nothing else in the
file changes (fonts, images, annotations, metadata). The shift is a ``Td`` inserted right where the line starts
(after ``BT``, ``Tm``, ``Td``, ``TD`` or ``T*``), so the text matrix stays as the producer wrote it and the text
extracts as before.

Reading a leak compares where every text-showing operator starts with the original's: a line that moved by about
+SHIFT reads 1, by about -SHIFT reads 0; a line whose operators disagree, and every line of a page whose content
stream no longer has the original's operators (a PDF re-made by another program), reads -1. The original itself
reads -1 everywhere, so it accuses nobody.

What survives: the file itself, copied, renamed, re-saved by tools that keep the content stream (pypdf, qpdf
without content normalisation, most "save as" of viewers that do not rewrite pages), a page range taken out of
it (pages are matched by number: take pages from the start, or name the document with ``--doc``). What does not:
printing, rasterising, re-distilling or "print to PDF" (the content stream is rewritten), copying the text out
(the text itself carries no mark). Rotated or mirrored text lines are not positions.

Text in form XObjects (``Do``) is not marked; ``'`` and ``"`` lines are.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ByteStringObject,
    ContentStream,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
)

from molehunt.errors import MolehuntError
from molehunt.trace import limits

SHIFT = 0.125  # points in default user space
_SHOW = {b"Tj", b"TJ", b"'", b'"'}
_NOTICE_FONT = NameObject("/MolehuntNotice")
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# What pypdf raises on a damaged or crafted file: its own errors (LimitReachedError on a stream bomb included),
# and Python's on operands of the wrong type or count, or on nesting deep enough to exhaust the stack.
_DAMAGED = (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError)


class PdfOriginalError(MolehuntError):
    """A PDF that pypdf cannot read or write."""


@dataclass(frozen=True)
class _Show:
    """One text-showing operator: the line it belongs to (-1 for rotated text) and where the line starts."""

    index: int  # in the page's operations
    line: int  # line number: positions 2 * line (up/down) and 2 * line + 1 (right/left)
    at: tuple[float, float]  # text line matrix (e, f), before the CTM: the coordinates a shift moves
    unit: tuple[float, float]  # SHIFT in those coordinates' units
    scale: tuple[float, float]  # the line matrix's a and d: a Td of (s, t) moves e by s * a and f by t * d
    fresh: bool  # the text matrix equals the line matrix here (a Td may be inserted before it)


@dataclass(frozen=True)
class _Page:
    operations: list[Any]
    shows: list[_Show]


def positions(data: bytes) -> int:
    """How many binary positions the PDF ``data`` offers (two per text line); PdfOriginalError if unreadable."""
    return _count(_pages(_reader(data)))


def embed(data: bytes, symbols: Sequence[int] | npt.NDArray[np.integer]) -> bytes:
    """The copy of ``data`` whose text lines carry ``symbols`` (one 0/1 per position, in order: line k's vertical
    shift is position 2k, its horizontal shift 2k + 1).

    ValueError when ``symbols`` has the wrong length or a symbol other than 0 or 1.
    """
    reader = _reader(data)
    pages = _pages(reader)
    values = [int(s) for s in symbols]
    if len(values) != _count(pages) or any(v not in (0, 1) for v in values):
        raise ValueError(f"embed needs {_count(pages)} symbols of 0 or 1 for this PDF; got {len(values)}")
    writer = PdfWriter(clone_from=reader)
    for page, parsed in zip(writer.pages, pages, strict=True):
        if not parsed.shows:
            continue
        inserts: dict[int, tuple[float, float]] = {}
        applied = (0.0, 0.0)  # the offset the copy's line matrix carries now (e, f)
        previous = -1
        for show in parsed.shows:
            if show.fresh and _resets(parsed.operations[previous + 1 : show.index]):
                applied = (0.0, 0.0)
            previous = show.index
            if show.line < 0:
                continue
            up, right = values[2 * show.line], values[2 * show.line + 1]
            target = (show.unit[0] if right else -show.unit[0], show.unit[1] if up else -show.unit[1])
            if show.fresh and target != applied:
                move = ((target[0] - applied[0]) / show.scale[0], (target[1] - applied[1]) / show.scale[1])
                inserts[show.index] = move
                applied = target
        operations: list[Any] = []
        for k, operation in enumerate(parsed.operations):
            if k in inserts:
                dx, dy = inserts[k]
                operations.append(([FloatObject(round(dx, 6)), FloatObject(round(dy, 6))], b"Td"))
            operations.append(operation)
        _replace(page, writer, operations)
    return _written(writer)


def extract(original: bytes, leaked: bytes) -> npt.NDArray[np.int64]:
    """The symbol the leaked PDF carries at each position of the original, -1 where it cannot be read."""
    pages = _pages(_reader(original))
    out = np.full(_count(pages), -1, dtype=np.int64)
    try:
        leak = _pages(_reader(leaked))
    except PdfOriginalError:
        return out
    votes: dict[int, set[int]] = {}
    unreadable: set[int] = set()
    for page, copy in zip(pages, leak, strict=False):
        if len(copy.shows) < len(page.shows):
            unreadable |= {2 * show.line + axis for show in page.shows for axis in (0, 1)}
            continue
        for show, seen in zip(page.shows, copy.shows, strict=False):
            if show.line < 0:
                continue
            for axis, position in ((1, 2 * show.line), (0, 2 * show.line + 1)):
                moved = (seen.at[axis] - show.at[axis]) / show.unit[axis]
                if 0.5 < moved < 1.5:
                    votes.setdefault(position, set()).add(1)
                elif -1.5 < moved < -0.5:
                    votes.setdefault(position, set()).add(0)
                else:
                    unreadable.add(position)
    for position, found in votes.items():
        if len(found) == 1 and position not in unreadable:
            out[position] = found.pop()
    return out


def add_notice(data: bytes, notice: str) -> bytes:
    """The PDF with ``notice`` stamped in small grey Helvetica at the bottom left of every page (the page's own
    content is kept whole, so the line layer still reads)."""
    writer = PdfWriter(clone_from=_reader(data))
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    shown = ByteStringObject(notice.encode("cp1252", errors="replace"))
    for page in writer.pages:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else DictionaryObject()
        page[NameObject("/Resources")] = resources
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else DictionaryObject()
        resources[NameObject("/Font")] = fonts
        fonts[_NOTICE_FONT] = font
        box = page.mediabox
        x, y = float(box.left) + 18, float(box.bottom) + 8
        stamp = [
            ([], b"q"),
            ([FloatObject(0.4)], b"g"),
            ([], b"BT"),
            ([_NOTICE_FONT, NumberObject(7)], b"Tf"),
            ([FloatObject(1), FloatObject(0), FloatObject(0), FloatObject(1), FloatObject(x), FloatObject(y)], b"Tm"),
            ([shown], b"Tj"),
            ([], b"ET"),
            ([], b"Q"),
        ]
        contents = page.get_contents()
        operations = ContentStream(contents, writer).operations if contents is not None else []
        _replace(page, writer, [([], b"q"), *operations, ([], b"Q"), *stamp])
    return _written(writer)


def _reader(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        limits.check_pages(len(reader.pages), limits.MAX_PDF_PAGES, "the PDF")
    except _DAMAGED as exc:
        raise PdfOriginalError(f"pypdf cannot read this PDF ({exc})") from None
    if reader.is_encrypted:
        raise PdfOriginalError("the PDF is encrypted: its pages cannot be marked")
    return reader


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _replace(page: Any, writer: PdfWriter, operations: list[Any]) -> None:
    stream = ContentStream(None, writer)
    stream.operations = operations
    page.replace_contents(stream)
    page.compress_content_streams()  # as small as the original's (pypdf writes a new stream uncompressed)


def _count(pages: list[_Page]) -> int:
    return 2 * (max((show.line for page in pages for show in page.shows), default=-1) + 1)


def _resets(operations: list[Any]) -> bool:
    """Whether these operations (those since the previous show) reset the line matrix, dropping any shift."""
    return any(op in (b"BT", b"Tm") for _, op in operations)


def _pages(reader: PdfReader) -> list[_Page]:
    lines: dict[tuple[int, float], int] = {}
    pages = []
    try:
        for number, page in enumerate(reader.pages):
            contents = page.get_contents()
            operations = ContentStream(contents, reader).operations if contents is not None else []
            pages.append(_Page(operations, _shows(number, operations, lines)))
    except _DAMAGED as exc:
        raise PdfOriginalError(f"pypdf cannot read this PDF's pages ({exc})") from None
    return pages


def _shows(number: int, operations: list[Any], lines: dict[tuple[int, float], int]) -> list[_Show]:
    """Every text-showing operator of one page, with the line it sits on (a new position for a new baseline)."""
    ctm, stack = _IDENTITY, []
    tlm, leading, fresh = _IDENTITY, 0.0, True
    shows = []
    for index, (operands, operator) in enumerate(operations):
        numbers = [float(x) for x in operands] if operator in (b"cm", b"Tm", b"Td", b"TD", b"TL") else []
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q" and stack:
            ctm = stack.pop()
        elif operator == b"cm" and len(numbers) == 6:
            ctm = _multiply(_as_matrix(numbers), ctm)
        elif operator == b"BT":
            tlm, fresh = _IDENTITY, True
        elif operator == b"Tm" and len(numbers) == 6:
            tlm, fresh = _as_matrix(numbers), True
        elif operator in (b"Td", b"TD") and len(numbers) == 2:
            tlm, fresh = _multiply((1, 0, 0, 1, numbers[0], numbers[1]), tlm), True
            leading = -numbers[1] if operator == b"TD" else leading
        elif operator == b"TL" and len(numbers) == 1:
            leading = numbers[0]
        elif operator == b"T*":
            tlm, fresh = _multiply((1, 0, 0, 1, 0, -leading), tlm), True
        elif operator in _SHOW:
            if operator in (b"'", b'"'):
                tlm, fresh = _multiply((1, 0, 0, 1, 0, -leading), tlm), True
            shows.append(_show(number, index, tlm, ctm, fresh, lines))
            fresh = False
    return shows


def _show(number: int, index: int, tlm: Matrix, ctm: Matrix, fresh: bool, lines: dict[tuple[int, float], int]) -> _Show:
    a, b, c, d, e, f = tlm
    upright = (
        min(abs(a), abs(d), abs(ctm[0]), abs(ctm[3])) > 1e-9 and max(abs(b), abs(c), abs(ctm[1]), abs(ctm[2])) < 1e-9
    )
    if not upright:
        return _Show(index, -1, (e, f), (1.0, 1.0), (1.0, 1.0), fresh)
    baseline = _multiply(tlm, ctm)[5]
    line = lines.setdefault((number, round(baseline * 2) / 2), len(lines))
    return _Show(index, line, (e, f), (SHIFT / abs(ctm[0]), SHIFT / abs(ctm[3])), (a, d), fresh)


def _as_matrix(numbers: list[float]) -> Matrix:
    return (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5])


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m x n for PDF's row-vector matrices [a b 0; c d 0; e f 1]."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )
