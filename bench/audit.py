"""Audit log figures: attacks on a log in its ordinary state, appends/s by log size against the old full re-read,
durable appends/s by batch size, checkpoint and open time, proof time at a million entries.

Attacks (issue 20, finding 4): a log made only by ``append_entry`` (one per request, as the vault and the dashboard
write it; the log signs its own checkpoints) and witnessed by a second home; 200 random byte flips over every file
of its folder and 20 reorder/delete/rollback edits, each counted as caught when ``audit verify`` fails (plain, or
against the witness for a rollback of the whole folder to an earlier state, which is all a plain verify cannot see).

Appends by log size: ``append_entry`` (open, one entry fsynced, the closing checkpoint signed and fsynced, close)
at 10^3, 10^5 and 10^6 entries, beside the same call when ``frontier.json`` is missing, which makes the writer
re-read and re-hash the whole log as every append did before (the baseline, measured in the same run).

Every append_many call is one write and one fsync, so "batch 1" is the rate of a caller that needs each entry
durable before going on, and larger batches show what group commit buys. Proof figures are medians over
random indexes and sizes in a log of ``--million`` entries, built with large batches (falling back to 262,144
entries when the build would take more than ``--build-budget`` seconds, as the output then says).

    .venv/bin/python bench/audit.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import cycle
from pathlib import Path

from molehunt.audit import AuditLog, Checkpoint, NewEntry, append_entry, merkle
from molehunt.audit.entries import Entry
from molehunt.audit.framing import frame, scan
from molehunt.audit.state import STATE_FILE
from molehunt.audit.verify import ENTRIES_FILE
from molehunt.audit.witness import WITNESS_DIR, load_witnessed, witness

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


def plain_verify_fails(audit: Path, keys_dir: Path, against: Path | None = None) -> bool:
    """What `molehunt audit verify [--against W]` decides: open without signing, verify, report."""
    with AuditLog.open(audit, keys_dir, checkpoint_on_close=False) as log:
        witnessed = load_witnessed(against, log.public_key) if against is not None else None
        return not log.verify(against=witnessed).ok


def _renumbered(records: list[bytes]) -> list[bytes]:
    out = []
    for i, data in enumerate(records):
        e = Entry.from_bytes(data, expected_seq=int(json.loads(data)["seq"]))
        moment = datetime.strptime(e.time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        out.append(Entry.create(i, NewEntry(e.actor, e.action, e.target, dict(e.details), moment)).canonical)
    return out


def bench_attacks(root: Path, entries_count: int) -> None:
    """200 byte flips and 20 reorder/delete/rollback edits on an ordinary, witnessed log; all must be caught."""
    home, witness_home = root / "attacked", root / "witness-home"
    audit, keys_dir = home / "audit", home / "keys"
    snapshots: list[Path] = []
    for i in range(entries_count):
        append_entry(audit, keys_dir, NewEntry(f"user{i % 17}", "read", f"doc-{i}", {"n": i}, None))
        if i % (entries_count // 4) == entries_count // 8:  # an earlier state an insider keeps to roll back to
            snapshots.append(root / f"snapshot-{i}")
            shutil.copytree(audit, snapshots[-1])
    witness(home, witness_home / WITNESS_DIR, witness_home / "keys")
    with AuditLog.open(audit, keys_dir, checkpoint_on_close=False) as log:
        report = log.verify()
    print(
        f"attacks on an ordinary log of {report.entries:,} entries made by append_entry, {report.checkpoints:,}"
        f" checkpoints it signed itself, {report.uncovered} uncovered, witnessed by a second home"
    )
    rng = random.Random(20)
    files = sorted(p for p in audit.iterdir() if p.is_file())
    caught, by_file = 0, dict.fromkeys((p.name for p in files), 0)
    for _ in range(200):
        path = rng.choice(files)  # each file as often: the small state files matter as much as the entries
        original = path.read_bytes()
        at, flip = rng.randrange(len(original)), rng.randrange(1, 256)
        path.write_bytes(original[:at] + bytes([original[at] ^ flip]) + original[at + 1 :])
        if plain_verify_fails(audit, keys_dir):
            caught += 1
        by_file[path.name] += 1
        path.write_bytes(original)
    spread = ", ".join(f"{name} {count}" for name, count in by_file.items())
    print(f"  byte flips: {caught}/200 caught by plain verify (flips per file: {spread})")

    entries_path = audit / ENTRIES_FILE
    pristine = entries_path.read_bytes()
    records = scan(pristine).records
    edits: list[tuple[str, bool]] = []
    for k in range(14):
        i = rng.randrange(len(records) - 1)
        changed = list(records)
        if k % 2 == 0:
            changed[i], changed[i + 1] = changed[i + 1], changed[i]
            kind = "reorder"
        else:
            del changed[i if k % 4 == 1 else len(changed) - 1]
            kind = "delete"
        if k % 3 != 2:
            changed = _renumbered(changed)  # a careful forger keeps every entry canonical at its new place
        entries_path.write_bytes(frame(changed))
        edits.append((kind, plain_verify_fails(audit, keys_dir)))
        entries_path.write_bytes(pristine)
    current = root / "current"
    shutil.copytree(audit, current)
    plain_rollbacks = 0
    for k in range(6):
        shutil.rmtree(audit)
        shutil.copytree(snapshots[k % len(snapshots)], audit)  # every file of the folder as it was earlier
        plain_rollbacks += plain_verify_fails(audit, keys_dir)
        edits.append(("rollback", plain_verify_fails(audit, keys_dir, against=witness_home)))
    shutil.rmtree(audit)
    shutil.copytree(current, audit)
    for kind in ("reorder", "delete", "rollback"):
        mine = [ok for k, ok in edits if k == kind]
        how = "against the witness" if kind == "rollback" else "by plain verify"
        print(f"  {kind}: {sum(mine)}/{len(mine)} caught {how}", end="")
        print(f" (plain verify alone: {plain_rollbacks}/{len(mine)})" if kind == "rollback" else "")
    print(f"  edits: {sum(ok for _, ok in edits)}/{len(edits)} caught")


def bench_append_by_size(root: Path, sizes: list[int], keys_dir: Path, big: Path | None) -> None:
    """append_entry at each size, cheap (frontier kept) and as before (frontier.json removed: a full re-read)."""
    print("append_entry (open, 1 entry fsynced, checkpoint signed + fsynced, close) by log size")
    for size in sizes:
        directory = big if big is not None and size == sizes[-1] else root / f"sized-{size}"
        if directory != big:
            with AuditLog.open(directory, keys_dir) as log:
                while log.size < size:
                    log.append_many(entries(log.size, min(20_000, size - log.size)))
        with AuditLog.open(directory, keys_dir) as log:
            size = log.size
        repeats = 200
        start = time.perf_counter()
        for i in range(repeats):
            append_entry(directory, keys_dir, next(entries(size + i, 1)))
        cheap = (time.perf_counter() - start) / repeats
        old_repeats = 20 if size < 500_000 else 3
        start = time.perf_counter()
        for i in range(old_repeats):
            (directory / STATE_FILE).unlink()
            append_entry(directory, keys_dir, next(entries(size + repeats + i, 1)))
        old = (time.perf_counter() - start) / old_repeats
        print(
            f"  {size:>9,} entries: {1 / cheap:>7,.0f} appends/s ({cheap * 1e3:6.2f} ms each);"
            f" full re-read as before: {1 / old:>7,.1f} appends/s ({old * 1e3:8.1f} ms each), {old / cheap:,.0f}x"
        )


def bench_proofs(directory: Path, keys_dir: Path, wanted: int, budget: float) -> None:
    size, seconds, fell_back, witnessed = build(directory, keys_dir, wanted, budget)
    print(f"built a log of {size:,} entries in {seconds:.1f} s ({size / seconds:,.0f} appends/s incl. checkpoints)")
    if fell_back:
        print(f"  NOTE: fell back from {wanted:,} entries: building them would take more than {budget:.0f} s")
    start = time.perf_counter()
    log = AuditLog.open(directory, keys_dir)
    print(f"  open (frontier checked against the signed checkpoint): {(time.perf_counter() - start) * 1e3:.1f} ms")
    try:
        key = log.public_key
        rng = random.Random(1)
        indexes = [rng.randrange(size) for _ in range(200)]
        start = time.perf_counter()
        log.prove(indexes[0])
        print(f"  first proof (reads and hashes the {size:,} leaves once): {time.perf_counter() - start:.2f} s")
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
    parser.add_argument("--attacked", type=int, default=400, help="entries (one append_entry each) in the attacked log")
    args = parser.parse_args()

    print(ANCHORS)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        print(f"temporary logs in {root}")
        bench_attacks(root, args.attacked)
        small = bench_appends(root, args.entries, args.single)
        bench_small_log(small, root / "keys")
        bench_proofs(root / "proofs", root / "keys", args.million, args.build_budget)
        bench_append_by_size(root, [1_000, 100_000, args.million], root / "keys", root / "proofs")


if __name__ == "__main__":
    main()
