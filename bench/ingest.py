"""Ingest throughput on a simulated r4.2-shaped directory, next to a plain pandas read_csv baseline.

Both run in their own child process on the same files in the same run, so the figures compare like with like;
peak memory is the child's maximum resident set size. The default size is a stated fraction of the real r4.2
release (1,000 users over ~500 days, 32.7 M rows); `--days 500` gives the full scale.

    .venv/bin/python bench/ingest.py --users 1000 --days 60
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from children import run_child  # bench/children.py, beside this script

from molehunt.synth import SynthConfig, ensure_generated

R42_ROWS = 32_770_222  # logon + device + file + email + http of the real r4.2 release (REFERENCE.md)
ACTIVITY_FILES = ("logon.csv", "device.csv", "file.csv", "email.csv", "http.csv")

MOLEHUNT_CHILD = """
import json, sys, time
from pathlib import Path
from molehunt.ingest import ingest_cert
from molehunt.store import open_store
start = time.perf_counter()
with open_store(Path(sys.argv[1])) as store:
    report = ingest_cert(store, Path(sys.argv[2]), with_answers=False)
print(json.dumps({"seconds": time.perf_counter() - start, "rows": report.rows, "ingested": report.ingested,
                  "quarantined": report.quarantined}))
"""

PANDAS_CHILD = """
import json, sys, time
from pathlib import Path
import pandas as pd
start = time.perf_counter()
rows = 0
for name in sys.argv[2:]:
    for chunk in pd.read_csv(Path(sys.argv[1]) / name, chunksize=1_000_000, dtype=str, keep_default_na=False):
        chunk["date"] = pd.to_datetime(chunk["date"], format="%m/%d/%Y %H:%M:%S")
        rows += len(chunk)
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows}))
"""


def dataset(workdir: Path, config: SynthConfig) -> Path:
    out = workdir / f"{config.release}-u{config.users}-d{config.days}-s{config.seed}-h{config.http_per_day:g}"
    start = time.perf_counter()
    if ensure_generated(config, out):
        print(f"simulated {out} in {time.perf_counter() - start:.1f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--release", default="r4.2", choices=["r4.2", "r6.2"])
    parser.add_argument(
        "--http-per-day", type=float, default=40.0, help="web rows per active user-day (real r4.2: about 80)"
    )
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()

    config = SynthConfig(
        users=args.users,
        days=args.days,
        seed=args.seed,
        release=args.release,
        start=date(2010, 1, 4),
        http_per_day=args.http_per_day,
    )
    data = dataset(args.workdir, config)
    size = sum((data / name).stat().st_size for name in ACTIVITY_FILES)

    with tempfile.TemporaryDirectory() as scratch:
        ours, ours_rss = run_child(MOLEHUNT_CHILD, str(Path(scratch) / "molehunt.duckdb"), str(data))
    theirs, theirs_rss = run_child(PANDAS_CHILD, str(data), *ACTIVITY_FILES)

    fraction = ours["rows"] / R42_ROWS
    print(f"\ndataset: {data} ({args.users} users x {args.days} days, {args.release})")
    print(f"activity rows: {ours['rows']:,} ({fraction:.1%} of r4.2's {R42_ROWS:,}); {size / 1e9:.2f} GB of CSV")
    print(f"\n{'engine':<36}{'seconds':>10}{'rows/s':>14}{'MB/s':>9}{'peak RSS MiB':>15}")
    for name, result, rss in (
        ("molehunt ingest (DuckDB store)", ours, ours_rss),
        ("pandas read_csv + to_datetime", theirs, theirs_rss),
    ):
        seconds = result["seconds"]
        print(f"{name:<36}{seconds:>10.1f}{result['rows'] / seconds:>14,.0f}{size / 1e6 / seconds:>9.1f}{rss:>15,.0f}")
    print(f"\nmolehunt / pandas speed: {theirs['seconds'] / ours['seconds']:.2f}x")
    print(f"quarantined: {ours['quarantined']:,} of {ours['rows']:,} rows")
    print(f"extrapolated to full r4.2: {R42_ROWS / (ours['rows'] / ours['seconds']) / 60:.1f} min for molehunt")


if __name__ == "__main__":
    main()
