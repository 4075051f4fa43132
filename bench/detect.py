"""Detection quality on simulated organizations the detector was not tuned on, next to the published anchors.

For each (seed, size): simulate (r6.2 format), ingest into a fresh store, score, evaluate against answers/.
The detector's thresholds were set while looking at seeds 11 and 42 only (the demo); report on other seeds.

    .venv/bin/python bench/detect.py --seeds 101 102 103 --sizes 200x180 400x240
    .venv/bin/python bench/detect.py --seeds 107 108 109 --hr events   # with the simulated HR export

With --speed DIR it instead times each scoring stage on an existing CERT directory (for example the r4.2-sized
set that bench/ingest.py simulates), next to a naive pandas groupby of the same events per user-day.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from datetime import date
from pathlib import Path
from statistics import mean

from children import run_child  # bench/children.py, beside this script

from molehunt.detect.pipeline import score_store, write_scores_csv
from molehunt.evaluate import Evaluation, evaluate, read_scores, truth_from_store
from molehunt.ingest import ingest_cert
from molehunt.ingest.hr import ingest_hr
from molehunt.store import open_store
from molehunt.synth import SynthConfig, ensure_generated
from molehunt.synth.hr import HR_FILE

ANCHORS = (
    "published user-level AUC on CERT: r4.2 0.992 (self-supervised ensemble), 0.936 (Tuor DNN); "
    "r6.2 0.953 and 0.908 (Hindawi SCN 2021)"
)
TARGETS = "targets: user AUC >= 0.98; >= 80% of malicious user-days in the top 1%; every leaver in a day's top 5"


def hr_export(data: Path, scratch: Path, hr: str) -> Path | None:
    """The simulated HR export to ingest: None (off), without its events column (dates) or whole (events)."""
    if hr == "off":
        return None
    if hr == "events":
        return data / HR_FILE
    with (data / HR_FILE).open(newline="") as source, (scratch / "hr-dates.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        for row in csv.reader(source):
            writer.writerow(row[:-1])  # the last column is `events`
    return scratch / "hr-dates.csv"


def run_one(seed: int, users: int, days: int, release: str, workdir: Path, hr: str = "off") -> Evaluation:
    data = workdir / f"{release}-u{users}-d{days}-s{seed}"
    ensure_generated(SynthConfig(users=users, days=days, seed=seed, release=release, start=date(2010, 1, 4)), data)
    with tempfile.TemporaryDirectory() as scratch, open_store(Path(scratch) / "molehunt.duckdb") as store:
        ingest_cert(store, data)
        export = hr_export(data, Path(scratch), hr)
        if export is not None:
            ingest_hr(store, export)
        score_store(store)
        scores = Path(scratch) / "scores.csv"
        write_scores_csv(store, scores)
        return evaluate(read_scores(scores), truth_from_store(store))


def quality(args: argparse.Namespace) -> None:
    print(f"HR export: {args.hr}")
    print(f"{'seed':>5} {'size':>9} {'insiders':>8} {'user AUC':>9} {'day AUC':>8} {'top1%':>6} {'top5%':>6}"
          f" {'top-k':>6} {'leavers in top5 before leaving':>31}")  # fmt: skip
    results = []
    for size in args.sizes:
        users, days = (int(x) for x in size.split("x"))
        for seed in args.seeds:
            started = time.perf_counter()
            result = run_one(seed, users, days, args.release, args.workdir, args.hr)
            results.append(result)
            leavers = sum(d.before_leaving for d in result.delays)
            # a leaver whose whole theft is on their last day cannot be in a top 5 before it: said, not hidden
            late = sum(not d.catchable for d in result.delays)
            print(
                f"{seed:>5} {size:>9} {result.insiders:>8} {result.user_auc:>9.3f} {result.user_day_auc:>8.3f}"
                f" {result.recall_top1:>6.1%} {result.recall_top5:>6.1%}"
                f" {result.insiders_in_top_k:>3}/{result.insiders:<2}"
                f" {leavers:>27}/{len(result.delays):<3}"
                + (f" ({late} acted only on their last day)" if late else "")
                + f" ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    print(
        f"\nmean user AUC {mean(r.user_auc for r in results):.3f}; mean user-day AUC "
        f"{mean(r.user_day_auc for r in results):.3f}; mean recall top 1% {mean(r.recall_top1 for r in results):.1%}"
    )
    print(ANCHORS)
    print(TARGETS)


SPEED_CHILD = """
import json, sys, time
from pathlib import Path
from molehunt.store import open_store
from molehunt.features.user_day import build_user_day
from molehunt.features.baselines import build_baselines
from molehunt.detect import pipeline
with open_store(Path(sys.argv[1])) as store:
    events = store.count("SELECT count(*) FROM events")
    t0 = time.perf_counter()
    build_user_day(store)
    t1 = time.perf_counter()
    build_baselines(store)
    t2 = time.perf_counter()
    run = pipeline.score_store(store)  # again, whole: features + baselines + scorers + rules + combine
    t3 = time.perf_counter()
print(json.dumps({"events": events, "user_days": run.user_days, "features": t1 - t0, "baselines": t2 - t1,
                  "full": t3 - t2, **{"score " + k: v for k, v in run.seconds.items()}}))
"""

PANDAS_CHILD = """
import json, sys, time
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
df = con.execute("SELECT user_id, time, kind, activity, to_removable, n_external FROM events").df()
start = time.perf_counter()
df["day"] = df["time"].dt.date
g = df.groupby(["user_id", "day"])
out = g.size().to_frame("events")
out["usb"] = df[df["kind"].eq("device") & df["activity"].eq("connect")].groupby(["user_id", "day"]).size()
out["to_removable"] = df[df["to_removable"].fillna(False).astype(bool)].groupby(["user_id", "day"]).size()
out["external"] = df.groupby(["user_id", "day"])["n_external"].sum()
print(json.dumps({"events": len(df), "seconds": time.perf_counter() - start}))
"""


def speed(args: argparse.Namespace) -> None:
    store_path = args.workdir / "speed" / "molehunt.duckdb"
    store_path.parent.mkdir(parents=True, exist_ok=True)
    with open_store(store_path) as store:
        ingest_cert(store, args.speed, with_answers=False)
    ours, rss = run_child(SPEED_CHILD, str(store_path))
    theirs, pandas_rss = run_child(PANDAS_CHILD, str(store_path))
    n = ours["events"]
    print(f"events: {n:,}")
    print(f"{'stage':<40}{'seconds':>9}{'events/s':>14}")
    print(f"user-days: {ours['user_days']:,.0f}")
    for stage in ("features", "baselines"):
        print(f"{'molehunt ' + stage:<40}{ours[stage]:>9.1f}{n / ours[stage]:>14,.0f}")
    print(f"{'molehunt score (all stages, again)':<40}{ours['full']:>9.1f}{n / ours['full']:>14,.0f}")
    for stage in ("features", "baselines", "anomaly", "rules", "combine"):
        seconds = ours["score " + stage]
        print(f"{'  of which ' + stage:<40}{seconds:>9.1f}{n / max(seconds, 1e-9):>14,.0f}")
    print(f"{'pandas groupby (4 features only)':<40}{theirs['seconds']:>9.1f}{n / theirs['seconds']:>14,.0f}")
    print(f"peak RSS: molehunt {rss:,.0f} MiB, pandas {pandas_rss:,.0f} MiB (pandas holds 6 columns in memory)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103])
    parser.add_argument("--sizes", nargs="+", default=["200x180", "400x240"], help="USERSxDAYS")
    parser.add_argument("--release", default="r6.2", choices=["r4.2", "r6.2"])
    parser.add_argument(
        "--hr",
        default="off",
        choices=["off", "dates", "events"],
        help="also ingest the simulated HR export (hr/hr.csv): off (CERT files only, as published results), dates"
        " (hire, notice and last days), events (those and the employment events)",
    )
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--speed", type=Path, help="time the scoring stages on this CERT directory instead")
    args = parser.parse_args()
    if args.speed:
        speed(args)
    else:
        quality(args)


if __name__ == "__main__":
    main()
