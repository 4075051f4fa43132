"""Audit log figures: durable appends/s by batch size, checkpoint and open time, proof time at a million entries.

Every append_many call is one write and one fsync, so "batch 1" is the rate of a caller that needs each entry
durable before going on, and larger batches show what group commit buys. Proof figures are medians over
random indexes and sizes in a log of ``--million`` entries, built with large batches (falling back to 262,144
entries when the build would take more than ``--build-budget`` seconds, as the output then says).

    .venv/bin/python bench/audit.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import cycle
from pathlib import Path

from molehunt.audit import AuditLog, Checkpoint, NewEntry, merkle

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FALLBACK = 262_144
ANCHORS = (
    "anchors: Tessera on POSIX ~2,900 appends/s on 12 cores; Crosby & Wallach 2009 1,750 events/s on one core\n"
    "goals:   >= 10,000 appends/s batched on 2 cores; inclusion and consistency proofs < 1 ms at 1,000,000 entries"
)


def entries(start: int, count: int) -> Iterator[NewEntry]:
    for i in range(start, start + count):
        yield NewEntry(f"user{i % 997}", "read", f"doc-{i % 10_007}", {"bytes": i * 7 % 100_000}, T0)


def median_us(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def bench_appends(root: Path, total: int, single: int) -> Path:
    print(f"durable appends (append_many, one write + one fsync per call; {os.cpu_count()} cores)")
    kept = root / "appends-100"
    for batch in (1, 10, 100, 1000):
        count = single if batch == 1 else total
        directory = root / f"appends-{batch}"
        with AuditLog.open(directory, root / "keys") as log:
            start = time.perf_counter()
            for offset in range(0, count, batch):
                log.append_many(entries(offset, min(batch, count - offset)))
            seconds = time.perf_counter() - start
        print(f"  batch {batch:>5}: {count:>7,} entries in {seconds:6.2f} s = {count / seconds:>9,.0f} appends/s")
    return kept


def bench_small_log(directory: Path, keys_dir: Path) -> None:
    with AuditLog.open(directory, keys_dir) as log:
        size = log.size
        cp = median_us(log.checkpoint, 20)
        verify = median_us(log.verify, 3)
    opened = median_us(lambda: AuditLog.open(directory, keys_dir).close(), 5)
    print(f"log of {size:,} entries: checkpoint (sign + fsync) {cp / 1e3:.2f} ms, open {opened / 1e3:.1f} ms, ", end="")
    print(f"whole-log verify {verify / 1e3:.0f} ms")


def build(directory: Path, keys_dir: Path, target: int, budget: float) -> tuple[int, float, bool, list[Checkpoint]]:
    """Append ``target`` entries in batches of 5,000-15,000, signing a checkpoint after each (the witnessed
    checkpoints of the consistency figures); fall back to FALLBACK entries if the build would exceed ``budget``.
    """
    fell_back, signed, rng = False, [], random.Random(2)
    start = time.perf_counter()
    with AuditLog.open(directory, keys_dir) as log:
        while log.size < target:
            log.append_many(entries(log.size, min(rng.randrange(5_000, 15_000), target - log.size)))
            signed.append(log.checkpoint())
            elapsed = time.perf_counter() - start
            if not fell_back and log.size >= 50_000 and elapsed / log.size * target > budget:
                target, fell_back = max(FALLBACK, log.size), True
    return signed[-1].tree_size, time.perf_counter() - start, fell_back, signed[:-1]


def bench_proofs(directory: Path, keys_dir: Path, wanted: int, budget: float) -> None:
    size, seconds, fell_back, witnessed = build(directory, keys_dir, wanted, budget)
    print(f"built a log of {size:,} entries in {seconds:.1f} s ({size / seconds:,.0f} appends/s incl. checkpoints)")
    if fell_back:
        print(f"  NOTE: fell back from {wanted:,} entries: building them would take more than {budget:.0f} s")
    start = time.perf_counter()
    log = AuditLog.open(directory, keys_dir)
    print(f"  open (read + hash {size:,} leaves): {time.perf_counter() - start:.2f} s")
    try:
        key = log.public_key
        rng = random.Random(1)
        indexes = [rng.randrange(size) for _ in range(200)]
        proofs = [log.prove(i) for i in indexes]
        it = cycle(indexes)
        prove = median_us(lambda: log.prove(next(it)), 1000)
        pi = cycle(proofs)

        def path_only() -> None:
            p = next(pi)
            merkle.verify_inclusion(
                p.leaf_hash, p.leaf_index, p.checkpoint.tree_size, p.audit_path, p.checkpoint.root_hash
            )

        path = median_us(path_only, 1000)
        pf = cycle(proofs)
        full = median_us(lambda: next(pf).verify(key), 1000)
        print(f"  inclusion proof at {size:,}: generate {prove:.1f} us, verify path {path:.1f} us, ", end="")
        print(f"verify path + checkpoint signature {full:.1f} us ({len(proofs[0].audit_path)} hashes)")

        cps = [log.prove_consistency(w) for w in witnessed]
        wi = cycle(witnessed)
        cons = median_us(lambda: log.prove_consistency(next(wi)), 1000)
        ci = cycle(cps)

        def cons_path() -> None:
            c = next(ci)
            merkle.verify_consistency(
                c.old_size, c.checkpoint.tree_size, c.old_root, c.checkpoint.root_hash, c.consistency_path
            )

        cpath = median_us(cons_path, 1000)
        pairs = cycle(list(zip(cps, witnessed, strict=True)))

        def cons_full() -> None:
            c, w = next(pairs)
            c.verify(key, w)

        cfull = median_us(cons_full, 1000)
        print(
            f"  consistency proof from {len(witnessed)} earlier checkpoints to {size:,}: generate {cons:.1f} us ",
            end="",
        )
        print(f"(incl. witness signature check), verify path {cpath:.1f} us, path + both signatures {cfull:.1f} us")
    finally:
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000, help="entries per batched append run")
    parser.add_argument("--single", type=int, default=5_000, help="entries for the batch-of-1 run (one fsync each)")
    parser.add_argument("--million", type=int, default=1_000_000, help="entries in the proof log")
    parser.add_argument("--build-budget", type=float, default=180.0, help="seconds allowed to build the proof log")
    parser.add_argument("--dir", type=Path, default=None, help="directory for the temporary logs (default: $TMPDIR)")
    args = parser.parse_args()

    print(ANCHORS)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        print(f"temporary logs in {root}")
        small = bench_appends(root, args.entries, args.single)
        bench_small_log(small, root / "keys")
        bench_proofs(root / "proofs", root / "keys", args.million, args.build_budget)


if __name__ == "__main__":
    main()
