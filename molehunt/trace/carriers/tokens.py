"""Word tokens, their variant-blind keys, the spans no mark may touch, and word alignment of two texts.

A token's key folds every form of a robust slot to one value (``colour``/``color``, ``e.g.``/``for example``,
``3``/``three``, ``%``/``percent``), so a marked copy tokenizes to the same keys as its original and the
alignment of a leaked text to the original does not see the marks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import accumulate

import numpy as np
import numpy.typing as npt

from molehunt.trace.carriers import phrases, phrases3, variants

MARKS = ("\u200b", "\u200c", "\u200d", "\u2060")
"""The fragile layer's symbols: ZERO WIDTH SPACE, ZERO WIDTH NON-JOINER, ZERO WIDTH JOINER, WORD JOINER."""

STRIP_MARKS = str.maketrans("", "", "".join(MARKS))

# Multi-word and dotted forms first, so that "for example" and "e.g." are one token each.
_TOKEN = re.compile(
    r"(?i:(?<!\w)(?:e\.g\.|i\.e\.|for\s+example|for\s+instance|that\s+is|per\s+cent)(?!\w))"
    r"|(?<!\w)(?:Mrs|Mr|Ms|Dr)\.(?=[\s\u200b\u200c\u200d\u2060])"
    r"|%"
    r"|\w+(?:['\u2019.,-]\w+)*"
)
_PART = re.compile(r"[^\W\d_]+")
_LINE = re.compile(r"[^\n]*\n?")
# Whitespace-delimited chunks that look like code, paths, addresses or markup: never marked.
_INLINE = re.compile(r"`[^`\n]*`|(?<!\S)\S*?(?:://|www\.|[@/\\_=<>{}\[\]#~^|*$])\S*")


def _phrase(form: str) -> str:
    """A form as a pattern: any whitespace between its words, either apostrophe."""
    return r"\s+".join(re.escape(word).replace("'", "['\u2019]") for word in form.split())


def _multiword(groups: tuple[phrases.Group, ...]) -> list[str]:
    forms = {form for group in groups for form in group.forms if " " in form}
    return sorted(forms, key=lambda form: (-len(form), form))


def _scheme_pattern(multiword: list[str]) -> re.Pattern[str]:
    """Scheme 2 on: its phrases and contractions are one token each, and so is a reporting verb with an optional
    "that" before a subject pronoun ("ensure that you"), so that a copy's variant never shifts the alignment."""
    return re.compile(
        r"(?i:(?<!\w)(?<!\w['\u2019-])(?:e\.g\.|i\.e\.|for\s+example|for\s+instance|that\s+is|per\s+cent"
        + "".join("|" + _phrase(form) for form in multiword)
        + r"|(?:"
        + "|".join(sorted(phrases.REPORTING))
        + r")\s+that(?=[\s\u200b\u200c\u200d\u2060]+(?:"
        + "|".join(sorted(phrases.SUBJECTS))
        + r")(?!\w)))(?!\w)(?!['\u2019-]\w|[.,]\d))"  # never glued to a word ("in spite of'a")
        r"|(?<!\w)(?:Mrs|Mr|Ms|Dr)\.(?=[\s\u200b\u200c\u200d\u2060])"
        r"|%"
        # a full stop or comma joins digits only ("1,000", "2.0"): "don't,a" is two words, as "do not,a" is
        r"|\w+(?:['\u2019-]\w+|[.,]\d\w*)*"
    )


_GROUPS2 = (*phrases.SYNONYMS, phrases.CONNECTIVES, *phrases.CONTRACTIONS)
_GROUPS3 = (*_GROUPS2, *phrases3.SYNONYMS, phrases3.NEED_NOT, *phrases3.CONNECTIVES)
_TOKEN2 = _scheme_pattern(_multiword(_GROUPS2))
_TOKEN3 = _scheme_pattern(_multiword(_GROUPS3))

MIN_BLOCK = 6
"""Aligned runs shorter than this many tokens are ignored: chance matches of common words."""


def _group_map(groups: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    return {form: group[0] for group in groups for form in group}


PART_FOLD = _group_map(variants.SPELLING)
"""Spelling variants, folded inside a token (``organisation's``, ``well-organised``)."""

WHOLE_FOLD = _group_map(
    (
        *variants.FUNCTION_WORDS,
        variants.EXAMPLE,
        variants.THAT_IS,
        *variants.TITLES,
        variants.EMAIL,
        variants.PERCENT,
        *((word, str(n)) for n, word in enumerate(variants.NUMBER_WORDS, start=2)),
    )
)
"""Whole-token variants."""

WHOLE_FOLD2 = {
    **WHOLE_FOLD,
    **_group_map(tuple(group.forms for group in (*phrases.SYNONYMS, phrases.CONNECTIVES, *phrases.CONTRACTIONS))),
    **_group_map(phrases.COMPOUNDS),
    **_group_map((phrases.RESTRICTIVE.forms,)),
}
"""Scheme 2's whole-token variants: scheme 1's, phrases, contractions, compounds, "which"/"that"."""

WHOLE_FOLD3 = {
    **WHOLE_FOLD2,
    **_group_map(tuple(group.forms for group in (*phrases3.SYNONYMS, phrases3.NEED_NOT, *phrases3.CONNECTIVES))),
    "who": "which",  # a restrictive "who" may be "that", whose key is "which"
}
"""Scheme 3's whole-token variants: scheme 2's, its synonyms and connectives, and "who" with "which"/"that"."""


@lru_cache(maxsize=65536)
def fold(raw: str) -> str:
    """The lowercase, variant-blind key of a token as it appears in any copy."""
    form = plain_form(raw)
    whole = WHOLE_FOLD.get(form)
    if whole is not None:
        return whole
    return _PART.sub(lambda m: PART_FOLD.get(m.group(), m.group()), form)


@lru_cache(maxsize=65536)
def fold2(raw: str) -> str:
    """Scheme 2's key: :func:`fold` with phrases, contractions and compounds folded, and "X that" keyed as "X"."""
    return _fold_whole(raw, WHOLE_FOLD2)


@lru_cache(maxsize=65536)
def fold3(raw: str) -> str:
    """Scheme 3's key: :func:`fold2` with scheme 3's groups."""
    return _fold_whole(raw, WHOLE_FOLD3)


def _fold_whole(raw: str, table: dict[str, str]) -> str:
    form = plain_form(raw)
    whole = table.get(form)
    if whole is not None:
        return whole
    if form.endswith(" that") and form[:-5] in phrases.REPORTING:
        return fold(form[:-5])
    return _PART.sub(lambda m: PART_FOLD.get(m.group(), m.group()), form)


def plain_form(raw: str) -> str:
    """A token as compared with variant forms: NFKC, case-folded, curly apostrophes straight, one space."""
    return " ".join(unicodedata.normalize("NFKC", raw).casefold().replace("\u2019", "'").split())


def parts(raw: str) -> list[re.Match[str]]:
    """The letter runs of a token: ``well-organised`` -> ``well``, ``organised``."""
    return list(_PART.finditer(raw))


@dataclass(frozen=True)
class Tokens:
    """A text's word tokens: ``text[starts[i]:ends[i]]`` is token i, ``keys[i]`` its variant-blind key."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    keys: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.keys)

    def raw(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]

    def gap(self, i: int) -> str:
        """The text between token i and token i + 1 (before the first token for -1, after the last for n - 1)."""
        start = self.ends[i] if i >= 0 else 0
        end = self.starts[i + 1] if i + 1 < len(self.keys) else len(self.text)
        return self.text[start:end]


def tokenize(text: str, scheme: int = 1) -> Tokens:
    """Split ``text`` into word tokens (marks and punctuation stay in the gaps), with ``scheme``'s keys."""
    starts: list[int] = []
    ends: list[int] = []
    keys: list[str] = []
    pattern, key = (_TOKEN, fold) if scheme == 1 else (_TOKEN2, fold2) if scheme == 2 else (_TOKEN3, fold3)
    for m in pattern.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
        keys.append(key(m.group()))
    return Tokens(text, tuple(starts), tuple(ends), tuple(keys))


def protected(tokens: Tokens, scheme: int = 1) -> tuple[bool, ...]:
    """Which tokens lie in code, tables, addresses or paths (no robust slot, no fragile mark next to them).

    Code is a fenced block, an indented line (tab or four spaces); a table is a line with ``|`` or a tab. Under
    scheme 2 an indented paragraph that reads as prose (licences and plain-text reports indent whole sections) is
    not code; under scheme 3 a call with arguments ("paint(room, colour)") or a block keyword's line ending in ":"
    before a deeper indented one ("for room in rooms:") makes it code again. Scheme 3 also protects file names,
    domains, module paths and options ("organise.py", "--no-colour"), quoted text, command lines and name-list lines.
    """
    text = tokens.text
    mask = bytearray(len(text) + 1)
    fenced = False
    prose = _prose_lines(text, scheme) if scheme > 1 else frozenset()
    for m in _LINE.finditer(text):
        line = m.group()
        fence = line.lstrip().startswith(("```", "~~~"))
        indented = line.startswith(("\t", "    ")) and m.start() not in prose
        if fence or fenced or indented or "|" in line or "\t" in line.rstrip("\n"):
            mask[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        fenced ^= fence
    for m in _INLINE.finditer(text):
        mask[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    if scheme > 2:
        for start, end in _protected3(text):
            mask[start:end] = b"\x01" * (end - start)
    covered = [0, *accumulate(mask)]
    return tuple(covered[e] > covered[s] for s, e in zip(tokens.starts, tokens.ends, strict=True))


# Scheme 3: a chunk with a dot between word characters, a letter on one side (a file name, a domain, a module path:
# "organise.py", "colour.example.com"; not "3.1") or opening with "-"/"--" (an option: "--no-colour"), never "e.g."
# nor "i.e.".
_DOTTED = re.compile(r"(?<!\S)\S*(?:[^\W\d]\.\w|\w\.[^\W\d])\S*|(?<!\S)[(\"'\u201c\u2018]?--?\w\S*")
_ABBREVIATION = re.compile(r"[(\"'\u201c\u2018]*(?:e\.g|i\.e)\.[,;:)\"'\u201d\u2019]*", re.IGNORECASE)
# Scheme 3: text in double quotes (a value, a key, a quoted rule: "grey", "colour") within a paragraph, or in single
# quotes within a line ('do not organise').
_QUOTED = re.compile(
    r'"(?:[^"\n]|\n(?![ \t]*\n))*"|\u201c(?:[^\u201d\n]|\n(?![ \t]*\n))*\u201d'
    # single quotes within a line: an apostrophe neither opens (a word before it: "users'") nor closes (a word after
    # it: "don't") a quote, so a copy's contractions never change what is quoted
    r"|(?<![\w'\u2019])['\u2018](?:[^'\u2018\u2019\n]|(?<=\w)['\u2019](?=\w)){1,80}?['\u2019](?![\w'\u2019])"
)
# Scheme 3: a line that reads as a command ("$ git checkout -- file", "pip install colour") or a name list's entry
# ("perl             - Larry Wall's ..."): padded columns before a dash.
_COMMAND_LINE = re.compile(
    r"(?m)^[ \t]*(?:[$>#][ \t]+)?(?:"
    + "|".join(re.escape(program) for program in sorted(variants.PROGRAMS, key=lambda p: (-len(p), p)))
    + r")[ \t]+[^\n]*|^[^\n]*\S[ \t]{2,}(?:-|--|\u2013|\u2014)[ \t][^\n]*"
)


def _protected3(text: str) -> list[tuple[int, int]]:
    """Scheme 3's extra spans no mark touches: dotted chunks and options, quoted text, command and name-list lines."""
    spans = [m.span() for m in _DOTTED.finditer(text) if not _ABBREVIATION.fullmatch(m.group().translate(STRIP_MARKS))]
    spans += [m.span() for m in _QUOTED.finditer(text)]
    spans += [m.span() for m in _COMMAND_LINE.finditer(text)]
    return spans


_PROSE_CHUNK = re.compile(
    r"[(\"'\u201c\u2018]*(?:[A-Za-z][A-Za-z'\u2019-]*|\d+(?:\.\d+)*|[ivx]+)[.,;:)\"'\u201d\u2019]*"
)
# Scheme 3: a copy's variants never change a chunk's kind ("10%", "e.g.", "a\u2014b" and " -- " read as prose, as
# "10 percent", "for example" and "a \u2014 b" do), so that a copy's indented paragraphs read as its original's.
_PROSE_CHUNK3 = re.compile(
    r"[(\"'\u201c\u2018]*(?:[A-Za-z][A-Za-z'\u2019-]*(?:[\u2014\u2013][A-Za-z][A-Za-z'\u2019-]*)*|\d+(?:\.\d+)*%?|[ivx]+"
    r"|e\.g|i\.e|[\u2014\u2013-]{1,2})[.,;:)\"'\u201d\u2019]*"
)
_CODE_SIGN = re.compile(r"[{}=<>$;\\`]|\(\)|::|^\s*[-+*/]\s")
# Scheme 3: a semicolon before a space or the end is prose ("a) ...; or"), one glued to a word is code ("x;y"); a
# call with arguments ("paint(room, colour)", not "Contribution(s)") is code.
_CODE_SIGN3 = re.compile(r"[{}=<>$\\`]|;(?=\S)|\(\)|::|^\s*[-+*/]\s|[A-Za-z_]\w*\((?!s\))[^()\s]*[,)]")
# Scheme 3: a line opened by a block keyword, ending in ":" and followed by a deeper-indented line is code ("for room
# in rooms:"); a prose line ending in ":" before an indented list ("a tool which will:\n  * Put") is not.
_HEADER = re.compile(
    r"(?m)^([ \t]*)(?:for|if|elif|else|while|def|class|try|except|finally|foreach|switch)\b[^\n]*:[ \t]*\n\1[ \t]+\S"
)
_PUNCTUATED = re.compile(r"[a-z)][.,;:](?:\s|$)")
# Scheme 3: a sentence's full stop, semicolon or colon, also after a closing quote ('all notices".') or a percent
# sign; never a comma (a copy adds and drops optional ones) nor the stop of "e.g.", "i.e.", "Dr.", "Mr.", "Mrs.", "Ms."
_PUNCTUATED3 = re.compile(r"(?<![.])(?<!\b[DM])(?<!\bMr)[a-z)%][\"'\u201d\u2019]?[.;:!?](?:\s|$)")


def _prose_lines(text: str, scheme: int) -> frozenset[int]:
    """Start offsets of the space-indented lines whose paragraph reads as prose: words with sentence punctuation,
    no code signs."""
    code_sign, punctuation = (_CODE_SIGN, _PUNCTUATED) if scheme == 2 else (_CODE_SIGN3, _PUNCTUATED3)
    prose_chunk = _PROSE_CHUNK if scheme == 2 else _PROSE_CHUNK3
    starts: set[int] = set()
    for block in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        lines = list(_LINE.finditer(block.group()))
        body = " ".join(line.group().strip() for line in lines)
        chunks = body.split()
        if not chunks or any(line.group().startswith("\t") for line in lines):
            continue
        words = sum(prose_chunk.fullmatch(chunk) is not None for chunk in chunks)
        punctuated = re.search(punctuation, body) is not None
        # scheme 3 counts the other chunks per line, which no variant changes (a copy's "to" for "in order to" would
        # change a share of the chunks)
        other = len(chunks) - words
        reads = other <= 0.15 * len(chunks) if scheme == 2 else other <= 1.5 * len(lines)
        header = scheme > 2 and _HEADER.search(block.group()) is not None
        if reads and punctuated and not code_sign.search(body) and not header:
            starts.update(block.start() + line.start() for line in lines)
    return frozenset(starts)


def align(original: tuple[str, ...], leaked: tuple[str, ...]) -> npt.NDArray[np.int64]:
    """For each original token, the index of the leaked token aligned to it, or -1.

    ``difflib.SequenceMatcher`` with its popular-element heuristic: about 0.05 s for two 10,000-word texts.
    Verbatim repeated passages are ambiguous: they are matched in order.
    """
    mapping = np.full(len(original), -1, dtype=np.int64)
    matcher = SequenceMatcher(None, original, leaked, autojunk=True)
    shortest = min(MIN_BLOCK, len(original))
    for block in matcher.get_matching_blocks():
        if block.size >= max(shortest, 1):
            mapping[block.a : block.a + block.size] = np.arange(block.b, block.b + block.size)
    return mapping
