"""A leaked GPL-3 copy after the attacks of bench/text_attacks.py still names its recipient, and only it."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from bench.text_attacks import ATTACKS, retype, spell_check, strip_invisible
from molehunt.trace.carriers.text import _plan, embed, extract, layout
from molehunt.trace.code import FingerprintCode, accuse
from tests.unit.trace.carriers.conftest import licence
from tests.unit.trace.carriers.prose import document

GPL3 = licence("GPL-3")
RECIPIENTS = [f"r{i:02d}" for i in range(30)]


def _code(text: str, seed: int) -> FingerprintCode:
    return FingerprintCode(seed.to_bytes(32, "big"), layout(text).alphabet)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_stripped_and_spell_checked_gpl3_names_its_single_recipient_among_30(seed: int) -> None:
    code = _code(GPL3, seed)
    leaked = spell_check(embed(GPL3, code.codeword("r07")))
    assert not any(unicodedata.category(c) == "Cf" for c in leaked)
    read = extract(GPL3, leaked)
    robust = layout(GPL3).robust
    assert (read[robust:] == -1).all(), "the fragile layer is gone"
    accusation = accuse(code, read, RECIPIENTS, eps=1e-5)
    assert [r for r, _ in accusation.accused] == ["r07"]


@pytest.mark.parametrize("attack", ["zero-width stripped", "spell-checked", "retyped"])
def test_the_unmarked_original_accuses_nobody(attack: str) -> None:
    read = extract(GPL3, ATTACKS[attack](GPL3))
    assert (read >= 0).sum() > 50  # the original's own forms are read: symbols no recipient is tied to
    for seed in (1, 2):
        assert accuse(_code(GPL3, seed), read, RECIPIENTS, eps=1e-5).accused == ()


def test_spell_checking_a_british_copy_moves_only_the_spelling_position() -> None:
    original = document(3000, seed=4)  # British spelling
    shape = layout(original)
    plan = _plan(original, 2)
    spelling = next(k for k, slots in enumerate(plan.positions) if plan.slots[slots[0]].group == "spelling -ize")
    symbols = FingerprintCode(b"\x05" * 32, shape.alphabet).codeword("r01")
    symbols[spelling] = 0  # British -ise
    checked = spell_check(embed(original, symbols))
    assert "organise" not in checked and "organize" in checked
    read = extract(original, checked)[: shape.robust]
    assert read[spelling] == 1  # now -ize: one wrong symbol, not a lost copy
    others = np.delete(np.arange(shape.robust), spelling)
    assert (read[others] == symbols[others]).mean() > 0.9


def test_strip_and_retype_remove_every_invisible_mark_and_keep_the_words() -> None:
    copy = embed(GPL3, _code(GPL3, 4).codeword("r03"))
    for attacked in (strip_invisible(copy), retype(copy, seed=2)):
        assert not any(unicodedata.category(c) == "Cf" for c in attacked)
        assert 0.97 < len(attacked.split()) / len(GPL3.split()) < 1.03


def test_a_retyped_gpl3_keeps_most_robust_positions_and_names_its_recipient() -> None:
    code = _code(GPL3, 6)
    symbols = code.codeword("r11")
    read = extract(GPL3, retype(embed(GPL3, symbols), seed=1))
    robust = layout(GPL3).robust
    right = (read[:robust] == symbols[:robust]).mean()
    assert right > 0.9
    assert [r for r, _ in accuse(code, read, RECIPIENTS, eps=1e-5).accused] == ["r11"]
