"""Scheme 1: where the positions are, what a copy may change, and that nothing else changes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from molehunt.trace.carriers import variants
from molehunt.trace.carriers.text import MARKS, STRIP_MARKS
from molehunt.trace.carriers.tokens import fold, parts, plain_form, tokenize
from tests.unit.trace.carriers.conftest import Marked, assert_round_trips, codeword
from tests.unit.trace.carriers.prose import documents
from tests.unit.trace.carriers.scheme1 import embed, layout, normalize, offsets

ROOT = Path(__file__).resolve().parents[4]

FIXTURE = """Records handling at the Centre for Cyber Security

1. Purpose

This note explains how the organisation handles classified records. It was agreed with the Labour Party liaison \
group on 3 March 2024 and replaces version 3 of the note; see Section 4 and CVE-2024-3094 for background. Colour \
coding is used throughout, e.g. red for SECRET. The World Health Organisation and the Centre are consulted towards \
the end of each review.

Organisation of the archive is the job of Dr Helen Grey, whilst Mr. Price supports her. The team looks after \
3 servers, 5 racks, and a tape library \u2014 roughly 40% of the estate. Staff must not use removable drives, \
personal e-mail or cloud storage, i.e. anything outside the vault.

COLOUR PRINTING IS NOT ALLOWED.

    $ vault checkout DOC-4 --out colour-report.pdf --organise

| Site | Colour | Share |
| Bristol | grey | 5 % |

See https://intranet.example.org/colour-guide for the colour_scheme in colour.py and `organise()`.
"""

UNTOUCHED = (
    "Centre for Cyber Security",
    "Labour Party",
    "on 3 March 2024",
    "version 3 of the note",
    "Section 4",
    "CVE-2024-3094",
    "World Health Organisation and the Centre",
    "Organisation of the archive",
    "Helen Grey",
    "5 racks",
    "COLOUR PRINTING IS NOT ALLOWED.",
    "See https://intranet.example.org/colour-guide for the colour_scheme in colour.py and `organise()`.",
)
UNMARKED = (  # not even an invisible mark: a copied command or address must still work
    "\n\n    $ vault checkout DOC-4 --out colour-report.pdf --organise\n\n",
    "\n\n| Site | Colour | Share |\n| Bristol | grey | 5 % |\n\n",
    " https://intranet.example.org/colour-guide ",
    " `organise()`.\n",
)


def test_the_fixture_offers_exactly_the_safe_slots() -> None:
    where = offsets(FIXTURE)
    shape = layout(FIXTURE)
    words = [FIXTURE[at : at + 8] for at in where[: shape.robust]]
    assert words == [
        "organisa", "Colour c", "e.g. red", "towards ", "Dr Helen", "whilst M", "Mr. Pric", "3 server",
        ", and a ", " \u2014 rough", "% of the", "e-mail o", "i.e. any",
    ]  # fmt: skip
    assert shape.alphabet[: shape.robust] == (2, 2, 3, 2, 2, 2, 2, 2, 2, 3, 3, 2, 2)
    assert set(shape.alphabet[shape.robust :]) == {len(MARKS)}
    assert shape.fragile == len(shape.alphabet) - shape.robust > 100
    assert list(where[: shape.robust]) == sorted(where[: shape.robust])
    assert list(where[shape.robust :]) == sorted(where[shape.robust :])


@pytest.mark.parametrize("pick", ["first", "last", "random"])
def test_identifiers_dates_proper_nouns_code_and_tables_never_change(pick: str) -> None:
    shape = layout(FIXTURE)
    symbols = {
        "first": np.zeros(len(shape.alphabet), dtype=np.int64),
        "last": np.array(shape.alphabet) - 1,
        "random": codeword(shape, 11),
    }[pick]
    copy = embed(FIXTURE, symbols)
    visible = copy.translate(STRIP_MARKS)
    for text in UNTOUCHED:
        assert text in visible, text
    for text in UNMARKED:
        assert text in copy, text
    assert visible != FIXTURE


def test_case_is_kept_and_every_variant_is_written() -> None:
    shape = layout(FIXTURE)
    last = embed(FIXTURE, np.array(shape.alphabet) - 1).translate(STRIP_MARKS)
    first = embed(FIXTURE, [0] * len(shape.alphabet)).translate(STRIP_MARKS)
    assert "how the organization handles" in last and "Color coding is used" in last
    assert "how the organisation handles" in first and "Colour coding is used" in first
    assert "for instance red" in last and "for example red" in first
    assert "toward the end" in last and "towards the end" in first
    assert "job of Dr. Helen Grey, whilst Mr. Price" in last and "job of Dr Helen Grey, while Mr Price" in first
    assert "3 servers, 5 racks, and a tape library \u2013 roughly 40 per cent" in last
    assert "three servers, 5 racks and a tape library\u2014roughly 40 percent" in first
    assert "personal e-mail or cloud storage, i.e. anything" in last
    assert "personal email or cloud storage, that is anything" in first


def test_a_copy_differs_visibly_only_in_variant_words_and_slot_gaps(marked: Marked) -> None:
    before = tokenize(marked.original)
    after = tokenize(marked.copy_a.translate(STRIP_MARKS))
    assert before.keys == after.keys
    words = {form for group in (*variants.SPELLING, *variants.FUNCTION_WORDS) for form in group}
    words |= {*variants.EXAMPLE, *variants.THAT_IS, *variants.EMAIL, *variants.PERCENT, *variants.NUMBER_WORDS}
    words |= {*(form for group in variants.TITLES for form in group), *(str(n) for n in range(2, 10))}
    changed_words = changed_gaps = 0
    for i in range(len(before)):
        old, new = before.raw(i), after.raw(i)
        if old != new:
            changed_words += 1
            assert fold(old) == fold(new)
            if not {plain_form(old), plain_form(new)} <= words:  # a variant inside "organisation's", "well-organised"
                assert re.sub(r"[^\W\d_]+", "", old) == re.sub(r"[^\W\d_]+", "", new)
                pairs = [(a.group(), b.group()) for a, b in zip(parts(old), parts(new), strict=True)]
                changed = [{a.casefold(), b.casefold()} for a, b in pairs if a != b]
                assert changed and all(pair <= words for pair in changed), (old, new)
        old_gap, new_gap = before.gap(i), after.gap(i).translate(STRIP_MARKS)
        if old_gap != new_gap:
            changed_gaps += 1
            pair = {old_gap.strip(), new_gap.strip()}
            assert pair <= {"", ","} or pair <= {"\u2014", "\u2013", "-", "--"} or pair <= {"", "%"}, pair
    assert 0 < changed_words + changed_gaps <= marked.shape.robust


def test_every_copy_normalizes_to_the_original_normal_form(marked: Marked) -> None:
    normal = normalize(marked.original)
    assert normalize(marked.copy_a) == normal == normalize(marked.copy_b)
    assert normalize(normal) == normal
    assert not any(mark in normal for mark in MARKS)
    assert normal != marked.original  # variants are written in their canonical form
    assert normalize(embed(FIXTURE, codeword(layout(FIXTURE), 4))) == normalize(FIXTURE)


def test_a_ten_thousand_word_document_offers_hundreds_of_robust_and_thousands_of_fragile_positions(
    marked: Marked,
) -> None:
    words = len(marked.original.split())
    assert 10_000 <= words < 10_500
    assert marked.shape.robust >= 150
    assert marked.shape.fragile >= 0.9 * words


def test_embed_refuses_a_codeword_that_does_not_fit_the_layout() -> None:
    shape = layout(FIXTURE)
    with pytest.raises(ValueError, match="symbols"):
        embed(FIXTURE, [0] * (len(shape.alphabet) - 1))
    too_big = [0] * len(shape.alphabet)
    too_big[2] = 2  # "e.g." has three forms
    embed(FIXTURE, too_big)
    too_big[0] = 2  # "organisation" has two
    with pytest.raises(ValueError, match="position 0"):
        embed(FIXTURE, too_big)


def test_layout_is_the_same_in_every_process() -> None:
    script = (
        "import hashlib\n"
        "from molehunt.trace.carriers.text import layout, offsets\n"
        "from tests.unit.trace.carriers.prose import document\n"
        "t = document(3000, seed=2)\n"
        "print(hashlib.sha256(repr((layout(t, 1), offsets(t, 1), layout(t, 2), offsets(t, 2))).encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1 and len(next(iter(digests))) == 65


@settings(max_examples=60, deadline=None)
@given(text=documents(), seed=st.integers(0, 2**32 - 1))
def test_any_codeword_round_trips_and_normalizes_away(text: str, seed: int) -> None:
    assert_round_trips(text, seed, scheme=1)


def test_the_module_example_still_holds() -> None:
    import doctest

    from molehunt.trace.carriers import text

    result = doctest.testmod(text)
    assert result.attempted >= 5 and result.failed == 0
