"""The simulated HR export: what the HR reader takes whole, dates that agree with the directory, adverse events
that reach people who are not insiders, and the same bytes however it is produced."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from synth_support import Dataset

from molehunt.ingest.hr import parse_hr
from molehunt.synth import SynthConfig, ensure_generated
from molehunt.synth.generate import generate_hr
from molehunt.synth.hr import ADVERSE, HR_FILE


def test_the_hr_reader_takes_every_row(r6: Dataset) -> None:
    path = r6.root / HR_FILE
    people, bad, rows = parse_hr(path.read_bytes(), path)
    assert bad == [] and rows == len(people) == r6.cfg.users


def test_leavers_have_a_notice_and_a_last_day_that_match_the_directory(long_r4: Dataset) -> None:
    rows = {r["user"]: r for r in long_r4.rows(HR_FILE.as_posix())}
    snapshots = {month: {r["user_id"] for r in people} for month, people in long_r4.ldap().items()}
    leavers = {u for u, r in rows.items() if r["last_day"]}
    assert leavers
    for user in leavers:
        notice, last = date.fromisoformat(rows[user]["notice_date"]), date.fromisoformat(rows[user]["last_day"])
        hire = date.fromisoformat(rows[user]["hire_date"])
        assert hire <= notice <= last and (last - notice <= timedelta(days=30) or notice == hire)
        assert user in snapshots[f"{last:%Y-%m}"]  # employed in the month of the last day, gone after it
        assert all(user not in people for month, people in snapshots.items() if month > f"{last:%Y-%m}")
    assert all(not r["notice_date"] for u, r in rows.items() if u not in leavers)


def test_adverse_events_reach_people_who_are_not_insiders(tmp_path: Path) -> None:
    cfg = SynthConfig(users=400, days=365, seed=3)
    generate_hr(cfg, tmp_path)  # only the plan is simulated: fast at any size
    path = tmp_path / HR_FILE
    people, bad, _ = parse_hr(path.read_bytes(), path)
    assert bad == []
    adverse = {p.user_id for p in people for _, what in p.events if what in ADVERSE}
    assert len(adverse) >= 10  # 8% a year of 400 people, give or take


def test_the_export_is_the_same_bytes_alone_or_with_the_simulation(r6: Dataset, tmp_path: Path) -> None:
    generate_hr(r6.cfg, tmp_path)
    assert (tmp_path / HR_FILE).read_bytes() == (r6.root / HR_FILE).read_bytes()


def test_a_cached_simulation_without_the_export_gets_it(tmp_path: Path) -> None:
    cfg = SynthConfig(users=20, days=30, seed=4)
    assert ensure_generated(cfg, tmp_path)
    written = (tmp_path / HR_FILE).read_bytes()
    (tmp_path / HR_FILE).unlink()  # as a simulation made before the export existed
    assert not ensure_generated(cfg, tmp_path)  # the activity is not simulated again...
    assert (tmp_path / HR_FILE).read_bytes() == written  # ...and the export is added
