"""Reading a codeword back: whole copies, excerpts, re-wrapped, retyped and merged copies, unrelated text."""

from __future__ import annotations

import random
import re
import textwrap
import unicodedata

import numpy as np

from molehunt.trace.carriers.text import MARKS, STRIP_MARKS
from molehunt.trace.carriers.tokens import PART_FOLD, WHOLE_FOLD, tokenize
from tests.unit.trace.carriers.conftest import Marked
from tests.unit.trace.carriers.prose import UNRELATED
from tests.unit.trace.carriers.scheme1 import extract, layout, offsets


def test_a_whole_copy_reads_back_exactly(marked: Marked) -> None:
    assert np.array_equal(extract(marked.original, marked.copy_a), marked.a)
    assert np.array_equal(extract(marked.original, marked.copy_b), marked.b)
    assert not np.array_equal(marked.a, marked.b)


def test_the_original_itself_reads_robust_slots_and_no_fragile_marks(marked: Marked) -> None:
    read = extract(marked.original, marked.original)
    robust = marked.shape.robust
    assert (read[:robust] >= 0).all()
    assert (read[robust:] == -1).all()


def _excerpt(marked: Marked, start_share: float, share: float) -> tuple[str, np.ndarray]:
    blocks = marked.copy_a.split("\n\n")
    total = len(marked.copy_a)
    first = next(i for i, _ in enumerate(blocks) if len("\n\n".join(blocks[:i])) >= start_share * total)
    last = first
    while len("\n\n".join(blocks[first : last + 1])) < share * total:
        last += 1
    inside = (marked.paragraph >= first) & (marked.paragraph <= last)
    return "\n\n".join(blocks[first : last + 1]), inside


def test_excerpts_read_their_positions_and_minus_one_elsewhere(marked: Marked) -> None:
    for start, share in ((0.4, 0.3), (0.05, 0.1), (0.85, 0.1)):
        excerpt, inside = _excerpt(marked, start, share)
        read = extract(marked.original, excerpt)
        assert np.array_equal(read, np.where(inside, marked.a, -1)), (start, share)
        assert 0.08 < inside.mean() < 0.35


def test_collapsed_whitespace_and_changed_line_ends_keep_every_symbol(marked: Marked) -> None:
    collapsed = re.sub(r"\s+", " ", marked.copy_a)  # the marks are not whitespace: they stay
    crlf = marked.copy_a.replace("\n", "\r\n")
    for copy in (collapsed, crlf):
        assert copy != marked.copy_a
        assert np.array_equal(extract(marked.original, copy), marked.a)


def test_a_rewrapped_copy_keeps_the_robust_layer_and_never_misreads_a_mark(marked: Marked) -> None:
    # textwrap also breaks "read-only" into "read-" / "only": the words around such a break are not aligned.
    rewrapped = "\n\n".join(textwrap.fill(block, width=58) for block in marked.copy_a.split("\n\n"))
    assert "read-\n" in rewrapped
    read = extract(marked.original, rewrapped)
    robust = marked.shape.robust
    assert np.array_equal(read[:robust], marked.a[:robust])
    fragile, want = read[robust:], marked.a[robust:]
    assert ((fragile == want) | (fragile == -1)).all()
    assert (fragile == want).mean() > 0.995


def test_a_copy_with_its_spaces_removed_reads_minus_one_not_a_wrong_symbol(marked: Marked) -> None:
    # A tool that rewrites every gap ("word<mark> next" -> "word next") loses the marks it rewrote.
    rewritten = re.sub(r"[\u200b\u200c\u200d\u2060]?\s+", " ", marked.copy_a)
    read = extract(marked.original, rewritten)
    robust = marked.shape.robust
    assert np.array_equal(read[:robust], marked.a[:robust])
    assert (read[robust:] == -1).all()


def _retype(text: str, seed: int) -> str:
    """What a person typing the copy produces: no invisible marks, new line breaks, straight quotes, a few typos."""
    rng = random.Random(seed)
    variants = set(PART_FOLD) | set(WHOLE_FOLD)

    def typo(m: re.Match[str]) -> str:
        word = m.group()
        if len(word) < 7 or word.lower() in variants or rng.random() > 0.02:
            return word
        k = rng.randrange(1, len(word) - 1)
        return word[:k] + word[k + 1] + word[k] + word[k + 2 :]

    plain = unicodedata.normalize("NFKC", text.translate(STRIP_MARKS)).replace("\u2019", "'")
    typed = re.sub(r"[^\W\d_]+", typo, plain)
    return "\n\n".join(textwrap.fill(block, width=72) for block in typed.split("\n\n"))


def test_a_retyped_copy_keeps_the_robust_layer_and_reads_fragile_as_erased(marked: Marked) -> None:
    retyped = _retype(marked.copy_a, seed=3)
    assert not any(mark in retyped for mark in MARKS)
    read = extract(marked.original, retyped)
    robust = marked.shape.robust
    got, want = read[:robust], marked.a[:robust]
    assert ((got == want) | (got == -1)).all(), "a typo may hide a slot, never change it"
    assert (got == want).mean() > 0.9
    assert (read[robust:] == -1).all(), "a plain space is unmarked, never symbol 0"


def test_stripping_format_characters_erases_exactly_the_fragile_layer(marked: Marked) -> None:
    stripped = "".join(c for c in marked.copy_b if unicodedata.category(c) != "Cf")
    read = extract(marked.original, stripped)
    robust = marked.shape.robust
    assert np.array_equal(read[:robust], marked.b[:robust])
    assert (read[robust:] == -1).all()


def test_merged_paragraphs_read_each_position_from_the_copy_it_came_from(marked: Marked) -> None:
    from_a = marked.copy_a.split("\n\n")
    from_b = marked.copy_b.split("\n\n")
    assert len(from_a) == len(from_b)
    rng = random.Random(5)
    take_b = [rng.random() < 0.5 for _ in from_a]
    merged = "\n\n".join(b if use_b else a for a, b, use_b in zip(from_a, from_b, take_b, strict=True))
    expected = np.where(np.array(take_b)[marked.paragraph], marked.b, marked.a)
    assert np.array_equal(extract(marked.original, merged), expected)
    differs = marked.a != marked.b
    assert (expected[differs] == marked.b[differs]).any() and (expected[differs] == marked.a[differs]).any()


def test_a_gap_holding_two_different_marks_reads_minus_one() -> None:
    original = "The archive is reviewed by the records team every spring and autumn."
    fragile = layout(original).fragile
    read = extract(original, original.replace(" every", "\u200b\u200c every"))
    assert read.tolist().count(-1) == fragile
    read = extract(original, original.replace(" every", "\u200c every"))
    assert read.tolist().count(1) == 1


def test_an_unrelated_text_reads_nothing(marked: Marked) -> None:
    read = extract(marked.original, UNRELATED)
    assert (read == -1).all()
    marked_unrelated = UNRELATED.replace(" ", "\u200b ")
    assert (extract(marked.original, marked_unrelated) == -1).mean() > 0.999
    assert (extract(marked.original, "") == -1).all()


def test_a_deletion_never_moves_a_later_mark_onto_an_earlier_gap(marked: Marked) -> None:
    words = tokenize(marked.copy_a)
    i, k = 4000, 4030  # cut after word i's text up to word k's mark: "word_i" + mark_k + " next"
    cut = marked.copy_a[: words.ends[i]] + marked.copy_a[words.ends[k] :]
    read = extract(marked.original, cut)
    assert ((read == marked.a) | (read == -1)).all()
    gap_i = offsets(marked.original).index(tokenize(marked.original).ends[i])
    assert read[gap_i] == -1
    assert (read != -1).mean() > 0.99
