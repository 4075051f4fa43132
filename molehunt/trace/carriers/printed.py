"""The print layer: word-shift coding in the lines of a vault-rendered PDF, read back from a scan or a photograph.

Brassil, Low and Maxemchuk's word-shift coding with differential detection: in a printed line, a word between two
neighbours is moved left or right by ``SHIFT`` mm, so one of its two gaps grows and the other shrinks. A reader
compares the two gaps of the same line (no copy of the original page is needed), so scale, rotation, blur and
perspective, which change both gaps alike, do not change the symbol. One binary position per middle word: the
words of a line are taken three at a time, neighbours shared (``a B c D e`` gives positions at B and D), so a
line of 13 words carries 6 positions.

Every recipient's copy must break its lines and pages in the same places, or a position would not be known from
the original alone: ``print_layout`` lays out the *original* (ragged right, words placed one by one, a little
slack left at the right margin for variant words that are longer in a copy), and ``render_printed`` places the
marked copy's words line by line where the original's are. A position whose three words are not three whole words
in a copy (a robust variant joined or split them, e.g. ``e.g.``/``for example``) is printed unshifted and is read
-1 from a scan of that copy.

The rendered PDF keeps both text layers for pypdf (each word is written with the space after it, marks included).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from molehunt.trace.carriers.pdf import Document, blocks, new_document
from molehunt.trace.carriers.tokens import Tokens, align, tokenize

SHIFT = 0.3  # mm a middle word moves (0.85 pt: gaps of 1.48 and 0.88 mm instead of 1.18 in 10.5 pt DejaVu Serif)
MARGIN = 0.6 * SHIFT  # mm: a smaller gap difference reads -1 (an unshifted word's gaps differ by up to ~0.2 mm)
SLACK = 6.0  # mm kept free at the right of an original line for longer variants in a copy
TOP, BOTTOM, LEFT, WIDTH = 20.0, 297.0 - 22.0, 20.0, 170.0
_CHUNK = re.compile(r"\S+")
_PROSE_WORD = re.compile(r"[(\"'\u201c]?(?:[A-Za-z][A-Za-z'\u2019-]*|\d+)[)\"'\u201d]?[.,;:!?)]*")
_CODE_SIGN = re.compile(r"[{}=<>$\\`]|\(\)|::")
INDENT = 8.0  # mm: an indented paragraph of prose (licences indent whole sections)


@dataclass(frozen=True)
class Style:
    font: str
    bold: bool
    size: float  # pt
    height: float  # mm per line


BODY = Style("serif", False, 10.5, 5.5)
HEADING = Style("serif", True, 12, 7.0)
TITLE = Style("serif", True, 16, 8.0)
CODE = Style("mono", False, 8.5, 4.5)
BLOCK_GAP, TITLE_GAP = 2.5, 4.0


@dataclass(frozen=True)
class Unit:
    """A block of the page set line by line: a paragraph, a list item, a heading or one line of code."""

    style: Style
    text: str
    chunks: tuple[tuple[int, int], ...]  # whitespace-delimited words, as spans of text
    coded: bool  # carries print positions (body text)
    indent: float = 0.0  # mm from the left margin


@dataclass(frozen=True)
class Line:
    page: int  # from 0
    top: float  # mm
    unit: int
    start: int  # the unit's chunks [start, end) are on this line
    end: int


@dataclass(frozen=True)
class Position:
    unit: int
    chunk: int  # the middle word that moves; its neighbours are chunk - 1 and chunk + 1
    line: int


@dataclass(frozen=True)
class PrintLayout:
    """Where every line of a rendered copy goes, and the print positions, computed from the original alone."""

    title: tuple[str, ...]  # the title's lines on page 1
    units: tuple[Unit, ...]
    lines: tuple[Line, ...]
    positions: tuple[Position, ...]
    pages: int

    @property
    def alphabet(self) -> tuple[int, ...]:
        return (2,) * len(self.positions)


class _Metrics:
    """String widths in mm, from the same fonts the PDF uses."""

    def __init__(self) -> None:
        self.pdf: Document = new_document("")
        self.style: Style | None = None
        self.known: dict[tuple[str, Style], float] = {}  # prose repeats its words: measure each once

    def width(self, text: str, style: Style) -> float:
        found = self.known.get((text, style))
        if found is None:
            if style != self.style:
                self.pdf.set_font(style.font, "B" if style.bold else "", size=style.size)
                self.style = style
            found = self.known[(text, style)] = float(self.pdf.get_string_width(text))
        return found


@lru_cache(maxsize=1)
def _metrics() -> _Metrics:
    return _Metrics()


def _units(text: str) -> list[tuple[list[Unit], bool]]:
    """The units of each block of ``text`` (and whether a block gap follows)."""
    out = []
    for kind, lines in blocks(text):
        if kind == "code" and _indented_prose(lines):
            units = [_unit(" ".join(line.strip() for line in lines), BODY, coded=True, indent=INDENT)]
        elif kind == "code":
            units = [_unit(line.expandtabs(4) or " ", CODE, coded=False, whole=True) for line in lines]
        elif kind == "list":
            units = [_unit(line.strip(), BODY, coded=True) for line in lines]
        elif kind == "heading":
            units = [_unit(lines[0].strip(), HEADING, coded=False)]
        else:
            units = [_unit(" ".join(line.strip(" \t") for line in lines), BODY, coded=True)]
        out.append((units, True))
    return out


def _unit(text: str, style: Style, *, coded: bool, whole: bool = False, indent: float = 0.0) -> Unit:
    chunks = ((0, len(text)),) if whole else tuple((m.start(), m.end()) for m in _CHUNK.finditer(text))
    return Unit(style, text, chunks, coded, indent)


def _indented_prose(lines: Sequence[str]) -> bool:
    """A space-indented block that reads as prose (words, sentence punctuation, no code signs), not code."""
    if any("\t" in line or "|" in line or line.lstrip().startswith(("```", "~~~")) for line in lines):
        return False
    body = " ".join(line.strip() for line in lines)
    chunks = body.split()
    words = sum(_PROSE_WORD.fullmatch(chunk) is not None for chunk in chunks)
    punctuated = re.search(r"[a-z)][.,;:](?:\s|$)", body) is not None
    return len(chunks) >= 4 and words >= 0.85 * len(chunks) and punctuated and not _CODE_SIGN.search(body)


def _wrap(unit: Unit, limit: float) -> list[tuple[int, int]]:
    """Chunk ranges of each line, greedy, within ``limit`` mm (a code line is cut by characters)."""
    metrics = _metrics()
    if not unit.coded and unit.style is CODE:
        per_line = max(1, int(limit / metrics.width("M", CODE)))
        pieces = max(1, -(-len(unit.text) // per_line))
        return [(0, 1)] + [(1, 1)] * (pieces - 1)  # continuation lines drawn from the one chunk
    words = [unit.text[s:e] for s, e in unit.chunks]
    space = metrics.width(" ", unit.style)
    ranges, start, used = [], 0, 0.0
    for i, word in enumerate(words):
        w = metrics.width(word, unit.style)
        if i > start and used + space + w > limit:
            ranges.append((start, i))
            start, used = i, w
        else:
            used = w if i == start else used + space + w
    ranges.append((start, len(words)))
    return ranges


def _tokens_of_chunks(unit_text: str, chunks: Sequence[tuple[int, int]]) -> tuple[Tokens, list[list[int]]]:
    tokens = tokenize(unit_text)
    per_chunk: list[list[int]] = [[] for _ in chunks]
    c = 0
    for t, start in enumerate(tokens.starts):
        while c < len(chunks) and chunks[c][1] <= start:
            c += 1
        if c < len(chunks):
            per_chunk[c].append(t)
    return tokens, per_chunk


@lru_cache(maxsize=16)
def print_layout(original: str, title: str) -> PrintLayout:
    """The lines, pages and print positions of ``original``'s rendered copies (any recipient's)."""
    title_unit = _unit(title, TITLE, coded=False)
    title_lines = (
        tuple(title[title_unit.chunks[s][0] : title_unit.chunks[e - 1][1]] for s, e in _wrap(title_unit, WIDTH))
        if title_unit.chunks
        else ()
    )
    y = TOP + TITLE.height * len(title_lines) + TITLE_GAP
    page = 0
    units: list[Unit] = []
    lines: list[Line] = []
    positions: list[Position] = []
    for block, _ in _units(original):
        for unit in block:
            u = len(units)
            units.append(unit)
            limit = (WIDTH - SLACK if unit.coded else WIDTH) - unit.indent
            _, per_chunk = _tokens_of_chunks(unit.text, unit.chunks) if unit.coded else (None, [])
            for start, end in _wrap(unit, limit):
                if y + unit.style.height > BOTTOM:
                    page, y = page + 1, TOP
                lines.append(Line(page, y, u, start, end))
                y += unit.style.height
                if unit.coded:
                    for middle in range(start + 1, end - 1, 2):
                        if all(per_chunk[c] for c in (middle - 1, middle, middle + 1)):
                            positions.append(Position(u, middle, len(lines) - 1))
        y += BLOCK_GAP
    return PrintLayout(title_lines, tuple(units), tuple(lines), tuple(positions), page + 1)


@dataclass(frozen=True)
class _Placed:
    """A copy's unit: its text, its words, and which of them stand for which original word."""

    unit: Unit
    lines: list[tuple[int, int]]  # the copy's chunk range of each of the original's lines
    same: dict[int, int]  # original chunk -> the copy's chunk, where the copy has that whole word alone


def _place(original: Unit, copy_text: str, ranges: list[tuple[int, int]]) -> _Placed:
    if original.style is CODE:
        return _Placed(_unit(copy_text, CODE, coded=False, whole=True), ranges, {})
    copy = _unit(copy_text, original.style, coded=original.coded, indent=original.indent)
    o_tokens, o_chunks = _tokens_of_chunks(original.text, original.chunks)
    c_tokens, c_chunks = _tokens_of_chunks(copy.text, copy.chunks)
    mapping = np.full(len(o_tokens.keys), -1, dtype=np.int64)
    # One unit and its copy: every matching run is real, however short (the page-wide align needs 6 tokens).
    for block in SequenceMatcher(None, o_tokens.keys, c_tokens.keys, autojunk=False).get_matching_blocks():
        mapping[block.a : block.a + block.size] = np.arange(block.b, block.b + block.size)
    chunk_of = {t: c for c, ts in enumerate(c_chunks) for t in ts}
    same: dict[int, int] = {}
    for c, ts in enumerate(o_chunks):
        mapped = [int(mapping[t]) for t in ts]
        if ts and min(mapped) >= 0:
            targets = {chunk_of[t] for t in mapped}
            if len(targets) == 1 and sorted(c_chunks[next(iter(targets))]) == sorted(mapped):
                same[c] = targets.pop()
    starts: list[int] = []
    for start, end in ranges:
        found = len(copy.chunks) if start else 0
        if start:
            for c in range(start, end):
                mapped = [int(mapping[t]) for t in o_chunks[c] if mapping[t] >= 0]
                if mapped:
                    found = chunk_of[mapped[0]]
                    break
        starts.append(max([found, *starts[-1:]]))
    bounds = [*starts[1:], len(copy.chunks)]
    return _Placed(copy, [(s, max(s, e)) for s, e in zip(starts, bounds, strict=True)], same)


def render_printed(
    marked: str, *, original: str, title: str, symbols: Sequence[int] | None = None, notice: str | None = None
) -> bytes:
    """``marked`` (a copy of ``original``) as an A4 PDF laid out like ``print_layout(original, title)``, each print
    position's middle word moved by its symbol (1: right, 0: left; ``symbols=None``: no word moved). A ``notice``
    ("Issued to ...") is printed in the top margin of every page, outside the layout the tracer recomputes.

    Raises ValueError when ``symbols`` does not fit the layout or ``marked`` is not a copy of ``original``.
    """
    plan = print_layout(original, title)
    if symbols is not None and (len(symbols) != len(plan.positions) or any(s not in (0, 1) for s in symbols)):
        raise ValueError(f"render_printed needs {len(plan.positions)} binary symbols; got {len(symbols)}.")
    copy_units = _copy_units(original, marked)
    ranges: list[list[tuple[int, int]]] = [[] for _ in plan.units]
    for line in plan.lines:
        ranges[line.unit].append((line.start, line.end))
    placed = [_place(o, c, r) for o, c, r in zip(plan.units, copy_units, ranges, strict=True)]
    shifts: dict[tuple[int, int], float] = {}  # (unit, copy chunk) -> mm
    for k, position in enumerate(plan.positions if symbols is not None else ()):
        p = placed[position.unit]
        trio = [p.same.get(c, -1) for c in (position.chunk - 1, position.chunk, position.chunk + 1)]
        line_no = next(i for i, ln in enumerate(_lines_of(plan, position.unit)) if ln == position.line)
        lo, hi = p.lines[line_no]
        if min(trio) >= lo and trio[1] == trio[0] + 1 and trio[2] == trio[1] + 1 and trio[2] < hi:
            shifts[(position.unit, trio[1])] = SHIFT if symbols[k] else -SHIFT  # type: ignore[index]
    return _draw(plan, placed, shifts, title, notice)


def _copy_units(original: str, marked: str) -> list[str]:
    """The text of the copy's counterpart of each of the original's units.

    A variant may join two lines of a block ("as | long as" -> "so long as"), so a block set line by line (code,
    a list) can have fewer lines in the copy: its units are then cut where the original's first words are.
    """
    mine, theirs = _units(original), _units(marked)
    if len(mine) != len(theirs):
        raise ValueError("the marked text does not have the original's blocks: it is not a copy of the original")
    out: list[str] = []
    for (units, _), (copies, _) in zip(mine, theirs, strict=True):
        if len(units) == len(copies):
            out.extend(copy.text for copy in copies)
            continue
        whole = "\n".join(copy.text for copy in copies)
        o_tokens = [tokenize(unit.text) for unit in units]
        c_tokens = tokenize(whole)
        keys = tuple(key for tokens in o_tokens for key in tokens.keys)
        mapping = np.full(len(keys), -1, dtype=np.int64)
        for block in SequenceMatcher(None, keys, c_tokens.keys, autojunk=False).get_matching_blocks():
            mapping[block.a : block.a + block.size] = np.arange(block.b, block.b + block.size)
        starts, first = [0], 0
        for tokens in o_tokens[:-1]:
            first += len(tokens)
            later = [int(j) for j in mapping[first:] if j >= 0]
            starts.append(max(starts[-1], c_tokens.starts[later[0]] if later else len(whole)))
        bounds = [*starts[1:], len(whole)]
        for unit, start, end in zip(units, starts, bounds, strict=True):
            piece = " ".join(whole[start:end].split())
            indent = unit.text[: len(unit.text) - len(unit.text.lstrip())] if unit.style is CODE else ""
            out.append(indent + piece if piece else " ")
    return out


def _lines_of(plan: PrintLayout, unit: int) -> list[int]:
    return [i for i, line in enumerate(plan.lines) if line.unit == unit]


def _draw(
    plan: PrintLayout, placed: list[_Placed], shifts: dict[tuple[int, int], float], title: str, notice: str | None
) -> bytes:
    pdf = new_document(title)
    pdf.set_auto_page_break(False)

    def new_page() -> None:
        pdf.add_page()
        if notice:
            pdf.set_font("serif", size=8)
            pdf.text(LEFT, TOP - 8, notice)

    new_page()
    pdf.set_font(TITLE.font, "B", size=TITLE.size)
    for i, text in enumerate(plan.title):
        pdf.text(LEFT, TOP + TITLE.height * i + _ascent(TITLE), text)
    seen: dict[int, int] = {}
    page = 0
    for line in plan.lines:
        while page < line.page:
            new_page()
            page += 1
        p = placed[line.unit]
        style = p.unit.style
        pdf.set_font(style.font, "B" if style.bold else "", size=style.size)
        n = seen.get(line.unit, 0)
        seen[line.unit] = n + 1
        baseline = line.top + _ascent(style)
        if style is CODE:
            text = p.unit.text
            per_line = max(1, int(WIDTH / _metrics().width("M", CODE)))
            pdf.set_xy(LEFT, line.top)  # a cell, not text(): only cells take the serif's zero-width glyphs
            pdf.cell(WIDTH, style.height, text[n * per_line : (n + 1) * per_line])
            continue
        lo, hi = p.lines[n]
        x = LEFT + p.unit.indent
        space = pdf.get_string_width(" ")
        for c in range(lo, hi):
            s, e = p.unit.chunks[c]
            word = p.unit.text[s:e]
            pdf.text(x + shifts.get((line.unit, c), 0.0), baseline, word + " ")
            x += pdf.get_string_width(word) + space
    return bytes(pdf.output())


def _ascent(style: Style) -> float:
    return style.height * 0.5 + style.size * 0.3528 * 0.35  # baseline a little below the line's middle


# --- reading ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word box read from a page image (pixels), on an OCR line."""

    text: str
    left: float
    top: float
    width: float
    height: float
    line: int  # OCR line number on the page, unique per page


def read_print(original: str, title: str, pages: Sequence[Sequence[Word]]) -> npt.NDArray[np.int64]:
    """The print symbol at each position of ``print_layout(original, title)`` read from OCR'd pages, -1 where the
    position's three words are not found whole and side by side on one line, or the gaps are too close to call.

    Each page is aligned to the original on its own, so pages may be missing, repeated or out of order (a position
    read differently on two pages is -1).
    """
    plan = print_layout(original, title)
    keys: list[str] = []
    chunk_tokens: list[list[list[int]]] = []
    for unit in plan.units:
        tokens, per_chunk = _tokens_of_chunks(unit.text, unit.chunks)
        base = len(keys)
        keys.extend(tokens.keys)
        chunk_tokens.append([[base + t for t in ts] for ts in per_chunk])
    out = np.full(len(plan.positions), -1, dtype=np.int64)
    votes: list[set[int]] = [set() for _ in plan.positions]
    for words in pages:
        for k, difference in _read_page(plan, tuple(keys), chunk_tokens, list(words)):
            if abs(difference) >= MARGIN:
                votes[k].add(int(difference > 0))
    for k, seen in enumerate(votes):
        if len(seen) == 1:
            out[k] = seen.pop()
    return out


def _read_page(
    plan: PrintLayout, keys: tuple[str, ...], chunk_tokens: list[list[list[int]]], words: list[Word]
) -> list[tuple[int, float]]:
    text_parts, spans = [], []
    at = 0
    for i, word in enumerate(words):
        sep = "" if i == 0 else ("\n" if word.line != words[i - 1].line else " ")
        at += len(sep)
        spans.append((at, at + len(word.text)))
        text_parts.append(sep + word.text)
        at += len(word.text)
    page = tokenize("".join(text_parts))
    if not len(page):
        return []
    mapping = align(keys, page.keys)
    word_of_token = np.searchsorted(np.array([e for _, e in spans]), np.array(page.starts), side="right")
    if not _laid_out_as_planned(plan, chunk_tokens, mapping, word_of_token, words):
        return []  # a page printed some other way (a text copy from an editor): its gaps say nothing
    metrics = _metrics()
    space = metrics.width(" ", BODY)
    angles = _line_angles(words)
    found: list[tuple[int, float]] = []
    for k, position in enumerate(plan.positions):
        trio = []
        for chunk in (position.chunk - 1, position.chunk, position.chunk + 1):
            tokens = chunk_tokens[position.unit][chunk]
            ws = {int(word_of_token[mapping[t]]) if mapping[t] >= 0 else -1 for t in tokens}
            trio.append(ws.pop() if len(ws) == 1 else -1)
        if min(trio) < 0 or trio[1] != trio[0] + 1 or trio[2] != trio[1] + 1:
            continue
        left, middle, right = (words[i] for i in trio)
        if not left.line == middle.line == right.line:
            continue
        unit = plan.units[position.unit]
        span_mm = sum(
            metrics.width(unit.text[s:e], BODY) for s, e in unit.chunks[position.chunk - 1 : position.chunk + 2]
        )
        along = angles[left.line]
        scale = (right.left + right.width - left.left) / along / (span_mm + 2 * space)  # px per mm along the line
        g1 = (middle.left - (left.left + left.width)) / along
        g2 = (right.left - (middle.left + middle.width)) / along
        found.append((k, (g1 - g2) / scale))  # mm: +2 SHIFT for symbol 1, -2 SHIFT for symbol 0
    return found


def _laid_out_as_planned(
    plan: PrintLayout,
    chunk_tokens: list[list[list[int]]],
    mapping: npt.NDArray[np.int64],
    word_of_token: npt.NDArray[np.int64],
    words: Sequence[Word],
) -> bool:
    """Whether the page's wrapped lines start where the planned layout wraps (paragraph starts agree anyway)."""
    chunks = [chunk_tokens[line.unit][line.start] for line in plan.lines if 0 < line.start < line.end]
    starts = {tokens[0] for tokens in chunks if tokens}
    paragraphs = {units[0][0] for units in chunk_tokens if units and units[0]}
    first_word: dict[int, int] = {}
    for i, word in enumerate(words):
        first_word.setdefault(word.line, i)
    line_starts = set(first_word.values())
    checked = agree = 0
    for t, j in enumerate(mapping.tolist()):
        starts_line = int(word_of_token[j]) in line_starts and (j == 0 or word_of_token[j - 1] != word_of_token[j])
        if j >= 0 and starts_line and t not in paragraphs:
            checked += 1
            agree += t in starts
    return checked >= 3 and agree >= 0.8 * checked


def _line_angles(words: Sequence[Word]) -> dict[int, float]:
    """cos of each OCR line's slope, from its words' bottoms: a gap in x is the gap along the baseline times it."""
    by_line: dict[int, list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    out = {}
    for line, members in by_line.items():
        if len(members) >= 3:
            x = np.array([w.left + w.width / 2 for w in members])
            y = np.array([w.top + w.height for w in members])
            slope = float(np.polyfit(x, y, 1)[0]) if np.ptp(x) > 0 else 0.0
        else:
            slope = 0.0
        out[line] = float(np.cos(np.arctan(slope)))
    return out
