"""Hide a recipient's codeword in a plain-text document and read it back from a leaked copy.

Two layers, both laid out from the original text alone, so the tracer recomputes them from the vault's plaintext:

**Robust** (survives copy-paste, re-wrapping, reformatting and retyping by a person): visible variants that keep
the exact meaning, in document order. Every function takes ``scheme=``: the classes below are scheme 1's, each
occurrence one position. Scheme 2 adds synonyms, contractions, optional commas and words, parentheticals and
compounds (:mod:`molehunt.trace.carriers.dense`, :mod:`molehunt.trace.carriers.phrases`), and makes every class a
reader would notice mixed (spelling, email, honorifics, serial comma, dash, percent, counts, compounds) one
document-level position, read back by majority. Scheme 3 (``CURRENT_SCHEME``) adds more synonyms and connectives
(:mod:`molehunt.trace.carriers.phrases3`), a restrictive "who"/"that", the optional comma after a sentence-initial
prepositional phrase before a subject pronoun, two document-level positions
(``section 3``/``Section 3``, list letters ``a)``/``(a)``), and reads more indented paragraphs as prose; it leaves
out or narrows the scheme-2 classes reviews found changing meaning in some context. docs/trace-text.md lists them all.

- British/American spelling (``organise/organize``, ``colour/color``, ``centre/center``, ``defence/defense``,
  ``travelled/traveled``, ...; the list and what was left out are in :mod:`molehunt.trace.carriers.variants`),
  also inside possessives and hyphenated compounds (``organisation's``, ``well-organised``).
- Function words: ``towards/toward``, ``amongst/among``, ``amidst/amid``, ``afterwards/afterward``, and
  ``while/whilst`` as a conjunction only (not after "a", "the", "worth", ...; not before "away").
- Abbreviations: an ``e.g.`` becomes ``e.g.``/``for example``/``for instance`` (3-ary); ``for example`` and
  ``for instance`` swap with each other; an ``i.e.`` becomes ``i.e.``/``that is``; ``Dr``/``Mr``/``Mrs``/``Ms``
  before a capitalised name with or without the full stop; ``email``/``e-mail``.
- Serial comma before the "and"/"or" closing a list of short items (at most three words each): present or
  absent. An original serial comma is a slot after one earlier comma-separated item ("A, B, and C"); an absent
  one only after two ("A, B, C and D"), so an introductory clause ("When done, the file and the log") is never a
  list.
- A dash between two words (3-ary): closed em dash, spaced em dash, spaced en dash; an original spaced hyphen or
  ``--`` used as a dash is a slot too. Dashes between numbers (ranges) or inside words are never touched; under
  scheme 3 neither are dashes beside day or month names ("Monday - Friday"), in padded columns or a command's ``--``.
- Counts 2 to 9 before a plural noun, as digits or words (``3 servers``/``three servers``), only between a
  lowercase word that is not a label ("version", "section", "step", ...) and a lowercase plural that is not an
  abbreviated unit, with single spaces around: identifiers (``CVE-2024-3``), dates (``3 March``), decimals, list
  numbers and sentence-initial numbers never qualify.
- A number's percent (3-ary): ``10%``/``10 percent``/``10 per cent``.

Nothing in code (fenced or indented lines), tables (lines with ``|`` or tabs), addresses, paths or markup
(chunks with ``/``, ``@``, ``_``, ``#``, ...) is a slot; under scheme 3 neither are file names, domains and module
paths (a dot between word characters: ``organise.py``), options (``--no-colour``), text in double or single quotes,
nor command lines and name-list lines. Case is kept (``Colour`` -> ``Color``); a capitalised word
is a slot only at the start of a sentence, when that word is never capitalised inside a sentence elsewhere in the
document and the next word is not capitalised, so proper nouns ("the Centre for ...", "Labour Party") stay.
Limits: a sentence-initial proper noun mentioned only once can still change; removing a serial comma can make an
appositive ambiguous ("my parents, Alice, and Bob"); a copy mixes British and American spelling, which a careful
reader may notice (colluders comparing copies find the slots anyway); a person retyping may type " - " for a dash
(read as -1) or normalise percent signs (a wrong symbol).

**Fragile** (survives copying the text between editors and pypdf's PDF text extraction, tested; browsers and PDF
viewers' copy-paste are untested; lost to retyping, OCR, ASCII-only conversion and any filter that removes Unicode
format characters, category Cf, e.g. "strip zero-width characters"; NFKC keeps them):
one 4-ary position per gap between two words that holds whitespace, outside code, tables and addresses and not a
robust slot. Every symbol is a mark: ZERO WIDTH SPACE, ZERO WIDTH NON-JOINER, ZERO WIDTH JOINER or WORD JOINER
inserted right before the gap's first whitespace character. A plain gap is therefore *unmarked*, read -1, never a
symbol: a retyped copy reads -1 at every fragile position. The marks are not whitespace to ``str.split``,
``textwrap`` or NFKC, so re-wrapping and whitespace collapsing keep them; a tool that rewrites the gaps themselves
loses them (-1). A gap with two different marks, or whose next word in the leak is aligned elsewhere (words were
deleted after it), reads -1.

A leaked text is aligned to the original by variant-blind word keys (:mod:`molehunt.trace.carriers.tokens`),
so an excerpt, a re-wrapped copy or a copy merged from several recipients' copies reads each position from
whichever copy's text is there, and -1 where the position's words are absent.

Scheme 3 (the same as scheme 2 here):

>>> layout(original := "If you do not organise it, we will.")  # "do not", "organise", the comma
Layout(alphabet=(2, 2, 2, 4, 4, 4, 4), robust=3, fragile=4)
>>> embed(original, [1, 1, 0, 0, 0, 0, 0]).translate(STRIP_MARKS)
"If you don't organize it we will."

Scheme 1 (the first copies' layer, kept so that they stay traceable):

>>> original = "The team will organise the archive, e.g. by colour."
>>> layout(original, scheme=1)
Layout(alphabet=(2, 3, 2, 4, 4, 4, 4, 4, 4, 4, 4), robust=3, fragile=8)
>>> copy = embed(original, [1, 2, 0, 0, 1, 2, 3, 0, 1, 2, 3], scheme=1)
>>> copy.translate(STRIP_MARKS)
'The team will organize the archive, for instance by colour.'
>>> extract(original, copy, scheme=1).tolist()
[1, 2, 0, 0, 1, 2, 3, 0, 1, 2, 3]
>>> extract(original, copy.translate(STRIP_MARKS), scheme=1).tolist()  # retyped: the fragile layer is gone
[1, 2, 0, -1, -1, -1, -1, -1, -1, -1, -1]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from molehunt.errors import MolehuntError
from molehunt.trace.carriers import dense, variants
from molehunt.trace.carriers.slots import Slot as _Slot
from molehunt.trace.carriers.tokens import (
    MARKS,
    STRIP_MARKS,
    Tokens,
    align,
    parts,
    plain_form,
    protected,
    tokenize,
)

__all__ = [
    "CURRENT_SCHEME",
    "MARKS",
    "SCHEMES",
    "STRIP_MARKS",
    "Layout",
    "SchemeError",
    "embed",
    "extract",
    "layout",
    "normalize",
    "offsets",
]

SCHEMES = frozenset({1, 2, 3})
"""1: the robust layer of the first copies (kept so that they stay traceable); 2: the dense, consistent layer; 3:
scheme 2 with more classes (docs/trace-text.md)."""

CURRENT_SCHEME = 3
"""The scheme new copies are issued with; a copy is read back with the scheme it was issued with."""


class SchemeError(MolehuntError, ValueError):
    """An unknown fingerprint scheme number."""


SERIAL = ("", ",")
_GAP_KINDS = ("dash", "serial", "comma")
"""Serial comma: absent (canonical) or present."""

_SPELLING_GROUP = {form: group for group in variants.SPELLING for form in group}
_FUNCTION_GROUP = {form: group for group in variants.FUNCTION_WORDS for form in group}
_TITLE_GROUP = {form: group for group in variants.TITLES for form in group}
_COUNTS = {
    **{word: (word, str(n)) for n, word in enumerate(variants.NUMBER_WORDS, start=2)},
    **{str(n): (word, str(n)) for n, word in enumerate(variants.NUMBER_WORDS, start=2)},
}
_COUNT_KEYS = frozenset(word for word, _ in _COUNTS.values())

_SENTENCE_BREAK = re.compile(r"[.!?]|\n[ \t\r]*\n|\n[ \t]*[-*\u2022][ \t]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DASH_GAP = re.compile(r"\u2014|[ \t]+(?:\u2014|\u2013|--?)[ \t]+")
_PADDED = re.compile(r"[ \t]{2,}|\t")
_SPACED_EM = re.compile(r"\s+\u2014\s+")
_SPACED_EN = re.compile(r"\s+\u2013\s+")
_SPACE, _COMMA, _WORD = dense.SPACE, dense.COMMA, dense.WORD


@dataclass(frozen=True)
class Layout:
    """The positions a document offers: ``alphabet[i]`` symbols at position i, robust positions first."""

    alphabet: tuple[int, ...]
    robust: int
    fragile: int


@dataclass(frozen=True)
class _Plan:
    tokens: Tokens
    slots: tuple[_Slot, ...]
    positions: tuple[tuple[int, ...], ...]  # the slots of each robust position (several for a document-level class)
    fragile: tuple[int, ...]  # i: the gap after token i
    apostrophe: str  # the document's own, for contractions


def layout(text: str, scheme: int = CURRENT_SCHEME) -> Layout:
    """The positions of ``text`` under ``scheme``: robust positions, then fragile gaps, each in document order."""
    plan = _plan(text, _checked(scheme))
    robust = tuple(len(plan.slots[slots[0]].forms) for slots in plan.positions)
    return Layout(alphabet=robust + (len(MARKS),) * len(plan.fragile), robust=len(robust), fragile=len(plan.fragile))


def offsets(text: str, scheme: int = CURRENT_SCHEME) -> tuple[int, ...]:
    """Where each position of ``layout(text, scheme)`` starts in ``text`` (a slot's word or gap, a fragile gap)."""
    plan = _plan(text, _checked(scheme))
    return tuple(plan.slots[slots[0]].at for slots in plan.positions) + tuple(plan.tokens.ends[i] for i in plan.fragile)


def embed(text: str, symbols: Sequence[int] | npt.NDArray[np.integer], scheme: int = CURRENT_SCHEME) -> str:
    """The copy of ``text`` carrying ``symbols`` (one per position of ``layout(text, scheme)``).

    Raises ValueError when ``symbols`` has the wrong length or a symbol outside its position's alphabet, and
    SchemeError for an unknown scheme.
    """
    plan = _plan(text, _checked(scheme))
    values = [int(s) for s in symbols]
    alphabet = layout(text, scheme).alphabet
    if len(values) != len(alphabet):
        raise ValueError(f"embed needs {len(alphabet)} symbols for this text's layout; got {len(values)}.")
    bad = [i for i, (s, q) in enumerate(zip(values, alphabet, strict=True)) if not 0 <= s < q]
    if bad:
        i = bad[0]
        raise ValueError(f"symbol {values[i]} at position {i} is outside its alphabet 0..{alphabet[i] - 1}.")
    edit = _Edit(plan.tokens, plan.apostrophe)
    for slots, symbol in zip(plan.positions, values, strict=False):
        for k in slots:
            edit.write(plan.slots[k], symbol)
    for i, symbol in zip(plan.fragile, values[len(plan.positions) :], strict=True):
        gap = plan.tokens.gap(i)
        at = next(k for k, c in enumerate(gap) if c.isspace())
        edit.gaps[i] = gap[:at] + MARKS[symbol] + gap[at:]
    return edit.text()


def extract(original: str, leaked: str, scheme: int = CURRENT_SCHEME) -> npt.NDArray[np.int64]:
    """The symbol ``leaked`` carries at each position of ``layout(original, scheme)``, or -1 where it cannot be read.

    Works on a whole copy, an excerpt, a re-wrapped or retyped copy, and copies merged from several recipients.
    """
    plan = _plan(original, _checked(scheme))
    leak = tokenize(leaked, scheme)
    mapping = align(plan.tokens.keys, leak.keys)
    out = np.full(len(plan.positions) + len(plan.fragile), -1, dtype=np.int64)
    for k, slots in enumerate(plan.positions):
        out[k] = _vote([_read(plan.slots[s], leak, mapping) for s in slots])
    # A mark sits at the end of its gap's left word; the gap is read unless the leak's next word is aligned to
    # another place (words deleted after the mark could leave a later gap's mark there).
    aligned_to = np.full(len(leak) + 1, -1, dtype=np.int64)
    aligned_to[mapping[mapping >= 0]] = np.nonzero(mapping >= 0)[0]
    for k, i in enumerate(plan.fragile, start=len(plan.positions)):
        j = int(mapping[i])
        if j >= 0 and aligned_to[j + 1] in (-1, i + 1):
            found = {c for c in leak.gap(j) if c in MARKS}
            out[k] = MARKS.index(found.pop()) if len(found) == 1 else -1
    return out


def normalize(text: str, scheme: int = CURRENT_SCHEME) -> str:
    """``text`` without fragile marks and with every robust variant in its canonical form (case kept).

    Any copy normalizes to the same text as its original: ``normalize(embed(t, s)) == normalize(t)``.
    """
    plain = text.translate(STRIP_MARKS)
    tokens = tokenize(plain, _checked(scheme))
    edit = _Edit(tokens, _apostrophe(plain))
    for slot in _detect(tokens, strict=False, scheme=scheme):
        if scheme == 1:
            edit.write(slot, 0)
        elif slot.kind not in (*_GAP_KINDS, "paren"):
            edit.write(slot, dense.normal_symbol(slot))
    if scheme == 1:
        return edit.text()
    # Scheme 2's gap rules read the neighbouring words and commas: they run on the words' normal form, then on the
    # parentheticals' (as commas), the same in every copy.
    words = edit.text()
    if "(" in words:
        words = _rewrite(words, scheme, ("paren",))
    return _rewrite(words, scheme, _GAP_KINDS)


def _rewrite(text: str, scheme: int, kinds: tuple[str, ...]) -> str:
    tokens = tokenize(text, scheme)
    edit = _Edit(tokens, _apostrophe(text))
    for slot in _detect(tokens, strict=False, scheme=scheme):
        if slot.kind in kinds:
            edit.write(slot, dense.normal_symbol(slot))
    return edit.text()


def _checked(scheme: int) -> int:
    if scheme not in SCHEMES:
        raise SchemeError(f"unknown fingerprint scheme {scheme!r}: this version knows schemes {sorted(SCHEMES)}.")
    return scheme


@lru_cache(maxsize=16)
def _plan(text: str, scheme: int) -> _Plan:
    tokens = tokenize(text, scheme)
    guard = protected(tokens, scheme)
    slots = _detect(tokens, strict=True, guard=guard, scheme=scheme)
    robust_gaps = {slot.token for slot in slots if slot.kind in ("dash", "serial", "comma", "paren", "marker")}
    robust_gaps |= {slot.part for slot in slots if slot.kind == "paren"}
    robust_gaps |= {slot.token - 1 for slot in slots if slot.kind == "percent"}
    fragile = tuple(
        i
        for i in range(len(tokens) - 1)
        if not (guard[i] or guard[i + 1] or i in robust_gaps)
        and any(c.isspace() for c in tokens.gap(i))
        and not any(c in MARKS for c in tokens.gap(i))
    )
    return _Plan(tokens, tuple(slots), _positions(slots), fragile, _apostrophe(text) if scheme > 1 else "'")


def _positions(slots: Sequence[_Slot]) -> tuple[tuple[int, ...], ...]:
    """Each slot is a position, except that the slots of one document-level group share one (at the first)."""
    positions: list[list[int]] = []
    first: dict[str, int] = {}
    for k, slot in enumerate(slots):
        if not slot.group:
            positions.append([k])
        elif slot.group in first:
            positions[first[slot.group]].append(k)
        else:
            first[slot.group] = len(positions)
            positions.append([k])
    return tuple(tuple(p) for p in positions)


def _vote(reads: list[int]) -> int:
    """The symbol most of a position's readable slots carry; -1 when none is readable or the top two tie."""
    counts = Counter(r for r in reads if r >= 0).most_common(2)
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return -1
    return counts[0][0]


def _apostrophe(text: str) -> str:
    return "\u2019" if text.count("\u2019") > text.count("'") else "'"


def _detect(tokens: Tokens, *, strict: bool, scheme: int, guard: tuple[bool, ...] | None = None) -> list[_Slot]:
    """Robust slots: ``strict`` for a layout (original-only rules), else every place a copy may vary."""
    found = _Detector(tokens, guard if guard is not None else protected(tokens, scheme), strict, scheme).slots()
    return [dense.document_group(slot) for slot in found] if scheme > 1 else found


class _Detector:
    def __init__(self, tokens: Tokens, guard: tuple[bool, ...], strict: bool, scheme: int) -> None:
        self.t = tokens
        self.scheme = scheme
        self.guard = guard
        self.strict = strict
        self.n = len(tokens)
        self.raws = [tokens.raw(i) for i in range(self.n)]
        self.gaps = [tokens.gap(i).translate(STRIP_MARKS) for i in range(-1, self.n)]  # gaps[i + 1]: after i
        self.initial = [i == 0 or _SENTENCE_BREAK.search(self.gaps[i]) is not None for i in range(self.n)]
        self.named = {
            m.group().casefold()
            for i, raw in enumerate(self.raws)
            if not (self.initial[i] or guard[i])  # a table's or code's capitals are not names
            for m in parts(raw)
            if _case(m.group()) == "title"
        }
        self.named |= {_SPELLING_GROUP[w][0] for w in self.named if w in _SPELLING_GROUP}
        self.words = [plain_form(raw) for raw in self.raws] if scheme > 1 else []
        self.starts = dense.sentence_starts(self) if scheme > 1 else []
        self.markers = dense.list_markers(self) if scheme > 2 else False

    def slots(self) -> list[_Slot]:
        found: list[_Slot] = []
        for i in range(self.n):
            if not self.guard[i]:
                found += self._token(i)
                if i + 1 < self.n and not self.guard[i + 1]:
                    found += self._gap(i)
        order = {"percent": 0, "dash": 0, "serial": 0, "comma": 0, "paren": 0, "marker": 0, "word": 1, "number": 1}
        order |= {"part": 1, "case": 1}
        return sorted(found, key=lambda s: (s.at, order[s.kind]))

    def _changeable(self, i: int, word: str, first: bool) -> bool:
        """May this word (a token or a token's first/other part) change? Guards proper nouns."""
        case = _case(word)
        if not self.strict or case == "lower":
            return True
        if case != "title" or not first or not self.initial[i]:
            return False
        key = word.casefold()
        following = self.raws[i + 1] if i + 1 < self.n else ""
        return (
            key not in self.named
            and _SPELLING_GROUP.get(key, (key,))[0] not in self.named
            and (not following[:1].isupper())
        )

    def _token(self, i: int) -> list[_Slot]:
        if self.scheme > 1:
            found = dense.token_slots(self, i)
            if found is not None:
                return found
        t, raw, key = self.t, self.raws[i], self.t.keys[i]
        form = plain_form(raw)
        at = t.starts[i]
        if key == variants.EXAMPLE[0]:
            forms = variants.EXAMPLE if form == "e.g." or not self.strict else variants.EXAMPLE[::2]
            return [_Slot("word", i, forms, at=at)] if self._changeable(i, raw, True) else []
        if key == variants.THAT_IS[0]:
            ok = (form == "i.e." or not self.strict) and self._changeable(i, raw, True)
            return [_Slot("word", i, variants.THAT_IS, at=at)] if ok else []
        if form in _TITLE_GROUP:
            following = self.raws[i + 1] if i + 1 < self.n else ""
            ok = raw[:1].isupper() and following[:1].isupper() and _SPACE.fullmatch(self.gaps[i + 1]) is not None
            return [_Slot("word", i, _TITLE_GROUP[form], at=at)] if ok and self.gaps[i + 1] else []
        if form in variants.EMAIL:
            return [_Slot("word", i, variants.EMAIL, at=at)] if self._changeable(i, raw, True) else []
        if form in _FUNCTION_GROUP:
            before = self.t.keys[i - 1] if i > 0 else ""
            after = self.t.keys[i + 1] if i + 1 < self.n else ""
            noun = form == "while" and (before in variants.WHILE_NOUN_BEFORE or after == "away")
            ok = not (self.strict and noun) and self._changeable(i, raw, True)
            return [_Slot("word", i, _FUNCTION_GROUP[form], at=at)] if ok else []
        if raw in _COUNTS:
            return [_Slot("number", i, _COUNTS[raw], at=at)] if self._count(i) else []
        if key == variants.PERCENT[0]:
            ok = i > 0 and not self.guard[i - 1] and _NUMBER.fullmatch(self.raws[i - 1]) is not None
            ok = ok and (self.gaps[i] == "" or self.gaps[i] in (" ", "\t"))
            ok = ok and (self.scheme == 1 or i + 1 >= self.n or self.gaps[i + 1] != "")  # "5%a" stays
            return [_Slot("percent", i, variants.PERCENT, at=t.ends[i - 1])] if ok else []
        if not _WORD.fullmatch(raw):
            return []
        return [
            _Slot("part", i, _SPELLING_GROUP[m.group().casefold()], part=p, at=at + m.start())
            for p, m in enumerate(parts(raw))
            if m.group().casefold() in _SPELLING_GROUP and self._changeable(i, m.group(), p == 0)
        ]

    def _count(self, i: int) -> bool:
        if i == 0 or i + 1 >= self.n or self.guard[i - 1] or self.guard[i + 1]:
            return False
        # a copy under scheme 2 may add or drop an optional comma before the count: reading a copy, either is plain
        plain = (" ",) if self.scheme == 1 or self.strict else (" ", ", ")
        if self.gaps[i] not in plain or self.gaps[i + 1] not in plain:
            return False
        before, after = self.raws[i - 1], self.raws[i + 1]
        keys = self.t.keys
        if not (before.isalpha() and before.islower()) or keys[i - 1] in variants.NUMBER_LABEL_BEFORE:
            return False
        if keys[i - 1] in _COUNT_KEYS:
            return False
        # scheme 3: a noun before the number makes it a label ("the python 3 bindings", "2 x 4 boards")
        if self.scheme > 2 and self.strict and (len(before) < 2 or (i > 1 and keys[i - 2] in dense.DETERMINERS)):
            return False
        return (
            after.isalpha()
            and after.islower()
            and after.endswith("s")
            and len(after) >= 3
            and after not in variants.UNIT_AFTER
            and after not in variants.NOT_PLURAL
        )

    def _gap(self, i: int) -> list[_Slot]:
        found = self._gap1(i)
        return found or dense.gap_slots(self, i) if self.scheme > 1 else found

    def _gap1(self, i: int) -> list[_Slot]:
        gap, at = self.gaps[i + 1], self.t.ends[i]
        if _DASH_GAP.fullmatch(gap):
            left, right = self.raws[i], self.raws[i + 1]
            if _WORD.fullmatch(left) and _WORD.fullmatch(right) and min(len(left), len(right)) >= 2:
                if self.scheme > 2 and self.strict and not self._dash3(i, gap):
                    return []
                return [_Slot("dash", i, variants.DASHES, at=at)]
            return []
        if self.t.keys[i + 1] not in ("and", "or"):
            return []
        comma = _COMMA.fullmatch(gap) is not None
        if not (comma or (gap and _SPACE.fullmatch(gap))):
            return []
        items = self._items_before(i)
        ok = (comma and items >= 1) or (self.strict and not comma and items >= 2)
        return [_Slot("serial", i, SERIAL, at=at)] if ok else []

    def _dash3(self, i: int, gap: str) -> bool:
        """Scheme 3: no dash between day or month names ("Monday - Friday" is a range), in padded columns, nor a
        "--" after a command word ("git checkout -- file")."""
        if _PADDED.search(gap):
            return False
        if {self.words[i], self.words[i + 1]} & variants.CALENDAR:
            return False
        return "--" not in gap or not any(self.words[k] in variants.COMMANDS for k in range(max(0, i - 3), i + 1))

    def _items_before(self, i: int) -> int:
        """How many short comma-preceded list items end at token i ("B" in "A, B, and C" -> 1)."""
        count, k = 0, i
        while True:
            j = k
            while True:
                if self.guard[j] or self.t.keys[j] in ("and", "or") or k - j >= 3:
                    return count
                if j == 0 or not _SPACE.fullmatch(self.gaps[j]):
                    break
                j -= 1
            if j == 0 or not _COMMA.fullmatch(self.gaps[j]):
                return count
            count, k = count + 1, j - 1


class _Edit:
    """New text for some tokens, token parts and gaps of a tokenized text."""

    def __init__(self, tokens: Tokens, apostrophe: str) -> None:
        self.t = tokens
        self.apostrophe = apostrophe
        self.tokens: dict[int, str] = {}
        self.parts: dict[int, dict[int, str]] = {}
        self.gaps: dict[int, str] = {}

    def write(self, slot: _Slot, symbol: int) -> None:
        t, i, form = self.t, slot.token, slot.forms[symbol]
        if slot.kind in ("word", "number"):
            self.tokens[i] = _cased(form, t.raw(i)).replace("'", self.apostrophe)
        elif slot.kind == "part":
            word = parts(t.raw(i))[slot.part].group()
            self.parts.setdefault(i, {})[slot.part] = _cased(form, word)
        elif slot.kind == "percent":
            self.tokens[i] = form
            self.gaps[i - 1] = "" if form == "%" else " "
        elif slot.kind == "dash":
            self.gaps[i] = form
        elif slot.kind == "case":
            self.tokens[i] = form
        elif slot.kind == "marker":  # an opening parenthesis right before a list letter, or none
            self.gaps[i] = t.gap(i).translate(STRIP_MARKS).removesuffix("(") + form
        elif slot.kind == "paren":
            if form == ",":  # the original has the parentheses
                self.gaps[i] = "," + (t.gap(i).translate(STRIP_MARKS).replace("(", "") or " ")
                tail = t.gap(slot.part).translate(STRIP_MARKS)[1:]
                self.gaps[slot.part] = tail if tail[:1] in (",", ".", ";", ":") else "," + tail
        else:
            space = t.gap(i).translate(STRIP_MARKS).replace(",", "") or " "
            self.gaps[i] = form + space

    def text(self) -> str:
        t = self.t
        out = [t.gap(-1)]
        for i in range(len(t)):
            raw = self.tokens.get(i, t.raw(i))
            for p, word in sorted(self.parts.get(i, {}).items(), reverse=True):
                m = parts(raw)[p]
                raw = raw[: m.start()] + word + raw[m.end() :]
            out.append(raw)
            out.append(self.gaps.get(i, t.gap(i)))
        return "".join(out)


def _read(slot: _Slot, leak: Tokens, mapping: npt.NDArray[np.int64]) -> int:
    j = int(mapping[slot.token])
    if j < 0:
        return -1
    if slot.kind in ("word", "number"):
        return _index(plain_form(leak.raw(j)), slot.forms)
    if slot.kind == "part":
        found = parts(leak.raw(j))
        return _index(found[slot.part].group().casefold(), slot.forms) if slot.part < len(found) else -1
    if slot.kind == "case":
        raw = leak.raw(j)
        return -1 if plain_form(raw) != slot.forms[0] else int(raw[:1].isupper())
    if slot.kind == "percent":
        before = int(mapping[slot.token - 1])
        if before < 0 or j != before + 1 or leak.gap(before).translate(STRIP_MARKS).strip():
            return -1
        return _index(plain_form(leak.raw(j)), slot.forms)
    if int(mapping[slot.token + 1]) != j + 1:
        return -1
    gap = leak.gap(j).translate(STRIP_MARKS)
    if slot.kind in ("serial", "comma"):
        return _index(gap.strip(), SERIAL)
    if slot.kind == "marker":
        return int(gap.rstrip(" \t").endswith("("))
    if slot.kind == "paren":
        return 0 if gap.strip() == "(" else 1 if gap.strip() == "," else -1
    if gap == "\u2014":
        return 0
    return 1 if _SPACED_EM.fullmatch(gap) else 2 if _SPACED_EN.fullmatch(gap) else -1


def _index(form: str, forms: tuple[str, ...]) -> int:
    return forms.index(form) if form in forms else -1


def _case(word: str) -> str:
    if word.islower():
        return "lower"
    if len(word) > 1 and word.isupper():
        return "upper"
    if word[:1].isupper() and (len(word) == 1 or word[1:].islower() or not word[1:].isalpha()):
        return "title"
    return "mixed"


def _cased(form: str, like: str) -> str:
    case = _case(like)
    if case == "upper":
        return form.upper()
    if case == "title":
        return form[:1].upper() + form[1:]
    return form
