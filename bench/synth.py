"""Benchmark the organization simulator: seconds and rows/s for one stated size.

.venv/bin/python bench/synth.py --users 1000 --days 365 --release r4.2
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from molehunt.synth import SynthConfig, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--release", choices=["r4.2", "r6.2"], default="r4.2")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="keep the output here (default: a temp dir)")
    args = parser.parse_args()
    cfg = SynthConfig(users=args.users, days=args.days, seed=args.seed, release=args.release)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        began = time.perf_counter()
        result = generate(cfg, out)
        seconds = time.perf_counter() - began
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    rows = sum(result.counts.values())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"synth {args.release} users={args.users} days={args.days} seed={args.seed}")
    for name in ("logon.csv", "device.csv", "file.csv", "email.csv", "http.csv"):
        print(f"  {name:12s} {result.counts[name]:>12,d} rows")
    print(f"  insiders     {len(result.insiders):>12d}")
    print(f"total {rows:,d} rows, {size / 1e9:.2f} GB in {seconds:.1f} s = {rows / seconds:,.0f} rows/s, "
          f"peak RSS {peak_mb:,.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
