"""The full pipeline at several organization sizes, on DuckDB and on Spark local[2], same data, one run.

For each USERSxDAYS size: simulate (r6.2 format unless --release r4.2, cached under --workdir), ingest the CSVs
into a fresh store (the canonical events, DuckDB: both engines start from it), then score a copy of that store
once per engine, each in its own child process. Spark's run includes writing the Parquet lake it reads
(`molehunt export-parquet`). Memory is the peak resident set of the child's whole process tree (for Spark: Python
driver + JVM), sampled.

    .venv/bin/python bench/scale.py --sizes 100x365 1000x365 4000x365 --engines duckdb spark
    .venv/bin/python bench/scale.py --release r4.2 --sizes 1000x500 --http-per-day 94 --engines duckdb  # r4.2's size

Time should grow linearly with events; the last line fits events/s per engine across the sizes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import psutil

from molehunt.synth import SynthConfig, ensure_generated

INGEST_CHILD = """
import json, sys, time
from pathlib import Path
from molehunt.ingest import ingest_cert
from molehunt.store import open_store
start = time.perf_counter()
with open_store(Path(sys.argv[1])) as store:
    ingest_cert(store, Path(sys.argv[2]), with_answers=False)
    events = store.count("SELECT count(*) FROM events")
print(json.dumps({"seconds": time.perf_counter() - start, "events": events}))
"""

SCORE_CHILD = """
import json, sys, time
from pathlib import Path
from molehunt.score import score_store
from molehunt.engine import open_engine
from molehunt.store import open_store
engine = sys.argv[2]
start = time.perf_counter()
with open_store(Path(sys.argv[1])) as store, open_engine(engine) as runner:
    started = time.perf_counter()
    run = score_store(store, engine=runner)
print(json.dumps({"seconds": time.perf_counter() - start, "startup": started - start, "user_days": run.user_days,
                  **run.seconds}))
"""


class ChildFailed(Exception):
    """A measured child exited with an error (its own message went to stderr)."""


def run_measured(code: str, *args: str) -> tuple[dict[str, float], float]:
    """Run `code` in a fresh interpreter; (its last output line as JSON, peak RSS of its process tree in MiB).
    ChildFailed when it exits with an error."""
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(child.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                total = 0
                for process in tree:
                    with contextlib.suppress(psutil.Error):  # a worker that just ended
                        total += process.memory_info().rss
                peak = max(peak, total)
            except psutil.Error:
                return
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert child.stdout is not None
    output = child.stdout.read()
    exit_code = child.wait()
    done.set()
    sampler.join()
    if exit_code != 0:
        raise ChildFailed(f"exit code {exit_code} after {peak / 2**20:,.0f} MiB peak; its error is on stderr")
    *chatter, answer = output.strip().splitlines()
    if chatter:
        print("child said:", *chatter, sep="\n  ")
    return json.loads(answer), peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["100x365", "1000x365", "4000x365"], help="USERSxDAYS")
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"], choices=["duckdb", "spark"])
    parser.add_argument(
        "--spark-max-users", type=int, help="run Spark only on sizes up to this many users (said in the output)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--release", default="r6.2", choices=["r4.2", "r6.2"], help="CERT release shape to simulate (default r6.2)"
    )
    parser.add_argument(
        "--http-per-day",
        type=float,
        default=SynthConfig.http_per_day,
        help="web rows per active user-day (real r4.2: 1000x500 at about 94 gives its 32.8 M rows)",
    )
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()

    header = f"{'size':>9} {'events':>12} {'ingest s':>9}"
    for engine in args.engines:
        header += f" {engine + ' score s':>15} {'end-to-end ev/s':>16} {'peak MiB':>9}"
    print(header, flush=True)
    rates: dict[str, list[tuple[int, float]]] = {engine: [] for engine in args.engines}
    for size in args.sizes:
        users, days = (int(x) for x in size.split("x"))
        config = SynthConfig(
            users=users, days=days, seed=args.seed, release=args.release, start=date(2010, 1, 4),
            http_per_day=args.http_per_day,
        )  # fmt: skip
        data = args.workdir / f"{args.release}-u{users}-d{days}-s{args.seed}"
        if args.http_per_day != SynthConfig.http_per_day:
            data = data.with_name(f"{data.name}-h{args.http_per_day:g}")
        ensure_generated(config, data)
        scratch = args.workdir / "scale-stores"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        base = scratch / "ingested.duckdb"
        ingested, ingest_rss = run_measured(INGEST_CHILD, str(base), str(data))
        events = int(ingested["events"])
        line = f"{size:>9} {events:>12,} {ingested['seconds']:>9.1f}"
        details = [f"  ingest: {ingested['seconds']:.1f} s, peak {ingest_rss:,.0f} MiB"]
        for engine in args.engines:
            if engine == "spark" and args.spark_max_users is not None and users > args.spark_max_users:
                line += f" {'not run':>15} {'':>16} {'':>9}"
                details.append(f"  spark: not run at this size (--spark-max-users {args.spark_max_users})")
                continue
            store = scratch / f"{engine}.duckdb"
            shutil.copy(base, store)
            try:
                scored, rss = run_measured(SCORE_CHILD, str(store), engine)
            except ChildFailed as failed:  # say so and go on: the other engines and sizes are still worth measuring
                line += f" {'failed':>15} {'':>16} {'':>9}"
                details.append(f"  {engine}: failed ({failed})")
                continue
            total = ingested["seconds"] + scored["seconds"]
            rates[engine].append((events, total))
            line += f" {scored['seconds']:>15.1f} {events / total:>16,.0f} {max(rss, ingest_rss):>9,.0f}"
            stages = ", ".join(
                f"{stage} {scored[stage]:.1f}" for stage in ("features", "baselines", "rules", "anomaly", "combine")
            )
            details.append(
                f"  {engine}: start {scored['startup']:.1f} s; {stages} s; {scored['user_days']:,.0f} user-days;"
                f" peak {rss:,.0f} MiB"
            )
        print(line, flush=True)
        print(*details, sep="\n", flush=True)
        shutil.rmtree(scratch, ignore_errors=True)
    for engine, points in rates.items():
        if len(points) >= 2:
            (small_events, small_s), (big_events, big_s) = points[0], points[-1]
            growth = (big_s / small_s) / (big_events / small_events)
            print(
                f"{engine}: {big_events / small_events:.1f}x the events took {big_s / small_s:.1f}x the time"
                f" (1.0 = linear; {growth:.2f}); marginal rate {(big_events - small_events) / (big_s - small_s):,.0f}"
                " events/s"
            )
    print(json.dumps({e: [{"events": n, "seconds": round(s, 1)} for n, s in p] for e, p in rates.items()}))


if __name__ == "__main__":
    main()
