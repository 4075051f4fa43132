"""The vault under concurrency (issue 20, finding 2): the rate limit holds, nothing fails, every entry has its event.

Web: --requests `GET /vault/{id}` on one signed-in session through the dashboard app (TestClient: the real app,
routes on its thread pool) from --threads client threads, next to the same number sent one after another in the
same run (the baseline). CLI: --processes parallel `molehunt vault read` commands next to as many run one after
another. Each run gets a fresh home, so each starts with an empty rate window (the limit is 30 reads a minute).
Printed per run: served, refused by the rate limit, other refusals, 500s (must be 0), audit entries and events of
the reads (must be equal), wall time.

    .venv/bin/python bench/vault.py
    .venv/bin/python bench/vault.py --requests 200 --threads 64 --processes 16
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from molehunt.audit import AuditLog
from molehunt.config import Home
from molehunt.store import open_store
from molehunt.vault.service import Vault
from molehunt.web import create_app
from molehunt.workbench import ops
from molehunt.workbench.accounts import Role, add_user

ACCOUNT, PASSWORD = "bench", "bench-password-not-secret"
MOLEHUNT = Path(sys.executable).parent / "molehunt"  # the console script beside the venv's interpreter


@dataclass(frozen=True)
class Run:
    name: str
    served: int
    rate_limited: int
    other_refusals: int
    errors: int
    entries: int
    events: int
    seconds: float

    def line(self) -> str:
        same = "=" if self.entries == self.events else "!="
        return (
            f"{self.name:<34} served {self.served:>4}  rate-limited {self.rate_limited:>4}  "
            f"other refusals {self.other_refusals:>3}  500s/failures {self.errors:>3}  "
            f"entries {self.entries:>4} {same} events {self.events:>4}  {self.seconds:6.2f} s"
        )


def fresh_home(root: Path) -> tuple[Home, str]:
    home = Home(root).ensure()
    plan = root.parent / f"{root.name}-plan.md"
    plan.write_bytes(b"# Apollo\nStage two ignition at T+152 s.\n")
    with open_store(home.store_path) as store:
        with closing(ops.connect(home, store)) as con:  # accounts live in HOME/workbench.sqlite
            add_user(con, ACCOUNT, Role.VIEWER, PASSWORD)
        vault = Vault(home, store)
        vault.grant(ACCOUNT, "SECRET", ["apollo"])
        doc_id = vault.add(plan, "SECRET", "apollo", as_user=ACCOUNT)
    return home, doc_id


def records(home: Home, doc_id: str) -> tuple[int, int]:
    """Audit entries and store events of reads of ``doc_id``."""
    with AuditLog.open(home.audit_dir, home.keys_dir) as log:
        entries = sum(1 for i in range(log.size) if (e := log.entry(i)).action == "read" and e.target == doc_id)
    with open_store(home.store_path) as store:
        events = store.count(
            "SELECT count(*) FROM events WHERE source = 'vault' AND activity = 'read' AND path = ?", [doc_id]
        )
    return entries, events


def web_run(root: Path, name: str, requests: int, threads: int) -> Run:
    home, doc_id = fresh_home(root)
    with TestClient(create_app(home, warm=0), follow_redirects=False, raise_server_exceptions=False) as client:
        page = client.get("/login").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"username": ACCOUNT, "password": PASSWORD, "csrf_token": token, "next": "/vault"}
        assert client.post("/login", data=form).status_code == 303

        def one(_: int) -> tuple[int, bool]:
            answer = client.get(f"/vault/{doc_id}")
            return answer.status_code, "rate limit" in answer.text

        started = time.perf_counter()
        if threads > 1:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                answers = list(pool.map(one, range(requests)))
        else:
            answers = [one(i) for i in range(requests)]
        seconds = time.perf_counter() - started
    return summarize(name, home, doc_id, answers, seconds)


def cli_run(root: Path, name: str, processes: int, parallel: bool) -> Run:
    home, doc_id = fresh_home(root)
    command = [str(MOLEHUNT), "--home", str(home.root), "vault", "read", doc_id, "--as", ACCOUNT]
    env = {key: value for key, value in os.environ.items() if key != "MOLEHUNT_VAULT_KEY"}

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)

    def finish(child: subprocess.Popen[bytes]) -> tuple[int, bool]:
        _, err = child.communicate(timeout=300)
        return (200 if child.returncode == 0 else 500 if child.returncode != 2 else 403), b"rate limit" in err

    started = time.perf_counter()
    if parallel:
        children = [start() for _ in range(processes)]
        answers = [finish(child) for child in children]
    else:
        answers = [finish(start()) for _ in range(processes)]
    seconds = time.perf_counter() - started
    return summarize(name, home, doc_id, answers, seconds)


def summarize(name: str, home: Home, doc_id: str, answers: list[tuple[int, bool]], seconds: float) -> Run:
    statuses = Counter(status for status, _ in answers)
    limited = sum(1 for status, said in answers if status == 403 and said)
    entries, events = records(home, doc_id)
    errors = sum(count for status, count in statuses.items() if status not in (200, 403))
    return Run(name, statuses[200], limited, statuses[403] - limited, errors, entries, events, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--processes", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="molehunt-bench-vault-") as tmp:
        root = Path(tmp)
        runs: list[Callable[[], Run]] = [
            lambda: web_run(root / "w1", f"web: {args.requests} sequential (baseline)", args.requests, 1),
            lambda: web_run(root / "w2", f"web: {args.requests} concurrent ({args.threads} thr)", args.requests,
                            args.threads),
            lambda: cli_run(root / "c1", f"cli: {args.processes} sequential (baseline)", args.processes, False),
            lambda: cli_run(root / "c2", f"cli: {args.processes} parallel processes", args.processes, True),
        ]  # fmt: skip
        results = []
        for run in runs:
            results.append(run())
            print(results[-1].line(), flush=True)
    held = all(r.errors == 0 and r.entries == r.events and r.served <= 30 for r in results)
    print(f"rate limit held, no failures, entries = events: {'yes' if held else 'NO'}")


if __name__ == "__main__":
    main()
