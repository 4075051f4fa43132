"""`generate`: plan the organization, then simulate day by day, streaming every file to disk.

Randomness comes from independent PCG64 streams keyed by (seed, stage[, day]), so a stage's draws do not
depend on how much another stage consumed, and the output is byte-identical for the same config.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from molehunt.synth import strings
from molehunt.synth.activity.email import email_events, forwards, mass_mails
from molehunt.synth.activity.http import http_events, security_visits
from molehunt.synth.activity.logon import logon_events
from molehunt.synth.activity.removable import local_file_events, personal_copies, usb_events
from molehunt.synth.activity.sessions import day_sessions
from molehunt.synth.answers import write_answers
from molehunt.synth.batch import EventBatch
from molehunt.synth.config import SynthConfig, SynthResult
from molehunt.synth.confounders import assign_confounders
from molehunt.synth.dates import DAY, day_kinds, day_prefix_table, time_table
from molehunt.synth.directory import write_decoys, write_ldap, write_psychometric
from molehunt.synth.docs import build_docs
from molehunt.synth.habits import build_habits
from molehunt.synth.hr import HR_FILE, write_hr
from molehunt.synth.org import build_org
from molehunt.synth.plan import plan_staffing
from molehunt.synth.scenarios import adjust_habits, scripted_events
from molehunt.synth.schema import SOURCES, header
from molehunt.synth.world import World, build_world
from molehunt.synth.writer import SourceWriter, Tables

Progress = Callable[[str, int, int], None]

# stream keys: one per stage; per-day stages add the day (and the source for ids)
ORG, PLAN, HABITS, ADJUST, DOCS, WORLD, SCRIPT, PSYCHO, HR, CONFOUND = range(10)
SESSIONS, LOGON, HTTP, EMAIL, USB, FILES, IDS, SECURITY, FORWARD, MASS, LEAVER = range(100, 111)


def _stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *key])))


def _slice_day(batch: EventBatch, day: int) -> EventBatch:
    lo, hi = np.searchsorted(batch.t, [day * DAY, (day + 1) * DAY], side="left")
    return batch.take(np.arange(lo, hi))


def _simulate_day(world: World, day: int, seed: int) -> dict[str, list[EventBatch]]:
    sessions = day_sessions(world, day, _stream(seed, SESSIONS, day))
    device, copies = usb_events(world, sessions, _stream(seed, USB, day))
    out = {
        "logon": [logon_events(sessions, _stream(seed, LOGON, day))],
        "device": [device],
        "file": [copies],
        "email": [email_events(world, sessions, _stream(seed, EMAIL, day))],
        "http": [http_events(world, day, sessions, _stream(seed, HTTP, day))],
    }
    if world.cfg.is_r6:
        out["file"].append(local_file_events(world, sessions, _stream(seed, FILES, day)))
    if not world.cfg.character.is_baseline:  # the profile's further confounders, each on its own stream
        out["http"].append(security_visits(world, sessions, _stream(seed, SECURITY, day)))
        out["email"].append(forwards(world, sessions, _stream(seed, FORWARD, day)))
        out["email"].append(mass_mails(world, sessions, day, _stream(seed, MASS, day)))
        device, copies = personal_copies(world, sessions, day, _stream(seed, LEAVER, day))
        out["device"].append(device)
        out["file"].append(copies)
    return out


def generate_hr(cfg: SynthConfig, out_dir: Path) -> int:
    """Write only hr/hr.csv, the same bytes `generate` writes (for a dataset simulated before it had one)."""
    staffing = plan_staffing(cfg, build_org(cfg, _stream(cfg.seed, ORG)), _stream(cfg.seed, PLAN))
    return write_hr(cfg, staffing, out_dir, _stream(cfg.seed, HR))


def generate(cfg: SynthConfig, out_dir: Path, progress: Progress | None = None) -> SynthResult:
    """Write a complete CERT-format dataset for `cfg` into `out_dir` (created if missing).

    `progress(stage, done, total)` is called as work advances (stages: "plan", "activity", "answers").
    Existing files of the same names are overwritten. Raises OSError if out_dir cannot be written.
    """
    report: Progress = progress or (lambda stage, done, total: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    seed = cfg.seed
    report("plan", 0, 1)
    staffing = plan_staffing(cfg, build_org(cfg, _stream(seed, ORG)), _stream(seed, PLAN))
    org = staffing.org
    weekend, _ = day_kinds(cfg.start, cfg.days)
    habits = build_habits(cfg, org, _stream(seed, HABITS))
    habits = adjust_habits(habits, staffing, weekend, _stream(seed, ADJUST))
    habits = assign_confounders(habits, cfg, staffing, _stream(seed, CONFOUND))
    world = build_world(cfg, org, habits, build_docs(org, _stream(seed, DOCS)), _stream(seed, WORLD))
    scripted = scripted_events(world, staffing.insiders, _stream(seed, SCRIPT))
    report("plan", 1, 1)

    tables = Tables(
        day_prefix=day_prefix_table(cfg.start, cfg.days),
        times=time_table(),
        users=strings.ascii_matrix(org.user_ids, 7),
        pcs=strings.ascii_matrix(org.pcs, 7),
    )
    writers = {s: SourceWriter(s, out_dir / f"{s}.csv", header(s, cfg.release), tables) for s in SOURCES}
    try:
        for w in writers.values():
            w.open()
        for day in range(cfg.days):
            batches = _simulate_day(world, day, seed)
            last = day == cfg.days - 1
            for i, s in enumerate(SOURCES):
                for b in batches[s]:
                    writers[s].push(b)
                if s in scripted:
                    writers[s].push(_slice_day(scripted[s], day))
                writers[s].flush((day + 1) * DAY, _stream(seed, IDS, i, day), final=last)
            report("activity", day + 1, cfg.days)
    finally:
        for w in writers.values():
            w.close()

    report("answers", 0, 1)
    counts = {f"{s}.csv": w.rows for s, w in writers.items()}
    counts.update(write_ldap(world, out_dir))
    insiders = {p.user for p in staffing.insiders}
    counts["psychometric.csv"] = write_psychometric(world, insiders, out_dir, _stream(seed, PSYCHO))
    if cfg.is_r6:
        counts["decoy_file.csv"] = write_decoys(world, out_dir)
    counts[HR_FILE.as_posix()] = write_hr(cfg, staffing, out_dir, _stream(seed, HR))
    malicious = [m for w in writers.values() for m in w.malicious]
    records, answer_counts = write_answers(cfg, org.user_ids, staffing.insiders, malicious, out_dir)
    counts.update(answer_counts)
    report("answers", 1, 1)
    return SynthResult(out_dir=out_dir, counts=dict(sorted(counts.items())), insiders=records)
