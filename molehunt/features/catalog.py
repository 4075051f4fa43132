"""The per user-day features: one name, one meaning each. The SQL that computes them is in user_day.py.

Every feature is a non-negative count or amount for one user on one calendar day (days with any activity only).
Baselines (baselines.py) add, for each feature F, the columns F__median and F__mad (the user's own trailing
60-day median and median absolute deviation, excluding the day itself) and F__peer (the median of the same day's
value over the user's peer group: same role and department). Rules and scorers read the table `user_day`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    unit: str = "events"


FEATURES: tuple[Feature, ...] = (
    Feature("events", "events of all kinds"),
    Feature("logons", "logons"),
    Feature("after_hours_events", "events at hours holding under 1% of the user's trailing 60-day activity"),
    Feature("weekend_events", "events on a Saturday or Sunday"),
    Feature("new_hosts", "machines used today that the user never used before"),
    Feature("other_user_hosts", "machines used today that are another user's main machine"),
    Feature("usb_connects", "removable-media connects"),
    Feature("files_to_removable", "files written or copied to removable media", "files"),
    Feature("files_from_removable", "files read or copied from removable media", "files"),
    Feature("files_opened", "distinct files opened", "files"),
    Feature("files_outside_projects", "distinct files touched outside the user's own projects", "files"),
    Feature("decoy_touches", "events on a decoy file or vault decoy document"),
    Feature("emails_sent", "e-mails sent", "e-mails"),
    Feature("recipients_sent", "recipients of the e-mails sent", "recipients"),
    Feature("external_recipients", "recipients outside the organization's domains", "recipients"),
    Feature("personal_recipients", "recipients at personal webmail domains", "recipients"),
    Feature("foreign_sender_emails", "e-mails sent from another employee's address", "e-mails"),
    Feature("attachments_out", "attachments on mail with an external recipient", "attachments"),
    Feature("personal_attachments", "attachments on mail to a personal webmail address", "attachments"),
    Feature(
        "self_attachments",
        "attachments on mail to the user's own private webmail address (one carrying their first and last name)",
        "attachments",
    ),
    Feature("attachment_bytes_out", "attachment bytes on mail with an external recipient", "bytes"),
    Feature("job_site_visits", "web requests to job sites", "requests"),
    Feature("cloud_visits", "web requests to cloud-storage sites", "requests"),
    Feature("cloud_uploads", "uploads to cloud-storage sites", "uploads"),
    Feature("leak_visits", "web requests to leak sites", "requests"),
    Feature("leak_uploads", "uploads to leak sites (every visit where the web log records no verb)", "uploads"),
    Feature("exe_downloads", "executable downloads", "downloads"),
    Feature("hacking_downloads", "requests to hacking-tool or keylogger sites", "requests"),
    Feature("vault_reads", "documents read in the vault", "reads"),
    Feature("vault_checkouts", "copies checked out of the vault", "copies"),
    Feature("vault_denied", "vault requests refused by policy", "requests"),
    Feature("vault_held", "vault reads and checkouts held for a second person's approval", "requests"),
    Feature("vault_refused", "held vault requests a second person refused", "requests"),
    Feature("vault_approved", "held vault requests a second person approved", "requests"),
)

FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)

# Context columns of user_day that are not scored as features.
CONTEXT_COLUMNS = (
    "user_id",  # VARCHAR
    "day",  # DATE
    "days_to_departure",  # INTEGER, NULL when the user is not known to leave
    "role",  # VARCHAR, from the directory
    "department",  # VARCHAR
    "first_day",  # DATE, the user's first day with activity (rules derive tenure_days from it)
    "days_since_hr_event",  # INTEGER, days since the user's latest adverse HR event (docs/hr.md), NULL without one
    "colleagues_laid_off",  # INTEGER, the most others of the user's department who left on one day in the last 30
)
