"""Protection levels on simulated organizations: the share of active people the default policy puts at each level
after a scoring run, printed beside the policy's targets, and how many of the simulated insiders are among them.

Each organization (molehunt synth, ingested with its HR export, scored: the scoring run sets the levels) is built
once under bench/out/. Also printed: the time the levels take (one query over the scores table) beside the scoring
run itself, measured in the same run.

    .venv/bin/python bench/protect.py                        # 250 and 1,000 people x 45 days
    .venv/bin/python bench/protect.py --users 250 --days 90
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from molehunt import opstore  # noqa: E402
from molehunt.config import Home  # noqa: E402
from molehunt.protect import Level, list_levels  # noqa: E402
from molehunt.protect.derive import levels_from_scores, peaks  # noqa: E402
from molehunt.protect.policy import Policy  # noqa: E402
from molehunt.store import open_store  # noqa: E402


def build(users: int, days: int) -> tuple[Home, float]:
    """The scored home (built once) and the seconds its scoring run took (0 when it was built before)."""
    from molehunt.ingest import ingest_cert
    from molehunt.ingest.hr import ingest_hr
    from molehunt.score import score_store
    from molehunt.synth import SynthConfig, generate
    from molehunt.synth.hr import HR_FILE

    root = ROOT / "bench" / "out" / f"protect-u{users}-d{days}-s42"
    home = Home(root / "home")
    if (root / "built").exists():
        return home, 0.0
    print(f"building {root} (once) ...", flush=True)
    generate(SynthConfig(users=users, days=days, seed=42, release="r6.2"), root / "data")
    home.ensure()
    with open_store(home.store_path) as store:
        ingest_cert(store, root / "data")
        ingest_hr(store, root / "data" / HR_FILE)
        start = time.perf_counter()
        score_store(store)
        took = time.perf_counter() - start
    (root / "built").touch()
    return home, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, nargs="*", default=[250, 1000])
    parser.add_argument("--days", type=int, default=45)
    args = parser.parse_args()
    policy = Policy()
    print(f"targets: elevated {policy.elevated_share:.1%}, high {policy.high_share:.1%} of active people")
    for users in args.users:
        home, scoring = build(users, args.days)
        with open_store(home.store_path, read_only=True) as store:
            active = len(peaks(store, policy.window_days))
            start = time.perf_counter()
            levels_from_scores(store, policy, set())
            deriving = time.perf_counter() - start
            insiders = {
                str(u) for (u,) in store.con.execute("SELECT DISTINCT user_id FROM answers_insiders").fetchall()
            }
        with closing(opstore.connect(home)) as con:
            found = {p.user: p.level for p in list_levels(con)}
        counts = {level: sum(1 for lv in found.values() if lv is level) for level in (Level.ELEVATED, Level.HIGH)}
        caught = sum(1 for user in insiders if user in found)
        print(
            f"{users:>5} people x {args.days} days: {active} active;"
            f" elevated {counts[Level.ELEVATED]} ({counts[Level.ELEVATED] / active:.2%}),"
            f" high {counts[Level.HIGH]} ({counts[Level.HIGH] / active:.2%});"
            f" simulated insiders at elevated or high: {caught} of {len(insiders)}"
        )
        built = f"scoring run {scoring:.1f} s" if scoring else "scoring run: built before (delete bench/out to time)"
        print(f"      levels from the scores {deriving * 1000:.1f} ms; {built}")


if __name__ == "__main__":
    main()
