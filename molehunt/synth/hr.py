"""The HR export of the simulated organization (`hr/hr.csv`, the format of docs/hr.md), beside the CERT files.

It holds what an HR system knows and CERT's data does not: hire dates, the notice date and last day of everyone
who leaves (insiders and benign leavers alike), and employment events. What it assumes, stated here because any
detection gain measured on it follows from it:

- adverse events (a performance plan, a grievance, a written warning, a promotion denied, a demotion) reach
  every employee at ADVERSE_PER_YEAR, at random days;
- a benign resigner had one in the 120 days before the notice with probability AGGRIEVED_LEAVER (people who
  resign are often unhappy: the same story as the insider's, without theft);
- an insider of a story that starts with resentment (scenarios 2, 3 and 6: the departing job-hunter, the
  disgruntled sysadmin, the seed case) had one with probability AGGRIEVED_INSIDER, 10 to 60 days before their
  first malicious day; HR does not learn of every grievance;
- neutral events (promoted, training completed, transferred) at NEUTRAL_PER_YEAR, so a reader must tell them
  apart.

When HR dates are not known (`SynthConfig.departures_known=False`, or a profile whose `hr_known` is false),
notice_date and last_day are empty for everyone; hire dates and events stay, and every other byte is the same.

Its random stream is its own: the activity files are the same bytes with or without it.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import numpy as np

from molehunt.synth.config import SynthConfig
from molehunt.synth.org import NO_SUPERVISOR
from molehunt.synth.plan import Staffing

HR_FILE = Path("hr") / "hr.csv"
HEADER = ("user", "name", "email", "department", "role", "manager", "hire_date", "notice_date", "last_day", "events")
ADVERSE_PER_YEAR = 0.08
NEUTRAL_PER_YEAR = 0.15
AGGRIEVED_LEAVER = 0.3
AGGRIEVED_INSIDER = 0.5
RESENTFUL_SCENARIOS = (2, 3, 6)
ADVERSE = ("performance plan", "grievance filed", "written warning", "promotion denied", "demotion")
NEUTRAL = ("promoted", "training completed", "transferred to a new team", "salary review")


def hr_rows(cfg: SynthConfig, staffing: Staffing, rng: np.random.Generator) -> list[list[str]]:
    """One row per person, in the header's order."""
    org = staffing.org
    events: list[list[tuple[int, str]]] = [[] for _ in range(org.n)]
    years = cfg.days / 365
    for u in range(org.n):
        for rate, kinds in ((ADVERSE_PER_YEAR, ADVERSE), (NEUTRAL_PER_YEAR, NEUTRAL)):
            for _ in range(int(rng.poisson(rate * years))):
                day = int(rng.integers(org.hire_day[u], org.end_day[u]))
                events[u].append((day, kinds[int(rng.integers(len(kinds)))]))
    notice = org.end_day - rng.integers(14, 31, org.n)
    for u in staffing.resigned:
        if rng.random() < AGGRIEVED_LEAVER:
            day = int(notice[u]) - int(rng.integers(0, 121))
            events[u].append((day, ADVERSE[int(rng.integers(len(ADVERSE)))]))
    for plan in staffing.insiders:
        if plan.scenario in RESENTFUL_SCENARIOS and rng.random() < AGGRIEVED_INSIDER:
            day = plan.first_day - int(rng.integers(10, 61))
            events[plan.user].append((day, ADVERSE[int(rng.integers(len(ADVERSE)))]))

    def when(day: int) -> str:
        return (cfg.start + timedelta(days=day)).isoformat()

    rows = []
    dates_known = cfg.character.hr_known
    for u in range(org.n):
        hire = int(org.hire_day[u]) if org.hire_day[u] > 0 else -int(rng.integers(200, 4000))
        leaves = org.end_day[u] < cfg.days and dates_known
        sup = int(org.supervisor[u])
        kept = sorted((d, what) for d, what in events[u] if hire <= d < org.end_day[u])
        rows.append(
            [
                org.user_ids[u], org.names[u], org.emails[u], org.dept_names[int(org.dept[u])], org.roles[u],
                org.user_ids[sup] if sup != NO_SUPERVISOR else "", when(hire),
                when(max(hire, int(notice[u]))) if leaves else "", when(int(org.end_day[u]) - 1) if leaves else "",
                "; ".join(f"{when(d)} {what}" for d, what in kept),
            ]
        )  # fmt: skip
    return rows


def write_hr(cfg: SynthConfig, staffing: Staffing, out_dir: Path, rng: np.random.Generator) -> int:
    """Write out_dir/hr/hr.csv; returns the rows written."""
    path = out_dir / HR_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = hr_rows(cfg, staffing, rng)
    with path.open("w", newline="", encoding="ascii") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return len(rows)
