"""A Hypothesis state machine over appends, checkpoints, proofs, reopening and torn writes."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from molehunt.audit import AuditLog, NewEntry, merkle
from molehunt.audit.checkpoint import Checkpoint
from molehunt.audit.verify import ENTRIES_FILE

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class AuditLogMachine(RuleBasedStateMachine):
    """The model is the list of canonical entry bytes and the checkpoints taken so far."""

    @initialize()
    def start(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="audit-state-"))
        self.log = AuditLog.open(self.home / "audit", self.home / "keys")
        self.model: list[bytes] = []
        self.taken: list[Checkpoint] = []

    def teardown(self) -> None:
        if hasattr(self, "log"):
            self.log.close()
            shutil.rmtree(self.home, ignore_errors=True)

    @rule(actors=st.lists(st.sampled_from(["alice", "bob", "ĉarlie"]), min_size=1, max_size=5))
    def append(self, actors: list[str]) -> None:
        news = [NewEntry(a, "read", f"doc-{len(self.model) + i}", {"k": i}, T0) for i, a in enumerate(actors)]
        indexes = self.log.append_many(news)
        assert indexes == list(range(len(self.model), len(self.model) + len(actors)))
        self.model += [self.log.entry(i).canonical for i in indexes]

    @rule()
    def checkpoint(self) -> None:
        signed = self.log.checkpoint()
        assert signed.tree_size == len(self.model)
        assert signed.root_hash == merkle.root([merkle.leaf_hash(e) for e in self.model])
        self.taken.append(signed)

    @precondition(lambda self: bool(self.taken) and self.taken[-1].tree_size > 0)
    @rule(data=st.data())
    def prove(self, data: st.DataObject) -> None:
        index = data.draw(st.integers(0, self.taken[-1].tree_size - 1))
        proof = self.log.prove(index)
        proof.verify(self.log.public_key, entry=self.model[index])

    @precondition(lambda self: bool(self.taken))
    @rule(data=st.data())
    def consistent_with_an_old_checkpoint(self, data: st.DataObject) -> None:
        old = data.draw(st.sampled_from(self.taken))
        self.log.prove_consistency(old).verify(self.log.public_key, old)
        assert self.log.verify(against=old).ok

    @rule(junk=st.binary(min_size=1, max_size=6))
    def crash_mid_append_then_recover(self, junk: bytes) -> None:
        self.log.close()
        with (self.home / "audit" / ENTRIES_FILE).open("ab") as handle:
            handle.write(b"\x00\x00\x01\x00" + junk if len(junk) > 3 else junk)
        self.log = AuditLog.open(self.home / "audit", self.home / "keys")
        assert self.log.damage is not None and not self.log.verify().ok
        self.log.close()
        self.log = AuditLog.open(self.home / "audit", self.home / "keys", truncate_incomplete_tail=True)

    @invariant()
    def log_matches_model(self) -> None:
        if not hasattr(self, "log"):
            return
        assert self.log.size == len(self.model)
        assert self.log.damage is None


TestAuditLogMachine = AuditLogMachine.TestCase
TestAuditLogMachine.settings = settings(max_examples=25, stateful_step_count=12, deadline=None)


def test_a_full_verify_at_the_end_of_a_run() -> None:
    # The machine checks verify() only against old checkpoints; this covers the plain call on a mixed history.
    home = Path(tempfile.mkdtemp())
    try:
        with AuditLog.open(home / "audit", home / "keys") as log:
            log.append_many(NewEntry("a", "b", "c", {}, T0) for _ in range(3))
            log.checkpoint()
            log.append(NewEntry("a", "b", "c", {}, T0))
            report = log.verify()
            assert report.ok and report.uncovered == 1
    finally:
        shutil.rmtree(home)
