"""Triage by person, the people index and search: how long each takes over a scored home, beside the per-user-day
page it replaced, measured in the same run.

The home (a simulated organization, ingested and scored) is built once under bench/out/ and opened read-only; the
triage state goes to a temporary operational store with a share of the alerts dismissed, confirmed and assigned, so
the grouping has decisions to merge. Each query runs --repeat times; printed: median and max in milliseconds.

    .venv/bin/python bench/triage.py                          # 250 people x 120 days (built once)
    .venv/bin/python bench/triage.py --users 500 --days 180 --repeat 30
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from molehunt import opstore  # noqa: E402
from molehunt.config import Home  # noqa: E402
from molehunt.pseudonyms import Pseudonyms  # noqa: E402
from molehunt.report.budget import budget_threshold  # noqa: E402
from molehunt.store import Store, open_store  # noqa: E402
from molehunt.workbench import people, queue, search, triage  # noqa: E402
from molehunt.workbench.rules import current_rules  # noqa: E402


def build(users: int, days: int) -> Home:
    from molehunt.ingest import ingest_cert
    from molehunt.ingest.hr import ingest_hr
    from molehunt.score import score_store
    from molehunt.synth import SynthConfig, generate
    from molehunt.synth.hr import HR_FILE

    root = ROOT / "bench" / "out" / f"triage-u{users}-d{days}-s42"
    home = Home(root / "home")
    if (root / "built").exists():
        return home
    print(f"building {root} (once) ...", flush=True)
    generate(SynthConfig(users=users, days=days, seed=42, release="r6.2"), root / "data")
    home.ensure()
    with open_store(home.store_path) as store:
        ingest_cert(store, root / "data")
        ingest_hr(store, root / "data" / HR_FILE)
        score_store(store)
    (root / "built").touch()
    return home


def timed(repeat: int, run: Callable[[], object]) -> tuple[float, float]:
    took = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        took.append((time.perf_counter() - start) * 1000)
    return statistics.median(took), max(took)


def user_day_page(store: Store) -> object:
    """The queue this replaced: one page of user-days above the budget, highest first."""
    return store.con.execute(
        "SELECT user_id, day, score, rules, reasons FROM scores WHERE score >= ? ORDER BY score DESC, day DESC"
        " LIMIT 50",
        [budget_threshold(store)],
    ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=250)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    home = build(args.users, args.days)
    names = Pseudonyms.for_keys_dir(home.keys_dir)
    with open_store(home.store_path, read_only=True) as store, tempfile.TemporaryDirectory() as ops_dir:
        rules = current_rules(store)
        threshold = budget_threshold(store)
        alerts = store.con.execute("SELECT user_id, day FROM scores WHERE score >= ? ORDER BY 1, 2", [threshold])
        keys = alerts.fetchall()
        with closing(opstore.connect(Home(Path(ops_dir)))) as con:
            queue.schema(con)
            triage.schema(con)
            queue.dismiss(con, keys[::5], "bench", "bench")  # a fifth dismissed, a tenth confirmed
            with opstore.transaction(con):
                for user, day in keys[1::10]:
                    triage._decide(con, user, day, "confirmed", None, "", "bench")
                for user, _ in keys[2::7]:
                    triage._set_person(con, user, "bench", assignee="bench")
            host = store.scalar("SELECT host FROM events WHERE host IS NOT NULL LIMIT 1")
            someone = keys[0][0]
            runs: dict[str, Callable[[], object]] = {
                "user-day page (baseline)": lambda: user_day_page(store),
                "person queue, default": lambda: triage.person_queue(store, con, triage.TriageFilter(), rules),
                "person queue, min_score=0": lambda: triage.person_queue(
                    store, con, triage.TriageFilter(min_score=0.0), rules
                ),
                "person queue, band+scenario": lambda: triage.person_queue(
                    store, con, triage.TriageFilter(band=triage.Band.MEDIUM, scenario=rules[0].scenario), rules
                ),
                "person triage (person page)": lambda: triage.person_triage(store, con, someone),
                "people index, by risk": lambda: people.people_index(store, names.of, people.IndexSort.RISK),
                "search, host prefix": lambda: search.search(store, names, str(host)[:5], may_reveal=True),
                "search, a word in paths": lambda: search.search(store, names, "doc", may_reveal=False),
            }
            events = store.scalar("SELECT count(*) FROM events")
            people_count = store.scalar("SELECT count(DISTINCT user_id) FROM scores")
            print(f"home: {people_count} people, {len(keys)} alerts (score >= {threshold:.1f}), {events:,} events")
            print(f"{'query':32} {'median ms':>10} {'max ms':>8}")
            for label, run in runs.items():
                median, worst = timed(args.repeat, run)
                print(f"{label:32} {median:10.1f} {worst:8.1f}")


if __name__ == "__main__":
    main()
