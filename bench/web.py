"""Dashboard latency under a loopback load: p50/p95/max and requests/s per page, next to a static file.

Serves a scored home through a real `molehunt serve` on 127.0.0.1 (over a copy, so the home is left as it was),
signs a bench account in, opens one case, then for each page sends --requests GETs from --concurrency client
threads (httpx, keep-alive). The stylesheet, served by the same process without touching the store, is measured
in the same run as the floor: what the framework and this machine cost before any page work. Target: p95 < 300 ms
on every page. Client and server share this machine's cores, so the figures are pessimistic for the server.

    make demo && .venv/bin/python bench/web.py                # serves ./molehunt-data
    .venv/bin/python bench/web.py --users 250 --days 180      # builds bench/out/web-r6.2-u250-d180-s42 once
    .venv/bin/python bench/web.py --home DIR --requests 500 --concurrency 8
    .venv/bin/python bench/web.py --under-load --users 250 --days 180   # pages while a delivery is ingested and scored

--under-load (issue 17, always on): the home is rebuilt without its last --hold days (ingest + score through the
real CLI, once), then one signed-in client loads the pages in turn, first with nothing else running (idle), then
while a real `molehunt ingest` of the held-back days and `molehunt score --since` run in other processes. Both are
printed in the same run, per page and overall; target: no failed request and every page under 1 s under load.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np

from molehunt.config import DEFAULT_HOME, Home
from molehunt.demo import DEFAULT_DEMO, demo_data_dir, run_demo
from molehunt.store import open_store
from molehunt.workbench import ops
from molehunt.workbench.accounts import Role, add_user

OUT = Path(__file__).parent / "out"
TARGET_P95_MS = 300.0
BASELINE = "/static/molehunt.css"
ACCOUNT, PASSWORD = "bench", "bench-password-not-secret"
MOLEHUNT = Path(sys.executable).parent / "molehunt"  # the console script beside the venv's interpreter


@dataclass(frozen=True)
class Figures:
    path: str
    sent: int
    errors: int
    seconds: float
    latencies_ms: np.ndarray

    def quantile(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.sent else float("nan")

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


def choose_home(args: argparse.Namespace) -> Home:
    """--home as given; else ./molehunt-data when `make demo` made it and no size was asked; else build one."""
    if args.home is not None:
        return Home(args.home)
    sized = any(value is not None for value in (args.users, args.days, args.seed))
    if not sized and Home(Path(DEFAULT_HOME)).store_path.is_file():
        return Home(Path(DEFAULT_HOME))
    config = replace(
        DEFAULT_DEMO,
        users=args.users or DEFAULT_DEMO.users,
        days=args.days or DEFAULT_DEMO.days,
        seed=DEFAULT_DEMO.seed if args.seed is None else args.seed,
    )
    home = Home(OUT / f"web-{config.release}-u{config.users}-d{config.days}-s{config.seed}")
    scores = home.root / "scores.csv"  # run_demo writes it last
    if not scores.is_file():
        print(f"building {home.root} ({config.users} users x {config.days} days, seed {config.seed})...", flush=True)
        started = time.perf_counter()
        run_demo(home, config)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return home


def serving_copy(home: Home) -> Home:
    """A copy of the home's state (not the simulated CSVs under demo/) that the server may write to."""
    if not home.store_path.is_file():
        raise SystemExit(f"no store at {home.store_path}: run `make demo` or pass --users/--days to build one")
    copy = Home(OUT / "web-serving")
    shutil.rmtree(copy.root, ignore_errors=True)
    shutil.copytree(home.root, copy.root, ignore=lambda folder, _: ["demo"] if Path(folder) == home.root else [])
    with open_store(copy.store_path) as store:
        with closing(ops.connect(copy, store)) as con:  # accounts live in HOME/workbench.sqlite
            add_user(con, ACCOUNT, Role.ANALYST, PASSWORD, replace=True)
        users = store.count("SELECT count(DISTINCT user_id) FROM scores")
        days = store.count("SELECT count(*) FROM scores")
        events = store.count("SELECT count(*) FROM events")
    print(f"store: {users:,} users, {days:,} user-days, {events:,} events ({home.root})")
    return copy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(home: Home, port: int, log: Path, warm: int | None = None) -> subprocess.Popen[bytes]:
    warming = [] if warm is None else ["--warm-plots", str(warm)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [MOLEHUNT, "--home", home.root, "serve", "--host", "127.0.0.1", "--port", str(port), *warming],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"`molehunt serve` exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1.0).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit(f"`molehunt serve` did not answer within 60 s:\n{log.read_text()}")


def wait_until_idle(pid: int, limit: float = 600.0) -> float:
    """Wait until the server has used under 5% of a core for 2 s (its start-up plot drawing is done); seconds waited."""
    started = time.monotonic()
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu_seconds() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    quiet = 0
    while time.monotonic() - started < limit and quiet < 2:
        before = cpu_seconds()
        time.sleep(1.0)
        quiet = quiet + 1 if cpu_seconds() - before < 0.05 else 0
    return time.monotonic() - started


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def peak_rss_mib(pid: int) -> float:
    found = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(found[1]) / 1024 if found else float("nan")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not found:
        raise SystemExit("the page has no CSRF token")
    return found[1]


def sign_in_and_pick_pages(client: httpx.Client) -> list[str]:
    """Sign the bench account in, open a case on the top alert; the pages to measure."""
    form = client.get("/login")
    signed = client.post(
        "/login", data={"username": ACCOUNT, "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": "/alerts"}
    )
    if signed.status_code != 303:
        raise SystemExit(f"sign-in failed: {signed.status_code}")
    queue = client.get("/alerts").text
    top = re.search(r'data-testid="alert-link" href="(/alerts/(P-[A-Z2-7]{8})/(\d{4}-\d{2}-\d{2}))"', queue)
    if not top:
        raise SystemExit("the alert queue is empty: is the store scored?")
    alert_page, pseudonym, day = top.groups()
    opened = client.post(
        "/cases", data={"csrf_token": csrf_of(queue), "pseudonym": pseudonym, "day": day, "title": "bench"}
    )
    if opened.status_code != 303:
        raise SystemExit(f"opening a case failed: {opened.status_code}")
    return ["/alerts", "/alerts?page=2", alert_page, f"/users/{pseudonym}", "/cases", "/rules", "/sources"]


def people_pages(client: httpx.Client, wanted: int) -> list[str]:
    """Person pages of up to `wanted` different people, oldest alerts first (not by risk), so most
    were not drawn ahead of time: each request then renders both plots (the cold path)."""
    found: dict[str, None] = {}
    for page in range(1, 50):
        queue = client.get("/alerts", params={"min_score": 0, "sort": "age", "page": page}).text
        for pseudonym in re.findall(r'href="/users/(P-[A-Z2-7]{8})"', queue):
            found.setdefault(f"/users/{pseudonym}", None)
        if len(found) >= wanted or "next →" not in queue:
            break
    return list(found)[:wanted]


def hammer(
    base: str, cookies: httpx.Cookies, path: str | list[str], requests: int, concurrency: int, limit: float
) -> Figures:
    """`requests` GETs of `path` from `concurrency` threads, each its own keep-alive client; stops after `limit` s.

    With a list of paths the requests go through the list in turn, once each, with no warm-up GETs."""
    paths = [path] if isinstance(path, str) else path
    cold = not isinstance(path, str)
    if cold:
        requests = min(requests, len(paths))
    tickets = itertools.count()  # next() on a count is atomic under the GIL: each ticket goes to one thread
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + limit

    def worker() -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=30.0) as client:
            for _ in range(0 if cold else 2):  # warm this connection (and, for the first thread, the page's caches)
                client.get(paths[0])
            barrier.wait()
            while (ticket := next(tickets)) < requests and time.monotonic() < stop_at:
                started = time.perf_counter()
                try:
                    failed = client.get(paths[ticket % len(paths)]).status_code != 200
                except httpx.HTTPError:
                    failed = True
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed * 1000)
                    errors[0] += failed

    barrier = threading.Barrier(concurrency + 1, timeout=60)
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    label = path if isinstance(path, str) else f"/users/* ({len(paths)} different people)"
    return Figures(label, len(latencies), errors[0], time.perf_counter() - started, np.array(latencies))


def print_row(figures: Figures, floor: Figures | None, note: str = "(floor)") -> bool:
    ok = figures.errors == 0 and figures.quantile(95) < TARGET_P95_MS
    versus = f"{figures.quantile(95) / floor.quantile(95):>10.1f}x" if floor else f"{note:>11}"
    verdict = ("PASS" if ok else "FAIL") if floor else ""
    print(
        f"{figures.path[:34]:<35}{figures.sent:>6}{figures.errors:>5}{figures.quantile(50):>9.1f}"
        f"{figures.quantile(95):>9.1f}{float(figures.latencies_ms.max(initial=0)):>9.1f}{figures.per_second:>8.1f}"
        f"{versus}  {verdict}".rstrip(),
        flush=True,
    )
    return ok


def first_view_figures(home: Home, port: int, args: argparse.Namespace) -> Figures:
    """A person's page viewed for the first time with nothing drawn ahead (`serve --warm-plots 0`), one at a time."""
    server = start_server(home, port, OUT / "web-serve-cold.log", warm=0)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0) as client:
            sign_in_and_pick_pages(client)
            people = people_pages(client, min(args.requests, 60))
            cookies = client.cookies
        return hammer(f"http://127.0.0.1:{port}", cookies, people, len(people), 1, args.max_seconds)
    finally:
        stop_server(server)


LOAD_TARGET_MS = 1000.0  # issue 17: no page waits more than a second while a scoring run is in progress
ACTIVITY = ("logon.csv", "device.csv", "file.csv", "email.csv", "http.csv")


def _day_of(line: str) -> str:
    stamp = line.split(",", 2)[1]  # MM/DD/YYYY hh:mm:ss
    return f"{stamp[6:10]}-{stamp[0:2]}-{stamp[3:5]}"


def cut(data: Path, out: Path, first: date | None, last: date | None) -> Path:
    """A CERT delivery with the activity of days first..last (the other files repeated, as an export would)."""
    (out / "LDAP").mkdir(parents=True, exist_ok=True)
    for name in ACTIVITY:
        with (data / name).open() as rows, (out / name).open("w") as kept:
            kept.write(next(rows))
            for line in rows:
                day = _day_of(line)
                if (first is None or day >= first.isoformat()) and (last is None or day <= last.isoformat()):
                    kept.write(line)
    for snapshot in sorted((data / "LDAP").glob("*.csv")):
        if last is None or snapshot.stem <= f"{last:%Y-%m}":
            shutil.copy(snapshot, out / "LDAP" / snapshot.name)
    for name in ("psychometric.csv", "decoy_file.csv"):
        if (data / name).exists():
            shutil.copy(data / name, out / name)
    return out


def molehunt(home: Home, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([MOLEHUNT, "--home", home.root, *args], input=stdin, text=True, capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"molehunt {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


def held_back_home(args: argparse.Namespace) -> tuple[Home, Path, date]:
    """(a serving copy of a home scored up to the day before the last --hold days, their delivery, its first day);
    the scored part is built once through the real CLI and kept under bench/out."""
    config = replace(
        DEFAULT_DEMO,
        users=args.users or DEFAULT_DEMO.users,
        days=args.days or DEFAULT_DEMO.days,
        seed=DEFAULT_DEMO.seed if args.seed is None else args.seed,
    )
    source = Home(OUT / f"web-{config.release}-u{config.users}-d{config.days}-s{config.seed}")
    data = demo_data_dir(source, config)
    if not (data / "logon.csv").is_file():
        choose_home(args)  # builds the demo home, its CSVs included
    with (data / "logon.csv").open() as rows:
        next(rows)
        last = max(datetime.strptime(_day_of(line), "%Y-%m-%d").date() for line in rows)
    first_new = last - timedelta(days=args.hold - 1)
    built = Home(OUT / f"web-load-{config.release}-u{config.users}-d{config.days}-s{config.seed}-h{args.hold}")
    new = built.root.parent / f"{built.root.name}-delivery"
    if not (built.root / "scores.csv").is_file():
        print(f"building {built.root} (scored up to {first_new - timedelta(days=1)})...", flush=True)
        shutil.rmtree(built.root, ignore_errors=True)
        shutil.rmtree(new, ignore_errors=True)
        early = cut(data, built.root.parent / f"{built.root.name}-first", None, first_new - timedelta(days=1))
        cut(data, new, first_new, None)
        molehunt(built, "ingest", str(early))
        molehunt(built, "score", "--out", str(built.root / "scores.csv"))
        shutil.rmtree(early)
    copy = Home(OUT / "web-serving-load")
    shutil.rmtree(copy.root, ignore_errors=True)
    shutil.copytree(built.root, copy.root)
    molehunt(copy, "user", "add", ACCOUNT, "--role", "analyst", "--password-stdin", "--replace", stdin=f"{PASSWORD}\n")
    return copy, new, first_new


@dataclass
class Loop:
    """One signed-in client loading `pages` in turn until stopped: (page, ms, ok) per request."""

    base: str
    cookies: httpx.Cookies
    pages: list[str]
    results: list[tuple[str, float, bool]]
    stop: threading.Event

    def run(self) -> None:
        with httpx.Client(base_url=self.base, cookies=self.cookies, timeout=30.0) as client:
            while not self.stop.is_set():
                for page in self.pages:
                    started = time.perf_counter()
                    try:
                        ok = client.get(page).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    self.results.append((page, (time.perf_counter() - started) * 1000, ok))


def load_pages(client: httpx.Client) -> list[str]:
    """Sign in; the pages an analyst keeps open: the queue, the top person, cases, rules, sources."""
    form = client.get("/login")
    signed = client.post(
        "/login", data={"username": ACCOUNT, "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": "/alerts"}
    )
    if signed.status_code != 303:
        raise SystemExit(f"sign-in failed: {signed.status_code}")
    person = re.search(r'href="(/users/P-[A-Z2-7]{8})"', client.get("/alerts").text)
    if not person:
        raise SystemExit("the alert queue is empty: is the store scored?")
    return ["/alerts", person[1], "/cases", "/rules", "/sources"]


def measure_while(
    base: str, cookies: httpx.Cookies, pages: list[str], threads: int, work: Callable[[], None] | float
) -> tuple[list[tuple[str, float, bool]], float]:
    """Load the pages from `threads` clients while `work()` runs (or for `work` seconds); (results, seconds)."""
    results: list[tuple[str, float, bool]] = []
    stop = threading.Event()
    loops = [threading.Thread(target=Loop(base, cookies, pages, results, stop).run) for _ in range(threads)]
    started = time.perf_counter()
    for loop in loops:
        loop.start()
    if callable(work):
        work()
    else:
        time.sleep(work)
    stop.set()
    for loop in loops:
        loop.join()
    return results, time.perf_counter() - started


def print_load(title: str, results: list[tuple[str, float, bool]], pages: list[str]) -> bool:
    print(f"\n{title}")
    print(f"{'page':<35}{'sent':>6}{'err':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    ok = True
    for page in [*pages, "all pages"]:
        picked = [(ms, good) for p, ms, good in results if page in (p, "all pages")]
        times = np.array([ms for ms, _ in picked])
        errors = sum(1 for _, good in picked if not good)
        if not len(times):
            continue
        p50, p95, top = (float(np.percentile(times, q)) for q in (50, 95, 100))
        print(f"{page[:34]:<35}{len(times):>6}{errors:>5}{p50:>9.1f}{p95:>9.1f}{top:>9.1f}")
        ok = ok and errors == 0 and top < LOAD_TARGET_MS
    return ok


def under_load(args: argparse.Namespace) -> None:
    home, delivery, first_new = held_back_home(args)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(home, port, OUT / "web-serve-load.log")
    try:
        waited = wait_until_idle(server.pid)
        print(f"the server drew its start-up plots in {waited:.0f} s")
        with httpx.Client(base_url=base, timeout=30.0) as client:
            pages = load_pages(client)
            cookies = client.cookies
        steps: list[tuple[str, float]] = []

        def pipeline() -> None:
            for name, command in (
                ("ingest", ("ingest", str(delivery))),
                ("score --since", ("score", "--since", first_new.isoformat(), "--out", str(home.root / "scores.csv"))),
            ):
                started = time.perf_counter()
                molehunt(home, *command)
                steps.append((name, time.perf_counter() - started))

        idle, idle_s = measure_while(base, cookies, pages, args.concurrency, args.idle_seconds)
        loaded, loaded_s = measure_while(base, cookies, pages, args.concurrency, pipeline)
        after = httpx.get(f"{base}/alerts", params={"since": first_new.isoformat(), "min_score": 0}, cookies=cookies)
        new_people = len(set(re.findall(r'href="/users/(P-[A-Z2-7]{8})"', after.text)))
    finally:
        stop_server(server)
    print(f"{args.concurrency} client thread(s) loading {', '.join(pages)} in turn")
    print_load(f"idle ({idle_s:.0f} s, nothing else running):", idle, pages)
    ran = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in steps)
    verdict = print_load(f"under load ({loaded_s:.0f} s: {ran} in other processes):", loaded, pages)
    print(
        f"\nafter the run the queue shows {new_people} people with alerts from {first_new} on; "
        f"no failed request and every page under {LOAD_TARGET_MS:.0f} ms under load: {'PASS' if verdict else 'FAIL'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="a scored home to serve (default ./molehunt-data, else build one)")
    parser.add_argument("--users", type=int, help=f"build a store of this many people (default {DEFAULT_DEMO.users})")
    parser.add_argument("--days", type=int, help=f"... over this many days (default {DEFAULT_DEMO.days})")
    parser.add_argument("--seed", type=int, help=f"... with this seed (default {DEFAULT_DEMO.seed})")
    parser.add_argument("--requests", type=int, default=200, help="GETs per page")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="stop a page's load after this long")
    parser.add_argument("--under-load", action="store_true", help="pages while a delivery is ingested and scored")
    parser.add_argument("--hold", type=int, default=3, help="--under-load: days held back for the delivery")
    parser.add_argument("--idle-seconds", type=float, default=30.0, help="--under-load: how long to measure idle")
    args = parser.parse_args()
    if args.requests < 1 or not 1 <= args.concurrency <= 64:
        parser.error("--requests must be >= 1 and --concurrency between 1 and 64")
    if args.under_load:
        if args.home is not None:
            parser.error("--under-load builds its own home from a simulation: give --users/--days/--seed, not --home")
        if args.hold < 1:
            parser.error("--hold must be >= 1")
        under_load(args)
        return

    home = serving_copy(choose_home(args))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first_views = first_view_figures(home, port, args)
    server = start_server(home, port, OUT / "web-serve.log")
    try:
        waited = wait_until_idle(server.pid)
        print(f"the server drew its start-up plots in {waited:.0f} s")
        with httpx.Client(base_url=base, timeout=30.0) as client:
            pages: list[str | list[str]] = [*sign_in_and_pick_pages(client)]
            pages.append(people_pages(client, args.requests))
            cookies = client.cookies
        print(f"{args.requests} GETs per page from {args.concurrency} threads on loopback ({base})\n")
        print(f"{'page':<35}{'sent':>6}{'err':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'req/s':>8}"
              f"{'p95/floor':>11}  p95 < {TARGET_P95_MS:.0f} ms")  # fmt: skip
        floor = hammer(base, cookies, BASELINE, args.requests, args.concurrency, args.max_seconds)
        print_row(floor, None)
        verdicts = [
            print_row(hammer(base, cookies, page, args.requests, args.concurrency, args.max_seconds), floor)
            for page in pages
        ]
        rss = peak_rss_mib(server.pid)
    finally:
        stop_server(server)
    print("\nA person's page the first time, nothing drawn ahead (`serve --warm-plots 0`), one request at a time:")
    print_row(first_views, None, "(info)")
    print(f"\nserver peak RSS {rss:,.0f} MiB; {sum(verdicts)}/{len(verdicts)} pages meet p95 < {TARGET_P95_MS:.0f} ms:"
          f" {'PASS' if all(verdicts) else 'FAIL'}")  # fmt: skip


if __name__ == "__main__":
    main()
