"""Protection as it happens: after each read, checkout, refusal or hold, the person's recent vault activity is
gathered from the store's events (one query) and assessed (molehunt.protect.derive.assess_vault_activity); a
level it calls for above the current one is recorded in the audit log (actor ``vault``, action ``protect.change``)
and then set (source ``vault``). Automatic levels only rise (molehunt.protect.changes).

Rates are allowed reads and checkouts per burst window (the policy's ``burst_window_seconds``): ``own_rate`` and
``peer_rate`` average the windows in which the person, or anyone else, used the vault on the 30 days before today.
"""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime, timedelta

from molehunt.audit import NewEntry, append_entry
from molehunt.audit.entries import JsonValue
from molehunt.config import Home
from molehunt.opstore import connect
from molehunt.protect import level_of, set_level
from molehunt.protect.changes import Change, automatic_change
from molehunt.protect.derive import VaultActivity, assess_vault_activity
from molehunt.protect.policy import Policy
from molehunt.store import Store
from molehunt.vault import records

ACTOR = "vault"  # who the audit log says raised a level as it happened
HISTORY_DAYS = 30

_GATHER = """
WITH recent AS (
    SELECT user_id, time, content FROM events
    WHERE source = $source AND kind = 'vault' AND activity IN ('read', 'checkout') AND time >= $history
), usual AS (
    SELECT user_id = $user AS own, count(*) AS n FROM recent
    WHERE time < $today AND content LIKE '%allowed:%'
    GROUP BY user_id, floor(epoch(time) / $window)
)
SELECT
    (SELECT count(*) FROM recent WHERE user_id = $user AND time > $since AND content LIKE '%allowed:%'),
    (SELECT coalesce(avg(n), 0) FROM usual WHERE own),
    (SELECT coalesce(avg(n), 0) FROM usual WHERE NOT own),
    (SELECT count(*) FROM recent WHERE user_id = $user AND time >= $today
        AND content LIKE 'denied:%' AND content LIKE '%need-to-know%'),
    (SELECT count(*) > 0 FROM recent WHERE user_id = $user AND time >= $today AND content LIKE 'decoy touch:%'),
    (SELECT count(*) > 0 FROM hr_users WHERE user_id = $user AND notice_date <= $day)
"""


def gather(store: Store, user: str, now: datetime, window_seconds: int) -> VaultActivity:
    """The person's vault activity up to ``now`` (one query over the store's events and HR records)."""
    moment = now.astimezone(UTC).replace(tzinfo=None)
    today = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    params = {
        "source": records.SOURCE,
        "user": user,
        "history": today - timedelta(days=HISTORY_DAYS),
        "today": today,
        "day": today.date(),
        "since": moment - timedelta(seconds=window_seconds),
        "window": window_seconds,
    }
    row = store.con.execute(_GATHER, params).fetchone()
    assert row is not None
    reads, own, peers, denials, decoy, leaving = row
    return VaultActivity(int(reads), float(own), float(peers), int(denials), bool(decoy), bool(leaving))


def react(home: Home, store: Store, user: str, now: datetime) -> Change | None:
    """Raise ``user``'s level when their activity up to ``now`` calls for it (audited first); the change or None."""
    policy = Policy.for_home(home)
    found = assess_vault_activity(gather(store, user, now, policy.burst_window_seconds), policy)
    if found is None:
        return None
    level, reasons = found
    with closing(connect(home)) as con:
        change = automatic_change(level_of(con, user), level, reasons, "vault")
        if change is None:
            return None
        details: dict[str, JsonValue] = {
            "level": change.level.value, "reasons": list[JsonValue](change.reasons), "source": change.source
        }  # fmt: skip
        append_entry(home.audit_dir, home.keys_dir, NewEntry(ACTOR, "protect.change", user, details, time=now))
        set_level(con, user, change.level, change.reasons, source=change.source, by=ACTOR)
    return change
