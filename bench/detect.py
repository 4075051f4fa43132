"""Detection quality on simulated organizations the detector was not developed on, beside two baselines.

Each organization is a `molehunt synth` profile (molehunt/synth/profile.py: prevalence and intensity of every
benign confounder, habits per role, insider intensity, whether departures and HR dates are known) with the
profile's number as its seed. Profiles 1-4 are the DEVELOPMENT profiles: the risk model (calibration, volume,
weights, new habits, persistence, reference days, colleagues who left) was changed while looking at them, at
301, 304, 305, 401 and 406, and (for colleagues who fell silent) at 601-606, all from earlier held-out sets, already
run. Profiles 701-706 are HELD OUT: run for the published figures only, never while developing. (Profiles 601-606,
501-506, 401-406, 301-306, 201-206 and 101-106 were held-out sets before; their figures were seen, so they no longer
count as unseen: run them with --profiles 601 ... as a second check.)
For each organization:

  - simulate (r6.2 format) with departures known (the directory drops leavers, the HR export has notice and last
    days), ingest into a fresh store with the HR export, score;
  - simulate the same organization with departures unknown (the same activity; the directory keeps listing
    leavers, HR has no dates), score: how the detector does while the copying happens, before anyone resigns;
  - in the same run and on the same stores, two baselines: a plain count of removable-media connects plus files
    per user-day, and an isolation forest over the raw daily counts (every feature of user_day_features; with
    departures known also a "within 30 days of a known departure" column).

    .venv/bin/python bench/detect.py --profiles 1 2 3 4          # development
    .venv/bin/python bench/detect.py --held-out                 # the published figures (profiles 701-706)
    .venv/bin/python bench/detect.py --profiles none --seeds 11 42   # the simulator without a profile

With --speed DIR it instead times each scoring stage on an existing CERT directory (for example the r4.2-sized
set that bench/ingest.py simulates), next to a naive pandas groupby of the same events per user-day.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from statistics import mean

import numpy as np
from children import run_child  # bench/children.py, beside this script
from sklearn.ensemble import IsolationForest

from molehunt.evaluate import Evaluation, Truth, evaluate, read_scores, truth_from_store
from molehunt.features.catalog import FEATURE_NAMES
from molehunt.ingest import ingest_cert
from molehunt.ingest.hr import ingest_hr
from molehunt.score import score_store, write_scores_csv
from molehunt.store import Store, open_store
from molehunt.synth import SynthConfig, ensure_generated
from molehunt.synth.hr import HR_FILE

DEVELOPMENT_PROFILES = (1, 2, 3, 4)
HELD_OUT_PROFILES = (701, 702, 703, 704, 705, 706)
SCORERS = ("molehunt", "removable count", "isolation forest")
ANCHORS = (
    "published user-level AUC on CERT: r4.2 0.992 (self-supervised ensemble), 0.936 (Tuor DNN); "
    "r6.2 0.953 and 0.908 (Hindawi SCN 2021)"
)
TARGETS = (
    "targets (held-out profiles): mean user AUC >= 0.97; >= 60% of malicious user-days in the top 1%; every leaver"
    " who acted before their last day in a day's top 5 on a theft day; user-day AUC >= 0.90 with departures unknown"
)


@dataclass(frozen=True)
class Org:
    profile: int | None
    seed: int
    users: int
    days: int

    def config(self, release: str, departures_known: bool | None) -> SynthConfig:
        return SynthConfig(
            users=self.users, days=self.days, seed=self.seed, release=release, start=date(2010, 1, 4),
            profile=self.profile, departures_known=departures_known,
        )  # fmt: skip

    @property
    def name(self) -> str:
        return f"{'p' + str(self.profile) if self.profile else 'none'}-s{self.seed}-{self.users}x{self.days}"


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


def baseline_scores(store: Store, departures: bool) -> dict[str, list[tuple[str, date, float]]]:
    """The two baselines' scores per user-day, from the features molehunt computed (raw counts, no baselines)."""
    rows = store.con.execute(
        f"SELECT user_id, day, days_to_departure, {', '.join(FEATURE_NAMES)} FROM user_day_features "
        "ORDER BY user_id, day"
    ).fetchall()
    keys = [(r[0], r[1]) for r in rows]
    counts = np.array([r[3:] for r in rows], dtype=np.float64)
    removable = counts[:, FEATURE_NAMES.index("usb_connects")] + counts[:, FEATURE_NAMES.index("files_to_removable")]
    matrix = counts
    if departures:
        leaving = np.array([r[2] is not None and 0 <= r[2] <= 30 for r in rows], dtype=np.float64)
        matrix = np.column_stack([counts, leaving])
    forest = IsolationForest(n_estimators=200, random_state=0).fit(matrix)
    isolation = -forest.score_samples(matrix)
    return {
        "removable count": [(u, d, float(s)) for (u, d), s in zip(keys, removable, strict=True)],
        "isolation forest": [(u, d, float(s)) for (u, d), s in zip(keys, isolation, strict=True)],
    }


def run_variant(
    org: Org, release: str, workdir: Path, known: bool, hr: str, truth: Truth | None
) -> tuple[dict[str, Evaluation], Truth]:
    """Score one organization (departures known or not) with molehunt and the baselines, against `truth` (that of
    the departures-known variant: who left is a fact, whether the detector knew is the variant)."""
    config = org.config(release, known)
    data = workdir / f"{release}-{org.name}{'' if known else '-departures-unknown'}"
    ensure_generated(config, data)
    with tempfile.TemporaryDirectory() as scratch, open_store(Path(scratch) / "molehunt.duckdb") as store:
        ingest_cert(store, data)
        export = hr_export(data, Path(scratch), hr)
        if export is not None:
            ingest_hr(store, export)
        score_store(store)
        scores = Path(scratch) / "scores.csv"
        write_scores_csv(store, scores)
        truth = truth or truth_from_store(store)
        results = {"molehunt": evaluate(read_scores(scores), truth)}
        for name, rows in baseline_scores(store, known).items():
            results[name] = evaluate(rows, truth)
    return results, truth


def _row(label: str, result: Evaluation) -> str:
    caught, catchable = result.caught_on_theft_day
    return (
        f"  {label:<18} {result.user_auc:>8.3f} {result.user_day_auc:>8.3f} {result.recall_top1:>6.1%}"
        f" {result.recall_top5:>6.1%} {result.insiders_in_top_k:>3}/{result.insiders:<3} {caught:>4}/{catchable:<3}"
    )


def quality(args: argparse.Namespace) -> None:
    if args.held_out:
        profiles: list[int | None] = list(HELD_OUT_PROFILES)
        print(f"HELD-OUT profiles {', '.join(map(str, HELD_OUT_PROFILES))}: never run while the model was developed")
    else:
        profiles = [None if p == "none" else int(p) for p in args.profiles]
        print("development run: profiles", ", ".join(str(p) for p in profiles))
    orgs = [
        Org(profile, seed if profile is None else profile, *(int(x) for x in size.split("x")))
        for size in args.sizes
        for profile in profiles
        for seed in (args.seeds if profile is None else [0])
    ]
    header = f"  {'scorer':<18} {'user AUC':>8} {'day AUC':>8} {'top1%':>6} {'top5%':>6} {'top-k':>7} {'leavers':>8}"
    results: dict[tuple[str, str], list[Evaluation]] = defaultdict(list)
    for org in orgs:
        started = time.perf_counter()
        profile = org.config(args.release, None).character
        print(f"\n{org.name}: {profile.describe() if org.profile else 'no profile'}")
        truth: Truth | None = None
        for known in (True, False):
            variant = "departures known" if known else "departures unknown"
            evaluations, truth = run_variant(org, args.release, args.workdir, known, args.hr, truth)
            print(f" {variant}\n{header}")
            for scorer in SCORERS:
                results[(variant, scorer)].append(evaluations[scorer])
                print(_row(scorer, evaluations[scorer]))
        print(f" ({time.perf_counter() - started:.0f} s)", flush=True)
    summary(results)
    if args.json:
        args.json.write_text(json.dumps({f"{v} / {s}": [r.to_json() for r in rs] for (v, s), rs in results.items()}))


def summary(results: dict[tuple[str, str], list[Evaluation]]) -> None:
    print("\nover all organizations (means; leavers summed)")
    print(f"  {'':<20}{'scorer':<18} {'user AUC':>8} {'day AUC':>8} {'top1%':>6} {'top5%':>6} {'leavers':>8}")
    for (variant, scorer), rs in results.items():
        caught = sum(r.caught_on_theft_day[0] for r in rs)
        catchable = sum(r.caught_on_theft_day[1] for r in rs)
        print(
            f"  {variant:<20}{scorer:<18} {mean(r.user_auc for r in rs):>8.3f} {mean(r.user_day_auc for r in rs):>8.3f}"
            f" {mean(r.recall_top1 for r in rs):>6.1%} {mean(r.recall_top5 for r in rs):>6.1%}"
            f" {caught:>4}/{catchable:<3}"
        )
    print("\nper scenario, molehunt: malicious user-days in the top 1% (all organizations pooled)")
    for variant in ("departures known", "departures unknown"):
        pooled: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for r in results.get((variant, "molehunt"), []):
            for scenario, days, top in r.per_scenario:
                pooled[scenario][0] += days
                pooled[scenario][1] += top
        cells = "  ".join(f"{s}: {t}/{d} ({t / max(d, 1):.0%})" for s, (d, t) in sorted(pooled.items()))
        print(f"  {variant:<20}{cells}")
    print(ANCHORS)
    print(TARGETS)


SPEED_CHILD = """
import json, sys, time
from pathlib import Path
from molehunt.store import open_store
from molehunt.features.user_day import build_user_day
from molehunt.features.baselines import build_baselines
from molehunt.score import score_store
with open_store(Path(sys.argv[1])) as store:
    events = store.count("SELECT count(*) FROM events")
    t0 = time.perf_counter()
    build_user_day(store)
    t1 = time.perf_counter()
    build_baselines(store)
    t2 = time.perf_counter()
    run = score_store(store)  # again, whole: features + baselines + scorers + rules + combine
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
    parser.add_argument(
        "--profiles",
        nargs="+",
        default=[str(p) for p in DEVELOPMENT_PROFILES],
        help="synth profile numbers (each its own seed), or `none` for the simulator without a profile",
    )
    parser.add_argument("--held-out", action="store_true", help="the held-out profiles 701-706 (published figures)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[11], help="seeds of the runs with --profiles none")
    parser.add_argument("--sizes", nargs="+", default=["400x240"], help="USERSxDAYS")
    parser.add_argument("--json", type=Path, help="also write every evaluation as JSON to this file")
    parser.add_argument("--release", default="r6.2", choices=["r4.2", "r6.2"])
    parser.add_argument(
        "--hr",
        default="events",
        choices=["off", "dates", "events"],
        help="ingest the simulated HR export (hr/hr.csv): events (the whole export: hire, notice and last days, left"
        " empty with departures unknown, and employment events), dates (without the events), off (CERT files only)",
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
