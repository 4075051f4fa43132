"""The organization: people, roles, departments, teams, supervisors (a tree), projects and PCs.

Built once per run from its own random stream. Arrays are indexed by user number `u` (0..n-1); employment
is the half-open day range [hire_day, end_day), with end_day == cfg.days meaning "still employed".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from molehunt.synth import vocab
from molehunt.synth.config import SynthConfig

NO_SUPERVISOR = -1
IT_DEPT = 2  # index of IT in vocab.DEPARTMENTS
IT_SHARE = vocab.DEPARTMENTS[IT_DEPT][3]


@dataclass(frozen=True)
class Org:
    """Everything LDAP knows plus PCs; numpy arrays are per user unless named otherwise."""

    names: list[str]
    user_ids: list[str]
    emails: list[str]
    personal_emails: list[str]
    roles: list[str]
    dept: np.ndarray  # department index per user
    team: np.ndarray  # global team index per user
    supervisor: np.ndarray  # user index of the supervisor, NO_SUPERVISOR for the president
    is_manager: np.ndarray
    projects: list[tuple[int, ...]]  # project indices per user (used in r6.2 LDAP and file paths)
    dept_names: list[str]
    dept_units: list[str]  # functional unit per department
    team_names: list[str]
    project_names: list[str]
    pcs: list[str]  # all PC names; own PCs first, then shared PCs
    own_pc: np.ndarray  # PC index per user
    shared_pcs: np.ndarray  # PC indices of shared machines
    hire_day: np.ndarray
    end_day: np.ndarray

    @property
    def n(self) -> int:
        return len(self.user_ids)

    def employed(self, day: int) -> np.ndarray:
        """Boolean mask of users employed on `day`."""
        return (self.hire_day <= day) & (day < self.end_day)

    def role_mask(self, role: str) -> np.ndarray:
        return np.array([r == role for r in self.roles], dtype=bool)


def _people(n: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Unique 'First Middle Last' names and CERT-style ids (initials + 4 digits)."""
    names: list[str] = []
    ids: list[str] = []
    seen_names: set[str] = set()
    seen_ids: set[str] = set()
    while len(names) < n:
        first, middle = rng.choice(len(vocab.FIRST_NAMES), size=2)
        last = int(rng.integers(len(vocab.LAST_NAMES)))
        name = f"{vocab.FIRST_NAMES[first]} {vocab.FIRST_NAMES[middle]} {vocab.LAST_NAMES[last]}"
        uid = "".join(p[0] for p in name.split()).upper() + f"{int(rng.integers(10000)):04d}"
        if name in seen_names or uid in seen_ids:
            continue
        seen_names.add(name)
        seen_ids.add(uid)
        names.append(name)
        ids.append(uid)
    return names, ids


def _structure(
    n: int, rng: np.random.Generator, it_share: float = IT_SHARE
) -> tuple[list[int], list[int], list[int], list[int]]:
    """Split n people into president, directors, team managers and members (`it_share`: the IT department's
    weight among the departments' vocab weights, which sets how many IT admins there are).

    Returns per-person department, team (global), supervisor and a manager level (0 president, 1 director,
    2 manager, 3 member), in a deterministic order: president first, then department by department.
    """
    n_depts = min(len(vocab.DEPARTMENTS), max(3, n // 40))
    shares = np.array([d[3] for d in vocab.DEPARTMENTS[:n_depts]])
    shares[IT_DEPT] = it_share
    budget = n - 1 - n_depts
    dept_sizes = np.maximum(np.floor(shares / shares.sum() * budget).astype(int), 3)
    dept_sizes[0] += budget - int(dept_sizes.sum())
    dept: list[int] = [0]
    team: list[int] = [0]
    sup: list[int] = [NO_SUPERVISOR]
    level: list[int] = [0]
    team_no = 0
    for d, size in enumerate(dept_sizes):
        director = len(dept)
        dept.append(d)
        team.append(team_no)
        sup.append(0)
        level.append(1)
        n_teams = max(1, math.ceil(int(size) / 10))
        members_left = int(size) - n_teams
        for t in range(n_teams):
            manager = len(dept)
            dept.append(d)
            team.append(team_no)
            sup.append(director)
            level.append(2)
            k = members_left // (n_teams - t)
            members_left -= k
            for _ in range(k):
                dept.append(d)
                team.append(team_no)
                sup.append(manager)
                level.append(3)
            team_no += 1
    del rng  # the structure is a pure function of n; randomness goes into names and projects
    return dept, team, sup, level


def build_org(cfg: SynthConfig, rng: np.random.Generator) -> Org:
    """Draw the organization for `cfg` (employment dates are refined later by the scenario planner)."""
    n = cfg.users
    dept_l, team_l, sup_l, level_l = _structure(n, rng, cfg.character.admin_share)
    dept = np.array(dept_l, dtype=np.int32)
    level = np.array(level_l, dtype=np.int32)
    names, ids = _people(n, rng)
    roles: list[str] = []
    for u in range(n):
        if level[u] == 0:
            roles.append("President")
        elif level[u] == 1:
            roles.append("Director")
        elif level[u] == 2:
            roles.append("Manager")
        else:
            options = vocab.DEPARTMENTS[dept[u]][2]
            roles.append(options[int(rng.integers(len(options)))])
    emails = [f"{name.replace(' ', '.')}@{vocab.INTERNAL_DOMAIN}" for name in names]
    personal = []
    for name in names:
        first, _, last = name.split()
        domain = vocab.WEBMAIL_DOMAINS[int(rng.integers(len(vocab.WEBMAIL_DOMAINS)))]
        personal.append(f"{first}.{last}{int(rng.integers(10, 99))}@{domain}")
    n_depts = int(dept.max()) + 1
    team = np.array(team_l, dtype=np.int32)
    n_teams = int(team.max()) + 1
    team_names = []
    for t in range(n_teams):
        d = int(dept[np.flatnonzero(team == t)[0]])
        team_names.append(f"{t + 1} - {vocab.DEPARTMENTS[d][0]}Team{t + 1}")
    projects, project_names = _projects(dept, team, level, rng)
    pc_numbers = rng.choice(9000, size=n + max(2, n // 10), replace=False) + 1000
    pcs = [f"PC-{int(x):04d}" for x in pc_numbers]
    return Org(
        names=names,
        user_ids=ids,
        emails=emails,
        personal_emails=personal,
        roles=roles,
        dept=dept,
        team=team,
        supervisor=np.array(sup_l, dtype=np.int32),
        is_manager=level < 3,
        projects=projects,
        dept_names=[f"{d + 1} - {vocab.DEPARTMENTS[d][0]}" for d in range(n_depts)],
        dept_units=[vocab.DEPARTMENTS[d][1] for d in range(n_depts)],
        team_names=team_names,
        project_names=project_names,
        pcs=pcs,
        own_pc=np.arange(n, dtype=np.int32),
        shared_pcs=np.arange(n, len(pcs), dtype=np.int32),
        hire_day=np.zeros(n, dtype=np.int32),
        end_day=np.full(n, cfg.days, dtype=np.int32),
    )


def _projects(
    dept: np.ndarray, team: np.ndarray, level: np.ndarray, rng: np.random.Generator
) -> tuple[list[tuple[int, ...]], list[str]]:
    """Engineering teams own two projects each; production and sales teams share one; others have none."""
    n_teams = int(team.max()) + 1
    team_dept = [int(dept[np.flatnonzero(team == t)[0]]) for t in range(n_teams)]
    team_projects: list[tuple[int, ...]] = []
    count = 0
    for d in team_dept:
        k = 2 if d == 0 else (1 if d in (1, 3) else 0)
        team_projects.append(tuple(range(count, count + k)))
        count += k
    names = [
        vocab.PROJECT_NAMES[i % len(vocab.PROJECT_NAMES)] + ("" if i < len(vocab.PROJECT_NAMES) else str(i))
        for i in range(max(count, 1))
    ]
    per_user: list[tuple[int, ...]] = []
    for u in range(len(dept)):
        own = team_projects[int(team[u])] if level[u] >= 2 else ()
        if level[u] == 3 and own and rng.random() < 0.2:  # cross-team helpers
            own = tuple(sorted({*own, int(rng.integers(len(names)))}))
        per_user.append(own)
    return per_user, names
