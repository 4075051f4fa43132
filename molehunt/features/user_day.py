"""Per user-day features, computed in SQL inside the store (one definition each, see catalog.py).

build_user_day() writes the table `user_day_features` (features and context per user and active day) from
`events`, the directory, the decoy list and the domain lists. It reads no ground truth.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from molehunt.features.catalog import FEATURE_NAMES
from molehunt.features.domains import DomainLists
from molehunt.store import Store, bound_params

# Hours a person with too little history (under this many events in the trailing window) is assumed to work.
DEFAULT_WORK_HOURS = (7, 19)
MIN_HISTORY_EVENTS = 100
HISTORY_DAYS = 60
RARE_HOUR_SHARE = 0.01  # an hour holding under 1% of the user's trailing activity is outside their usual hours
LAYOFF_DAYS = 30  # colleagues_laid_off looks back this many days (the day included)
SILENT_DAYS = 28  # no activity in this many days before the data ends: gone, for the colleagues' layoffs
# Words that make an HR employment event adverse (matched as whole words in its lower-cased description): the
# grievances and sanctions after which an aggrieved employee may take revenge or leave with data (docs/hr.md).
ADVERSE_HR_WORDS = (
    "performance plan", "improvement plan", "pip", "grievance", "complaint", "disciplinary", "discipline",
    "warning", "reprimand", "demotion", "demoted", "suspension", "suspended", "probation", "passed over",
    "promotion denied", "denied promotion", "pay cut", "salary cut", "bonus withheld", "poor review",
    "negative review", "investigation", "dismissal", "termination", "layoff", "laid off", "redundancy",
)  # fmt: skip

_STAGES: tuple[tuple[str, str], ...] = (
    (
        "fx_events",
        """SELECT e.user_id, CAST(e.time AS DATE) AS day, hour(e.time) AS hour, e.kind, e.activity, e.host,
               lower(e.path) AS path, e.to_removable, e.from_removable, e.n_external,
               array_length(list_filter(e.recipients, lambda r: list_contains($webmail, split_part(r, '@', 2))))
                 AS n_personal,
               -- a webmail address whose local part carries the sender's own first and last name: their own
               -- private mailbox (ralph.palmer84@... for Ralph Uma Palmer)
               array_length(list_filter(e.recipients, lambda r: list_contains($webmail, split_part(r, '@', 2))
                   AND contains(split_part(r, '@', 1), a.first_name) AND contains(split_part(r, '@', 1), a.last_name)))
                 AS n_self,
               e.attachment_count, coalesce(e.attachment_bytes, CASE WHEN e.attachment_count > 0 THEN e.bytes END, 0)
                 AS attachment_bytes,
               e.content_type, coalesce(c1.category, c2.category, c3.category) AS category,
               CASE WHEN e.kind = 'vault' THEN e.content END AS content,
               array_length(e.recipients) AS n_recipients,
               e.kind = 'email' AND e.sender IS NOT NULL
                 AND list_contains(o.staff_domains, split_part(e.sender, '@', 2))
                 AND NOT list_contains(coalesce(a.own, []), e.sender) AS foreign_sender,
               -- web logs that record no verb (CERT r4.2: every row a visit): a leak-site visit may be an upload
               v.file_id IS NOT NULL AS verbless
        FROM events e
        CROSS JOIN (SELECT list(DISTINCT split_part(email, '@', 2)) AS staff_domains FROM directory_snapshots
                    WHERE email LIKE '%@%') o
        LEFT JOIN (SELECT user_id, own,
                          -- a name part shorter than 2 letters would match almost any address
                          CASE WHEN length(first_name) >= 2 THEN first_name END AS first_name,
                          CASE WHEN length(last_name) >= 2 AND last_name <> first_name THEN last_name END AS last_name
                   FROM (SELECT user_id, list(DISTINCT email) FILTER (WHERE email IS NOT NULL) AS own,
                                lower(split_part(trim(max(employee_name)), ' ', 1)) AS first_name,
                                lower(split_part(trim(max(employee_name)), ' ', -1)) AS last_name
                         -- names and addresses from the directory and from HR (an organization may have either)
                         FROM (SELECT user_id, email, employee_name FROM directory_snapshots
                               UNION ALL SELECT user_id, email, employee_name FROM hr_users)
                         GROUP BY ALL)) a
               ON a.user_id = e.user_id
        LEFT JOIN (SELECT file_id FROM ingested_files WHERE source = 'cert' AND release = 'r4.2') v
               ON v.file_id = e.file_id
        LEFT JOIN domain_categories c1 ON e.domain = c1.domain
        LEFT JOIN domain_categories c2 ON regexp_replace(e.domain, '^[^.]+\\.', '') = c2.domain
        LEFT JOIN domain_categories c3 ON regexp_replace(e.domain, '^[^.]+\\.[^.]+\\.', '') = c3.domain
        WHERE e.time >= $window_start""",
    ),
    # Hour-of-day profile: share of the user's trailing-window events that fell in each hour.
    (
        "fx_hours",
        f"""WITH per_hour AS (
                SELECT user_id, day, hour, count(*) AS n FROM fx_events GROUP BY ALL
            ), per_day AS (
                SELECT user_id, day, sum(n) AS n FROM per_hour GROUP BY ALL
            ), trailing_day AS (
                SELECT user_id, day, coalesce(sum(n) OVER (PARTITION BY user_id ORDER BY day RANGE BETWEEN
                    INTERVAL {HISTORY_DAYS} DAYS PRECEDING AND INTERVAL 1 DAY PRECEDING), 0) AS history
                FROM per_day
            ), trailing_hour AS (
                SELECT user_id, day, hour, n, coalesce(sum(n) OVER (PARTITION BY user_id, hour ORDER BY day RANGE
                    BETWEEN INTERVAL {HISTORY_DAYS} DAYS PRECEDING AND INTERVAL 1 DAY PRECEDING), 0) AS at_hour
                FROM per_hour
            )
            SELECT h.user_id, h.day,
                   sum(h.n) FILTER (WHERE CASE WHEN d.history >= {MIN_HISTORY_EVENTS}
                       THEN h.at_hour < {RARE_HOUR_SHARE} * d.history
                       ELSE h.hour < {DEFAULT_WORK_HOURS[0]} OR h.hour >= {DEFAULT_WORK_HOURS[1]} END)
                     AS after_hours_events
            FROM trailing_hour h JOIN trailing_day d USING (user_id, day)
            GROUP BY ALL""",
    ),
    # Each user's main machine: the one they log on to most.
    (
        "fx_main_host",
        """SELECT user_id, host FROM (
               SELECT user_id, host, row_number() OVER (PARTITION BY user_id ORDER BY count(*) DESC, host) AS place
               FROM events WHERE kind = 'logon' AND host IS NOT NULL GROUP BY user_id, host)
           WHERE place = 1""",
    ),
    (
        "fx_hosts",
        """WITH first_use AS (
               SELECT user_id, host, min(CAST(time AS DATE)) AS first_day FROM events WHERE host IS NOT NULL
               GROUP BY ALL
           ), users AS (SELECT user_id, min(CAST(time AS DATE)) AS first_day FROM events GROUP BY ALL),
           used AS (SELECT DISTINCT user_id, day, host FROM fx_events WHERE host IS NOT NULL),
           mains AS (SELECT host, count(*) AS owners, min(user_id) AS owner FROM fx_main_host GROUP BY host)
           -- a machine is another user's when it is someone else's main machine and not the user's own
           SELECT u.user_id, u.day,
                  count(*) FILTER (WHERE f.first_day = u.day AND u.day > s.first_day) AS new_hosts,
                  count(*) FILTER (WHERE (m.owners > 1 OR m.owner <> u.user_id)
                                   AND u.host IS DISTINCT FROM own.host) AS other_user_hosts
           FROM used u
           JOIN first_use f USING (user_id, host)
           JOIN users s USING (user_id)
           LEFT JOIN fx_main_host own ON own.user_id = u.user_id
           LEFT JOIN mains m ON m.host = u.host
           GROUP BY ALL""",
    ),
    # Project directories: a path segment naming a known project; outside = another team's project.
    (
        "fx_files",
        """WITH projects AS (
               SELECT DISTINCT lower(p) AS project FROM directory_users, unnest(projects) AS t(p)
           ), own AS (
               SELECT user_id, list(lower(p)) AS mine FROM directory_users, unnest(projects) AS t(p) GROUP BY ALL
           ), touched AS (
               SELECT DISTINCT e.user_id, e.day, e.path FROM fx_events e WHERE e.kind = 'file' AND e.path IS NOT NULL
           ), segments AS (
               SELECT t.user_id, t.day, t.path, p.project FROM touched t
               JOIN projects p ON contains(t.path, '\\' || p.project || '\\')
           )
           SELECT s.user_id, s.day,
                  count(DISTINCT s.path) FILTER (WHERE NOT list_contains(coalesce(o.mine, []), s.project))
                    AS files_outside_projects
           FROM segments s LEFT JOIN own o USING (user_id)
           GROUP BY ALL""",
    ),
    (
        "fx_counts",
        """SELECT user_id, day,
               count(*) AS events,
               count(*) FILTER (WHERE kind = 'logon' AND activity = 'logon') AS logons,
               count(*) FILTER (WHERE dayofweek(day) IN (0, 6)) AS weekend_events,
               count(*) FILTER (WHERE kind = 'device' AND activity = 'connect') AS usb_connects,
               count(*) FILTER (WHERE kind = 'file' AND to_removable) AS files_to_removable,
               count(*) FILTER (WHERE kind = 'file' AND from_removable) AS files_from_removable,
               count(DISTINCT path) FILTER (WHERE kind = 'file' AND activity = 'open') AS files_opened,
               count(*) FILTER (WHERE (kind = 'file' AND decoy_path IS NOT NULL)
                 OR (kind = 'vault' AND content LIKE 'decoy touch%')) AS decoy_touches,
               count(*) FILTER (WHERE kind = 'email' AND activity = 'send') AS emails_sent,
               coalesce(sum(n_recipients) FILTER (WHERE kind = 'email' AND activity = 'send'), 0) AS recipients_sent,
               count(*) FILTER (WHERE kind = 'email' AND activity = 'send' AND foreign_sender) AS foreign_sender_emails,
               coalesce(sum(n_external) FILTER (WHERE kind = 'email' AND activity = 'send'), 0) AS external_recipients,
               coalesce(sum(n_personal) FILTER (WHERE kind = 'email' AND activity = 'send'), 0) AS personal_recipients,
               coalesce(sum(attachment_count) FILTER (WHERE kind = 'email' AND activity = 'send' AND n_external > 0), 0)
                 AS attachments_out,
               coalesce(sum(attachment_count) FILTER (WHERE kind = 'email' AND activity = 'send' AND n_self > 0), 0)
                 AS self_attachments,
               coalesce(sum(attachment_count) FILTER (WHERE kind = 'email' AND activity = 'send' AND n_personal > 0), 0)
                 AS personal_attachments,
               coalesce(sum(attachment_bytes) FILTER (WHERE kind = 'email' AND activity = 'send' AND n_external > 0), 0)
                 AS attachment_bytes_out,
               count(*) FILTER (WHERE kind = 'http' AND category = 'job') AS job_site_visits,
               count(*) FILTER (WHERE kind = 'http' AND category = 'cloud') AS cloud_visits,
               count(*) FILTER (WHERE kind = 'http' AND category = 'cloud' AND activity = 'upload') AS cloud_uploads,
               count(*) FILTER (WHERE kind = 'http' AND category = 'leak') AS leak_visits,
               count(*) FILTER (WHERE kind = 'http' AND category = 'leak' AND (activity = 'upload' OR verbless))
                 AS leak_uploads,
               count(*) FILTER (WHERE kind = 'http' AND content_type = 'exe') AS exe_downloads,
               count(*) FILTER (WHERE kind = 'http' AND category = 'hacking') AS hacking_downloads,
               count(*) FILTER (WHERE kind = 'vault' AND activity = 'read' AND content NOT LIKE 'denied%'
                 AND content NOT LIKE 'held%') AS vault_reads,
               count(*) FILTER (WHERE kind = 'vault' AND activity = 'checkout' AND content NOT LIKE 'denied%'
                 AND content NOT LIKE 'held%') AS vault_checkouts,
               count(*) FILTER (WHERE kind = 'vault' AND content LIKE 'denied%') AS vault_denied,
               -- held for approval (molehunt.vault.protection), a decoy touch included
               count(*) FILTER (WHERE kind = 'vault' AND (content LIKE 'held:%' OR content LIKE 'decoy touch: held:%'))
                 AS vault_held,
               -- a second person's decision on the user's held request (molehunt.vault.records)
               count(*) FILTER (WHERE kind = 'vault' AND activity = 'deny' AND content LIKE 'refused:%')
                 AS vault_refused,
               count(*) FILTER (WHERE kind = 'vault' AND activity = 'approve' AND content LIKE 'approved:%')
                 AS vault_approved
        FROM fx_events LEFT JOIN (SELECT DISTINCT lower(path) AS decoy_path FROM decoy_files) ON decoy_path = path
        GROUP BY ALL""",
    ),
    # Adverse employment events (docs/hr.md): for each active day, the days since the user's latest one on or
    # before it, as the latest HR export listing the user records them (the view hr_user_events).
    (
        "fx_hr",
        """WITH adverse AS (
               SELECT user_id, day FROM hr_user_events WHERE regexp_matches(lower(event), $adverse_hr)
           ), active AS (SELECT DISTINCT user_id, day FROM fx_events)
           SELECT a.user_id, a.day, min(CAST(a.day - v.day AS INTEGER)) AS days_since_hr_event
           FROM active a JOIN adverse v ON v.user_id = a.user_id AND v.day <= a.day
           GROUP BY ALL""",
    ),
    # Departure: the last day of activity of a user who drops out of the directory.
    # HR hook (molehunt.ingest.hr): an HR row's last_day, else its notice date, comes first, and its role and
    # department too; without HR rows (h.* NULL) this is exactly the directory-only result.
    # silent_since: the last day of activity of someone not seen in the SILENT_DAYS up to the data's last day,
    # whatever the directory says. Only colleagues' layoffs read it, never a person's own departure: it is hindsight.
    (
        "fx_context",
        f"""WITH last_seen AS (
               SELECT user_id, min(CAST(time AS DATE)) AS first_day, max(CAST(time AS DATE)) AS last_day
               FROM events GROUP BY ALL),
           data_end AS (SELECT max(last_day) AS end_day FROM last_seen)
           SELECT l.user_id, l.first_day,
                  coalesce(h.last_day, h.notice_date, CASE WHEN d.departed THEN l.last_day END) AS departure_day,
                  CASE WHEN CAST(e.end_day - l.last_day AS INTEGER) >= {SILENT_DAYS} THEN l.last_day END
                    AS silent_since,
                  coalesce(h.role, d.role) AS role, coalesce(h.department, d.department) AS department
           FROM last_seen l CROSS JOIN data_end e
           LEFT JOIN directory_users d USING (user_id) LEFT JOIN hr_users h USING (user_id)""",
    ),
    # Layoffs: for each active day, the most others of the user's department who left on one same day in the
    # LAYOFF_DAYS days up to it: their departure days, or the day they fell silent when nothing records one.
    # Ordinary turnover rarely takes two of a department on one day.
    (
        "fx_colleagues",
        f"""WITH left_on AS (
               SELECT user_id, department, coalesce(departure_day, silent_since) AS left_day FROM fx_context),
           gone AS (
               SELECT department, left_day, count(*) AS people FROM left_on
               WHERE left_day IS NOT NULL AND department IS NOT NULL GROUP BY ALL)
           SELECT c.user_id, c.day,
                  max(g.people - CASE WHEN x.left_day = g.left_day THEN 1 ELSE 0 END) AS colleagues_laid_off
           FROM fx_counts c
           JOIN left_on x USING (user_id)
           JOIN gone g ON g.department = x.department
             AND g.left_day <= c.day AND CAST(c.day - g.left_day AS INTEGER) < {LAYOFF_DAYS}
           GROUP BY ALL""",
    ),
)

# Where each feature comes from (the rest are in fx_counts); every feature is a BIGINT, 0 when absent.
_SOURCES = {
    "after_hours_events": "h.after_hours_events",
    "new_hosts": "o.new_hosts",
    "other_user_hosts": "o.other_user_hosts",
    "files_outside_projects": "f.files_outside_projects",
}
FINAL = f"""SELECT c.user_id, c.day,
       CAST(x.departure_day - c.day AS INTEGER) AS days_to_departure,
       x.role, x.department, x.first_day, r.days_since_hr_event,
       CAST(coalesce(k.colleagues_laid_off, 0) AS INTEGER) AS colleagues_laid_off,
       {", ".join(f"CAST(coalesce({_SOURCES.get(n, 'c.' + n)}, 0) AS BIGINT) AS {n}" for n in FEATURE_NAMES)}
FROM fx_counts c
JOIN fx_context x USING (user_id)
LEFT JOIN fx_hours h USING (user_id, day)
LEFT JOIN fx_hosts o USING (user_id, day)
LEFT JOIN fx_files f USING (user_id, day)
LEFT JOIN fx_hr r USING (user_id, day)
LEFT JOIN fx_colleagues k USING (user_id, day)
WHERE c.day >= $since"""

# The one definition every engine runs (molehunt.engine, docs/engines.md): each stage is a temporary table that
# later stages and FINAL read; the SQL is DuckDB's dialect, transpiled for Spark.
STAGES = _STAGES


def adverse_hr_pattern(words: tuple[str, ...] = ADVERSE_HR_WORDS) -> str:
    """A regular expression (RE2 and Java alike) matching any of `words` as whole words in lower-case text."""
    plain = [w.lower() for w in words]
    if not plain or not all(re.fullmatch("[a-z]+( [a-z]+)*", w) for w in plain):
        raise ValueError("adverse HR words are letters and single spaces only")  # nothing to escape in any dialect
    return r"\b(" + "|".join(plain) + r")\b"


def stage_params(lists: DomainLists, since: date | None) -> dict[str, object]:
    """The values the stages and FINAL bind ($adverse_hr, $webmail, $window_start, $since) for a run from `since`
    (None: all)."""
    first = since or date.min
    return {
        "adverse_hr": adverse_hr_pattern(),
        "webmail": sorted(lists.categories.get("webmail", ())),
        "window_start": datetime.combine(first - timedelta(days=HISTORY_DAYS) if since else date.min, time()),
        "since": first,
    }


def build_user_day(store: Store, domains: DomainLists | None = None, since: date | None = None) -> int:
    """(Re)build user_day_features from the store's events; returns the number of user-days (re)computed.

    With `since`, only days from `since` on are recomputed (reading events from HISTORY_DAYS before it, for the
    hour profile, plus light whole-history scans for first use of machines, main machines and departures);
    earlier rows are kept as cached. Without it the table is rebuilt.
    """
    lists = domains or DomainLists()
    con = store.con
    con.execute("CREATE OR REPLACE TEMP TABLE domain_categories (domain VARCHAR, category VARCHAR)")
    con.executemany("INSERT INTO domain_categories VALUES (?, ?)", lists.category_rows())
    first = since or date.min
    values = stage_params(lists, since)
    for name, sql in _STAGES:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", bound_params(sql, values))
    if since is None:
        con.execute(f"CREATE OR REPLACE TABLE user_day_features AS {FINAL}", bound_params(FINAL, values))
    else:
        con.execute("DELETE FROM user_day_features WHERE day >= ?", [since])
        con.execute(f"INSERT INTO user_day_features {FINAL}", bound_params(FINAL, values))
    for name, _ in _STAGES:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return store.count("SELECT count(*) FROM user_day_features WHERE day >= ?", [first])
