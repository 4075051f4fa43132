"""The reader registry: each source takes its own typed options, and `ingest` refuses the others by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from molehunt.errors import InputError
from molehunt.ingest import (
    READERS,
    CertOptions,
    IngestReport,
    OcsfOptions,
    ReadOptions,
    Source,
    ingest,
    register,
)
from molehunt.progress import Progress
from molehunt.store import Store


def test_each_source_builds_only_its_own_options() -> None:
    assert READERS["cert"].options_from(strict=True, only=["logon"], internal=[]) == CertOptions(
        strict=True, only=frozenset({"logon"}), internal=()
    )
    assert READERS["ocsf"].options_from(internal=["dtaa.com"]) == OcsfOptions(internal=("dtaa.com",))
    assert READERS["hr"].options_from(strict=True) == ReadOptions(strict=True)
    with pytest.raises(InputError, match="--only selects CERT files"):
        READERS["ocsf"].options_from(only=["logon"])
    with pytest.raises(InputError, match="--only and --internal-domain apply to other sources"):
        READERS["hr"].options_from(internal=["dtaa.com"])


def test_options_are_refused_before_anything_is_read(tmp_path: Path, store: Store) -> None:
    with pytest.raises(InputError, match="--only and --internal-domain"):
        ingest(store, "hr", tmp_path / "missing.csv", only=["logon"])
    with pytest.raises(InputError, match="unknown source 'syslog'; known sources: cert, hr, ocsf"):
        ingest(store, "syslog", tmp_path)


def test_a_third_party_reader_registers_like_the_built_ins(tmp_path: Path, store: Store) -> None:
    seen: list[ReadOptions] = []

    def read_null(store: Store, path: Path, options: ReadOptions, progress: Progress | None, /) -> IngestReport:
        seen.append(options)
        return IngestReport("null", str(path), None, ())

    register(Source("null", ReadOptions, read_null, "the null source takes no options"))
    try:
        assert ingest(store, "null", tmp_path, strict=True).files == ()
        assert seen == [ReadOptions(strict=True)]
        with pytest.raises(InputError, match="the null source takes no options"):
            ingest(store, "null", tmp_path, only=["logon"])
    finally:
        del READERS["null"]
