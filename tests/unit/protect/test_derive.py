"""Levels from the scores (shares of active people, priority people) and from the vault's activity, on hand-made
numbers."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from molehunt.protect import Level
from molehunt.protect.derive import (
    Peak,
    VaultActivity,
    assess_vault_activity,
    burst_bar,
    levels_from_peaks,
    levels_from_scores,
    priority_people,
)
from molehunt.protect.policy import Policy
from molehunt.store import open_store

DAY = date(2010, 2, 17)


def org(count: int) -> list[Peak]:
    """People u0000.. with peak risk 1 .. count (u0000 the lowest)."""
    return [Peak(f"u{i:04d}", float(i + 1), DAY) for i in range(count)]


def test_shares_of_active_people_and_reasons_in_words() -> None:
    found = levels_from_peaks(org(1000), Policy(), set())
    levels = {user: level for user, (level, _) in found.items()}
    assert [u for u, lv in levels.items() if lv is Level.HIGH] == ["u0999"]  # 0.1% of 1,000
    # the top 1% are 10 people, one of them at high
    assert sorted(u for u, lv in levels.items() if lv is Level.ELEVATED) == [f"u{i:04d}" for i in range(990, 999)]
    assert found["u0999"][1] == ["peak risk 1000 on 2010-02-17, in the top 0.1% of 1000 active people"]
    # 250 people: 0.1% rounds to nobody at high; 1% is about 2 or 3 people
    small = levels_from_peaks(org(250), Policy(), set())
    assert Level.HIGH not in {lv for lv, _ in small.values()} and 2 <= len(small) <= 3


def test_priority_people_need_only_a_share_of_the_cut_off_and_quiet_orgs_raise_nobody() -> None:
    found = org(1000)
    # u0600 (risk 601) is above half the high cut-off (1000) and holds a priority compartment
    raised = levels_from_peaks(found, Policy(), {"u0600", "u0100"})
    assert raised["u0600"][0] is Level.HIGH and "priority compartments" in raised["u0600"][1][0]
    assert "u0100" not in raised  # risk 101 is below half of any cut-off
    quiet = [Peak(f"q{i}", 0.2, DAY) for i in range(1000)]
    assert levels_from_peaks(quiet, Policy(), set()) == {}  # below min_risk nobody is raised


def test_priority_people_follow_the_policys_compartments() -> None:
    subjects = [("a", ["CRYPTO", "NUC"]), ("b", ["NUC"]), ("c", [])]
    assert priority_people(subjects, Policy(priority_compartments=("CRYPTO",))) == {"a"}
    assert priority_people(subjects, Policy()) == set()


def test_levels_from_the_scores_table_use_each_persons_peak_in_the_window(tmp_path: Path) -> None:
    store = open_store(tmp_path / "molehunt.duckdb")
    store.con.execute("CREATE TABLE scores (user_id VARCHAR, day DATE, score DOUBLE)")
    rows = [(f"p{i:03d}", DAY - timedelta(days=d), float(i if d == 3 else 1)) for i in range(200) for d in range(5)]
    rows += [("gone", DAY - timedelta(days=40), 5000.0)]  # outside the 30-day window: not counted
    store.con.executemany("INSERT INTO scores VALUES (?, ?, ?)", rows)
    found = levels_from_scores(store, Policy(elevated_share=0.01, high_share=0.005), set())
    assert found == {
        "p199": (Level.HIGH, ["peak risk 199 on 2010-02-14, in the top 0.5% of 200 active people"]),
        "p198": (Level.ELEVATED, ["peak risk 198 on 2010-02-14, in the top 1% of 200 active people"]),
    }
    store.close()


def test_vault_activity_levels() -> None:
    policy = Policy()
    assert assess_vault_activity(VaultActivity(reads_in_window=19, own_rate=1, peer_rate=2), policy) is None
    assert assess_vault_activity(VaultActivity(reads_in_window=20, own_rate=1, peer_rate=2), policy) == (
        Level.ELEVATED,
        ["20 reads or checkouts in 60 s (usual 2.0)"],
    )
    # a heavy reader's usual rate raises the bar: 5 x 6 = 30
    assert assess_vault_activity(VaultActivity(reads_in_window=25, own_rate=6), policy) is None
    # a known departure halves the bar, and twice the bar is high
    leaving = VaultActivity(reads_in_window=25, own_rate=1, peer_rate=1, departure_known=True)
    assert burst_bar(leaving, policy) == 10
    assert assess_vault_activity(leaving, policy) == (
        Level.HIGH,
        ["25 reads or checkouts in 60 s (usual 1.0, known to be leaving)"],
    )
    assert assess_vault_activity(VaultActivity(outside_project_denials_today=5), policy) == (
        Level.ELEVATED,
        ["5 need-to-know denials today"],
    )
    level, reasons = assess_vault_activity(
        VaultActivity(outside_project_denials_today=10, decoy_touched=True), policy
    ) or (Level.NONE, [])
    assert level is Level.HIGH and reasons == ["opened a decoy document", "10 need-to-know denials today"]
    assert assess_vault_activity(VaultActivity(outside_project_denials_today=4), policy) is None
