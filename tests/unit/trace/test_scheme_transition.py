"""Copies issued under scheme 2 stay traceable after scheme 3 became current: each is read with its own scheme."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from molehunt.config import Home
from molehunt.store import open_store
from molehunt.trace import marking
from molehunt.trace.carriers import text
from molehunt.trace.carriers.text import CURRENT_SCHEME, STRIP_MARKS, Layout
from molehunt.vault import service
from molehunt.vault.service import Vault
from molehunt.vault.tracing import trace_leak
from tests.unit.trace.carriers.prose import document

RECIPIENTS = [f"user{i:02d}" for i in range(12)]


def _layout2(original: str) -> Layout:
    return text.layout(original, scheme=2)


def _embed2(original: str, symbols: Sequence[int] | npt.NDArray[np.integer]) -> str:
    return text.embed(original, symbols, scheme=2)


def test_scheme_2_and_scheme_3_copies_of_one_document_are_each_traced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CURRENT_SCHEME == 3
    home = Home(tmp_path / "home").ensure()
    memo = tmp_path / "memo.md"
    memo.write_text(document(2500, seed=41))
    with open_store(home.store_path) as store:
        vault = Vault(home, store)
        for user in RECIPIENTS:
            vault.grant(user, "SECRET", ["apollo"])
        doc_id = vault.add(memo, "SECRET", "apollo", as_user="user00")
        assert text.layout(memo.read_text(), scheme=3) != text.layout(memo.read_text(), scheme=2)
        with monkeypatch.context() as old:  # the copies issued before scheme 3
            old.setattr(marking, "layout", _layout2)
            old.setattr(marking, "embed", _embed2)
            details = service._fingerprint_details
            old.setattr(
                service,
                "_fingerprint_details",
                lambda marked: {"fingerprint": {**details(marked)["fingerprint"], "scheme": 2}},
            )
            for user in RECIPIENTS[:6]:
                vault.checkout(doc_id, for_user=user, out_path=tmp_path / f"{user}.md")
        for user in RECIPIENTS[6:]:
            vault.checkout(doc_id, for_user=user, out_path=tmp_path / f"{user}.md")
        schemes = vault.recipient_schemes(doc_id)
        assert schemes["user02"] == {2} and schemes["user09"] == {3}
        for user in ("user02", "user09"):
            leak = tmp_path / f"{user}-retyped.md"  # the invisible marks stripped: the robust layer alone
            leak.write_text((tmp_path / f"{user}.md").read_text().translate(STRIP_MARKS))
            for copy in (tmp_path / f"{user}.md", leak):
                found = trace_leak(vault, copy, doc_id=None, actor="analyst")  # matched by content
                assert found.doc_id == doc_id
                assert [u for u, _ in found.accusation.accused] == [user]
            found = trace_leak(vault, tmp_path / f"{user}.md", doc_id=doc_id, actor="analyst")
            assert [u for u, _ in found.accusation.accused] == [user]
        assert trace_leak(vault, memo, doc_id=doc_id, actor="analyst").accusation.accused == ()
