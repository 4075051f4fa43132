"""The failure classes of an organization the detector was never tuned on, on hand-made rows (issue 15):

- a rule that is routine for someone (an IT administrator on colleagues' machines every week) does not alert for
  them, and the explanation says why; the same behaviour by someone for whom it is new does alert;
- a blatant copy to removable media with no known departure ranks at the top of its day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from molehunt.detect.calibration import calibrate, calibration_note
from molehunt.detect.history import History
from molehunt.detect.rules import Level, RuleMatch
from molehunt.detect.volume import exfiltration_volume, volume_reason
from molehunt.events import EVENT_COLUMN_NAMES, Event, EventKind, Provenance
from molehunt.score import score_store
from molehunt.store import Store, open_store

pytestmark = pytest.mark.slow

START = date(2010, 1, 4)
DAYS = 120
RNG_SEED = 5


class Org:
    """Hand-made events: everyone logs on to their own PC and browses daily; the test adds what it is about."""

    def __init__(self) -> None:
        self.rows: list[tuple[object, ...]] = []
        self.people: dict[str, tuple[str, str]] = {}  # user -> (role, department)

    def person(self, user: str, role: str, department: str) -> None:
        self.people[user] = (role, department)

    def add(self, event: Event) -> None:
        self.rows.append(event.to_row())

    def routine(self, rng: np.random.Generator) -> None:
        for offset in range(DAYS):
            day = START + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for user in self.people:
                at = datetime(day.year, day.month, day.day, 8 + int(rng.integers(0, 2)))
                self.add(Event("t", EventKind.LOGON, at, user, "logon", Provenance(1, 2), host=f"PC-{user}"))
                for i in range(int(rng.integers(3, 8))):
                    self.add(
                        Event("t", EventKind.HTTP, at + timedelta(minutes=20 + i), user, "visit", Provenance(1, 2),
                              url="http://news.example/a", domain="news.example")
                    )  # fmt: skip

    def store_into(self, store: Store) -> None:
        columns = list(zip(*self.rows, strict=True))
        batch = pa.table({name: list(values) for name, values in zip(EVENT_COLUMN_NAMES, columns, strict=True)})
        store.con.register("hand_made", batch)
        store.con.execute(f"INSERT INTO events SELECT {', '.join(EVENT_COLUMN_NAMES)} FROM hand_made")
        store.con.unregister("hand_made")
        for user, (role, department) in self.people.items():
            store.con.execute(
                "INSERT INTO directory_snapshots (month, user_id, role, department, email, employee_name, file_id,"
                " line) VALUES (?, ?, ?, ?, ?, ?, 1, 2)",
                [START.replace(day=1), user, role, department, f"{user.lower()}@corp.example", f"Name {user}"],
            )


def visit_colleague_and_mail_home(org: Org, user: str, victim: str, day: date) -> None:
    at = datetime(day.year, day.month, day.day, 11)
    org.add(Event("t", EventKind.LOGON, at, user, "logon", Provenance(1, 2), host=f"PC-{victim}"))
    org.add(
        Event("t", EventKind.EMAIL, at + timedelta(hours=2), user, "send", Provenance(1, 2),
              sender=f"{user.lower()}@corp.example", recipients=(f"friend.{user.lower()}@gmail.com",),
              n_external=1, attachment_count=2, attachment_bytes=40_000, bytes=41_000)
    )  # fmt: skip


def scores(store: Store) -> dict[tuple[str, date], tuple[float, str]]:
    rows = store.con.execute("SELECT user_id, day, score, reasons FROM scores").fetchall()
    return {(u, d): (float(s), r) for u, d, s, r in rows}


def rank_in_day(table: dict[tuple[str, date], tuple[float, str]], user: str, day: date) -> int:
    that_day = sorted(((s, u) for (u, d), (s, _) in table.items() if d == day), reverse=True)
    return [u for _, u in that_day].index(user) + 1


@pytest.fixture(scope="module")
def routine_admins(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, date], tuple[float, str]]:
    """Eight IT administrators on colleagues' machines and mailing home on most days; ENG-7 does it once."""
    rng = np.random.default_rng(RNG_SEED)
    org = Org()
    for n in range(8):
        org.person(f"ADM-{n}", "ITAdmin", "IT")
    for n in range(120):
        org.person(f"ENG-{n}", "Engineer", "Engineering")
    org.routine(rng)
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for n in range(8):
            if rng.random() < 0.8:
                visit_colleague_and_mail_home(org, f"ADM-{n}", f"ENG-{int(rng.integers(0, 120))}", day)
    visit_colleague_and_mail_home(org, "ENG-7", "ENG-8", THE_DAY)
    if (THE_DAY - START).days % 7 < 5:
        visit_colleague_and_mail_home(org, "ADM-3", "ENG-9", THE_DAY)  # the admin certainly does it that day too
    with open_store(tmp_path_factory.mktemp("admins") / "s.duckdb") as store:
        org.store_into(store)
        score_store(store)
        return scores(store)


THE_DAY = START + timedelta(days=100)  # a Wednesday


def test_routine_other_machine_logons_do_not_alert_for_an_admin(
    routine_admins: dict[tuple[str, date], tuple[float, str]],
) -> None:
    score, reasons = routine_admins[("ADM-3", THE_DAY)]
    assert "colleague" in reasons and "not counted" in reasons  # the rule fired, and the reasons say why it is void
    assert "of their peers' days" in reasons
    everything = sorted((s for s, _ in routine_admins.values()), reverse=True)
    top_1_percent = everything[int(np.ceil(0.01 * len(everything))) - 1]
    assert score < top_1_percent


def test_the_same_behaviour_alerts_for_someone_new_to_it(
    routine_admins: dict[tuple[str, date], tuple[float, str]],
) -> None:
    score, reasons = routine_admins[("ENG-7", THE_DAY)]
    assert "colleague" in reasons and "not counted" not in reasons
    assert rank_in_day(routine_admins, "ENG-7", THE_DAY) == 1
    everything = sorted((s for s, _ in routine_admins.values()), reverse=True)
    assert score >= everything[int(np.ceil(0.01 * len(everything))) - 1]


def test_bulk_copy_without_a_departure_ranks_in_the_days_top_percent(tmp_path: Path) -> None:
    """An occasional thumb-drive user copies 40 files a day for two weeks; nobody knows they will leave. Backup
    operators and heavy USB users copy more every day: it is the change against the person's own normal that counts."""
    rng = np.random.default_rng(RNG_SEED)
    org = Org()
    for n in range(200):
        org.person(f"U-{n:03d}", "Engineer" if n < 150 else "Technician", "Engineering" if n < 150 else "Production")
    org.routine(rng)
    campaign = [START + timedelta(days=d) for d in range(DAYS - 14, DAYS) if (START + timedelta(days=d)).weekday() < 5]
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        at = datetime(day.year, day.month, day.day, 10)
        copies: dict[str, int] = {}
        for n in range(150, 160):  # heavy USB users and backup operators: 60-120 files every day
            copies[f"U-{n:03d}"] = int(rng.integers(60, 121))
        for n in range(0, 40):  # occasional users: a few files on one day in ten
            if rng.random() < 0.1:
                copies[f"U-{n:03d}"] = int(rng.integers(1, 6))
        if day in campaign:
            copies["U-005"] = 40
        for user, count in copies.items():
            org.add(Event("t", EventKind.DEVICE, at, user, "connect", Provenance(1, 2), host=f"PC-{user}"))
            for i in range(count):
                org.add(
                    Event("t", EventKind.FILE, at + timedelta(seconds=i), user, "copy", Provenance(1, 2),
                          path=f"C:\\work\\{user}\\doc{i}.docx", to_removable=True)
                )  # fmt: skip
    with open_store(tmp_path / "s.duckdb") as store:
        org.store_into(store)
        score_store(store)
        table = scores(store)
        assert store.scalar("SELECT count(*) FROM user_day WHERE days_to_departure IS NOT NULL") == 0
    for day in campaign:
        assert rank_in_day(table, "U-005", day) <= 2, day  # the day's top 1% of 200 user-days
    _score, reasons = table[("U-005", campaign[-1])]
    assert "files to removable media" in reasons and "the usual high" in reasons


def _history(rows: list[tuple[str, str, int, float]]) -> History:
    """History from (user, group, day offset, files to removable) rows."""
    rows = sorted(rows, key=lambda r: (r[0], r[2]))
    table = pa.table(
        {
            "user_id": [r[0] for r in rows],
            "day": pa.array([START + timedelta(days=r[2]) for r in rows], type=pa.date32()),
            "role": [r[1] for r in rows],
            "department": ["D" for _ in rows],
            "files_to_removable": [r[3] for r in rows],
        }
    )
    return History.from_table(table, ("files_to_removable",))


def test_calibration_shrinks_a_short_history_toward_the_peers() -> None:
    # Admins fire a rule on every day; the newcomer admin has no history yet; the analyst has a long quiet one.
    rows = [(f"A{n}", "admin", d, 0.0) for n in range(5) for d in range(100)]
    rows += [("NEW", "admin", 99, 0.0)] + [("ANA", "analyst", d, 0.0) for d in range(100)]
    rows += [(f"B{n}", "analyst", d, 0.0) for n in range(5) for d in range(100)]
    history = _history(rows)
    hits = [RuleMatch(f"A{n}", START + timedelta(days=d), "r", Level.HIGH, 50, None, "x") for n in range(5)
            for d in range(100)]  # fmt: skip
    hits += [RuleMatch(u, START + timedelta(days=99), "r", Level.HIGH, 50, None, "x") for u in ("NEW", "ANA")]
    calibrated = calibrate(history, hits)
    admin, newcomer, analyst = calibrated.factor[99], calibrated.factor[-2], calibrated.factor[-1]
    assert admin == 0.0 and newcomer == 0.0  # routine for them, and for the newcomer's peers
    assert analyst == 1.0  # never before, for them or their peers
    assert calibrated.own_rate[99] == pytest.approx(1.0) and calibrated.own_days[99] == 70  # days 30 to 98 back
    assert calibration_note(0.0, 1.0, 70, 0.8).startswith("not counted: it fires on 100% of their days")
    assert calibration_note(1.0, 0.0, 70, 0.0) == ""


def test_volume_is_measured_against_the_persons_usual_high_and_needs_a_move_today() -> None:
    steady = [("S", "g", d, 100.0) for d in range(90)]  # a backup operator among occasional users: 100 files a day
    steady += [(f"O{n}", "g", d, 3.0 if d % 7 == n else 0.0) for n in range(4) for d in range(90)]
    quiet = [("Q", "g", d, 2.0 if d % 10 == 0 else 0.0) for d in range(80)]
    quiet += [("Q", "g", d, 40.0) for d in range(80, 85)] + [("Q", "g", d, 0.0) for d in range(85, 90)]
    history = _history(steady + quiet)
    volume = exfiltration_volume(history)
    q_rows = [i for i, u in enumerate(history.user_ids) if u == "Q"]
    s_rows = [i for i, u in enumerate(history.user_ids) if u == "S"]
    assert volume.points[s_rows[20:]].max() == 0.0  # 100 a day is their normal, once they have some history
    campaign = [q_rows[d] for d in range(80, 85)]
    assert volume.points[campaign[-1]] == 100.0  # 200 files in a week where 2 was a big week: far past 20x
    assert all(volume.points[r] > 0 for r in campaign)
    assert all(volume.points[q_rows[d]] == 0 for d in range(85, 90))  # nothing moved those days
    reason = volume_reason(volume, campaign[-1])
    assert reason is not None and reason.startswith("200 files to removable media in 7 days")


def test_the_homes_own_domain_lists_are_read_by_scoring(tmp_path: Path) -> None:
    org = Org()
    for n in range(5):
        org.person(f"U-{n}", "Engineer", "Engineering")
    org.routine(np.random.default_rng(RNG_SEED))
    org.add(
        Event("t", EventKind.HTTP, datetime(2010, 3, 3, 12), "U-1", "upload", Provenance(1, 2),
              url="http://drop.secret-example.net/up", domain="drop.secret-example.net")
    )  # fmt: skip

    def leak_uploads(home: Path) -> int:
        with open_store(home / "molehunt.duckdb") as store:
            org.store_into(store)
            score_store(store)
            return int(store.scalar("SELECT sum(leak_uploads) FROM user_day_features"))

    (tmp_path / "with" / "domains").mkdir(parents=True)
    (tmp_path / "with" / "domains" / "leak.txt").write_text("# our own\nsecret-example.net\n")
    (tmp_path / "without").mkdir()
    assert leak_uploads(tmp_path / "with") == 1
    assert leak_uploads(tmp_path / "without") == 0
