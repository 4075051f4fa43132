"""Per-user habits: working hours, presence calendar and activity rates, including benign confounders.

Rates are drawn per user from skewed distributions (gamma / lognormal) and each day is scaled by a
day-to-day factor in the activity generators, so users differ from each other and from day to day.
Confounders live here: IT staff with daily USB use, backup operators, night workers, sales staff mailing
outside, job-site browsers who stay, benign cloud uploaders and people who mail their personal address; their
prevalence comes from the organization profile (`cfg.character`, today's values without one). The profile's
further confounders (admins on other people's PCs, security analysts, forwarders, mass mailers, leavers who
copy personal files, heavy USB users) are chosen in molehunt.synth.confounders and are off without a profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from molehunt.synth import vocab
from molehunt.synth.config import SynthConfig
from molehunt.synth.dates import day_kinds
from molehunt.synth.org import Org

N_FAVORITES = 24
N_CONTACTS = 12
GENERAL_CATEGORIES = ("news", "search", "shopping", "social", "business")


def domain_table() -> tuple[list[str], np.ndarray]:
    """All known web domains and their category index."""
    domains: list[str] = []
    cats: list[int] = []
    for i, (_, names) in enumerate(vocab.WEB_CATEGORIES):
        domains.extend(names)
        cats.extend([i] * len(names))
    return domains, np.array(cats, dtype=np.int32)


def domains_of(category: str) -> np.ndarray:
    """Indices (into domain_table()) of one category's domains."""
    _, cats = domain_table()
    return np.flatnonzero(cats == vocab.CATEGORY_INDEX[category])


@dataclass(frozen=True)
class Habits:
    """Per-user habit arrays (index u) and the presence matrix (u, day)."""

    start_sec: np.ndarray
    dur_sec: np.ndarray
    night: np.ndarray
    present: np.ndarray  # bool (n, days): at work that day
    http_rate: np.ndarray
    email_rate: np.ndarray
    usb_rate: np.ndarray  # connects per working day; 0 = never uses USB
    copies_per_connect: np.ndarray
    file_rate: np.ndarray  # r6.2 local file events per working day
    shared_prob: np.ndarray
    shared_pc: np.ndarray
    ext_share: np.ndarray  # share of recipients at business partners
    webmail_share: np.ndarray  # share of recipients at personal webmail (friends)
    self_mail: np.ndarray  # share of sent mail going to one's own personal address
    attach_prob: np.ndarray
    job_share: np.ndarray
    job_from_day: np.ndarray
    cloud_share: np.ndarray
    favorites: np.ndarray  # (n, N_FAVORITES) domain indices
    contacts: np.ndarray  # (n, N_CONTACTS) user indices
    backup: np.ndarray  # bool: runs the nightly backup to removable media
    # the profile's further confounders (all zero without a profile; molehunt.synth.confounders sets them)
    admin_visit: np.ndarray  # chance per working day of logging on to other people's PCs
    security_days: np.ndarray  # chance per working day of browsing hacking / keylogger / exploit sites
    forward_days: np.ndarray  # chance per working day of mailing work attachments to one's own webmail
    mass_mail: np.ndarray  # mass mails sent per working day
    personal_copy: np.ndarray  # (n, days) personal files copied to a thumb drive that day (benign leavers)


def _presence(cfg: SynthConfig, org: Org, weekend_prob: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Who is at work on which day: employment, weekends, holidays, vacations and sick days."""
    n, days = org.n, cfg.days
    weekend, holiday = day_kinds(cfg.start, days)
    workday = ~weekend & ~holiday
    r = rng.random((n, days))
    present = np.where(workday[None, :], r > 0.015, r < weekend_prob[:, None] * np.where(holiday, 0.3, 1.0))
    n_blocks = rng.poisson(2.2 * days / 365, size=n)
    for u in range(n):
        for _ in range(int(n_blocks[u])):
            first = int(rng.integers(0, days))
            present[u, first : first + int(rng.integers(3, 12))] = False
    day = np.arange(days)
    employed = (org.hire_day[:, None] <= day[None, :]) & (day[None, :] < org.end_day[:, None])
    at_work: np.ndarray = present & employed
    return at_work


def build_habits(cfg: SynthConfig, org: Org, rng: np.random.Generator) -> Habits:
    """Draw every user's habits; scenario planning adjusts insiders' habits afterwards."""
    n = org.n
    prof = cfg.character
    member = ~org.is_manager
    it = org.role_mask("ITAdmin")
    sales = org.role_mask("Salesman") | org.role_mask("SalesRepresentative")
    night = member & ~it & (rng.random(n) < prof.night_share)
    start = np.where(night, rng.normal(21.5, 0.7, n), rng.normal(8.0, 0.8, n)) * 3600
    dur = np.clip(rng.normal(8.8, 0.8, n), 6.5, 11.5) * 3600
    weekend_prob = np.where(rng.random(n) < 0.15, rng.uniform(0.1, 0.5, n), rng.uniform(0.0, 0.03, n))
    weekend_prob = np.where(night, np.maximum(weekend_prob, 0.2), weekend_prob)
    usb_user = it | (rng.random(n) < prof.usb_share)
    usb_rate = np.where(it, rng.uniform(1.5, 4.0, n), np.where(usb_user, rng.gamma(1.5, 0.3, n), 0.0))
    backup = np.zeros(n, dtype=bool)
    it_idx = np.flatnonzero(it)
    if prof.is_baseline:
        backup[it_idx[: max(1, n // 250)]] = True
    else:  # IT admins first, then other members
        ops = np.concatenate([it_idx, np.flatnonzero(member & ~it)])
        backup[ops[: max(1, round(n * prof.backup_share))]] = True
    job_share = np.where(rng.random(n) < prof.job_browser_share, rng.uniform(0.02, 0.08, n), 0.0)
    job_from = np.where(job_share > 0, rng.integers(0, cfg.days, n), cfg.days)
    cloud_share = np.where(rng.random(n) < prof.cloud_share, rng.uniform(0.005, 0.03, n), 0.0)
    webmail = np.where(rng.random(n) < prof.webmail_share, rng.uniform(0.03, 0.15, n), rng.uniform(0.0, 0.01, n))
    self_mail = np.where(rng.random(n) < prof.forwarder_share, rng.uniform(0.01, 0.05, n), 0.0)
    _, cats = domain_table()
    general = np.flatnonzero(np.isin(cats, [vocab.CATEGORY_INDEX[c] for c in GENERAL_CATEGORIES]))
    favorites = rng.permuted(np.tile(general, (n, 1)), axis=1)[:, :N_FAVORITES]
    contacts = np.empty((n, N_CONTACTS), dtype=np.int32)
    for u in range(n):
        mates = np.flatnonzero((org.team == org.team[u]) & (np.arange(n) != u))
        near = np.flatnonzero(org.dept == org.dept[u])
        pool = np.concatenate([mates, mates, near, rng.integers(0, n, 4)])
        contacts[u] = rng.choice(pool, size=N_CONTACTS)
    shared = org.shared_pcs
    # per-role habits (baseline: all 1, so the arrays are the draws themselves)
    role = np.ones((n, 4)) if prof.is_baseline else prof.role_multipliers(org.roles)
    zero = np.zeros(n)
    return Habits(
        start_sec=start,
        dur_sec=dur,
        night=night,
        present=_presence(cfg, org, weekend_prob, rng),
        http_rate=rng.lognormal(np.log(cfg.http_per_day) - 0.08, 0.4, n) * role[:, 0],
        email_rate=np.where(sales, rng.gamma(4.0, 3.0, n), rng.gamma(3.0, 2.0, n)) * role[:, 1],
        usb_rate=usb_rate * role[:, 2],
        copies_per_connect=np.where(it, rng.uniform(2, 6, n), rng.gamma(1.2, 1.2, n)),
        file_rate=rng.gamma(2.0, 3.0, n) * role[:, 3],
        shared_prob=np.where(it, 0.5, np.where(rng.random(n) < 0.25, rng.uniform(0.02, 0.2, n), 0.0)),
        shared_pc=shared[rng.integers(0, len(shared), n)],
        ext_share=np.where(sales, rng.uniform(0.3, 0.6, n), rng.uniform(0.0, 0.08, n)),
        webmail_share=webmail,
        self_mail=self_mail,
        attach_prob=rng.uniform(0.1, 0.35, n),
        job_share=job_share,
        job_from_day=job_from.astype(np.int32),
        cloud_share=cloud_share,
        favorites=favorites.astype(np.int32),
        contacts=contacts,
        backup=backup,
        admin_visit=zero,
        security_days=zero,
        forward_days=zero,
        mass_mail=zero,
        personal_copy=np.zeros((n, cfg.days), dtype=np.int32),
    )
