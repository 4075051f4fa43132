"""The simulator's immutable configuration and its result.

`SynthConfig` is validated once on construction; everything the generator does is a pure function of it,
so the same config always yields byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from molehunt.synth.profile import Profile, profile_for, with_known_departures

RELEASES = ("r4.2", "r6.2")
ALL_SCENARIOS = (1, 2, 3, 4, 5, 6, 7)


@dataclass(frozen=True)
class SynthConfig:
    """What to simulate.

    users: distinct employees over the whole period (>= 20), including mid-period hires.
    days: length of the period in calendar days (>= 30), starting at `start`.
    seed: the only source of randomness; same config -> same bytes.
    release: "r4.2" (no projects, decoys or file activity other than copies to removable media) or "r6.2".
    http_per_day: mean web rows per active user-day (the r4.2 density is about 30-60).
    insider_fraction: share of users who are insiders; at least one per entry of `scenarios` as long as
        that keeps insiders under a fifth of the users (so 35+ users get all seven scenarios).
    scenarios: which insider scenarios (1-7) to plant.
    profile: an organization profile number (>= 1, molehunt.synth.profile) drawing the prevalence and
        intensity of every benign confounder, habits per role and the insiders' intensity; None (not 0) is
        today's simulator exactly.
    departures_known: whether the monthly LDAP snapshots drop people who left and hr/hr.csv has their notice
        and last days; None = as the profile says (True without a profile). Nothing else depends on it, so
        the same seed and profile give the same activity files either way.

    >>> SynthConfig(users=10)
    Traceback (most recent call last):
    ValueError: users must be >= 20, got 10
    """

    users: int = 200
    days: int = 120
    seed: int = 0
    release: str = "r6.2"
    start: date = date(2010, 1, 4)
    http_per_day: float = 40.0
    insider_fraction: float = 0.02
    scenarios: tuple[int, ...] = ALL_SCENARIOS
    profile: int | None = None
    departures_known: bool | None = None

    def __post_init__(self) -> None:
        if self.users < 20:
            raise ValueError(f"users must be >= 20, got {self.users}")
        if self.days < 30:
            raise ValueError(f"days must be >= 30, got {self.days}")
        if self.release not in RELEASES:
            raise ValueError(f"release must be one of {', '.join(RELEASES)}, got {self.release!r}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        if not 0 < self.http_per_day <= 500:
            raise ValueError(f"http_per_day must be in (0, 500], got {self.http_per_day}")
        if not 0 <= self.insider_fraction <= 0.1:
            raise ValueError(f"insider_fraction must be in [0, 0.1], got {self.insider_fraction}")
        bad = sorted(set(self.scenarios) - set(ALL_SCENARIOS))
        if bad or len(set(self.scenarios)) != len(self.scenarios):
            raise ValueError(f"scenarios must be distinct values from 1-7, got {self.scenarios}")
        if self.profile is not None and (isinstance(self.profile, bool) or self.profile < 1):
            raise ValueError(f"profile must be a number >= 1 (or None for no profile), got {self.profile}")

    @property
    def character(self) -> Profile:
        """The organization profile in force: BASELINE without one, departure flags as `departures_known` says."""
        return with_known_departures(profile_for(self.profile), self.departures_known)

    @property
    def dataset(self) -> str:
        """The release number as written in answers/insiders.csv ("4.2" or "6.2")."""
        return self.release[1:]

    @property
    def is_r6(self) -> bool:
        return self.release == "r6.2"


class InsiderRecord(NamedTuple):
    """One planted insider: who, which scenario, first and last malicious event (a plain tuple too)."""

    user_id: str
    scenario: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class SynthResult:
    """What `generate` wrote: the directory, rows per file (relative path -> rows) and the insiders."""

    out_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    insiders: list[InsiderRecord] = field(default_factory=list)
