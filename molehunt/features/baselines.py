"""Baselines for every feature: the user's own trailing history and the peer group's same day.

build_baselines() turns `user_day_features` into `user_day`: each feature F gains F__median and F__mad (robust
centre and spread over the user's active days in the trailing window, the day itself excluded; NULL without
history) and F__peer (the median of F that day among users of the same role and department, when at least
MIN_PEERS of them were active; NULL otherwise, so a lone user is never their own peer).
`history_days` counts the active days in the window, so callers can trust the own baseline only when it is full.
"""

from __future__ import annotations

from datetime import date, timedelta

from molehunt.features.catalog import FEATURE_NAMES
from molehunt.features.user_day import HISTORY_DAYS
from molehunt.store import Store

# A peer median needs a group: with fewer people active that day (the user included) it is NULL, not the user.
MIN_PEERS = 4


def baseline_sql(window_days: int = HISTORY_DAYS) -> str:
    """SELECT of user_day rows from user_day_features rows with day >= $window_start, kept from $since on."""
    columns = []
    for name in FEATURE_NAMES:
        columns += [
            f"median({name}) OVER history AS {name}__median",
            f"mad({name}) OVER history AS {name}__mad",
            f"CASE WHEN count(*) OVER peers >= {MIN_PEERS} THEN median({name}) OVER peers END AS {name}__peer",
        ]
    return f"""SELECT * FROM (
SELECT *, count(*) OVER history AS history_days, {", ".join(columns)}
FROM user_day_features WHERE day >= $window_start
WINDOW history AS (PARTITION BY user_id ORDER BY day
                   RANGE BETWEEN INTERVAL {int(window_days)} DAYS PRECEDING AND INTERVAL 1 DAY PRECEDING),
       peers AS (PARTITION BY role, department, day)
) WHERE day >= $since"""


def build_baselines(store: Store, window_days: int = HISTORY_DAYS, since: date | None = None) -> int:
    """(Re)build `user_day` from `user_day_features` (from `since` on, keeping earlier rows); returns rows built."""
    first = since or date.min
    params = {"window_start": first - timedelta(days=window_days) if since else date.min, "since": first}
    if since is None:
        store.con.execute(f"CREATE OR REPLACE TABLE user_day AS {baseline_sql(window_days)}", params)
    else:
        store.con.execute("DELETE FROM user_day WHERE day >= ?", [since])
        store.con.execute(f"INSERT INTO user_day {baseline_sql(window_days)}", params)
    return store.count("SELECT count(*) FROM user_day WHERE day >= ?", [first])
