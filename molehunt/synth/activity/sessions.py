"""Logon sessions of one day: each present user's main session on their own PC, occasional short
sessions on shared PCs, the backup operators' nightly job and (with a profile that turns it on) IT admins'
short support sessions on other people's PCs. Night workers' sessions cross midnight."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from molehunt.synth.dates import DAY
from molehunt.synth.world import World

MAIN, SHARED, BACKUP, ADMIN = 0, 1, 2, 3


@dataclass(frozen=True)
class Sessions:
    """Parallel arrays, one entry per session."""

    user: np.ndarray
    pc: np.ndarray
    start: np.ndarray  # absolute simulator seconds
    end: np.ndarray
    kind: np.ndarray

    def __len__(self) -> int:
        return len(self.user)

    @property
    def hours(self) -> np.ndarray:
        return (self.end - self.start) / 3600.0  # type: ignore[no-any-return]


def day_sessions(world: World, day: int, rng: np.random.Generator) -> Sessions:
    """All benign sessions starting on `day`."""
    h, org = world.habits, world.org
    off = bool(world.weekend[day] or world.holiday[day])
    users = np.flatnonzero(h.present[:, day])
    n = len(users)
    start = h.start_sec[users] + rng.normal(0, 900, n) + (5400 if off else 0)
    dur = np.maximum(h.dur_sec[users] * (0.45 if off else 1.0) + rng.normal(0, 1800, n), 1800)
    start = np.clip(start, 60, DAY - 900)
    t0 = (day * DAY + start).astype(np.int64)
    t1 = (t0 + dur).astype(np.int64)
    last_day = org.end_day[users] - 1 == day
    t1 = np.where(last_day, np.minimum(t1, (day + 1) * DAY - 1 - rng.integers(0, 600, n)), t1)
    t1 = np.maximum(t1, t0 + 60)
    parts_u, parts_pc, parts_s, parts_e, parts_k = [users], [org.own_pc[users]], [t0], [t1], [np.zeros(n)]
    shared = rng.random(n) < h.shared_prob[users]
    if shared.any():
        span = (t1 - t0)[shared]
        s0 = t0[shared] + (rng.random(len(span)) * np.maximum(span - 3600, 60)).astype(np.int64)
        parts_u.append(users[shared])
        parts_pc.append(h.shared_pc[users[shared]])
        parts_s.append(s0)
        parts_e.append(s0 + rng.integers(600, 3600, len(span)))
        parts_k.append(np.full(len(span), SHARED))
    if not off:
        ops = np.flatnonzero(h.backup & org.employed(day))
        if len(ops):
            b0 = day * DAY + 3600 + rng.integers(0, 600, len(ops))
            parts_u.append(ops)
            parts_pc.append(np.full(len(ops), org.shared_pcs[0]))
            parts_s.append(b0)
            parts_e.append(b0 + rng.integers(1800, 3000, len(ops)))
            parts_k.append(np.full(len(ops), BACKUP))
    if h.admin_visit.any() and not off:
        _admin_visits(world, day, users, t0, t1, rng, (parts_u, parts_pc, parts_s, parts_e, parts_k))
    return Sessions(
        user=np.concatenate(parts_u).astype(np.int32),
        pc=np.concatenate(parts_pc).astype(np.int32),
        start=np.concatenate(parts_s).astype(np.int64),
        end=np.concatenate(parts_e).astype(np.int64),
        kind=np.concatenate(parts_k).astype(np.int8),
    )


def _admin_visits(
    world: World,
    day: int,
    users: np.ndarray,
    t0: np.ndarray,
    t1: np.ndarray,
    rng: np.random.Generator,
    parts: tuple[list[np.ndarray], ...],
) -> None:
    """IT admins' support sessions on other employed people's own PCs, inside the admin's working hours."""
    h, org = world.habits, world.org
    on = rng.random(len(users)) < h.admin_visit[users]
    k = np.where(on, rng.poisson(world.cfg.character.admin_visit_pcs, len(users)) + 1, 0)
    if not k.any():
        return
    pos = np.repeat(np.arange(len(users)), k)
    who = users[pos]
    staff = np.flatnonzero(org.employed(day))
    target = staff[rng.integers(0, len(staff), len(pos))]
    target = np.where(target == who, staff[(np.searchsorted(staff, target) + 1) % len(staff)], target)
    span = np.maximum(t1[pos] - t0[pos] - 3600, 60)
    start = t0[pos] + 600 + (rng.random(len(pos)) * span).astype(np.int64)
    parts[0].append(who)
    parts[1].append(org.own_pc[target])
    parts[2].append(start)
    parts[3].append(start + rng.integers(300, 2400, len(pos)))
    parts[4].append(np.full(len(pos), ADMIN))


def spread(sessions: Sessions, counts: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Repeat session indices by `counts` and draw a uniform time inside each session.

    Returns (session index per event, event time).
    """
    idx = np.repeat(np.arange(len(sessions)), counts)
    span = sessions.end[idx] - sessions.start[idx]
    t = sessions.start[idx] + 1 + (rng.random(len(idx)) * np.maximum(span - 2, 0)).astype(np.int64)
    return idx, t
