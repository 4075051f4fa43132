"""Triage by person: the alert queue grouped by whom it is about, with each person's triage state.

An alert is a scored user-day at or above the alert budget (molehunt.report.budget). The queue's unit is a person
with open alerts (alerts not dismissed): their peak and latest risk with a severity band, a 30-day trend, the
scenarios their rules belong to, a status (new, triaged, escalated, closed), an assignee and an age.

Scores come from the analytics store (read only); the triage state (each alert's confirmation or dismissal with its
disposition, each person's status and assignee) lives in the operational store (molehunt.opstore), so
triage never needs the analytics store's writer. Every change goes through `TriageDesk`, which appends the audit
entry first, as `Workbench` does.

Severity bands are percentiles of every scored user-day (`score_bands`): critical is the top 0.1%, high the top
0.3%, medium the rest of the alert budget (the top 1%), low anything under it (seen only when the queue's
minimum score is lowered). A person's band is their peak's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from molehunt import opstore
from molehunt.audit.entries import JsonValue
from molehunt.clock import utc_now
from molehunt.config import Home
from molehunt.detect.rules import Rule
from molehunt.errors import MolehuntError
from molehunt.report.budget import DEFAULT_BUDGET, budget_threshold
from molehunt.store import Store
from molehunt.workbench import ops, queue
from molehunt.workbench.actions import Workbench
from molehunt.workbench.alert_view import sparkline as sparkline  # the case page draws its trend the same way
from molehunt.workbench.paging import page_bounds

PAGE_SIZE = 50
TREND_DAYS = 30
# Shares of all scored user-days above each band's lower bound (medium's is the alert budget).
BAND_SHARES = {"critical": 0.001, "high": 0.003, "medium": DEFAULT_BUDGET}

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS triage_alerts (
        user_id TEXT NOT NULL,
        day TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('confirmed', 'dismissed')),
        disposition TEXT,
        note TEXT NOT NULL DEFAULT '',
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (user_id, day)
    )""",
    # seen_through: the latest alert day when the status was set; a later alert reopens a closed person.
    """CREATE TABLE IF NOT EXISTS triage_people (
        user_id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('new', 'triaged', 'escalated', 'closed')),
        assignee TEXT,
        case_id INTEGER,
        seen_through TEXT,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
)


class TriageError(MolehuntError):
    """A triage action that cannot be done as asked."""


class Band(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Status(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Disposition(StrEnum):
    BENIGN = "benign-explained"
    FALSE_POSITIVE = "false-positive"
    DUPLICATE = "duplicate"
    OTHER = "other"


class PersonSort(StrEnum):
    PEAK = "peak"
    LATEST = "latest"
    AGE = "age"
    ALERTS = "alerts"
    NEWEST = "newest"


@dataclass(frozen=True)
class Bands:
    """Lower bounds of the bands on the score scale."""

    critical: float
    high: float
    medium: float

    def of(self, score: float) -> Band:
        if score >= self.critical:
            return Band.CRITICAL
        if score >= self.high:
            return Band.HIGH
        return Band.MEDIUM if score >= self.medium else Band.LOW


@dataclass(frozen=True)
class TriageFilter:
    band: Band | None = None
    status: Status | None = None  # None: everyone not closed
    scenario: str | None = None
    assignee: str | None = None  # "-": nobody assigned
    since: date | None = None  # alert days from
    until: date | None = None
    min_score: float | None = None  # None: the alert budget
    sort: PersonSort = PersonSort.PEAK
    page: int = 1


@dataclass(frozen=True)
class PersonRow:
    user_id: str
    peak: float
    peak_day: date
    latest: float
    latest_day: date
    band: Band
    scenarios: tuple[str, ...]
    rules: tuple[str, ...]
    open_alerts: int
    confirmed: int
    first_day: date  # of the first open alert
    last_day: date  # of the latest open alert
    age_days: int  # from the first open alert to the latest scored day
    status: Status
    assignee: str | None
    case_id: int | None
    trend: tuple[float, ...] = ()  # daily scores of the TREND_DAYS days to latest_day, oldest first (0: no activity)


@dataclass(frozen=True)
class PersonQueue:
    rows: list[PersonRow]
    total: int
    page: int
    pages: int
    threshold: float
    bands: Bands
    today: date | None  # the latest scored day: ages and trends are counted to it
    by_scenario: dict[str, int] = field(default_factory=dict)  # people per scenario, before band/scenario filters
    by_band: dict[Band, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AlertState:
    state: str  # confirmed | dismissed
    disposition: Disposition | None
    note: str
    decided_by: str


@dataclass(frozen=True)
class PersonState:
    status: Status
    assignee: str | None
    case_id: int | None
    seen_through: date | None


def schema(con: sqlite3.Connection) -> None:
    """The triage tables of the operational store (each alert's decision, each person's state)."""
    opstore.ensure_schema(con, "triage", _SCHEMA)


def score_bands(store: Store) -> Bands:
    """The bands' lower bounds from every scored user-day (all 0 when nothing is scored)."""
    shares = [1.0 - BAND_SHARES[name] for name in ("critical", "high", "medium")]
    found = store.scalar("SELECT quantile_disc(score, ?::DOUBLE[]) FROM scores", [shares])
    if not isinstance(found, list) or found[0] is None:
        return Bands(0.0, 0.0, 0.0)
    critical, high, _ = (float(v) for v in found)
    return Bands(critical, high, budget_threshold(store))


def alert_states(con: sqlite3.Connection, user_id: str | None = None) -> dict[tuple[str, date], AlertState]:
    """Every decided alert (of one person, or everyone) by (user id, day)."""
    schema(con)
    rows = con.execute(
        "SELECT user_id, day, state, disposition, note, decided_by FROM triage_alerts WHERE ? IS NULL OR user_id = ?",
        [user_id, user_id],
    ).fetchall()
    return {
        (user, date.fromisoformat(day)): AlertState(state, Disposition(disp) if disp else None, note, by)
        for user, day, state, disp, note, by in rows
    }


def person_states(con: sqlite3.Connection) -> dict[str, PersonState]:
    schema(con)
    rows = con.execute("SELECT user_id, status, assignee, case_id, seen_through FROM triage_people").fetchall()
    return {
        user: PersonState(Status(status), assignee, case_id, date.fromisoformat(seen) if seen else None)
        for user, status, assignee, case_id, seen in rows
    }


def person_state(con: sqlite3.Connection, user_id: str) -> PersonState:
    """The person's stored state (new and unassigned when nothing was decided)."""
    return person_states_of(con, [user_id]).get(user_id, PersonState(Status.NEW, None, None, None))


def person_states_of(con: sqlite3.Connection, user_ids: Iterable[str]) -> dict[str, PersonState]:
    wanted = set(user_ids)
    return {user: state for user, state in person_states(con).items() if user in wanted}


def effective_status(state: PersonState | None, last_alert: date | None) -> Status:
    """The status shown: a closed person with an alert after the closing is new again."""
    if state is None:
        return Status.NEW
    reopened = (
        state.status is Status.CLOSED
        and last_alert is not None
        and (state.seen_through is None or last_alert > state.seen_through)
    )
    return Status.NEW if reopened else state.status


def dismissed_alerts(con: sqlite3.Connection) -> set[tuple[str, date]]:
    """Every dismissed alert: the queue keeps dismissals (molehunt.workbench.queue), triage adds the disposition."""
    found = queue.dismissed(con)
    return set(zip(found.users, found.days, strict=True))


def is_scored(store: Store, user_id: str, day: date) -> bool:
    """Whether (user, day) is scored: an alert page, and a triage action, can be about it."""
    return bool(store.count("SELECT count(*) FROM scores WHERE user_id = ? AND day = ?", [user_id, day]))


def scenario_of(rules: list[Rule]) -> dict[str, str]:
    return {rule.id: rule.scenario for rule in rules}


def person_queue(store: Store, con: sqlite3.Connection, wanted: TriageFilter, rules: list[Rule]) -> PersonQueue:
    """One page of people with open alerts; every filter value is bound as a parameter."""
    threshold = budget_threshold(store) if wanted.min_score is None else wanted.min_score
    bands = score_bands(store)
    today = store.scalar("SELECT max(day) FROM scores")
    alerts = store.con.execute(
        "SELECT user_id, day, score, rules FROM scores WHERE score >= $min"
        " AND ($since IS NULL OR day >= $since) AND ($until IS NULL OR day <= $until)",
        {"min": threshold, "since": wanted.since, "until": wanted.until},
    ).fetchall()
    confirmed = {key for key, found in alert_states(con).items() if found.state == "confirmed"}
    dismissed = dismissed_alerts(con)
    scenarios = scenario_of(rules)
    grouped: dict[str, list[tuple[date, float, tuple[str, ...], bool]]] = {}
    for user, day, score, fired in alerts:
        if (user, day) not in dismissed:
            grouped.setdefault(user, []).append((day, float(score), tuple(fired or ()), (user, day) in confirmed))
    latest = _latest_scores(store, list(grouped))
    states = person_states_of(con, grouped)
    rows: list[PersonRow] = []
    for user, found in grouped.items():
        peak_day, peak = max(((d, s) for d, s, _, _ in found), key=lambda pair: (pair[1], pair[0]))
        fired_rules = tuple(sorted({r for _, _, fired, _ in found for r in fired}))
        first, last = min(d for d, *_ in found), max(d for d, *_ in found)
        state = states.get(user)
        latest_day, latest_score = latest[user]
        rows.append(PersonRow(
            user, peak, peak_day, latest_score, latest_day, bands.of(peak),
            tuple(sorted({scenarios.get(r, r) for r in fired_rules})), fired_rules, len(found),
            sum(1 for *_, confirmed in found if confirmed), first, last,
            (today - first).days if isinstance(today, date) else 0,
            effective_status(state, last), state.assignee if state else None, state.case_id if state else None,
        ))  # fmt: skip
    rows = [row for row in rows if _status_matches(row, wanted) and _assignee_matches(row, wanted)]
    by_scenario: dict[str, int] = {}
    by_band = dict.fromkeys(Band, 0)
    for row in rows:
        by_band[row.band] += 1
        for tag in row.scenarios:
            by_scenario[tag] = by_scenario.get(tag, 0) + 1
    rows = [row for row in rows if wanted.band in (None, row.band) and wanted.scenario in (None, "", *row.scenarios)]
    rows.sort(key=_SORT_KEYS[wanted.sort])
    page, pages = page_bounds(len(rows), wanted.page, PAGE_SIZE)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    trends = _trends(store, {row.user_id: row.latest_day for row in shown})
    shown = [_with_trend(row, trends[row.user_id]) for row in shown]
    return PersonQueue(
        shown, len(rows), page, pages, threshold, bands, today if isinstance(today, date) else None,
        dict(sorted(by_scenario.items())), by_band,
    )  # fmt: skip


def _status_matches(row: PersonRow, wanted: TriageFilter) -> bool:
    return row.status is not Status.CLOSED if wanted.status is None else row.status is wanted.status


def _assignee_matches(row: PersonRow, wanted: TriageFilter) -> bool:
    if not wanted.assignee:
        return True
    return row.assignee is None if wanted.assignee == "-" else row.assignee == wanted.assignee


_SORT_KEYS = {
    PersonSort.PEAK: lambda r: (-r.peak, r.user_id),
    PersonSort.LATEST: lambda r: (-r.latest, r.user_id),
    PersonSort.AGE: lambda r: (-r.age_days, -r.peak, r.user_id),
    PersonSort.ALERTS: lambda r: (-r.open_alerts, -r.peak, r.user_id),
    PersonSort.NEWEST: lambda r: (-r.last_day.toordinal(), -r.peak, r.user_id),
}


def _with_trend(row: PersonRow, trend: tuple[float, ...]) -> PersonRow:
    return replace(row, trend=trend)


def _latest_scores(store: Store, user_ids: list[str]) -> dict[str, tuple[date, float]]:
    rows = store.con.execute(
        "SELECT user_id, max(day), arg_max(score, day) FROM scores WHERE list_contains($ids, user_id) GROUP BY user_id",
        {"ids": user_ids},
    ).fetchall()
    return {user: (day, float(score)) for user, day, score in rows}


def _days_before(day: date, days: int) -> date:
    """`day` minus `days`, or the first representable day (a filter's "until 0001-01-05" must not overflow)."""
    return day - timedelta(days=days) if day - date.min > timedelta(days=days) else date.min


def _trends(store: Store, ends: dict[str, date]) -> dict[str, tuple[float, ...]]:
    """Each person's daily scores over the TREND_DAYS days to their latest scored day (0 on days without
    activity): a person who left shows the run-up to their departure, not a flat line after it."""
    if not ends:
        return {}
    rows = store.con.execute(
        "SELECT user_id, day, score FROM scores WHERE list_contains($ids, user_id) AND day >= $start",
        {"ids": list(ends), "start": _days_before(min(ends.values()), TREND_DAYS - 1)},
    ).fetchall()
    series = {user: [0.0] * TREND_DAYS for user in ends}
    for user, day, score in rows:
        offset = TREND_DAYS - 1 - (ends[user] - day).days
        if 0 <= offset < TREND_DAYS:
            series[user][offset] = float(score)
    return {user: tuple(values) for user, values in series.items()}


@dataclass(frozen=True)
class PersonAlert:
    day: date
    score: float
    band: Band
    rules: tuple[str, ...]
    state: str  # open | confirmed | dismissed
    disposition: str | None  # a dismissal's disposition (or the reason of a dismissal made in the queue)
    note: str


@dataclass(frozen=True)
class PersonTriage:
    """What the person page shows of triage: status, assignee, case and every alert of theirs."""

    status: Status
    assignee: str | None
    case_id: int | None
    alerts: list[PersonAlert]
    bands: Bands
    threshold: float

    @property
    def open(self) -> list[PersonAlert]:
        return [a for a in self.alerts if a.state != "dismissed"]


def person_triage(store: Store, con: sqlite3.Connection, user_id: str) -> PersonTriage:
    """The person's alerts (user-days at or above the alert budget), newest first, with their decisions."""
    threshold = budget_threshold(store)
    bands = score_bands(store)
    rows = store.con.execute(
        "SELECT day, score, rules FROM scores WHERE user_id = ? AND score >= ? ORDER BY day DESC", [user_id, threshold]
    ).fetchall()
    decided = alert_states(con, user_id)
    reasons = dict(zip(*_dismissal_reasons(con, user_id), strict=True))
    alerts = []
    for day, score, fired in rows:
        found = decided.get((user_id, day))
        if day in reasons:
            disposition = found.disposition.value if found and found.disposition else reasons[day]
            alerts.append(PersonAlert(day, float(score), bands.of(score), tuple(fired or ()), "dismissed",
                                      disposition, found.note if found else ""))  # fmt: skip
        else:
            kind = "confirmed" if found and found.state == "confirmed" else "open"
            alerts.append(PersonAlert(day, float(score), bands.of(score), tuple(fired or ()), kind, None,
                                      found.note if found and kind == "confirmed" else ""))  # fmt: skip
    person = person_state(con, user_id)
    last_open = max((a.day for a in alerts if a.state != "dismissed"), default=None)
    return PersonTriage(effective_status(person, last_open), person.assignee, person.case_id, alerts, bands, threshold)


def _dismissal_reasons(con: sqlite3.Connection, user_id: str) -> tuple[list[date], list[str]]:
    found = queue.dismissed(con)
    mine = [
        (day, why) for user, day, why in zip(found.users, found.days, found.reasons, strict=True) if user == user_id
    ]
    return [day for day, _ in mine], [why for _, why in mine]


# ---- actions --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageDesk:
    """Audit-first triage actions: each appends its entry to `home`'s audit log, then writes the operational store
    (`con`, or a connection of its own per action). `store` (read only) is where alerts are checked to exist."""

    home: Home
    store: Store
    con: sqlite3.Connection | None = field(default=None, compare=False)

    @contextmanager
    def _opened(self) -> Iterator[sqlite3.Connection]:
        if self.con is not None:
            schema(self.con)
            yield self.con
            return
        con = ops.connect(self.home, self.store)
        try:
            schema(con)
            yield con
        finally:
            con.close()

    def _record(self, by: str, action: str, target: str, details: dict[str, JsonValue]) -> int:
        return Workbench(self.home, self.store).record(by, action, target, details)

    def _require_alert(self, user_id: str, day: date) -> None:
        if not is_scored(self.store, user_id, day):
            raise TriageError(f"there is no alert for that person on {day.isoformat()}")

    def confirm(self, user_id: str, day: date, note: str, *, by: str) -> None:
        """Mark an open alert a real concern; a new person becomes triaged."""
        self._require_alert(user_id, day)
        text = note.strip()[:2000]
        with self._opened() as con:
            if (user_id, day) in dismissed_alerts(con):
                raise TriageError("this alert was dismissed; it cannot be confirmed")
            self._record(by, "alert.confirm", user_id, {"day": day.isoformat(), "note": text})
            with opstore.transaction(con):
                _decide(con, user_id, day, "confirmed", None, text, by)
                if person_state(con, user_id).status is Status.NEW:
                    _set_person(con, user_id, by, status=Status.TRIAGED, seen_through=day)

    def dismiss(self, keys: list[tuple[str, date]], disposition: Disposition, note: str, *, by: str) -> int:
        """Dismiss these alerts (user id, day) with a disposition; `other` needs a note. Returns how many. The
        dismissal is the queue's (the SIEM export marks it suppressed); the disposition is kept here beside it."""
        text = note.strip()[:2000]
        if disposition is Disposition.OTHER and not text:
            raise TriageError("say why these alerts are dismissed (a note is needed with the disposition 'other')")
        if not keys:
            raise TriageError("choose the alerts to dismiss")
        for user_id, day in keys:
            self._require_alert(user_id, day)
        listed: list[JsonValue] = [f"{user}|{day.isoformat()}" for user, day in keys]
        reason = f"{disposition.value}: {text}" if text else disposition.value
        self._record(
            by, "alert.dismiss", "alerts", {"disposition": disposition.value, "reason": reason, "alerts": listed}
        )
        with self._opened() as con:
            queue.dismiss(con, keys, reason, by)
            with opstore.transaction(con):
                for user_id, day in keys:
                    _decide(con, user_id, day, "dismissed", disposition, text, by)
        return len(keys)

    def escalated(self, user_id: str, case_id: int, *, by: str) -> None:
        """Mark the person escalated to case `case_id` (opened by Workbench.open_case, which recorded it)."""
        self._record(by, "person.escalate", user_id, {"case": case_id})
        with self._opened() as con, opstore.transaction(con):
            _set_person(con, user_id, by, status=Status.ESCALATED, case_id=case_id)

    def assign(self, user_id: str, assignee: str, accounts: Collection[str], *, by: str) -> None:
        """Assign the person to one of `accounts` ("" unassigns them)."""
        name = assignee.strip()
        if name and name not in accounts:
            raise TriageError(f"no account named {name!r} to assign to")
        self._record(by, "person.assign", user_id, {"assignee": name or None})
        with self._opened() as con, opstore.transaction(con):
            _set_person(con, user_id, by, assignee=name or None)

    def set_status(self, user_id: str, status: Status, *, by: str) -> None:
        """Set the person's status; closing remembers their latest alert day, so a later alert reopens them."""
        last = self.store.scalar("SELECT max(day) FROM scores WHERE user_id = ?", [user_id])
        if not isinstance(last, date):
            raise TriageError("nothing is scored for that person")
        self._record(by, "person.status", user_id, {"status": status.value})
        with self._opened() as con, opstore.transaction(con):
            _set_person(con, user_id, by, status=status, seen_through=last)


def _decide(
    con: sqlite3.Connection, user_id: str, day: date, state: str, disposition: Disposition | None, note: str, by: str
) -> None:
    con.execute(
        "INSERT INTO triage_alerts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, day) DO UPDATE SET"
        " state = excluded.state, disposition = excluded.disposition, note = excluded.note,"
        " decided_by = excluded.decided_by, decided_at = excluded.decided_at",
        [user_id, day.isoformat(), state, disposition.value if disposition else None, note, by, _now()],
    )


_UNSET = object()


def _set_person(
    con: sqlite3.Connection, user_id: str, by: str, *, status: Status | None = None, assignee: object = _UNSET,
    case_id: int | None = None, seen_through: date | None = None,
) -> None:  # fmt: skip
    """Change what is given of the person's row (created new when missing)."""
    con.execute(
        "INSERT INTO triage_people (user_id, status, updated_by, updated_at) VALUES (?, 'new', ?, ?)"
        " ON CONFLICT (user_id) DO NOTHING",
        [user_id, by, _now()],
    )
    con.execute(
        "UPDATE triage_people SET status = coalesce(?, status), case_id = coalesce(?, case_id),"
        " seen_through = coalesce(?, seen_through), updated_by = ?, updated_at = ? WHERE user_id = ?",
        [status.value if status else None, case_id, seen_through.isoformat() if seen_through else None, by, _now(),
         user_id],
    )  # fmt: skip
    if assignee is not _UNSET:
        con.execute("UPDATE triage_people SET assignee = ? WHERE user_id = ?", [assignee, user_id])


def _now() -> str:
    return utc_now().isoformat(timespec="seconds")
