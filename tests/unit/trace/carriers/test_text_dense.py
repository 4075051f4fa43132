"""Scheme 2: the dense robust layer (more classes), consistent within a document, and its round trips."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from molehunt.trace.carriers.text import CURRENT_SCHEME, STRIP_MARKS, _plan, embed, extract, layout, normalize
from molehunt.trace.carriers.tokens import parts, plain_form, tokenize
from tests.unit.trace.carriers.conftest import assert_round_trips, codeword, licence
from tests.unit.trace.carriers.prose import document, documents
from tests.unit.trace.carriers.test_text_layout import FIXTURE

DENSITY_FLOOR = {"GPL-3": 0.022, "MPL-2.0": 0.012, "Apache-2.0": 0.009}

EXAMPLES = (
    "In practice, the team does not organise the archive in spite of the rules. If you convey the Program, you "
    "must ensure that you keep the notice, and you must not remove it. Anyone who asks is told that it is fine. We "
    "have received numerous requests prior to the review which are in the queue. Moreover, the co-operation of all "
    "of the staff cannot be assumed. Although the colour is grey, the centre will re-use it whilst we are here."
)


@pytest.mark.parametrize("name", ["GPL-3", "Apache-2.0", "MPL-2.0"])
def test_real_texts_round_trip_and_normalize_away(name: str) -> None:
    text = licence(name)
    shape = layout(text)
    for seed in (1, 2):
        symbols = codeword(shape, seed)
        copy = embed(text, symbols)
        assert np.array_equal(extract(text, copy), symbols)
        assert normalize(copy) == normalize(text)
        stripped = "".join(c for c in copy if unicodedata.category(c) != "Cf")
        read = extract(text, stripped)
        assert np.array_equal(read[: shape.robust], symbols[: shape.robust])
        assert (read[shape.robust :] == -1).all()


@pytest.mark.parametrize("name", sorted(DENSITY_FLOOR))
def test_scheme_2_is_denser_than_scheme_1_on_real_licences(name: str) -> None:
    text = licence(name)
    words = len(text.split())
    dense, first = layout(text).robust, layout(text, scheme=1).robust
    assert dense / words >= DENSITY_FLOOR[name]
    assert dense > first


def test_every_class_writes_both_ways_and_nothing_else_changes() -> None:
    shape = layout(EXAMPLES, scheme=2)  # scheme 3 keeps the comma before a noun subject ("grey, the centre")
    last = embed(EXAMPLES, np.array(shape.alphabet) - 1, scheme=2).translate(STRIP_MARKS)
    first = embed(EXAMPLES, [0] * len(shape.alphabet), scheme=2).translate(STRIP_MARKS)
    assert last == (
        "In practice, the team doesn't organize the archive despite the rules. If you convey the Program, you must "
        "ensure that you keep the notice, and you mustn't remove it. Anybody who asks is told that it's fine. We've "
        "received many requests before the review that are in the queue. Additionally, the co-operation of all the "
        "staff can't be assumed. Though the color is gray, the center will re-use it whilst we're here."
    )
    assert first == (
        "In practice the team does not organise the archive in spite of the rules. If you convey the Program you "
        "must ensure you keep the notice and you must not remove it. Anyone who asks is told that it is fine. We "
        "have received numerous requests prior to the review which are in the queue. Moreover, the cooperation of "
        "all of the staff cannot be assumed. Although the colour is grey the centre will reuse it while we are here."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Stay a while and listen.",  # "while" as a noun
        "However, the work is built.",  # "However" keeps its comma
        "You can not sign it and still use it.",  # "can not" = may refrain
        "You have the right to copy it.",  # "have" as a main verb
        "It stays as it is.",  # "it is" closing its clause
        "Ask the manager, which is quicker.",  # a non-restrictive "which"
        "Decide which is better for you.",  # an interrogative "which"
        "Since you asked, the team helps.",  # "since" is left out (time or cause)
        "Call us before noon if you can.",  # "before" and "if" only from "prior to" and "in the event that"
        "They arrive at approximately the same time.",  # "approximately" only before a number
    ],
)
def test_sentences_without_a_safe_variant_offer_no_robust_position(sentence: str) -> None:
    shape = layout(sentence)
    assert shape.robust == 0, [s for s in _plan(sentence, CURRENT_SCHEME).slots]


def test_memo_phrases_vary() -> None:
    memo = "We frequently assist each other; perhaps approximately 40 staff commence work at 9."
    shape = layout(memo, scheme=2)
    assert shape.robust == 6
    last = embed(memo, np.array(shape.alphabet) - 1, scheme=2).translate(STRIP_MARKS)
    assert last == "We often help one another; maybe about 40 staff begin work at 9."


def _forms_written(original: str, copy: str) -> dict[str, set[str]]:
    """For each document-level class, the forms the copy wrote at its slots."""
    plan = _plan(original, CURRENT_SCHEME)
    written = tokenize(copy.translate(STRIP_MARKS), CURRENT_SCHEME)
    assert written.keys == plan.tokens.keys
    out: dict[str, set[str]] = {}
    for slot in plan.slots:
        if not slot.group:
            continue
        raw = written.raw(slot.token)
        if slot.kind == "part":
            form = parts(raw)[slot.part].group().casefold()
        elif slot.kind in ("dash", "serial"):
            form = written.gap(slot.token).translate(STRIP_MARKS).strip() or " "
        else:
            form = plain_form(raw)
        out.setdefault(slot.group, set()).add(str(slot.forms.index(form)) if form in slot.forms else form)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_a_copy_never_mixes_spellings_or_styles(seed: int) -> None:
    original = document(6000, seed=seed) + "\n\n" + FIXTURE
    shape = layout(original)
    copy = embed(original, codeword(shape, seed))
    written = _forms_written(original, copy)
    assert {"spelling", "serial", "dash", "percent", "email"} <= set(written)
    assert len(written["spelling"]) == 1 and written["spelling"] <= {"0", "1"}
    for group, forms in written.items():
        assert len(forms) == 1, (group, forms)
    counts = [len([s for s in _plan(original, CURRENT_SCHEME).slots if s.group == "spelling"])]
    assert counts[0] > 10  # one position carried by many words


def test_a_document_level_position_is_read_by_majority() -> None:
    original = document(4000, seed=3)
    shape = layout(original)
    symbols = codeword(shape, 5)
    plan = _plan(original, CURRENT_SCHEME)
    spelling = next(k for k, slots in enumerate(plan.positions) if plan.slots[slots[0]].group == "spelling")
    slots = [plan.slots[k] for k in plan.positions[spelling]]
    assert len(slots) >= 5
    copy = embed(original, symbols)
    # A reader "fixes" the first two spelling slots back to the other convention: the majority still reads.
    flipped = symbols.copy()
    flipped[spelling] = 1 - symbols[spelling]
    other = embed(original, flipped)
    cut = tokenize(copy, CURRENT_SCHEME).starts[slots[2].token]
    mixed = other[: tokenize(other, CURRENT_SCHEME).starts[slots[2].token]] + copy[cut:]
    assert extract(original, mixed)[spelling] == symbols[spelling]


@settings(max_examples=60, deadline=None)
@given(text=documents((EXAMPLES,)), seed=st.integers(0, 2**32 - 1))
def test_any_scheme_2_codeword_round_trips_and_normalizes_away(text: str, seed: int) -> None:
    assert_round_trips(text, seed, scheme=2)


def test_no_form_belongs_to_two_classes() -> None:
    from molehunt.trace.carriers import phrases, variants

    groups = [
        *variants.SPELLING,
        *variants.FUNCTION_WORDS,
        variants.EXAMPLE,
        variants.THAT_IS,
        *variants.TITLES,
        variants.EMAIL,
        variants.PERCENT,
        *(group.forms for group in (*phrases.SYNONYMS, phrases.CONNECTIVES, *phrases.CONTRACTIONS)),
        *phrases.COMPOUNDS,
        phrases.RESTRICTIVE.forms,
    ]
    seen: dict[str, tuple[str, ...]] = {}
    for group in groups:
        for form in group:
            assert seen.setdefault(form, group) == group, (form, seen[form], group)
    # a phrase never contains another class's variant word, which a copy could rewrite and split the phrase
    words = {form for group in groups for form in group if " " not in form}
    for group in (*phrases.SYNONYMS, *phrases.CONTRACTIONS):
        for form in group.forms:
            if " " in form:
                assert not set(form.split()) & (words - set(group.forms) - {"that", "to", "if", "so"}), form


def test_a_copy_merged_from_two_recipients_reads_only_their_symbols() -> None:
    original = document(6000, seed=9)
    shape = layout(original)
    a, b = codeword(shape, 1), codeword(shape, 2)
    from_a, from_b = embed(original, a).split("\n\n"), embed(original, b).split("\n\n")
    rng = random.Random(3)
    merged = "\n\n".join(x if rng.random() < 0.5 else y for x, y in zip(from_a, from_b, strict=True))
    read = extract(original, merged)
    assert ((read == a) | (read == b) | (read == -1)).all()
    same = a == b
    assert (read[same] == a[same]).mean() > 0.99  # where the copies agree the leak says the same
    assert (read[~same] == a[~same]).any() and (read[~same] == b[~same]).any()


FRAGMENTS = (
    *"abcIT (),.;:'\"-\u2014\u2013\u2019\n\t%09|`$",
    *("do not", "it is", "you are", " which ", " that ", "If you ", "ensure that you", "(if any)", "colour", "Dr "),
    *("In practice, ", " and you must", "co-operate", "e.g.", "in spite of", " the work which is ", "Moreover, "),
    *(" any work that are ", "When they ", ", or we ", "(see it)", " (and so on) ", "3 servers", "10 percent"),
    *(" \u2014 ", "organise", "Anyone", "we have made"),
)


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=40), seed=st.integers(0, 1000))
def test_any_text_round_trips_even_with_odd_punctuation(parts: list[str], seed: int) -> None:
    text = "".join(parts)
    symbols = codeword(layout(text), seed)
    copy = embed(text, symbols)
    assert np.array_equal(extract(text, copy), symbols)
    assert normalize(copy) == normalize(text)


def test_an_indented_prose_paragraph_carries_positions_and_indented_code_does_not() -> None:
    prose = "      If you convey the work, you must not remove\n      the notice, which is required by law.\n"
    code = "    if colour := organise(items):\n        return do_not(it) + 3\n"
    assert layout(prose).robust >= 2 and layout(prose, scheme=1).robust == 0
    shape = layout(code)
    assert shape.robust == 0 and shape.fragile == 0
    assert embed(code, []) == code
