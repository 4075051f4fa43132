"""Schemes: scheme 1 reproduces the first copies exactly; an unknown scheme is a clear error."""

from __future__ import annotations

import hashlib

import pytest

from molehunt.trace.carriers.text import (
    CURRENT_SCHEME,
    SCHEMES,
    SchemeError,
    embed,
    extract,
    layout,
    normalize,
    offsets,
)
from tests.unit.trace.carriers.conftest import codeword, licence
from tests.unit.trace.carriers.prose import document
from tests.unit.trace.carriers.test_text_layout import FIXTURE

# Computed with the code that issued the first copies (before schemes existed): sha256 of repr((layout, offsets))
# and of the copy embedded with codeword(layout, 7).
GOLDEN = {
    "document": (
        64,
        3017,
        "7715f705253aa09b3908c7a20b770de2f63c7d726e1007d19cd5f0c999d0011a",
        "fb0dd2c07364674d5d3113b0cf22d1eef1c59d8861f557393bce1d874f1e824c",
    ),
    "fixture": (
        13,
        124,
        "0799f6e732c2141d613917968de1c91bba245388699ebbb49b3d2655c82d7330",
        "543c23c791f7daece44cdc111348c0734e522bb60ccbb868f32bfe1350bff0b1",
    ),
}
# Scheme 2's copies (issued before scheme 3): sha256 of repr((layout, offsets)), of the copy embedded with
# codeword(layout, 7) and of the normal form, computed before scheme 3 existed.
GOLDEN_2 = {
    "GPL-3": (
        134,
        5121,
        "02f1f2ec50c2da45013c1855a093cfafef0dfb76890eec9893442eaa90f3cfd0",
        "657ae40ce24aa078e4370138702b1f1831c28d5c02c6dde4669236d4b50cc2cf",
        "0693a3e866cbf8ce9485a570c05aaad3a5cfd6b94860b58364389a31ba876421",
    ),
    "MPL-2.0": (
        33,
        2131,
        "3706a89f84e75bae8a9c961d26bd3ab0a273ee64705374c5dac5e58a3d133f12",
        "0e747d0b507033610b8c6c4522e9010bb90f95dc3de1abd0ca116702205daa2b",
        "c2b1047c6999e813b3a429182d1389758ff2fa8555a6203e004a29ec4a304426",
    ),
    "Apache-2.0": (
        15,
        1293,
        "d7a9ca83ede0a2d8bab305955dd48d662c3a764fad7bf9442c8d9947fa2a7a9d",
        "cef46a5a310a127ed44fd6e1fbc03fda3e39d352263205d8d8ac6bdbdad7a423",
        "e24bd97ef2c4dee5388a5ee378a0bb9d40a69ca896d279f1cf303d18b3899374",
    ),
    "document": (
        67,
        2979,
        "24d7e46232502d0f5b95f9ff7503ecce42b5490406a0d14af644f0213ab8f37d",
        "366aa9745a294093232bf7d9f72ac53549813dacb0d291069f23aaad3ed7a6ed",
        "04a7f7059d3c0bac7f478223f9d193fdd1823b5afeb1d6a3f14a42349e502cce",
    ),
}
SMALL = "The team will organise the archive, e.g. by colour."
SMALL_COPY = (
    "The\u200b team\u200c will\u200d organize\u2060 the\u200b archive,\u200c for instance\u200d by\u2060 colour."
)


def _digest(value: object) -> str:
    return hashlib.sha256(str(value).encode()).hexdigest()


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_scheme_1_lays_out_and_embeds_exactly_as_the_first_copies(name: str) -> None:
    text = document(3000, seed=2) if name == "document" else FIXTURE
    shape = layout(text, scheme=1)
    robust, fragile, shape_digest, copy_digest = GOLDEN[name]
    assert (shape.robust, shape.fragile) == (robust, fragile)
    assert _digest(repr((shape, offsets(text, scheme=1)))) == shape_digest
    assert _digest(embed(text, codeword(shape, 7), scheme=1)) == copy_digest


@pytest.mark.parametrize("name", sorted(GOLDEN_2))
def test_scheme_2_lays_out_embeds_and_normalizes_exactly_as_its_copies(name: str) -> None:
    text = document(3000, seed=2) if name == "document" else licence(name)
    shape = layout(text, scheme=2)
    robust, fragile, shape_digest, copy_digest, normal_digest = GOLDEN_2[name]
    assert (shape.robust, shape.fragile) == (robust, fragile)
    assert _digest(repr((shape, offsets(text, scheme=2)))) == shape_digest
    assert _digest(embed(text, codeword(shape, 7), scheme=2)) == copy_digest
    assert _digest(normalize(text, scheme=2)) == normal_digest


def test_scheme_1_small_copy_is_the_golden_string() -> None:
    assert embed(SMALL, [1, 2, 0, 0, 1, 2, 3, 0, 1, 2, 3], scheme=1) == SMALL_COPY
    assert extract(SMALL, SMALL_COPY, scheme=1).tolist() == [1, 2, 0, 0, 1, 2, 3, 0, 1, 2, 3]


def test_new_copies_use_the_current_scheme() -> None:
    assert CURRENT_SCHEME == 3 and CURRENT_SCHEME in SCHEMES
    assert layout(SMALL) == layout(SMALL, scheme=CURRENT_SCHEME)


@pytest.mark.parametrize("scheme", [0, 4, -1])
def test_an_unknown_scheme_is_a_clear_error(scheme: int) -> None:
    for call in (
        lambda: layout(SMALL, scheme=scheme),
        lambda: offsets(SMALL, scheme=scheme),
        lambda: embed(SMALL, [0], scheme=scheme),
        lambda: extract(SMALL, SMALL, scheme=scheme),
        lambda: normalize(SMALL, scheme=scheme),
    ):
        with pytest.raises(SchemeError, match="unknown fingerprint scheme"):
            call()
