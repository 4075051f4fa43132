"""The non-event files: monthly LDAP snapshots, psychometric scores and (r6.2) decoy_file.csv.

A user appears in a month's snapshot iff employed on at least one day of that month, so a leaver is absent
from every later month and a new hire first appears in the month they join. When departures are not known
(`SynthConfig.departures_known=False`, or a profile that says so), the directory does not yet show them: a
leaver stays in every later snapshot with the same attributes, to the end of the period.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from molehunt.synth import schema
from molehunt.synth.config import SynthConfig
from molehunt.synth.world import World


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode("ascii"))
    return len(rows)


def months(cfg: SynthConfig) -> list[tuple[str, int, int]]:
    """(YYYY-MM, first day index, last day index) of every month the period touches."""
    out: list[tuple[str, int, int]] = []
    day = 0
    while day < cfg.days:
        d = cfg.start + timedelta(days=day)
        nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        last = min(cfg.days - 1, (nxt - cfg.start).days - 1)
        out.append((f"{d.year:04d}-{d.month:02d}", day, last))
        day = last + 1
    return out


def write_ldap(world: World, out_dir: Path) -> dict[str, int]:
    """LDAP/YYYY-MM.csv for each month; returns rows per file."""
    org, r6 = world.org, world.cfg.is_r6
    counts: dict[str, int] = {}
    shows_departures = world.cfg.character.departures_known
    for name, first, last in months(world.cfg):
        rows = []
        listed = (org.hire_day <= last) & ((org.end_day > first) | (not shows_departures))
        for u in np.flatnonzero(listed):
            d = int(org.dept[u])
            sup = int(org.supervisor[u])
            row = [org.names[u], org.user_ids[u], org.emails[u], org.roles[u]]
            if r6:
                row.append(";".join(org.project_names[p] for p in org.projects[u]))
            row += ["1", org.dept_units[d], org.dept_names[d], org.team_names[int(org.team[u])]]
            row.append(org.names[sup] if sup >= 0 else "")
            rows.append(row)
        rel = f"LDAP/{name}.csv"
        counts[rel] = _write(out_dir / rel, schema.LDAP_R6 if r6 else schema.LDAP_R4, rows)
    return counts


def write_psychometric(world: World, insiders: set[int], out_dir: Path, rng: np.random.Generator) -> int:
    """Big-five scores 10-50; insiders lean slightly to low agreeableness and high neuroticism."""
    org = world.org
    scores = np.clip(rng.normal(30, 8, (org.n, 5)), 10, 50).round().astype(int)
    for u in insiders:
        scores[u, 3] = max(10, scores[u, 3] - 6)
        scores[u, 4] = min(50, scores[u, 4] + 6)
    rows = [[org.names[u], org.user_ids[u], *map(str, scores[u])] for u in range(org.n)]
    return _write(out_dir / "psychometric.csv", schema.PSYCHOMETRIC, rows)


def write_decoys(world: World, out_dir: Path) -> int:
    """decoy_file.csv: every planted decoy and the PC it sits on."""
    docs, pcs = world.docs, world.org.pcs
    rows = [[docs.paths[int(d)], pcs[int(p)]] for d, p in zip(docs.decoy_doc, docs.decoy_pc, strict=True)]
    return _write(out_dir / "decoy_file.csv", schema.DECOY, rows)
