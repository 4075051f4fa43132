"""Insider scenarios as labelled events, plus the habit changes that make each story coherent.

Every malicious event is built with the same column builders as benign activity (so it is formatted
identically) and tagged with its insider's index; the writer copies each tagged row verbatim to answers/.

An organization profile scales the insiders' volume (`insider_intensity`: files copied, uploads, files opened
a day) and the share of days in their window they act on (`insider_day_share`); without one both are 1 and
the draws are exactly today's.

Scenario 3 convention: when the sysadmin uses the supervisor's machine, rows carry the *insider's* user id
on the *supervisor's* PC (as CERT records it); the alarming mass mail is sent from the supervisor's
address, so `from` differs from the user's own address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pyarrow as pa

from molehunt.synth import strings, vocab
from molehunt.synth.activity.email import email_columns
from molehunt.synth.activity.http import http_columns
from molehunt.synth.activity.removable import device_columns, file_columns
from molehunt.synth.batch import EventBatch, concat
from molehunt.synth.dates import DAY
from molehunt.synth.habits import Habits, domains_of
from molehunt.synth.plan import InsiderPlan, Staffing
from molehunt.synth.schema import SOURCES
from molehunt.synth.world import World

Events = dict[str, list[EventBatch]]
COPY, OPEN = 2, 0


def adjust_habits(habits: Habits, staffing: Staffing, weekend: np.ndarray, rng: np.random.Generator) -> Habits:
    """Make each insider's baseline fit the story, and give half the benign leavers a job hunt."""
    names = ("usb_rate", "start_sec", "dur_sec", "night", "shared_prob", "job_share", "job_from_day", "present")
    h = {name: getattr(habits, name).copy() for name in names}
    for p in staffing.insiders:
        u = p.user
        h["job_share"][u] = 0.0
        h["night"][u] = False
        if p.scenario in (1, 6):
            h["start_sec"][u] = rng.uniform(7.5, 9.0) * 3600
        if p.scenario == 1:  # never used a thumb drive, never worked late or on weekends
            h["usb_rate"][u] = 0.0
            h["shared_prob"][u] = 0.0
            h["dur_sec"][u] = min(float(h["dur_sec"][u]), 8.5 * 3600)
            h["present"][u, weekend] = False
    for u in staffing.resigned[::2]:
        h["job_share"][u] = rng.uniform(0.03, 0.1)
        h["job_from_day"][u] = max(0, int(staffing.org.end_day[u]) - 35)
    return replace(habits, **h)


class _Builder:
    """Collects one insider's events per source."""

    def __init__(self, world: World, insider: int, rng: np.random.Generator) -> None:
        self.world, self.insider, self.rng = world, insider, rng
        self.events: Events = {s: [] for s in SOURCES}

    def add(self, source: str, t: np.ndarray, user: int, pc: int | np.ndarray, cols: list[pa.Array]) -> None:
        n = len(t)
        pcs = np.broadcast_to(np.asarray(pc, dtype=np.int32), (n,))
        self.events[source].append(EventBatch.of(t, np.full(n, user), pcs, cols, np.full(n, self.insider)))

    def session(self, user: int, pc: int, t0: int, t1: int) -> None:
        cols = [strings.take(strings.vocab_array(["Logon", "Logoff"]), np.array([0, 1]))]
        self.add("logon", np.array([t0, t1]), user, pc, cols)

    def usb(self, user: int, pc: int, t_on: int, t_off: int) -> None:
        self.add("device", np.array([t_on, t_off]), user, pc, device_columns(self.world, np.array([0, 1]), self.rng))

    def files(self, user: int, pc: int, t: np.ndarray, doc: np.ndarray, activity: int, to_rm: bool,
              from_rm: bool = False) -> None:  # fmt: skip
        n = len(t)
        if not self.world.cfg.is_r6 and not to_rm and not from_rm:
            return  # r4.2 file.csv only holds copies to removable media
        cols = file_columns(self.world, doc, self.world.docs.ftype[doc], np.full(n, activity),
                            np.full(n, to_rm), np.full(n, from_rm), self.rng)  # fmt: skip
        self.add("file", t, user, pc, cols)

    def web(self, user: int, pc: int, t: np.ndarray, domain: np.ndarray, activity: int) -> None:
        self.add("http", t, user, pc, http_columns(self.world, domain, np.full(len(t), activity), self.rng))

    def mail(self, user: int, pc: int, t: int, to: str, sender: str, attach_from: int, n_attach: int,
             content: str | None = None) -> None:  # fmt: skip
        one = pa.array([to])
        cols = email_columns(self.world, np.array([attach_from]), one, pa.array([""]), pa.array([""]),
                             pa.array([sender]), np.array([False]), np.array([n_attach]), np.array([False]),
                             self.rng)  # fmt: skip
        if content is not None:
            cols[-1] = pa.array([content])
        self.add("email", np.array([t]), user, pc, cols)


def _more(b: _Builder, k: int) -> int:
    """k malicious items scaled by the profile's insider intensity (at least one)."""
    scale = b.world.cfg.character.insider_intensity
    return k if scale == 1.0 else max(1, round(k * scale))


def _some(b: _Builder, days: np.ndarray) -> np.ndarray:
    """The days of a window the insider acts on under the profile's day share (all of them without one)."""
    share = b.world.cfg.character.insider_day_share
    if share >= 1.0 or not len(days):
        return days
    kept: np.ndarray = days[b.rng.random(len(days)) < share]
    return kept if len(kept) else days[-1:]


def _work_times(world: World, u: int, day: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """k sorted times inside u's usual working hours on `day`."""
    h = world.habits
    frac = np.sort(rng.uniform(0.15, 0.85, k))
    times: np.ndarray = (day * DAY + h.start_sec[u] + frac * h.dur_sec[u]).astype(np.int64)
    return times


def _present_days(world: World, u: int, first: int, last: int) -> np.ndarray:
    days: np.ndarray = np.arange(first, last + 1)[world.habits.present[u, first : last + 1]]
    return days


def _evening(rng: np.random.Generator, day: int) -> int:
    return int(day * DAY + rng.uniform(19.5, 22.5) * 3600)


def _docs_of(world: World, u: int, k: int, rng: np.random.Generator) -> np.ndarray:
    docs: np.ndarray = world.docs.pool[u, rng.integers(0, world.docs.pool.shape[1], k)]
    return docs


def _leak_and_run(b: _Builder, p: InsiderPlan) -> None:
    """1: after-hours logons, a thumb drive for the first time, uploads to a leak site."""
    w, rng, u = b.world, b.rng, p.user
    pc = int(w.org.own_pc[u])
    nights = np.unique(rng.integers(p.first_day, p.last_day + 1, int(rng.integers(2, 6))))
    nights[-1] = p.last_day
    for day in np.unique(nights):
        t0 = _evening(rng, int(day))
        b.session(u, pc, t0, t0 + int(rng.integers(3600, 7200)))
        b.usb(u, pc, t0 + 120, t0 + 2400)
        k = _more(b, int(rng.integers(4, 16)))
        b.files(u, pc, t0 + 180 + np.sort(rng.integers(0, 2000, k)), _docs_of(w, u, k, rng), COPY, True)
        m = _more(b, int(rng.integers(1, 4)))
        b.web(u, pc, t0 + 2500 + np.sort(rng.integers(0, 1000, m)), domains_of("leak")[:1].repeat(m), 2)


def _job_hunt_and_copy(b: _Builder, p: InsiderPlan) -> None:
    """2: weeks of job-site browsing and a contact with a competitor, then heavy thumb-drive copying."""
    w, rng, u = b.world, b.rng, p.user
    pc = int(w.org.own_pc[u])
    jobs = domains_of("job")
    for day in _present_days(w, u, p.first_day, p.phase_day - 1):
        k = int(rng.integers(2, 9))
        b.web(u, pc, _work_times(w, u, int(day), k, rng), jobs[rng.integers(0, len(jobs), k)], 0)
    days = _present_days(w, u, p.first_day, p.phase_day - 1)
    if len(days):
        first = w.org.names[u].split()[0]
        competitor = f"{vocab.FIRST_NAMES[(u * 7) % len(vocab.FIRST_NAMES)]}.Hiring@{vocab.COMPETITOR_DOMAINS[u % 3]}"
        t = int(_work_times(w, u, int(days[-1]), 1, rng)[0])
        b.mail(u, pc, t, competitor, w.org.emails[u], u, 1, f"resume {first.lower()} position interview salary")
    base = max(float(w.habits.copies_per_connect[u]), 1.0)
    for day in _some(b, _present_days(w, u, p.phase_day, p.last_day)):
        for t_on in _work_times(w, u, int(day), int(rng.integers(1, 3)), rng):
            k = _more(b, int(rng.poisson(max(12.0, 6 * base))) + 5)
            b.usb(u, pc, int(t_on), int(t_on) + 1500)
            b.files(u, pc, t_on + 30 + np.sort(rng.integers(0, 1400, k)), _docs_of(w, u, k, rng), COPY, True)


def _keylogger(b: _Builder, p: InsiderPlan) -> None:
    """3: keylogger download, planted on the supervisor's PC via USB, then a mass mail as the supervisor."""
    w, rng, u = b.world, b.rng, p.user
    own, boss = int(w.org.own_pc[u]), max(p.other, 0)
    boss_pc = int(w.org.own_pc[boss])
    tool = w.docs.tools[:1]
    t = int(_work_times(w, u, p.first_day, 1, rng)[0])
    hacking = domains_of("hacking")
    b.web(u, own, np.array([t]), hacking[rng.integers(0, len(hacking), 1)], 1)
    b.usb(u, own, t + 600, t + 900)
    b.files(u, own, np.array([t + 700]), tool, COPY, True)
    plant_day = int(rng.integers(p.first_day + 1, p.last_day)) if p.last_day > p.first_day + 1 else p.first_day
    t0 = _evening(rng, plant_day)
    b.session(u, boss_pc, t0, t0 + 1200)
    b.usb(u, boss_pc, t0 + 60, t0 + 600)
    b.files(u, boss_pc, np.array([t0 + 120]), tool, COPY, False, True)
    t0 = _evening(rng, p.last_day)
    b.session(u, boss_pc, t0, t0 + 900)
    everyone = [e for i, e in enumerate(w.org.emails) if i not in (u, boss) and w.org.employed(p.last_day)[i]]
    picked = [everyone[i] for i in sorted(rng.choice(len(everyone), min(len(everyone), 40), replace=False))]
    words = " ".join(rng.choice(vocab.ALARM_WORDS, 6))
    b.mail(u, boss_pc, t0 + 300, ";".join(picked), w.org.emails[boss], boss, 0, words)


def _snoop_and_mail(b: _Builder, p: InsiderPlan) -> None:
    """4: logs on to a colleague's PC, opens their files and mails them home, more and more often."""
    w, rng, u = b.world, b.rng, p.user
    victim = p.other if p.other >= 0 else max(int(w.org.supervisor[u]), 0)
    vpc = int(w.org.own_pc[victim])
    days = _present_days(w, u, p.first_day, p.last_day)
    ramp = (days - p.first_day) / max(p.last_day - p.first_day, 1)
    chosen = days[rng.random(len(days)) < (0.04 + 0.5 * ramp**2) * w.cfg.character.insider_day_share]
    if not len(chosen) and len(days):
        chosen = days[-1:]
    for day in chosen:
        t0 = int(_work_times(w, u, int(day), 1, rng)[0])
        b.session(u, vpc, t0, t0 + int(rng.integers(900, 2400)))
        k = _more(b, int(rng.integers(2, 7)))
        b.files(u, vpc, t0 + 60 + np.sort(rng.integers(0, 600, k)), _docs_of(w, victim, k, rng), OPEN, False)
        b.mail(u, vpc, t0 + 800, w.org.personal_emails[u], w.org.emails[u], victim, int(rng.integers(1, 3)))


def _cloud_after_layoffs(b: _Builder, p: InsiderPlan) -> None:
    """5: after layoffs in the group, uploads documents to cloud storage."""
    w, rng, u = b.world, b.rng, p.user
    pc = int(w.org.own_pc[u])
    cloud = domains_of("cloud")[:3]
    site = cloud[rng.integers(0, len(cloud))]
    days = _present_days(w, u, p.first_day, p.last_day)
    chosen = days[rng.random(len(days)) < 0.5 * w.cfg.character.insider_day_share]
    for day in chosen if len(chosen) else days[:1]:
        k = _more(b, int(rng.integers(1, 5)))
        t = _work_times(w, u, int(day), k, rng)
        b.files(u, pc, t - 30, _docs_of(w, u, k, rng), OPEN, False)
        b.web(u, pc, t, np.full(k, site), 2)


def _seed_case(b: _Builder, p: InsiderPlan) -> None:
    """6: in the weeks before resigning, bulk copies documents of many projects, partly after hours,
    touching decoys on his PC (r6.2)."""
    w, rng, u = b.world, b.rng, p.user
    pc = int(w.org.own_pc[u])
    project_docs = np.flatnonzero(w.docs.project >= 0)
    days = _some(b, _present_days(w, u, p.first_day, p.last_day))
    decoys = w.docs.decoy_doc[w.docs.decoy_pc == pc]
    decoy_days = set(rng.choice(days, min(len(days), len(decoys)), replace=False).tolist()) if len(days) else set()
    for day in days:
        late = rng.random() < 0.4
        if late:
            t0 = _evening(rng, int(day))
            b.session(u, pc, t0, t0 + 5400)
        else:
            t0 = int(_work_times(w, u, int(day), 1, rng)[0])
        scale = w.cfg.character.insider_intensity
        k = int(rng.poisson(40 * scale)) + max(1, round(10 * scale))
        doc = np.where(rng.random(k) < 0.6, project_docs[rng.integers(0, len(project_docs), k)],
                       _docs_of(w, u, k, rng))  # fmt: skip
        t = t0 + 120 + np.sort(rng.integers(0, 4000, k))
        b.usb(u, pc, t0 + 60, int(t[-1]) + 60)
        b.files(u, pc, t - 5, doc, OPEN, False)
        b.files(u, pc, t, doc, COPY, True)
        if int(day) in decoy_days and w.cfg.is_r6:
            b.files(u, pc, t[:1] - 10, decoys[:1] if int(day) % 2 else decoys[-1:], OPEN, False)


def _slow_drip(b: _Builder, p: InsiderPlan) -> None:
    """7: a few attachments a week to a personal mailbox for months, never many on one day."""
    w, rng, u = b.world, b.rng, p.user
    pc = int(w.org.own_pc[u])
    days = _present_days(w, u, p.first_day, p.last_day)
    chosen = days[rng.random(len(days)) < 0.4 * w.cfg.character.insider_day_share]
    for day in chosen:
        t = int(_work_times(w, u, int(day), 1, rng)[0])
        b.mail(u, pc, t, w.org.personal_emails[u], w.org.emails[u], u, 1)


SCENARIOS: dict[int, Callable[[_Builder, InsiderPlan], None]] = {
    1: _leak_and_run, 2: _job_hunt_and_copy, 3: _keylogger, 4: _snoop_and_mail,
    5: _cloud_after_layoffs, 6: _seed_case, 7: _slow_drip,
}  # fmt: skip


def scripted_events(world: World, plans: list[InsiderPlan], rng: np.random.Generator) -> dict[str, EventBatch]:
    """All insiders' events plus rare benign accidental decoy opens (r6.2), one time-sorted batch per source."""
    out: Events = {s: [] for s in SOURCES}
    for i, p in enumerate(plans):
        b = _Builder(world, i, rng)
        SCENARIOS[p.scenario](b, p)
        for s in SOURCES:
            out[s] += b.events[s]
    if world.cfg.is_r6:
        b = _Builder(world, -1, rng)
        insiders = {p.user for p in plans}
        for u in rng.choice(world.org.n, max(2, world.org.n // 150), replace=False):
            days = np.flatnonzero(world.habits.present[u])
            if int(u) in insiders or not len(days):
                continue
            decoy = world.docs.decoy_doc[world.docs.decoy_pc == world.org.own_pc[u]][:1]
            t = _work_times(world, int(u), int(days[int(rng.integers(len(days)))]), 1, rng)
            b.files(int(u), int(world.org.own_pc[u]), t, decoy, OPEN, False)
        out["file"] += b.events["file"]
    merged = {}
    for s in SOURCES:
        if out[s]:
            batch = concat(out[s])
            merged[s] = batch.take(np.argsort(batch.t, kind="stable"))
    return merged
