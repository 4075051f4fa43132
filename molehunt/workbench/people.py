"""One person as the analyst sees them: directory and HR facts, risk history, indicators against baselines, raw events,
and how they compare with their peers (same role and department)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from molehunt.detect.alerts import has_scores
from molehunt.features.catalog import FEATURES
from molehunt.features.user_day import adverse_hr_pattern
from molehunt.store import Store
from molehunt.workbench.paging import page_bounds

EVENTS_PAGE = 25
# Event columns shown in the drill-down and the evidence export, then the provenance of each row (the file and line
# it was read from), so every row can be found in its source.
EVENT_FIELDS = ("time", "kind", "activity", "host", "path", "domain", "url", "recipients", "attachment_count", "bytes")
EVENT_COLUMNS = (*EVENT_FIELDS, "source_file", "line")
_EVENT_SELECT = ", ".join((*(f"e.{name}" for name in EVENT_FIELDS), "f.path AS source_file", "e.line"))


@dataclass(frozen=True)
class Profile:
    user_id: str
    role: str | None
    department: str | None
    team: str | None
    departed: bool
    last_month: date | None
    first_day: date | None
    last_day: date | None
    peak_score: float
    peak_day: date | None
    active_days: int
    hr_last_day: date | None = None  # HR's last day, else its notice date (docs/hr.md)
    hr_events: tuple[HrEvent, ...] = ()  # as the latest HR export listing the person records them, oldest first


@dataclass(frozen=True)
class HrEvent:
    day: date
    event: str
    adverse: bool  # what days_since_hr_event counts (molehunt.features.user_day.ADVERSE_HR_WORDS)


@dataclass(frozen=True)
class Indicator:
    name: str
    description: str
    unit: str
    value: float
    median: float | None
    peer: float | None

    @property
    def ratio(self) -> float | None:
        """Value over the user's own median; None without history or when the median is 0 (shown as "new")."""
        return None if not self.median else self.value / self.median


@dataclass(frozen=True)
class PeerRow:
    user_id: str
    peak_score: float
    mean_score: float
    active_days: int


@dataclass(frozen=True)
class EventPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def known_users(store: Store) -> list[str]:
    """Everyone with scores or a directory entry (for resolving pseudonyms)."""
    rows = store.con.execute(
        "SELECT user_id FROM directory_users UNION SELECT DISTINCT user_id FROM events ORDER BY 1"
    ).fetchall()
    return [row[0] for row in rows]


def profile(store: Store, user_id: str) -> Profile | None:
    directory = store.con.execute(
        "SELECT role, department, team, departed, last_month FROM directory_users WHERE user_id = ?", [user_id]
    ).fetchall()
    scored = store.con.execute(
        "SELECT min(day), max(day), max(score), arg_max(day, score), count(*) FROM scores WHERE user_id = ?", [user_id]
    ).fetchall()
    first, last, peak, peak_day, days = scored[0]
    if not directory and not days:
        return None
    role, department, team, departed, last_month = directory[0] if directory else (None, None, None, False, None)
    hr = store.con.execute(
        "SELECT coalesce(last_day, notice_date) FROM hr_users WHERE user_id = ?", [user_id]
    ).fetchall()
    events = store.con.execute(
        "SELECT day, event, regexp_matches(lower(event), $adverse) FROM hr_user_events WHERE user_id = $user"
        " ORDER BY day, line",
        {"user": user_id, "adverse": adverse_hr_pattern()},
    ).fetchall()
    return Profile(
        user_id, role, department, team, bool(departed), last_month, first, last,
        float(peak or 0.0), peak_day, int(days or 0), hr[0][0] if hr else None,
        tuple(HrEvent(day, event, bool(adverse)) for day, event, adverse in events),
    )  # fmt: skip


def indicators(store: Store, user_id: str, day: date) -> list[Indicator]:
    """Every feature of that user-day against the user's own median and the peer median, largest ratio first."""
    columns = ", ".join(f"{f.name}, {f.name}__median, {f.name}__peer" for f in FEATURES)
    rows = store.con.execute(f"SELECT {columns} FROM user_day WHERE user_id = ? AND day = ?", [user_id, day]).fetchall()
    if not rows:
        return []
    values = rows[0]
    found = [
        Indicator(
            f.name, f.description, f.unit, float(values[3 * i] or 0), _num(values[3 * i + 1]), _num(values[3 * i + 2])
        )
        for i, f in enumerate(FEATURES)
    ]
    return sorted(found, key=_unusual_first)


def _unusual_first(ind: Indicator) -> tuple[int, float, str]:
    """Indicators new for the person (a value where the median is 0 or unknown) first, then by ratio, zeros last."""
    if not ind.value:
        return (2, 0.0, ind.name)
    if ind.ratio is None:
        return (0, -ind.value, ind.name)
    return (1, -ind.ratio, ind.name)


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def events(store: Store, user_id: str, day: date | None, page: int = 1) -> EventPage:
    """The user's events (of one day, or all), oldest first, one page at a time, with the file and line read from."""
    start = datetime.combine(day, datetime.min.time()) if day else datetime.min
    end = start + timedelta(days=1) if day else datetime.max
    total = store.count(
        "SELECT count(*) FROM events WHERE user_id = ? AND time >= ? AND time < ?", [user_id, start, end]
    )
    page, pages = page_bounds(total, page, EVENTS_PAGE)
    rows = events_between(store, user_id, start, end, limit=EVENTS_PAGE, offset=(page - 1) * EVENTS_PAGE)
    return EventPage(rows, total, page, pages)


def events_between(
    store: Store, user_id: str, start: datetime, end: datetime, *, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """The user's events in [start, end), oldest first, as EVENT_COLUMNS."""
    cursor = store.con.execute(
        f"SELECT {_EVENT_SELECT} FROM events e JOIN ingested_files f USING (file_id)"
        " WHERE e.user_id = ? AND e.time >= ? AND e.time < ? ORDER BY e.time, e.file_id, e.line LIMIT ? OFFSET ?",
        [user_id, start, end, limit, offset],
    )
    return [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def peers(store: Store, user_id: str, limit: int = 12) -> list[PeerRow]:
    """The user and their peers (same role and department), highest peak risk first."""
    rows = store.con.execute(
        "WITH me AS (SELECT role, department FROM directory_users WHERE user_id = ?),"
        " group_members AS (SELECT d.user_id FROM directory_users d, me"
        "   WHERE d.role IS NOT DISTINCT FROM me.role AND d.department IS NOT DISTINCT FROM me.department)"
        " SELECT s.user_id, max(s.score), avg(s.score), count(*) FROM scores s JOIN group_members USING (user_id)"
        " GROUP BY s.user_id ORDER BY max(s.score) DESC, s.user_id LIMIT ?",
        [user_id, limit],
    ).fetchall()
    return [PeerRow(u, float(peak), float(mean), int(n)) for u, peak, mean, n in rows]


def directory_emails(store: Store) -> dict[str, str]:
    """Each directory e-mail address (lower case) -> its owner's user id."""
    rows = store.con.execute("SELECT lower(email), user_id FROM directory_users WHERE email IS NOT NULL")
    return dict(rows.fetchall())


# ---- the people index ---------------------------------------------------------------------------------------------

INDEX_PAGE = 50


class IndexSort(StrEnum):
    PSEUDONYM = "pseudonym"
    DEPARTMENT = "department"
    ROLE = "role"
    RISK = "risk"  # highest peak first
    LEAVING = "leaving"  # soonest last day first, people not leaving last


@dataclass(frozen=True)
class IndexRow:
    user_id: str
    pseudonym: str
    department: str | None
    role: str | None
    peak_score: float | None  # None: never scored
    peak_day: date | None
    leaving: date | None  # HR's last day (else notice date), else the last directory month of someone who left


@dataclass(frozen=True)
class PeopleIndex:
    rows: list[IndexRow]
    total: int
    page: int
    pages: int


def people_index(
    store: Store, pseudonym_of: Callable[[str], str], sort: IndexSort = IndexSort.PSEUDONYM, page: int = 1
) -> PeopleIndex:
    """Everyone in the directory or the scores, one page, sorted (pseudonyms are keyed hashes, so the sorting is
    done here rather than in SQL: a few thousand people take milliseconds)."""
    risk = (
        "SELECT user_id, max(score) AS peak, arg_max(day, score) AS peak_day FROM scores GROUP BY user_id"
        if has_scores(store)
        else "SELECT NULL::VARCHAR AS user_id, NULL::DOUBLE AS peak, NULL::DATE AS peak_day WHERE false"
    )
    found = store.con.execute(
        f"WITH risk AS ({risk}), everyone AS (SELECT user_id FROM directory_users UNION SELECT user_id FROM risk)"
        " SELECT e.user_id, d.department, d.role, r.peak, r.peak_day,"
        "  coalesce(h.last_day, h.notice_date, CASE WHEN d.departed THEN d.last_month END)"
        " FROM everyone e LEFT JOIN directory_users d USING (user_id) LEFT JOIN risk r USING (user_id)"
        " LEFT JOIN hr_users h USING (user_id)"
    ).fetchall()
    rows = [
        IndexRow(user, pseudonym_of(user), dept, role, float(peak) if peak is not None else None, peak_day, leaving)
        for user, dept, role, peak, peak_day, leaving in found
    ]
    rows.sort(key=_INDEX_KEYS[sort])
    page, pages = page_bounds(len(rows), page, INDEX_PAGE)
    return PeopleIndex(rows[(page - 1) * INDEX_PAGE : page * INDEX_PAGE], len(rows), page, pages)


_INDEX_KEYS: dict[IndexSort, Callable[[IndexRow], tuple[Any, ...]]] = {
    IndexSort.PSEUDONYM: lambda r: (r.pseudonym,),
    IndexSort.DEPARTMENT: lambda r: (r.department is None, r.department or "", r.pseudonym),
    IndexSort.ROLE: lambda r: (r.role is None, r.role or "", r.pseudonym),
    IndexSort.RISK: lambda r: (r.peak_score is None, -(r.peak_score or 0.0), r.pseudonym),
    IndexSort.LEAVING: lambda r: (r.leaving is None, r.leaving or date.min, r.pseudonym),
}


@dataclass(frozen=True)
class DayEvents:
    rows: list[dict[str, Any]]  # EVENT_COLUMNS plus "trigger": whether it is one the fired rules count
    total: int  # events that day
    triggering: int  # of them, the ones the fired rules count


def day_events(store: Store, user_id: str, day: date, trigger: str, limit: int = 100) -> DayEvents:
    """The user's events of one day, those matching `trigger` first (each oldest first), at most `limit`. `trigger`
    is SQL over `events` from molehunt.workbench.alert_view.trigger_filter (fixed texts, never a request's)."""
    start = datetime.combine(day, datetime.min.time())
    window = [user_id, start, start + timedelta(days=1)]
    matched = f"(SELECT e.*, coalesce({trigger}, false) AS trigger FROM events e WHERE e.user_id = ? AND e.time >= ?"
    matched += " AND e.time < ?)"
    total, triggering = store.con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE trigger) FROM {matched}", window
    ).fetchall()[0]
    cursor = store.con.execute(
        f"SELECT {_EVENT_SELECT}, e.trigger FROM {matched} e JOIN ingested_files f USING (file_id)"
        " ORDER BY e.trigger DESC, e.time, e.file_id, e.line LIMIT ?",
        [*window, limit],
    )
    rows = [dict(zip((*EVENT_COLUMNS, "trigger"), row, strict=True)) for row in cursor.fetchall()]
    return DayEvents(rows, int(total), int(triggering))


EVENT_KINDS = ("logon", "device", "file", "email", "http", "vault")
MAX_EXPLORE_DAYS = 92  # a quarter at most per view: the page stays quick on a large store


@dataclass(frozen=True)
class Explored:
    rows: list[dict[str, Any]]  # EVENT_COLUMNS plus "trigger"
    total: int  # events in the range and kinds
    triggering: int  # of them, the ones rules that fired for the person in the range count
    page: int
    pages: int
    start: date
    end: date  # inclusive
    kinds: tuple[str, ...]  # the kinds shown (all when none was chosen)


def fired_rules(store: Store, user_id: str, start: date, end: date) -> set[str]:
    """The ids of the rules that fired for the person on a scored day in [start, end]."""
    rows = store.con.execute(
        "SELECT DISTINCT unnest(rules) FROM scores WHERE user_id = ? AND day BETWEEN ? AND ?", [user_id, start, end]
    ).fetchall()
    return {str(r[0]) for r in rows}


def explore(
    store: Store, user_id: str, start: date, end: date, kinds: tuple[str, ...], trigger: str, page: int = 1
) -> Explored:
    """The person's events from `start` to `end` (inclusive, at most MAX_EXPLORE_DAYS), of `kinds` (all when
    empty), those matching `trigger` first, one page at a time. `trigger` is SQL over `events` from
    molehunt.workbench.alert_view.trigger_filter (fixed texts, never a request's)."""
    if end < start:
        start, end = end, start
    end = min(end, start + timedelta(days=MAX_EXPLORE_DAYS - 1))
    shown = tuple(k for k in kinds if k in EVENT_KINDS) or EVENT_KINDS
    window = [user_id, datetime.combine(start, datetime.min.time()),
              datetime.combine(end + timedelta(days=1), datetime.min.time()), list(shown)]  # fmt: skip
    matched = f"(SELECT e.*, coalesce({trigger}, false) AS trigger FROM events e WHERE e.user_id = ? AND e.time >= ?"
    matched += " AND e.time < ? AND e.kind IN (SELECT unnest(?::VARCHAR[])))"
    total, triggering = store.con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE trigger) FROM {matched}", window
    ).fetchall()[0]
    page, pages = page_bounds(int(total), page, EVENTS_PAGE)
    cursor = store.con.execute(
        f"SELECT {_EVENT_SELECT}, e.trigger FROM {matched} e JOIN ingested_files f USING (file_id)"
        " ORDER BY e.trigger DESC, e.time, e.file_id, e.line LIMIT ? OFFSET ?",
        [*window, EVENTS_PAGE, (page - 1) * EVENTS_PAGE],
    )
    rows = [dict(zip((*EVENT_COLUMNS, "trigger"), row, strict=True)) for row in cursor.fetchall()]
    return Explored(rows, int(total), int(triggering), page, pages, start, end,
                    shown if kinds else ())  # fmt: skip
