"""How long the vault's real-time assessment (molehunt.vault.realtime.gather: one query) adds to a read, on a store
holding a month of vault reads of --people people (--reads each per working day, plus other events), next to the
query every read already ran before it (the rate limit's count), in the same run.

    .venv/bin/python bench/vault_realtime.py
    .venv/bin/python bench/vault_realtime.py --people 1000 --reads 40
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from molehunt.config import Home
from molehunt.store import open_store
from molehunt.vault.realtime import gather

END = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)


def timed(work: Callable[[], object], repeat: int) -> float:
    """Median milliseconds of `repeat` runs."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=250)
    parser.add_argument("--reads", type=int, default=20, help="vault reads per person per day")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, open_store(Home(Path(tmp) / "home").ensure().store_path) as store:
        start = (END - timedelta(days=args.days)).replace(tzinfo=None)
        # Vault reads spread over working hours, and as many other events (logons, files) that the query skips.
        store.con.execute(
            """INSERT INTO events (source, file_id, line, event_id, kind, time, user_id, activity, path, content)
            SELECT CASE WHEN i % 2 = 0 THEN 'vault' ELSE 'cert' END, 1, i, 'e' || i,
                   CASE WHEN i % 2 = 0 THEN 'vault' ELSE 'logon' END,
                   ?::TIMESTAMP + to_seconds((i // 2 // ? // ?) * 86400 + (i // 2 % ?) * 28800 // ?),
                   'u' || (i // 2 % ?), CASE WHEN i % 2 = 0 THEN 'read' ELSE 'logon' END, 'doc-' || (i % 97),
                   CASE WHEN i % 2 = 0 THEN 'allowed: cleared-with-need-to-know' END
            FROM range(?) t(i)""",
            [start, args.people, args.reads, args.people * args.reads, args.people * args.reads, args.people,
             2 * args.people * args.reads * args.days],
        )  # fmt: skip
        total = store.count("SELECT count(*) FROM events")
        now = END
        rate = timed(
            lambda: store.count(
                "SELECT count(*) FROM events WHERE source = 'vault' AND user_id = ? AND activity IN ('read',"
                " 'checkout') AND content LIKE '%allowed:%' AND time > ?",
                ["u7", now.replace(tzinfo=None) - timedelta(seconds=60)],
            ),
            args.repeat,
        )
        assess = timed(lambda: gather(store, "u7", now, 60), args.repeat)
        activity = gather(store, "u7", now, 60)
    print(f"store: {total:,} events ({args.people} people x {args.reads} vault reads x {args.days} days, and others)")
    print(f"baseline, the rate limit's count per read: {rate:7.2f} ms (median of {args.repeat})")
    print(f"real-time assessment (gather), per read:   {assess:7.2f} ms (median of {args.repeat})")
    print(f"u7: own rate {activity.own_rate:.2f}, peers {activity.peer_rate:.2f} per 60 s window")


if __name__ == "__main__":
    main()
