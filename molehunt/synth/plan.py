"""Staffing and insider planning: who is an insider, when, against whom; who is hired, resigns or is
laid off. Employment dates are decided here, before habits, so presence and LDAP follow them.

A departing user's `end_day` is the first day they are no longer employed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from molehunt.synth.config import SynthConfig
from molehunt.synth.org import Org

LEAVING_SCENARIOS = (1, 2, 3, 6)


@dataclass(frozen=True)
class InsiderPlan:
    """One insider: the malicious window [first_day, last_day] and the other user involved (or -1)."""

    user: int
    scenario: int
    first_day: int
    last_day: int
    other: int = -1  # scenario 3: the supervisor; 4: the victim
    phase_day: int = -1  # scenario 2: first theft day; scenario 5: the layoff day


@dataclass(frozen=True)
class Staffing:
    """The org with final employment dates, the insiders and the benign departures."""

    org: Org
    insiders: list[InsiderPlan]
    resigned: np.ndarray  # benign resignations (user indices)
    laid_off: np.ndarray  # benign layoffs
    hired: np.ndarray


def _window(rng: np.random.Generator, days: int, lo: int, hi: int, length: int) -> tuple[int, int]:
    """A window of `length` days ending uniformly in [lo, hi] (clamped to fit the period)."""
    hi = max(min(hi, days - 1), length - 1)
    lo = min(max(lo, length - 1), hi)
    last = int(rng.integers(lo, hi + 1))
    return last - length + 1, last


def plan_staffing(cfg: SynthConfig, org: Org, rng: np.random.Generator) -> Staffing:
    """Choose insiders and benign departures/hires and fix everyone's employment dates."""
    n, days = org.n, cfg.days
    member = ~org.is_manager
    it = org.role_mask("ITAdmin")
    engineering = (org.dept == 0) & np.array([bool(p) for p in org.projects])
    taken = np.zeros(n, dtype=bool)
    taken[0] = True
    hire = org.hire_day.copy()
    end = org.end_day.copy()
    # at least one per scenario while that keeps insiders under a fifth of the staff
    n_insiders = max(round(n * cfg.insider_fraction), min(len(cfg.scenarios), n // 5)) if cfg.scenarios else 0
    plans: list[InsiderPlan] = []
    laid_off: list[int] = []

    def choose(mask: np.ndarray) -> int:
        """A random untaken user from mask, else any untaken member, else any untaken user, else -1."""
        for candidates in (mask, member, np.ones(n, dtype=bool)):
            pool = np.flatnonzero(candidates & ~taken)
            if len(pool):
                break
        else:
            return -1
        u = int(pool[int(rng.integers(len(pool)))])
        taken[u] = True
        return u

    for i in range(n_insiders):
        sc = cfg.scenarios[i % len(cfg.scenarios)]
        if sc == 3:
            u = choose(member & it)
        elif sc == 6:
            u = choose(member & engineering)
        else:
            u = choose(member & ~it)
        other, phase = -1, -1
        if sc == 1:
            first, last = _window(rng, days, days // 2, days - 6, int(rng.integers(5, 21)) if days > 60 else 5)
        elif sc == 2:
            browse = min(int(rng.integers(14, 43)), days // 3)
            theft = min(int(rng.integers(5, 16)), days // 6)
            first, last = _window(rng, days, days // 2, days - 6, browse + theft)
            phase = last - theft + 1
        elif sc == 3:
            first, last = _window(rng, days, days // 3, days - 5, min(int(rng.integers(4, 15)), days // 4))
            other = int(org.supervisor[u])
        elif sc == 4:
            length = min(90, days * 2 // 3)
            first, last = _window(rng, days, length - 1, days - 1, length)
            other = choose(member & (org.dept == org.dept[u]) & ~it)
        elif sc == 5:
            phase = int(rng.integers(days // 4, days // 2))
            first = phase + int(rng.integers(3, 10))
            last = min(days - 1, first + int(rng.integers(14, 29)))
            mates = np.flatnonzero((org.dept == org.dept[u]) & member & ~taken)
            for v in rng.permutation(mates)[: int(rng.integers(2, 5))]:
                taken[v] = True
                end[v] = phase
                laid_off.append(int(v))
        elif sc == 6:
            length = min(int(rng.integers(14, 29)), days // 3)
            first, last = _window(rng, days, days // 2, days - 4, length)
        else:
            length = min(int(rng.integers(60, 151)), days - 5)
            first, last = _window(rng, days, length - 1, days - 1, length)
        if sc in LEAVING_SCENARIOS:
            end[u] = min(days - 1, last + 2 + int(rng.integers(0, 3)))
        plans.append(InsiderPlan(u, sc, first, last, other, phase))
    for p in plans:
        if p.other >= 0:
            taken[p.other] = True
    n_resign = max(1, round(n * 0.10 * days / 365))
    resigned = [u for u in (choose(member) for _ in range(n_resign)) if u >= 0]
    for u in resigned:
        end[u] = int(rng.integers(days // 5, days - 1))
    n_hire = max(1, round(n * 0.05))
    hired = [u for u in (choose(member) for _ in range(n_hire)) if u >= 0]
    for u in hired:
        hire[u] = int(rng.integers(days // 5, days * 4 // 5))
    return Staffing(
        org=replace(org, hire_day=hire, end_day=end),
        insiders=plans,
        resigned=np.array(sorted(resigned), dtype=np.int32),
        laid_off=np.array(sorted(laid_off), dtype=np.int32),
        hired=np.array(sorted(hired), dtype=np.int32),
    )
