"""Pseudonyms: stable per key, different across keys, resolvable only for ids seen."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from molehunt.pseudonyms import Pseudonyms


def test_stable_per_key_and_different_across_keys() -> None:
    one, again, other = Pseudonyms(b"a" * 32), Pseudonyms(b"a" * 32), Pseudonyms(b"b" * 32)
    assert one.of("ACM2278") == again.of("ACM2278")
    assert one.of("ACM2278") != other.of("ACM2278")
    assert re.fullmatch(r"P-[A-Z2-7]{8}", one.of("ACM2278"))
    assert len({one.of(f"U{i:04d}") for i in range(5000)}) == 5000


def test_resolve_knows_only_learnt_ids() -> None:
    names = Pseudonyms(b"k" * 32)
    pseudonym = Pseudonyms(b"k" * 32).of("BOB0001")
    assert names.resolve(pseudonym) is None
    names.learn(["BOB0001", "ANN0002"])
    assert names.resolve(pseudonym) == "BOB0001"


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    first = Pseudonyms.for_keys_dir(tmp_path / "keys").of("X1")
    key = tmp_path / "keys" / "pseudonym.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert Pseudonyms.for_keys_dir(tmp_path / "keys").of("X1") == first


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Pseudonyms(b"short")
