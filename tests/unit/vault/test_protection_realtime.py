"""Protection as it happens: the vault's own events raise a person's level within the request that calls for it
(a burst far above the usual rate, need-to-know refusals, a decoy touch), never an ordinary reader's."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from molehunt.audit import AuditLog, verify_directory
from molehunt.config import Home
from molehunt.opstore import connect
from molehunt.protect import Level, level_of, list_levels
from molehunt.store import Store
from molehunt.vault import Vault, VaultConfig, VaultDenied
from molehunt.vault.errors import VaultHeld
from molehunt.vault.realtime import gather
from tests.unit.vault.conftest import Clock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def vault(home: Home, store: Store, clock: Clock) -> Vault:
    made = Vault(home, store, VaultConfig(), clock=clock)
    for label in ("CONFIDENTIAL", "SECRET"):  # no write down: a writer per label
        made.grant(f"writer-{label.lower()}", label, ["apollo", "gemini"])
    for user in ("eve", "ann", "bob", "cid"):
        made.grant(user, "SECRET", ["apollo"])
    made.grant("olga", "SECRET", ["apollo"], approver=True)
    return made


def documents(vault: Vault, tmp_path: Path, label: str, project: str, count: int) -> list[str]:
    path = tmp_path / "doc.md"
    path.write_text(f"# {project} notes\n")
    return [vault.add(path, label, project, as_user=f"writer-{label.lower()}") for _ in range(count)]


def level(home: Home, user: str) -> Level:
    with closing(connect(home)) as con:
        return level_of(con, user).level


def test_the_seed_case_is_at_high_within_its_requests_and_held(
    vault: Vault, home: Home, store: Store, clock: Clock, tmp_path: Path
) -> None:
    store.con.execute(
        "INSERT INTO hr_people (user_id, notice_date, last_day, file_id, line) VALUES ('eve', ?, ?, 1, 2)",
        [date(2026, 2, 27), date(2026, 3, 20)],
    )
    ours = documents(vault, tmp_path, "CONFIDENTIAL", "apollo", 25)
    theirs = documents(vault, tmp_path, "CONFIDENTIAL", "gemini", 10)
    [secret] = documents(vault, tmp_path, "SECRET", "apollo", 1)
    [decoy] = vault.plant_decoys("apollo", 1, seed=3)
    clock.now = START + timedelta(minutes=5)
    for doc_id in ours:  # 25 reads within a minute, by someone known to be leaving
        clock.now += timedelta(seconds=2)
        vault.read(doc_id, as_user="eve")
    assert level(home, "eve") is Level.HIGH  # 25 >= twice the burst bar (20 / 2 for a known departure)
    for doc_id in theirs:
        with pytest.raises(VaultDenied, match="need-to-know"):
            vault.read(doc_id, as_user="eve")
    vault.read(decoy, as_user="eve")
    with closing(connect(home)) as con:
        [eve] = list_levels(con)
    assert (eve.user, eve.level, eve.source) == ("eve", Level.HIGH, "vault")
    assert eve.reasons == ("20 reads or checkouts in 60 s (usual 0.0, known to be leaving)",)  # raised, then kept
    with pytest.raises(VaultHeld) as held:
        vault.checkout(secret, for_user="eve", out_path=tmp_path / "eve.md")
    vault.approve(held.value.request_id, by="olga", reason="HR asked for the handover copy")
    vault.checkout(secret, for_user="eve", out_path=tmp_path / "eve.md")

    with AuditLog.open(home.audit_dir, home.keys_dir) as log:
        logged = [log.entry(i) for i in range(log.size)]
        assert verify_directory(home.audit_dir, log.public_key).ok
    changes = [(e.actor, e.target, e.details["level"]) for e in logged if e.action == "protect.change"]
    assert changes == [("vault", "eve", "elevated"), ("vault", "eve", "high")]  # at the 10th read, then the 20th


def test_a_burst_without_a_known_departure_is_elevated_first(
    vault: Vault, home: Home, clock: Clock, tmp_path: Path
) -> None:
    ours = documents(vault, tmp_path, "CONFIDENTIAL", "apollo", 25)
    for doc_id in ours[:19]:
        clock.now += timedelta(seconds=2)
        vault.read(doc_id, as_user="ann")
    assert level(home, "ann") is Level.NONE  # below the bar of 20 reads in 60 s
    clock.now += timedelta(seconds=2)
    vault.read(ours[19], as_user="ann")
    assert level(home, "ann") is Level.ELEVATED


def test_ordinary_readers_over_a_month_are_never_raised_nor_slowed(
    vault: Vault, home: Home, store: Store, clock: Clock, tmp_path: Path
) -> None:
    docs = documents(vault, tmp_path, "SECRET", "apollo", 6)
    readers = ("ann", "bob", "cid")
    for day in range(30):
        for hour in range(6):  # a read an hour, each of their project's documents in turn
            for n, user in enumerate(readers):
                clock.now = START + timedelta(days=day, hours=hour, minutes=n)
                vault.read(docs[(day + hour + n) % len(docs)], as_user=user)
    assert all(level(home, user) is Level.NONE for user in readers)
    assert vault.requests() == []
    refused = store.count("SELECT count(*) FROM events WHERE source = 'vault' AND content NOT LIKE '%allowed:%'")
    assert refused == 0
    usual = gather(store, "cid", clock.now, 60)  # cid read last, a moment ago
    assert (usual.own_rate, usual.peer_rate, usual.reads_in_window) == (1.0, 1.0, 1)
