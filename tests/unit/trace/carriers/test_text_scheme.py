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
from tests.unit.trace.carriers.conftest import codeword
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


def test_scheme_1_small_copy_is_the_golden_string() -> None:
    assert embed(SMALL, [1, 2, 0, 0, 1, 2, 3, 0, 1, 2, 3], scheme=1) == SMALL_COPY
    assert extract(SMALL, SMALL_COPY, scheme=1).tolist() == [1, 2, 0, 0, 1, 2, 3, 0, 1, 2, 3]


def test_new_copies_use_the_current_scheme() -> None:
    assert CURRENT_SCHEME == 2 and CURRENT_SCHEME in SCHEMES
    assert layout(SMALL) == layout(SMALL, scheme=CURRENT_SCHEME)


@pytest.mark.parametrize("scheme", [0, 3, -1])
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
