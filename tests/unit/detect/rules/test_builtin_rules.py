"""Behaviour of each built-in rule on small user_day tables: exactly which (user, day) it fires on.

Every table mixes the pattern a rule is for with near misses (one condition short), so a threshold or window
that drifts makes a test fail.
"""

from __future__ import annotations

from typing import Any

from rules_support import fired, matches, offset, user_day

from molehunt.detect.rules import Rule, builtin_rules


def rule(rule_id: str) -> list[Rule]:
    return [r for r in builtin_rules() if r.id == rule_id]


def leaving(user: str, day: int, last_day: int = 40, **values: Any) -> dict[str, Any]:
    return {"user": user, "day": day, "days_to_departure": last_day - day, **values}


def test_departing_data_theft() -> None:
    rows = [
        leaving("leaver", 0, files_to_removable=100),  # 40 days before leaving: too early
        leaving("leaver", 10, files_to_removable=40, files_to_removable__median=4),  # 40 >= 5 * 4
        leaving("leaver", 11, files_to_removable=30, files_to_removable__median=8),  # 30 < 5 * 8
        leaving("leaver", 12, cloud_uploads=6, cloud_uploads__median=1),
        leaving("leaver", 13, cloud_uploads=4),  # 4 < 5 * max(median, 1)
        leaving("leaver", 14, personal_attachments=10, personal_attachments__median=2),
        leaving("leaver", 15, attachments_out=10, attachments_out__median=2),  # to partners, not personal mail
        leaving("leaver", 16, files_to_removable=9),  # below the floor of 10
        leaving("leaver", 17, files_to_removable=12),  # a first thumb drive: 12 >= 5 * max(median 0, 1)
        {"user": "stayer", "day": 10, "files_to_removable": 100, "cloud_uploads": 50},
        leaving("gone", 5, last_day=3, files_to_removable=100),  # a row after the last day (negative)
    ]
    found = matches(user_day(rows), rule("departing-data-theft"))
    assert [(m.user_id, offset(m.day)) for m in found] == [
        ("leaver", 10),
        ("leaver", 12),
        ("leaver", 14),
        ("leaver", 17),
    ]
    first = found[0]
    assert first.value == 40.0
    assert first.explanation == (
        "40 files to removable media (10.0x their median), 0 cloud uploads, 0 attachments to personal mail, "
        "30 days before their last day"
    )


def test_aggrieved_data_movement() -> None:
    def aggrieved(day: int, since: int | None, **values: Any) -> dict[str, Any]:
        return {"user": "aggrieved", "day": day, "days_since_hr_event": since, **values}

    rows = [
        aggrieved(0, None, files_to_removable=100),  # no adverse event recorded (yet)
        aggrieved(10, 0, files_to_removable=40, files_to_removable__median=4),  # the day of the grievance
        aggrieved(11, 1, files_to_removable=30, files_to_removable__median=8),  # 30 < 5 * 8
        aggrieved(12, 2, cloud_uploads=3),  # 3 >= 5 * max(median 0, 1)? no: 3 < 5
        aggrieved(13, 3, cloud_uploads=6, cloud_uploads__median=1),
        aggrieved(14, 90, personal_attachments=10, personal_attachments__median=2),  # the last day of the window
        aggrieved(15, 91, personal_attachments=10, personal_attachments__median=2),  # a day too late
        aggrieved(16, 20, files_to_removable=9),  # below the floor of 10
        aggrieved(17, 20, attachments_out=50),  # mail to partners, not to personal addresses
        {"user": "content", "day": 10, "files_to_removable": 100, "cloud_uploads": 50},  # no HR event at all
    ]
    found = matches(user_day(rows), rule("aggrieved-data-movement"))
    assert [(m.user_id, offset(m.day)) for m in found] == [("aggrieved", 10), ("aggrieved", 13), ("aggrieved", 14)]
    assert found[0].level.value == "medium"
    assert found[0].explanation == (
        "40 files to removable media (10.0x their median), 0 cloud uploads, 0 attachments to personal mail, "
        "0 days after an adverse HR event"
    )


def test_data_movement_after_layoffs() -> None:
    def after(user: str, day: int, laid_off: int, **values: Any) -> dict[str, Any]:
        return {"user": user, "day": day, "colleagues_laid_off": laid_off, **values}

    rows = [
        after("uploader", 10, 2, cloud_uploads=1),  # one upload, two colleagues let go on one day
        after("uploader", 11, 1, cloud_uploads=5),  # one colleague gone: ordinary turnover
        after("copier", 10, 4, files_to_removable=40, files_to_removable__median=4),
        after("copier", 11, 4, files_to_removable=30, files_to_removable__median=8),  # 30 < 5 * 8: their usual
        after("copier", 12, 4, files_to_removable=9),  # below the floor of 10
        after("mailer", 10, 4, personal_attachments=6),  # mail home is many people's habit: not this rule's
        after("stayer", 10, 0, cloud_uploads=20, files_to_removable=100),  # nobody let go
    ]
    found = matches(user_day(rows), rule("data-movement-after-layoffs"))
    assert [(m.user_id, offset(m.day)) for m in found] == [("copier", 10), ("uploader", 10)]
    assert found[1].level.value == "medium"
    assert found[1].explanation == (
        "1 cloud uploads, 0 files to removable media, in the 30 days after 2 colleagues of their department left on "
        "one day"
    )


def test_first_usb_after_hours() -> None:
    late = {"after_hours_events": 12, "after_hours_events__median": 2}
    rows = [
        {"user": "insider", "day": 0},
        {"user": "insider", "day": 35, **late},
        {"user": "insider", "day": 40, "usb_connects": 1},  # late day 5 days before: fires
        {"user": "insider", "day": 41, "usb_connects": 1, **late},  # not the first USB day any more
        {"user": "same-day", "day": 0},
        {"user": "same-day", "day": 31, "usb_connects": 2, "after_hours_events": 5, "after_hours_events__median": 1},
        {"user": "newcomer", "day": 0},
        {"user": "newcomer", "day": 12, "usb_connects": 1, **late},  # under 30 days of history
        {"user": "not-late", "day": 0},
        {"user": "not-late", "day": 50, "usb_connects": 1, "after_hours_events": 4},  # under the floor of 5
        {"user": "late-long-ago", "day": 0},
        {"user": "late-long-ago", "day": 30, **late},
        {"user": "late-long-ago", "day": 50, "usb_connects": 1},  # 20 days after: outside the 14-day window
        {"user": "usb-veteran", "day": 0, "usb_connects": 1},
        {"user": "usb-veteran", "day": 40, "usb_connects": 1, **late},
        {"user": "late-after", "day": 0},
        {"user": "late-after", "day": 40, "usb_connects": 1},
        {"user": "late-after", "day": 42, **late},  # late only after the first USB day
    ]
    found = matches(user_day(rows), rule("first-usb-after-hours"))
    assert [(m.user_id, offset(m.day)) for m in found] == [("same-day", 31), ("insider", 40)]
    assert found[1].value == 1.0
    assert found[1].explanation == (
        "first removable media use after 40 days of history (1 connects), with 1 late day(s) in the last 14 days "
        "(0 after-hours events today)"
    )


def test_leak_site_upload() -> None:
    rows = [
        {"user": "a", "day": 0, "leak_visits": 9},
        {"user": "a", "day": 1, "leak_visits": 1, "leak_uploads": 1},
        {"user": "b", "day": 1, "cloud_uploads": 40},
    ]
    assert fired(user_day(rows), rule("leak-site-upload")) == [("a", 1)]


def test_hacking_tool_then_other_host() -> None:
    rows = [
        {"user": "a", "day": 0, "hacking_downloads": 2},
        {"user": "a", "day": 3, "other_user_hosts": 1},
        {"user": "a", "day": 29, "other_user_hosts": 1},  # day 29: the download is still in the 30-day window
        {"user": "a", "day": 30, "other_user_hosts": 1},  # day 30: it left the window
        {"user": "b", "day": 0, "other_user_hosts": 1},
        {"user": "b", "day": 2, "hacking_downloads": 1},  # download after the logon
        {"user": "c", "day": 5, "other_user_hosts": 3, "hacking_downloads": 1},  # same day counts
        {"user": "d", "day": 5, "other_user_hosts": 3, "exe_downloads": 4},  # ordinary downloads
    ]
    found = matches(user_day(rows), rule("hacking-tool-then-other-host"))
    assert [(m.user_id, offset(m.day)) for m in found] == [("a", 3), ("c", 5), ("a", 29)]
    assert found[0].explanation == (
        "used 1 machine(s) of other users, 1 day(s) with hacking-tool downloads in the last 30 days"
    )


def test_hacking_tool_download() -> None:
    rows = [{"user": "tinkerer", "day": 2, "hacking_downloads": 1}, {"user": "plain", "day": 2, "exe_downloads": 3}]
    found = matches(user_day(rows), rule("hacking-tool-download"))
    assert [(m.user_id, offset(m.day), m.explanation) for m in found] == [
        ("tinkerer", 2, "1 request(s) to hacking-tool or keylogger sites")
    ]


def test_vault_rules() -> None:
    rows = [
        {"user": "prober", "day": 3, "vault_denied": 3},
        {"user": "unlucky", "day": 3, "vault_denied": 2},
        {"user": "sweeper", "day": 3, "vault_checkouts": 40, "vault_checkouts__median": 2},
        {"user": "reviewer", "day": 3, "vault_checkouts": 40, "vault_checkouts__median": 20},
    ]
    assert fired(user_day(rows), rule("vault-denied-burst")) == [("prober", 3)]
    assert fired(user_day(rows), rule("vault-bulk-checkout")) == [("sweeper", 3)]


def test_mail_as_another_employee() -> None:
    rows = [
        {"user": "spoofer", "day": 3, "foreign_sender_emails": 1, "recipients_sent": 40},
        {"user": "honest", "day": 3, "emails_sent": 20, "recipients_sent": 40},
    ]
    found = matches(user_day(rows), rule("mail-as-another-employee"))
    assert [(m.user_id, offset(m.day)) for m in found] == [("spoofer", 3)]
    assert found[0].explanation == "1 e-mail(s) sent as another employee, to 40 recipients"


def test_decoy_touched_is_critical() -> None:
    rows = [{"user": "a", "day": 0, "files_opened": 50}, {"user": "a", "day": 1, "decoy_touches": 1}]
    (match,) = matches(user_day(rows), rule("decoy-touched"))
    assert (match.user_id, match.weight, match.level.value) == ("a", 100, "critical")


QUIET = 60  # the drip starts after 60 days of history without personal attachments


def _every_third_day(user: str, until: int, attachments: int, personal: bool = True) -> list[dict[str, Any]]:
    """A quiet first day, then from day QUIET on one mail every third day with `attachments` attachments."""
    column = "personal_attachments" if personal else "attachments_out"
    return [{"user": user, "day": 0}] + [
        {"user": user, "day": QUIET + day, column: attachments} for day in range(0, until, 3)
    ]


def test_slow_drip_fires_once_sums_reach_both_windows() -> None:
    rows = _every_third_day("dripper", 90, 1)  # one attachment every third day: 10 in any 30 days
    rows += _every_third_day("short", 40, 1)  # 14 in total: the 90-day sum never reaches 15
    rows += _every_third_day("partners", 90, 1, personal=False)  # external partners, not personal addresses
    bulk = _every_third_day("one-bulk-day", 90, 1)
    bulk[16]["personal_attachments"] = 4  # day QUIET+45: a large day suppresses the rule from then on, for 90 days
    rows += bulk
    habitual = [{"user": "habitual", "day": day, "personal_attachments": 1} for day in range(0, QUIET + 90, 3)]
    rows += habitual  # the same drip, but a habit from their first day: not new, not a slow drip
    # The 90-day sum reaches 15 on the 15th sending day (QUIET+42); the 30-day sum is 6 or more from QUIET+15.
    expected = [("dripper", QUIET + day) for day in range(42, 90, 3)]
    expected.insert(1, ("one-bulk-day", QUIET + 42))
    assert fired(user_day(rows), rule("slow-drip")) == expected


def test_slow_drip_needs_the_30_day_sum_too() -> None:
    # One attachment every 6 days: 15 in 90 days, but only 5 in any 30 days.
    rows = [{"user": "sparse", "day": 0}]
    rows += [{"user": "sparse", "day": QUIET + day, "personal_attachments": 1} for day in range(0, 180, 6)]
    assert fired(user_day(rows), rule("slow-drip")) == []
    rows = [dict(row, personal_attachments=2) if row["day"] else row for row in rows]  # 10 per 30 days
    assert fired(user_day(rows), rule("slow-drip"))[:2] == [("sparse", QUIET + 42), ("sparse", QUIET + 48)]


def test_drip_to_own_mailbox_fires_from_the_third_day_in_30() -> None:
    rows = [{"user": "dripper", "day": day, "self_attachments": 1} for day in (0, 10, 20, 29, 70)]
    rows += [{"user": "dripper", "day": 25}]  # a day without a drip never fires
    rows += [{"user": "spread", "day": day, "self_attachments": 2} for day in (0, 30, 60)]  # never 3 days in 30
    rows += [{"user": "friends", "day": day, "personal_attachments": 1} for day in (0, 5, 10, 15)]  # not their own
    # day 29 is within 30 days of day 0 (window [day - 29, day]); day 70 has only itself in its window.
    assert fired(user_day(rows), rule("drip-to-own-mailbox")) == [("dripper", 20), ("dripper", 29)]
    found = matches(user_day(rows), rule("drip-to-own-mailbox"))
    assert found[0].explanation == (
        "mailed attachments to their own private address on 3 days in the last 30 (1 today)"
    )


def test_new_cloud_upload_habit() -> None:
    def uploads(user: str, days: dict[int, int]) -> list[dict[str, Any]]:
        return [{"user": user, "day": 0}] + [{"user": user, "day": d, "cloud_uploads": n} for d, n in days.items()]

    rows = uploads("starter", {40: 2, 45: 2, 50: 1, 52: 3, 120: 5})  # sum reaches 5 on day 50; day 120 is too late
    rows += uploads("habit", {3: 1, 40: 2, 45: 2, 50: 1, 52: 3})  # uploaded in the first month: not new
    rows += uploads("trickle", {40: 1, 50: 1, 60: 1, 70: 1, 80: 1})  # never 5 within 30 days
    assert fired(user_day(rows), rule("new-cloud-upload-habit")) == [("starter", 50), ("starter", 52)]


def test_first_usb_bulk_copy() -> None:
    rows = [{"user": "late-starter", "day": 0}, {"user": "late-starter", "day": 40, "usb_connects": 1}]
    rows += [{"user": "late-starter", "day": day, "usb_connects": 1, "files_to_removable": 15} for day in (45, 69, 71)]
    rows += [
        {"user": "one-file", "day": 0},
        {"user": "one-file", "day": 40, "usb_connects": 1, "files_to_removable": 2},
    ]
    rows += [{"user": "habit", "day": 0, "usb_connects": 1}, {"user": "habit", "day": 40, "files_to_removable": 50}]
    rows += [
        {"user": "new-hire", "day": 0},
        {"user": "new-hire", "day": 20, "usb_connects": 1, "files_to_removable": 30},
    ]
    # late-starter's first connect is on day 40 (after 40 days of history): bulk days 45 and 69 are within 30 days of
    # it, day 71 is not; the others used USB from the start, copied little, or had under 30 days of history.
    assert fired(user_day(rows), rule("first-usb-bulk-copy")) == [("late-starter", 45), ("late-starter", 69)]


def test_colleague_machine_then_personal_mail() -> None:
    rows = [
        {"user": "snoop", "day": 10, "other_user_hosts": 1},
        {"user": "snoop", "day": 14, "personal_attachments": 2},  # 4 days after using a colleague's machine
        {"user": "snoop", "day": 30, "personal_attachments": 1},  # 20 days after: outside the 7-day window
        {"user": "homebody", "day": 14, "personal_attachments": 3},  # never on another's machine
        {"user": "helper", "day": 14, "other_user_hosts": 2},  # on others' machines, nothing mailed home
    ]
    found = matches(user_day(rows), rule("colleague-machine-then-personal-mail"))
    assert [(m.user_id, offset(m.day)) for m in found] == [("snoop", 14)]


def test_cloud_upload_burst() -> None:
    rows = [
        {"user": "burst", "day": 5, "cloud_uploads": 12, "cloud_uploads__median": 1, "cloud_uploads__peer": 1},
        {"user": "habit", "day": 5, "cloud_uploads": 12, "cloud_uploads__median": 10, "cloud_uploads__peer": 1},
        {"user": "team", "day": 5, "cloud_uploads": 12, "cloud_uploads__median": 1, "cloud_uploads__peer": 8},
        {"user": "few", "day": 5, "cloud_uploads": 2},
    ]
    assert fired(user_day(rows), rule("cloud-upload-burst")) == [("burst", 5)]


def test_departing_job_search() -> None:
    rows = [
        leaving("leaver", 0, job_site_visits=3),  # 40 days before leaving: inside the 60-day window
        leaving("leaver", 35, job_site_visits=0),
        {"user": "stayer", "day": 0, "job_site_visits": 9},
    ]
    assert fired(user_day(rows), rule("departing-job-search")) == [("leaver", 0)]


def test_mass_email_unusual_account() -> None:
    rows = [{"user": user, "day": 0} for user in ("spammer", "busy-peers", "newcomer", "external", "small")] + [
        {"user": "spammer", "day": 20, "emails_sent": 60, "emails_sent__median": 3, "emails_sent__peer": 5},
        {"user": "busy-peers", "day": 20, "emails_sent": 60, "emails_sent__median": 3, "emails_sent__peer": 10},
        {"user": "newcomer", "day": 10, "emails_sent": 60, "emails_sent__median": 1, "emails_sent__peer": 1},
        {"user": "external", "day": 20, "external_recipients": 80, "external_recipients__peer": 2},
        {"user": "small", "day": 20, "emails_sent": 40},
        {"user": "one-mass-mail", "day": 20, "emails_sent": 1, "recipients_sent": 40, "recipients_sent__median": 3},
        {"user": "one-mass-mail", "day": 0},
        {
            "user": "team-list",
            "day": 20,
            "recipients_sent": 40,
            "recipients_sent__median": 3,
            "recipients_sent__peer": 30,
        },
        {"user": "team-list", "day": 0},
    ]
    found = matches(user_day(rows), rule("mass-email-unusual-account"))
    assert [(m.user_id, offset(m.day)) for m in found] == [("external", 20), ("one-mass-mail", 20), ("spammer", 20)]
    assert found[2].explanation == (
        "60 e-mails (20.0x their median, peers 5) to 0 recipients (0.0x their median), 0 of them external"
    )


def test_an_ordinary_user_triggers_nothing() -> None:
    usual = {"logons": 2, "events": 80, "after_hours_events": 2, "usb_connects": 1, "files_to_removable": 6,
             "emails_sent": 12, "external_recipients": 4, "personal_recipients": 0, "attachments_out": 2,
             "cloud_visits": 3, "cloud_uploads": 1, "exe_downloads": 1}  # fmt: skip
    baselines = {f"{name}__{kind}": value for name, value in usual.items() for kind in ("median", "peer")}
    rows = [{"user": "ordinary", "day": day, **usual, **baselines} for day in range(120)]
    rows += [leaving("ordinary-leaver", day, last_day=119, **usual, **baselines) for day in range(120)]
    assert fired(user_day(rows), builtin_rules()) == []
