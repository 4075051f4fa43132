"""Fuzzed CERT and OCSF files through ingest, beside the same number of clean files in the same run.

Every file is generated from a seed (the same seed writes the same bytes): a clean file holds well-formed rows; a
fuzzed file holds the same rows with hostile values put in (lone surrogates, NULs and terminal escapes in text,
numbers of 2^63 and 10^23, hexadecimal and fractional sizes, dates of year 0010 and 9999, deep nesting, raw bytes,
Latin-1 and UTF-16 lines, repeated rows). The counts must add up and `exceptions` (anything but a refusal with a
message) must be 0.

    .venv/bin/python bench/fuzz.py --files 50 --rows 200 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from molehunt.errors import InputError
from molehunt.ingest import IngestReport, ingest_cert, ingest_ocsf
from molehunt.ingest.cert_layout import HEADERS
from molehunt.store import Store, open_store

BASE_MS = 1_262_591_880_000  # 2010-01-04 07:58 UTC
TEXT = ["E:\\secret\udc80.doc", "a\x00b", "\x1b]52;c;cm0gLXJmIH4=\x07", "\x1b]8;;http://e.vil\x1b\\x", "\u202egpj.exe",
        "é", "\ufeff", ",", '"', "[/]", "x" * 5000]  # fmt: skip
NUMBERS = [2**63, 2**63 - 1, -(2**63) - 1, 10**23, -1, 2**31, 10**300, 1.5, float("inf")]
CERT_VALUES = ["0x10", "1.5", "1e3", " 5", str(10**23), "-1", "01/04/10 1:2:3", "01/01/0001 00:00:00",
               "12/31/9999 23:59:59", "C:\\a.pdf(0x10)", f"C:\\a.pdf({10**23})", f"a({2**62});b({2**62})"]  # fmt: skip


@dataclass
class Totals:
    files: int = 0
    rows: int = 0
    ingested: int = 0
    quarantined: int = 0
    duplicates: int = 0
    refused: int = 0
    exceptions: int = 0
    seconds: float = 0.0

    def add(self, run: Callable[[], IngestReport]) -> None:
        self.files += 1
        start = time.perf_counter()
        try:
            report = run()
        except InputError:
            self.refused += 1
        except Exception as exc:  # what the readers must never let out
            self.exceptions += 1
            print(f"  exception: {type(exc).__name__}: {str(exc)[:120]!r}")
        else:
            self.rows += report.rows
            self.ingested += report.ingested
            self.quarantined += report.quarantined
            self.duplicates += report.duplicates
        self.seconds += time.perf_counter() - start


def ocsf_record(rng: random.Random, n: int) -> dict[str, Any]:
    user = {"name": f"U{rng.randrange(50):04d}"}
    when = BASE_MS + n * 60_000
    choice = rng.randrange(3)
    if choice == 0:
        return {"class_uid": 3002, "activity_id": 1, "time": when, "user": user, "device": {"hostname": "PC-1"},
                "metadata": {"uid": f"a-{n}"}}  # fmt: skip
    if choice == 1:
        file = {"name": "x.doc", "path": "E:\\x.doc", "drive_type_id": 1, "size": rng.randrange(10**6)}
        return {"class_uid": 1001, "activity_id": 1, "time": when, "actor": {"user": user},
                "metadata": {"uid": f"f-{n}"}, "file": file}  # fmt: skip
    return {"class_uid": 4009, "activity_id": 1, "time": when, "actor": {"user": user}, "metadata": {"uid": f"m-{n}"},
            "email": {"from": "a@dtaa.com", "to": ["x@gmail.com"], "size": 3000,
                      "files": [{"name": "a.pdf", "size": 1200}]}}  # fmt: skip


def _leaves(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(value, dict):
        return [leaf for key, inner in value.items() for leaf in _leaves(inner, (*path, key))]
    return [path]


def hostile_ocsf_line(rng: random.Random, record: dict[str, Any]) -> bytes:
    kind = rng.randrange(10)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(60))).replace(b"\n", b" ")
    if kind == 1:
        depth = rng.choice([10, 1000, 100_000])
        return b'{"class_uid": 3002, "user": ' + b"[" * depth + b"]" * depth + b"}"
    # Not the id: the same hostile id in two files is a replayed event, and the second file is (rightly) refused.
    path = rng.choice([leaf for leaf in _leaves(record) if leaf != ("metadata", "uid")])
    target = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = rng.choice(TEXT) if isinstance(target[path[-1]], str) else rng.choice(NUMBERS)
    if kind == 2:
        return json.dumps(record, ensure_ascii=False).encode("latin-1", "replace")
    if kind == 3:
        return json.dumps(record, ensure_ascii=False).encode("utf-16", "surrogatepass")
    return json.dumps(record).encode()


def ocsf_file(path: Path, rng: random.Random, rows: int, *, fuzzed: bool, first: int) -> Path:
    lines = []
    for n in range(first, first + rows):
        record = ocsf_record(rng, n)
        hostile = fuzzed and rng.random() < 0.3
        lines.append(hostile_ocsf_line(rng, record) if hostile else json.dumps(record).encode())
    if fuzzed and lines:
        lines.append(lines[rng.randrange(len(lines))])  # a repeated row
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def cert_rows(rng: random.Random, rows: int, *, fuzzed: bool, first: int) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {"logon": [], "email": []}
    for n in range(first, first + rows):
        stamp = f"01/{4 + n // 1440 % 20:02d}/2010 {n // 60 % 24:02d}:{n % 60:02d}:00"
        user = f"U{rng.randrange(50):04d}"
        logon = [f"{{L{n}}}", stamp, user, "PC-1", rng.choice(["Logon", "Logoff"])]
        email = [f"{{E{n}}}", stamp, user, "PC-1", "x@gmail.com", "", "", "a@dtaa.com", "Send", "3000",
                 "C:\\a.pdf(1200)", "notes"]  # fmt: skip
        for role, fields in (("logon", logon), ("email", email)):
            if fuzzed and rng.random() < 0.3:
                fields[rng.randrange(1, len(fields))] = rng.choice(CERT_VALUES + TEXT)  # not the id (see above)
            line = ",".join(fields).replace("\n", " ")
            encoding = rng.choice(["utf-8"] * 8 + ["latin-1", "utf-16"]) if fuzzed else "utf-8"
            out[role].append(line.encode(encoding, "surrogatepass" if encoding != "latin-1" else "replace"))
    if fuzzed:
        for role in out:
            if out[role]:
                out[role].append(out[role][rng.randrange(len(out[role]))])  # a repeated row
    return out


def cert_dir(path: Path, rng: random.Random, rows: int, *, fuzzed: bool, first: int) -> Path:
    for role, lines in cert_rows(rng, rows, fuzzed=fuzzed, first=first).items():
        header = ",".join(HEADERS[role]["r6.2"]).encode()
        path.mkdir(parents=True, exist_ok=True)
        (path / f"{role}.csv").write_bytes(b"\n".join([header, *lines]) + b"\n")
    return path


def run(work: Path, files: int, rows: int, seed: int, *, fuzzed: bool) -> dict[str, Totals]:
    rng = random.Random(f"{seed}-{fuzzed}")
    label = "fuzzed" if fuzzed else "clean"
    totals = {"cert": Totals(), "ocsf": Totals()}
    with open_store(work / label / "home" / "molehunt.duckdb") as store:
        for number in range(files):
            first = number * rows  # fresh ids per file: a repeat of another file's would (rightly) refuse it
            folder = cert_dir(work / label / f"cert-{number}", rng, rows, fuzzed=fuzzed, first=first)
            for role in ("logon", "email"):
                totals["cert"].add(_cert(store, folder, role))
            feed = ocsf_file(work / label / f"ocsf-{number}.jsonl", rng, rows, fuzzed=fuzzed, first=first)
            totals["ocsf"].add(lambda feed=feed: ingest_ocsf(store, feed, internal=["dtaa.com"]))
    return totals


def _cert(store: Store, folder: Path, role: str) -> Callable[[], IngestReport]:
    return lambda: ingest_cert(store, folder, only={role}, internal=["dtaa.com"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=50, help="files of each source, fuzzed and clean alike")
    parser.add_argument("--rows", type=int, default=200, help="rows per file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="molehunt-fuzz-") as tmp:
        results = {
            label: run(Path(tmp), args.files, args.rows, args.seed, fuzzed=label == "fuzzed")
            for label in ("clean", "fuzzed")
        }
    print(f"seed {args.seed}, {args.files} files of each source, {args.rows} rows each (CERT: logon.csv and email.csv)")
    header = ("run", "source", "files", "rows", "ingested", "quarantined", "duplicates", "refused", "exceptions", "s")
    print("{:<7} {:<6} {:>6} {:>8} {:>9} {:>12} {:>11} {:>8} {:>11} {:>7}".format(*header))
    for label, by_source in results.items():
        for source, t in by_source.items():
            assert t.rows == t.ingested + t.quarantined, (label, source)
            print(
                f"{label:<7} {source:<6} {t.files:>6} {t.rows:>8,} {t.ingested:>9,} {t.quarantined:>12,} "
                f"{t.duplicates:>11,} {t.refused:>8} {t.exceptions:>11} {t.seconds:>7.2f}"
            )
    failures = sum(t.exceptions for by_source in results.values() for t in by_source.values())
    print(
        "exceptions: 0 (every row ingested or quarantined with a reason)" if not failures else f"EXCEPTIONS: {failures}"
    )
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
