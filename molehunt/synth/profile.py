"""Organization profiles: how common and how strong each benign confounder is, how people of each role work,
how loud the insiders are and whether departures are on record, drawn at random from documented ranges.

A detector tuned on one simulated organization learns that organization's quirks. A profile is a whole
organization's character, drawn from `RANGES` by `Profile.draw(number)` with its own random stream (seeded
from the profile number alone, so profile 7 is the same character whatever the organization seed); the seed
then draws the people. Develop on some profile numbers and report on others never looked at.

`SynthConfig(profile=None)` (the default) is not a profile: it is today's simulator exactly, whose values
are `BASELINE` (the new confounders off). Profile numbers are positive integers; 0 is not one.

Ranges (uniform between the bounds unless marked log, which is uniform in the logarithm):

| field | range | what |
| --- | --- | --- |
| admin_share | 0.03-0.15 | weight of the IT department (IT admins) among departments (baseline 0.06) |
| admin_visit_days | 0.2-0.9 | chance an IT admin logs on to other people's PCs on a working day (baseline 0) |
| admin_visit_pcs | 1-8 | mean number of other people's PCs an admin logs on to on such a day |
| security_share | 0.003-0.02 | share of staff who are security analysts (at least one; baseline none) |
| security_days | 0.2-0.8 | share of an analyst's working days with visits to hacking/keylogger/exploit sites |
| security_visits | 2-15 | hacking-site rows on such a day (some of them downloads of tools) |
| usb_share | 0.10-0.50 | share of non-IT people who use a thumb drive now and then (baseline 0.25) |
| heavy_usb_share | 0.00-0.06 | share of non-IT members who copy to thumb drives every day (baseline 0) |
| heavy_usb_files | 10-80 | files a heavy USB user copies on a working day |
| backup_share | 0.002-0.02 | share of staff running a nightly backup to removable media (baseline 1 per 250) |
| backup_files | 20-200 | mean files a backup copies per night (baseline 60) |
| forwarder_share | 0.02-0.15 | share of people who mail their own personal address (baseline 0.05) |
| forwarder_days | 0.5-4 | days a week a forwarder sends work attachments to their own webmail (baseline 0) |
| mass_mailer_share | 0.002-0.015 | share of staff (HR, assistants, managers first) sending mass mail (at least one) |
| mass_mail_per_week | 0.5-5 | mass mails an announcer sends a week |
| mass_mail_recipients | 20-150 | internal recipients of one mass mail (at most everyone employed) |
| leaver_copy_share | 0.1-0.6 | share of benign leavers who copy personal files to USB before leaving (baseline 0) |
| leaver_copy_files | 5-60 | files copied on such a day (mostly personal: photos, music, own papers) |
| leaver_copy_weeks | 1-4 | the copying falls on 1-4 days within this many weeks before the last day |
| night_share | 0.00-0.12 | share of members working night shift (baseline 0.04) |
| job_browser_share | 0.02-0.15 | share of people browsing job sites who do not leave (baseline 0.06) |
| cloud_share | 0.02-0.25 | share of people who use cloud storage at work, uploads included (baseline 0.08) |
| webmail_share | 0.05-0.35 | share of people who mail friends' personal webmail (baseline 0.15) |
| role_habits | 0.5-2.0 log | per role: multipliers on web, mail, USB and file rates (baseline 1) |
| insider_intensity | 0.3-1.5 | multiplier on insiders' files copied, uploads and files opened a day (baseline 1) |
| insider_day_share | 0.3-1.0 | multiplier on the share of days in an insider's window with malicious activity |
| departures_known | 50% | whether the monthly LDAP snapshots drop people who left (baseline yes) |
| hr_known | 50% | whether hr/hr.csv carries notice dates and last days (baseline yes) |
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np

from molehunt.synth import vocab

ROLES: tuple[str, ...] = (
    "President", "Director", "Manager",
    *dict.fromkeys(role for _, _, roles, _ in vocab.DEPARTMENTS for role in roles),
)  # fmt: skip
RATES = ("web", "mail", "usb", "file")
PROFILE_STREAM = 0x5EED_0F11  # mixed into each profile's seed so it shares no stream with an organization seed

# field -> (low, high); bounds of the uniform draw (role_habits: log-uniform, booleans: the chance of True)
RANGES: dict[str, tuple[float, float]] = {
    "admin_share": (0.03, 0.15),
    "admin_visit_days": (0.2, 0.9),
    "admin_visit_pcs": (1.0, 8.0),
    "security_share": (0.003, 0.02),
    "security_days": (0.2, 0.8),
    "security_visits": (2.0, 15.0),
    "usb_share": (0.10, 0.50),
    "heavy_usb_share": (0.0, 0.06),
    "heavy_usb_files": (10.0, 80.0),
    "backup_share": (0.002, 0.02),
    "backup_files": (20.0, 200.0),
    "forwarder_share": (0.02, 0.15),
    "forwarder_days": (0.5, 4.0),
    "mass_mailer_share": (0.002, 0.015),
    "mass_mail_per_week": (0.5, 5.0),
    "mass_mail_recipients": (20.0, 150.0),
    "leaver_copy_share": (0.1, 0.6),
    "leaver_copy_files": (5.0, 60.0),
    "leaver_copy_weeks": (1.0, 4.0),
    "night_share": (0.0, 0.12),
    "job_browser_share": (0.02, 0.15),
    "cloud_share": (0.02, 0.25),
    "webmail_share": (0.05, 0.35),
    "role_habits": (0.5, 2.0),
    "insider_intensity": (0.3, 1.5),
    "insider_day_share": (0.3, 1.0),
    "departures_known": (0.5, 0.5),
    "hr_known": (0.5, 0.5),
}


@dataclass(frozen=True)
class Profile:
    """One organization's character; see the module docstring for every field's range and meaning.

    `number` is None only for `BASELINE`, today's simulator. `role_habits` holds one
    (role, web, mail, usb, file) multiplier row per role in `ROLES`.
    """

    number: int | None
    admin_share: float
    admin_visit_days: float
    admin_visit_pcs: float
    security_share: float
    security_days: float
    security_visits: float
    usb_share: float
    heavy_usb_share: float
    heavy_usb_files: float
    backup_share: float
    backup_files: float
    forwarder_share: float
    forwarder_days: float
    mass_mailer_share: float
    mass_mail_per_week: float
    mass_mail_recipients: float
    leaver_copy_share: float
    leaver_copy_files: float
    leaver_copy_weeks: float
    night_share: float
    job_browser_share: float
    cloud_share: float
    webmail_share: float
    role_habits: tuple[tuple[str, float, float, float, float], ...]
    insider_intensity: float
    insider_day_share: float
    departures_known: bool
    hr_known: bool

    @staticmethod
    def draw(number: int) -> Profile:
        """Profile `number` (>= 1): every field drawn from RANGES by a stream seeded from the number alone.

        >>> Profile.draw(3) == Profile.draw(3)
        True
        """
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ValueError(f"a profile number is an integer >= 1 (None means no profile), got {number!r}")
        rng = np.random.default_rng([PROFILE_STREAM, number])
        values: dict[str, object] = {"number": number}
        for f in fields(Profile):
            if f.name == "number":
                continue
            lo, hi = RANGES[f.name]
            if f.name == "role_habits":
                mult = np.exp(rng.uniform(np.log(lo), np.log(hi), (len(ROLES), len(RATES))))
                values[f.name] = tuple((role, *map(float, row)) for role, row in zip(ROLES, mult, strict=True))
            elif f.name in ("departures_known", "hr_known"):
                values[f.name] = bool(rng.random() < lo)
            else:
                values[f.name] = float(rng.uniform(lo, hi))
        return Profile(**values)  # type: ignore[arg-type]

    @property
    def is_baseline(self) -> bool:
        return self.number is None

    def role_multipliers(self, roles: list[str]) -> np.ndarray:
        """(len(roles), 4) multipliers on web, mail, USB and file rates for each person's role."""
        table = {row[0]: row[1:] for row in self.role_habits}
        return np.array([table.get(r, (1.0, 1.0, 1.0, 1.0)) for r in roles], dtype=float)

    def describe(self) -> str:
        """A short human summary."""
        if self.number is None:
            return "no profile: the baseline simulator"
        habits = {row[0]: row[1:] for row in self.role_habits}
        busiest = max(ROLES, key=lambda r: habits[r][2])
        return (
            f"profile {self.number}: IT weight {self.admin_share:.2f}, admins on others' PCs "
            f"{self.admin_visit_days:.0%} of days (~{self.admin_visit_pcs:.1f} PCs); "
            f"security staff {self.security_share:.1%} (hacking sites {self.security_days:.0%} of days); "
            f"USB users {self.usb_share:.0%}, heavy {self.heavy_usb_share:.1%} ({self.heavy_usb_files:.0f} files/day), "
            f"backups {self.backup_share:.1%} ({self.backup_files:.0f} files/night); "
            f"forwarders {self.forwarder_share:.0%} ({self.forwarder_days:.1f} days/week); "
            f"mass mailers {self.mass_mailer_share:.1%} ({self.mass_mail_per_week:.1f}/week to "
            f"~{self.mass_mail_recipients:.0f}); leavers copying personal files {self.leaver_copy_share:.0%} "
            f"({self.leaver_copy_files:.0f} files/day); night shift {self.night_share:.1%}; job browsers "
            f"{self.job_browser_share:.0%}; cloud users {self.cloud_share:.0%}; webmail {self.webmail_share:.0%}; "
            f"heaviest USB role {busiest} (x{habits[busiest][2]:.1f}); insider intensity "
            f"{self.insider_intensity:.2f}, active days x{self.insider_day_share:.2f}; departures in LDAP "
            f"{'known' if self.departures_known else 'unknown'}, HR dates {'known' if self.hr_known else 'unknown'}"
        )


BASELINE = Profile(
    number=None,
    admin_share=0.06,
    admin_visit_days=0.0,
    admin_visit_pcs=0.0,
    security_share=0.0,
    security_days=0.0,
    security_visits=0.0,
    usb_share=0.25,
    heavy_usb_share=0.0,
    heavy_usb_files=0.0,
    backup_share=0.004,
    backup_files=60.0,
    forwarder_share=0.05,
    forwarder_days=0.0,
    mass_mailer_share=0.0,
    mass_mail_per_week=0.0,
    mass_mail_recipients=0.0,
    leaver_copy_share=0.0,
    leaver_copy_files=0.0,
    leaver_copy_weeks=0.0,
    night_share=0.04,
    job_browser_share=0.06,
    cloud_share=0.08,
    webmail_share=0.15,
    role_habits=tuple((role, 1.0, 1.0, 1.0, 1.0) for role in ROLES),
    insider_intensity=1.0,
    insider_day_share=1.0,
    departures_known=True,
    hr_known=True,
)


@lru_cache(maxsize=64)
def profile_for(number: int | None) -> Profile:
    """BASELINE for None, else Profile.draw(number) (cached: the generators ask often)."""
    return BASELINE if number is None else Profile.draw(number)


def with_known_departures(profile: Profile, known: bool | None) -> Profile:
    """The profile with both departure flags forced to `known` (None: as the profile says)."""
    return profile if known is None else replace(profile, departures_known=known, hr_known=known)
