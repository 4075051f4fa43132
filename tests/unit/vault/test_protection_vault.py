"""What protection levels do in the vault: the elevated cap and notice, the two-person rule at high, approvers."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from molehunt.audit import AuditLog, verify_directory
from molehunt.config import Home
from molehunt.opstore import connect
from molehunt.protect import Level, set_level
from molehunt.store import Store
from molehunt.trace.carriers.text import STRIP_MARKS
from molehunt.vault import Vault, VaultConfig, VaultDenied, VaultError
from molehunt.vault.errors import VaultHeld
from tests.unit.vault.conftest import Clock

PLAN = b"# Apollo launch plan\nThe window opens at dawn.\n"


@pytest.fixture
def vault(home: Home, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Vault:
    monkeypatch.delenv("MOLEHUNT_VAULT_KEY", raising=False)
    made = Vault(home, store, VaultConfig(rate_limit=1000), clock=clock)
    made.grant("alice", "SECRET", ["apollo"])
    made.grant("olga", "TOP SECRET", ["apollo"], approver=True)
    made.grant("bob", "SECRET", ["apollo"])
    made.grant("dan", "CONFIDENTIAL", ["apollo"])
    return made


@pytest.fixture
def docs(vault: Vault, tmp_path: Path) -> tuple[str, str]:
    plan = tmp_path / "plan.md"
    plan.write_bytes(PLAN)
    return vault.add(plan, "SECRET", "apollo", as_user="bob"), vault.add(plan, "CONFIDENTIAL", "apollo", as_user="dan")


def put(home: Home, user: str, level: Level) -> None:
    with closing(connect(home)) as con:
        set_level(con, user, level, ["test"], source="analyst", by="test")


def unmarked(data: bytes) -> str:
    return data.decode().translate(STRIP_MARKS)


def entries(home: Home) -> list[dict[str, object]]:
    with AuditLog.open(home.audit_dir, home.keys_dir) as log:
        return [{"actor": e.actor, "action": e.action, **dict(e.details)} for e in map(log.entry, range(log.size))]


def test_level_none_reads_as_before(vault: Vault, docs: tuple[str, str]) -> None:
    secret, _ = docs
    for _ in range(15):  # above the default elevated cap: none is never capped
        assert unmarked(vault.read(secret, as_user="alice")) == PLAN.decode()
    assert vault.requests() == []


def test_elevated_copies_carry_a_numbered_notice(vault: Vault, docs: tuple[str, str], home: Home) -> None:
    secret, confidential = docs
    put(home, "alice", Level.ELEVATED)
    first, second = (unmarked(vault.read(secret, as_user="alice")) for _ in range(2))
    assert first.splitlines()[0] == "Issued to alice on 2026-03-01 - copy 1"
    assert second.splitlines()[0] == "Issued to alice on 2026-03-01 - copy 2"
    assert first.endswith(PLAN.decode())
    assert unmarked(vault.read(confidential, as_user="alice")) == PLAN.decode()  # below the protected level


def test_elevated_daily_cap_refuses_saying_only_needs_approval(
    vault: Vault, docs: tuple[str, str], home: Home, clock: Clock
) -> None:
    secret, confidential = docs
    (home.root / "protect.yaml").write_text("elevated_daily_cap: 2\n")
    put(home, "alice", Level.ELEVATED)
    vault.read(secret, as_user="alice")
    vault.read(secret, as_user="alice")
    with pytest.raises(VaultDenied) as refused:
        vault.read(secret, as_user="alice")
    assert refused.value.reason == "needs approval"
    assert "elevated" not in str(refused.value)
    vault.read(confidential, as_user="alice")  # the cap is for protected documents only
    clock.now += timedelta(days=1)
    vault.read(secret, as_user="alice")  # a new day
    last_refusal = [e for e in entries(home) if e["decision"] == "deny"][-1]
    assert last_refusal["protection"] == "elevated" and "cap" in str(last_refusal["limit"])


def test_high_is_held_until_an_approver_approves_then_once(
    vault: Vault, docs: tuple[str, str], home: Home, store: Store, tmp_path: Path
) -> None:
    secret, confidential = docs
    put(home, "alice", Level.HIGH)
    vault.read(confidential, as_user="alice")  # below the protected level: not held
    with pytest.raises(VaultHeld) as held:
        vault.checkout(secret, for_user="alice", out_path=tmp_path / "a.md")
    request = held.value.request_id
    assert str(held.value) == f"checkout {secret} denied: needs approval: request {request}"
    assert not (tmp_path / "a.md").exists()
    assert [r.to_json() for r in vault.requests()] == [
        {"id": request, "user": "alice", "doc_id": secret, "action": "checkout", "state": "pending"}
    ]
    event = store.con.execute("SELECT content FROM events WHERE source = 'vault' ORDER BY line DESC LIMIT 1")
    assert event.fetchall()[0][0].startswith("held")

    with pytest.raises(VaultDenied, match="not an approver"):
        vault.approve(request, by="bob", reason="looks fine")
    with pytest.raises(VaultError, match="reason"):
        vault.approve(request, by="olga", reason=" ")
    vault.approve(request, by="olga", reason="ticket 42")
    with pytest.raises(VaultDenied, match="is approved"):
        vault.deny(request, by="olga", reason="changed my mind")

    with pytest.raises(VaultHeld):  # the approval is for the checkout, not a read
        vault.read(secret, as_user="alice")
    done = vault.checkout(secret, for_user="alice", out_path=tmp_path / "a.md")
    assert (tmp_path / "a.md").read_bytes().decode().translate(STRIP_MARKS).startswith("Issued to alice")
    assert {r.id: r.state for r in vault.requests()}[request] == "used"
    with pytest.raises(VaultHeld):  # once
        vault.checkout(secret, for_user="alice", out_path=tmp_path / "b.md")

    logged = entries(home)
    assert [e["note"] for e in logged if e["action"] == "approve" and e["decision"] == "allow"] == ["ticket 42"]
    assert logged[done.audit_seq]["approval"] == request
    assert [e["decision"] for e in logged if e.get("request_id") == request] == ["hold"]
    assert verify_directory(home.audit_dir, AuditLog.open(home.audit_dir, home.keys_dir).public_key).ok


def test_an_approver_never_approves_their_own_request(vault: Vault, docs: tuple[str, str], home: Home) -> None:
    secret, _ = docs
    put(home, "olga", Level.HIGH)
    with pytest.raises(VaultHeld) as held:
        vault.read(secret, as_user="olga")
    with pytest.raises(VaultDenied, match="own request"):
        vault.approve(held.value.request_id, by="olga", reason="mine")
    vault.grant("bob", "SECRET", ["apollo"], approver=True)
    vault.deny(held.value.request_id, by="bob", reason="no")
    assert vault.requests()[0].state == "denied"
    with pytest.raises(VaultHeld):  # a denial grants nothing: a new request
        vault.read(secret, as_user="olga")


def test_an_approver_row_added_behind_the_log_is_refused(vault: Vault, docs: tuple[str, str], home: Home) -> None:
    secret, _ = docs
    put(home, "alice", Level.HIGH)
    with pytest.raises(VaultHeld) as held:
        vault.read(secret, as_user="alice")
    with closing(connect(home)) as con:
        con.execute("INSERT INTO vault_approvers VALUES ('bob')")
    with pytest.raises(VaultDenied, match="store tampered"):
        vault.approve(held.value.request_id, by="bob", reason="me")
    assert any("bob" in problem for problem in vault.verify())


def test_impersonation_is_in_every_entry(home: Home, store: Store, docs: tuple[str, str], clock: Clock) -> None:
    secret, _ = docs
    admin = Vault(home, store, VaultConfig(rate_limit=1000), clock=clock, impersonated_by="root")
    admin.read(secret, as_user="alice")
    with pytest.raises(VaultDenied):
        admin.read(secret, as_user="nobody")
    assert [e.get("impersonated_by") for e in entries(home)[-2:]] == ["root", "root"]


def test_a_pdf_copy_carries_the_notice_on_the_page(
    vault: Vault, docs: tuple[str, str], home: Home, tmp_path: Path
) -> None:
    from molehunt.trace.carriers.pdf import pdf_text

    secret, _ = docs
    put(home, "alice", Level.ELEVATED)
    vault.checkout(secret, for_user="alice", out_path=tmp_path / "a.pdf", pdf=True)
    text = pdf_text((tmp_path / "a.pdf").read_bytes()).translate(STRIP_MARKS)
    assert "Issued to alice on 2026-03-01 - copy 1" in text and "The window opens at dawn." in text


def test_an_unused_approval_expires_after_24_hours(
    vault: Vault, docs: tuple[str, str], home: Home, clock: Clock
) -> None:
    secret, _ = docs
    put(home, "alice", Level.HIGH)
    with pytest.raises(VaultHeld) as held:
        vault.read(secret, as_user="alice")
    vault.approve(held.value.request_id, by="olga", reason="ok")
    clock.now += timedelta(hours=24, minutes=1)
    with pytest.raises(VaultHeld):
        vault.read(secret, as_user="alice")
    assert {r.id: r.state for r in vault.requests()}[held.value.request_id] == "expired"
