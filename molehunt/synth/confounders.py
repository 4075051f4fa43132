"""Who carries the organization profile's further benign confounders, and how strongly.

Without a profile nothing here happens (today's simulator). With one, after the insiders' habits are fixed:

- heavy USB users: non-IT members who copy to a thumb drive every working day (`heavy_usb_files` a day);
- IT admins log on to other people's PCs on `admin_visit_days` of their working days (support work);
- security analysts (IT members first) browse hacking, keylogger and exploit sites and download tools on
  `security_days` of their working days;
- forwarders (the people who mail their own personal address) also send work attachments home on
  `forwarder_days` days a week;
- mass mailers (HR specialists, assistants, then managers) send announcements to many colleagues;
- benign leavers (resignations and layoffs, never insiders) copy personal files to a thumb drive on a few days
  in their last weeks.

Insiders are never chosen as heavy USB users, analysts, forwarders, mass mailers or copying leavers, so their
own baseline stays as their scenario set it; an insider who is an IT admin still does admin work.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from molehunt.synth.config import SynthConfig
from molehunt.synth.habits import Habits
from molehunt.synth.plan import Staffing

WORKDAYS_PER_WEEK = 5.0


def _pick(tiers: list[np.ndarray], k: int, rng: np.random.Generator) -> np.ndarray:
    """k people, taking each tier (in random order inside it) before the next."""
    order = np.concatenate([rng.permutation(t) for t in tiers]) if tiers else np.zeros(0, np.int64)
    _, first = np.unique(order, return_index=True)
    picked: np.ndarray = order[np.sort(first)][:k].astype(np.int64)
    return picked


def assign_confounders(habits: Habits, cfg: SynthConfig, staffing: Staffing, rng: np.random.Generator) -> Habits:
    """The habits with the profile's further confounders assigned (unchanged without a profile)."""
    prof = cfg.character
    if prof.is_baseline:
        return habits
    org = staffing.org
    n = org.n
    member = ~org.is_manager
    it = org.role_mask("ITAdmin")
    clean = np.ones(n, dtype=bool)
    for p in staffing.insiders:
        clean[p.user] = False

    usb_rate = habits.usb_rate.copy()
    per_connect = habits.copies_per_connect.copy()
    heavy = np.flatnonzero(member & ~it & clean & (rng.random(n) < prof.heavy_usb_share))
    usb_rate[heavy] = rng.uniform(1.0, 3.0, len(heavy))
    per_connect[heavy] = prof.heavy_usb_files * rng.uniform(0.6, 1.4, len(heavy)) / usb_rate[heavy]

    admin_visit = np.where(it, np.clip(prof.admin_visit_days * rng.uniform(0.6, 1.3, n), 0.0, 1.0), 0.0)

    k = max(1, round(n * prof.security_share))
    analysts = _pick([np.flatnonzero(it & member & clean), np.flatnonzero(member & clean)], k, rng)
    security_days = np.zeros(n)
    security_days[analysts] = np.clip(prof.security_days * rng.uniform(0.7, 1.3, len(analysts)), 0.0, 1.0)

    forwarders = np.flatnonzero((habits.self_mail > 0) & clean)
    forward_days = np.zeros(n)
    share = prof.forwarder_days / WORKDAYS_PER_WEEK
    forward_days[forwarders] = np.clip(share * rng.uniform(0.5, 1.5, len(forwarders)), 0.0, 1.0)

    k = max(1, round(n * prof.mass_mailer_share))
    tiers = [np.flatnonzero(org.role_mask(r) & clean) for r in ("HRSpecialist", "AdministrativeAssistant")]
    tiers += [np.flatnonzero(org.is_manager & clean), np.flatnonzero(clean)]
    mailers = _pick(tiers, k, rng)
    mass_mail = np.zeros(n)
    mass_mail[mailers] = prof.mass_mail_per_week / WORKDAYS_PER_WEEK * rng.uniform(0.6, 1.4, len(mailers))

    personal_copy = habits.personal_copy.copy()
    leavers = np.concatenate([staffing.resigned, staffing.laid_off]).astype(np.int64)
    leavers = leavers[clean[leavers] & (rng.random(len(leavers)) < prof.leaver_copy_share)]
    window = max(1, round(prof.leaver_copy_weeks * 7))
    for u in leavers:
        end = int(org.end_day[u])
        days = np.flatnonzero(habits.present[u, max(0, end - window) : end]) + max(0, end - window)
        if not len(days):
            continue
        chosen = rng.choice(days, min(len(days), int(rng.integers(1, 5))), replace=False)
        personal_copy[u, chosen] = rng.poisson(prof.leaver_copy_files, len(chosen)) + 1

    return replace(
        habits,
        usb_rate=usb_rate,
        copies_per_connect=per_connect,
        admin_visit=admin_visit,
        security_days=security_days,
        forward_days=forward_days,
        mass_mail=mass_mail,
        personal_copy=personal_copy,
    )
