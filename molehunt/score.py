"""Score every user-day in the store: features -> baselines -> anomaly ensemble + rules -> risk with reasons.

One scoring run, orchestrated above what it runs: an engine (molehunt.engine) computes the features, baselines and
rule hits, and the detector (molehunt.detect) fits the anomaly model, weighs the evidence and explains it. The
result is the table `scores` (user_id, day, score, anomaly, rule_points, volume_points, rules, reasons) in the
store, which `molehunt score --out` writes as CSV and `molehunt alerts` ranks. Ground truth is never read here.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from molehunt import opstore
from molehunt.audit import NewEntry, append_entries
from molehunt.audit.entries import Entry, JsonValue, format_time
from molehunt.audit.listing import fold_new, reading
from molehunt.audit.verify import ENTRIES_FILE
from molehunt.config import Home
from molehunt.detect.calibration import REFERENCE_FROM, Calibrated, calibrate, calibration_note
from molehunt.detect.habits import COLUMNS as HABIT_COLUMNS
from molehunt.detect.habits import DEPARTURE_KNOWN, Habits, habit_reason, new_habits
from molehunt.detect.history import History
from molehunt.detect.matrix import COLUMNS as MATRIX_COLUMNS
from molehunt.detect.matrix import deviation_matrix
from molehunt.detect.models import load_model, new_model, save_model, tail_contributions
from molehunt.detect.persistence import Persistence, persistence, persistence_reason
from molehunt.detect.rules import Rule, RuleMatch
from molehunt.detect.rules.settings import LoggedSetting, effective_rules
from molehunt.detect.scoring import (
    ScoreWeights,
    combine,
    departure_reason,
    evidence,
    feature_reason,
    prior_alerts,
    say_context_once,
)
from molehunt.detect.volume import COLUMNS as VOLUME_COLUMNS
from molehunt.detect.volume import Volume, exfiltration_volume, volume_reason
from molehunt.engine import DEFAULT_FIT_ROWS, Engine, PartitionedAnomaly, use_engine
from molehunt.errors import MolehuntError
from molehunt.features.domains import DomainLists
from molehunt.outputs import write_private_csv
from molehunt.progress import NoProgress, Progress
from molehunt.protect import Level, list_levels, set_level
from molehunt.protect.changes import Change, score_changes
from molehunt.protect.derive import levels_from_scores, priority_people
from molehunt.protect.policy import Policy
from molehunt.store import Store

TOP_INDICATORS = 2
SCORE_ACTOR = "molehunt score"  # who the audit log says changed a protection level after a scoring run
# The user_day columns the evidence models (volume, new habits) read for everyone's whole history.
EVIDENCE_COLUMNS = tuple(dict.fromkeys((*VOLUME_COLUMNS, *HABIT_COLUMNS)))


@dataclass(frozen=True)
class ScoreRun:
    user_days: int
    users: int
    rule_hits: int
    seconds: dict[str, float]  # wall time per stage: features, baselines, rules, anomaly, combine


def score_store(
    store: Store,
    *,
    rules: list[Rule] | None = None,
    domains: DomainLists | None = None,
    weights: ScoreWeights = ScoreWeights(),  # noqa: B008 - frozen, immutable default
    progress: Progress | None = None,
    random_state: int = 0,
    since: date | None = None,
    engine: Engine | str = "duckdb",
    fit_rows: int = DEFAULT_FIT_ROWS,
) -> ScoreRun:
    """Compute and store risk scores for all user-days with activity; returns counts.

    `engine` runs the features, baselines and rules: "duckdb" (inside the store), "spark" (molehunt.engine.spark
    with default settings), or an Engine object (e.g. a started SparkEngine with a master and a lake). The anomaly
    scorers and the combination run here, on the `user_day` table the engine leaves in the store; except that an
    engine with the PartitionedAnomaly capability (Spark) fits the anomaly model on a sample of at most `fit_rows`
    user-days (all of them when there are no more: then the model and scores are the DuckDB path's) and scores
    every user-day in partitions.

    With `since`, only days from `since` on are (re)scored: their features and baselines are computed from the
    events of the trailing window, the anomaly model of the last full run is reused, and earlier scores stay as
    they are. Cached between runs: user_day_features, user_day (baselines), the fitted model, scores.
    """
    if fit_rows < 2:
        raise MolehuntError(f"the anomaly model needs at least 2 user-days to fit on; got fit_rows={fit_rows}")
    if store.count("SELECT count(*) FROM events") == 0:
        raise MolehuntError("the store holds no events: ingest a dataset first (`molehunt ingest DIR`)")
    # A run from `since` reuses the last full run's model: loaded first, so a missing or outdated one fails early.
    reused = load_model(store) if since is not None else None
    if since is not None:
        _refuse_gap(store, since)
    sink = progress or NoProgress()
    clock = _Clock(sink, ("features", "baselines", "rules", "anomaly", "combine"))
    running = rules if rules is not None else effective_rules(store, logged_rule_settings(Home(store.path.parent)))
    # The shipped domain lists plus the home's own (HOME/domains.yaml, HOME/domains/<category>.txt), the home
    # being the folder of the store; read before any work so a bad list fails the run at once.
    lists = domains if domains is not None else DomainLists.for_home(store.path.parent)
    policy = Policy.for_home(Home(store.path.parent))  # likewise HOME/protect.yaml, for the levels at the end
    with use_engine(engine) as runner:
        runner.features(store, lists, since)
        clock.lap()
        runner.baselines(store, since)
        clock.lap()
        hits = runner.rules(store, running)
        clock.lap()
        table: pa.Table = store.con.sql(
            "SELECT * FROM user_day WHERE day >= $since ORDER BY user_id, day", params={"since": since or date.min}
        ).to_arrow_table()
        if since is None and isinstance(runner, PartitionedAnomaly):  # fit on a sample, score where the data is
            fitted = runner.anomaly(new_model(random_state), table.select(["user_id", "day"]), fit_rows, random_state)
            anomaly, contributions = fitted.anomaly, fitted.contributions
            save_model(store, fitted.model, fitted.fitted_rows)
        else:
            matrix = deviation_matrix(table)
            if reused is None:
                model = new_model(random_state)
                anomaly = model.fit_score_samples(matrix.values)
                save_model(store, model, table.num_rows)
            else:
                model = reused
                anomaly = model.score_samples(matrix.values) if table.num_rows else np.zeros(0)
            contributions = tail_contributions(model, matrix.values)
        clock.lap()

    # The evidence models read everyone's whole history (rates and usual volumes), even when scoring from `since`.
    history = History.from_table(
        store.con.table("user_day")
        .project(
            ", ".join(("user_id", "day", "role", "department", *EVIDENCE_COLUMNS))
            + f", CAST(days_to_departure IS NOT NULL AS DOUBLE) AS {DEPARTURE_KNOWN}"
        )
        .order("user_id, day")
        .to_arrow_table(),
        (*EVIDENCE_COLUMNS, DEPARTURE_KNOWN),
    )
    calibrated = calibrate(history, hits)
    # history and table are both ordered by user_id and day: the scored rows are history's rows from `since` on
    scored = history.rows_from(since)
    if len(scored) != table.num_rows:
        raise MolehuntError(
            f"user_day changed while scoring ({len(scored)} rows from {since}, {table.num_rows} scored)"
        )
    volume = exfiltration_volume(history).take(scored)
    habits = new_habits(history).take(scored)
    position = np.full(len(history), -1)
    position[scored] = np.arange(len(scored))
    users = table["user_id"].to_pylist()
    days = table["day"].to_pylist()
    rule_points = habits.points.copy()  # new habits are indicators weighed like rule hits, by their surprise
    earned = weights_earned(hits, calibrated)
    fired: dict[int, list[int]] = {}
    for number, at in enumerate(calibrated.row):
        row = int(position[at]) if at >= 0 else -1
        if row >= 0:
            rule_points[row] += earned[number]
            fired.setdefault(row, []).append(number)
    departure = np.asarray(table["days_to_departure"].to_numpy(zero_copy_only=False), dtype=np.float64)
    prior = prior_alerts(users, days, hits, weights.prior_alert_days, earned.tolist())
    daily = evidence(anomaly, rule_points, weights, volume.points)
    kept = persistence(history, _history_evidence(store, history, scored, daily, since, weights)).take(scored)
    risk = combine(anomaly, rule_points, departure, prior, weights, volume.points, kept.points)
    explained = _Explained(hits, earned, calibrated)
    reasons = _reasons(table, MATRIX_COLUMNS, contributions, fired, explained, volume, habits, kept, departure,
                       weights, _rule_fields(running))  # fmt: skip
    counted = {row: [hits[n] for n in numbers if earned[n] > 0] for row, numbers in fired.items()}
    _write(store, users, days, risk, anomaly, rule_points, volume.points, counted, reasons, since)
    protect_after_scoring(store, policy)
    clock.lap()
    sink.end()
    return ScoreRun(len(users), len(set(users)), len(hits), clock.seconds)


def protect_after_scoring(store: Store, policy: Policy | None = None) -> list[Change]:
    """Recompute protection levels from the new scores when `store` is a home's store (HOME/molehunt.duckdb):
    each change is an audit entry (actor "molehunt score", action protect.change) first, then the operational
    store. Automatic levels only rise above an analyst's (molehunt.protect.changes). Returns the changes made."""
    home = Home(store.path.parent)
    if store.path != home.store_path:
        return []
    policy = policy or Policy.for_home(home)
    priority: set[str] = set()
    if policy.priority_compartments:
        subjects = store.con.execute("SELECT user_id, compartments FROM vault_subjects").fetchall()
        priority = priority_people([(str(user), list(held)) for user, held in subjects], policy)
    derived = levels_from_scores(store, policy, priority)
    con = opstore.connect(home)
    try:
        current = {p.user: p for p in list_levels(con, at_least=Level.NONE)}
        changes = score_changes(current, derived)
        entries = [
            NewEntry(SCORE_ACTOR, "protect.change", change.user,
                     {"level": change.level.value, "reasons": list[JsonValue](change.reasons), "source": change.source})
            for change in changes
        ]  # fmt: skip
        if entries:  # all recorded first, in one append (one fsync, one checkpoint), then set
            append_entries(home.audit_dir, home.keys_dir, entries)
        for change in changes:
            set_level(con, change.user, change.level, change.reasons, source=change.source, by=SCORE_ACTOR)
    finally:
        con.close()
    return changes


@dataclass
class _RuleChanges:
    """The rule.change entries of the first `size` entries of a home's log: (entry time, rule id, setting)."""

    size: int = 0
    last: bytes = b""
    changes: list[tuple[str, str, LoggedSetting]] = field(default_factory=list)


def _fold_rule_change(known: _RuleChanges, entry: Entry) -> None:
    if entry.action == "rule.change" and (setting := LoggedSetting.from_details(entry.seq, entry.details)):
        known.changes.append((entry.time, entry.target, setting))


# Kept per process and grown by the entries appended since the last look: the dashboard asks on every queue, alert
# and person page, so a page must not read the whole log.
_rule_changes: dict[Path, _RuleChanges] = {}
_rule_changes_lock = threading.Lock()


def logged_rule_settings(home: Home, as_of: datetime | None = None) -> dict[str, LoggedSetting]:
    """Each rule's setting as its latest ``rule.change`` audit entry records it (empty when the home has no log);
    with `as_of` (aware), the latest entry at or before that moment: what a copy of the store taken then holds.
    AuditError when the log stays busy."""
    if not (home.audit_dir / ENTRIES_FILE).exists():
        return {}
    until = format_time(as_of) if as_of is not None else None  # fixed-width UTC text: ordered as the times are
    key = home.audit_dir.resolve()
    with _rule_changes_lock, reading(home.audit_dir, home.keys_dir) as log:
        known = fold_new(log, _rule_changes.get(key), _RuleChanges, _fold_rule_change)
        _rule_changes[key] = known
        return {rule_id: setting for at, rule_id, setting in known.changes if until is None or at <= until}


def weights_earned(hits: list[RuleMatch], calibrated: Calibrated) -> np.ndarray:
    """Each hit's level weight times its calibration factor."""
    earned: np.ndarray = np.array([hit.weight for hit in hits], dtype=np.float64) * calibrated.factor
    return earned


@dataclass(frozen=True)
class _Explained:
    """The hits with what each earned, for the reasons."""

    hits: list[RuleMatch]
    earned: np.ndarray
    calibrated: Calibrated

    def text(self, number: int) -> str:
        c = self.calibrated
        note = calibration_note(
            float(c.factor[number]), float(c.own_rate[number]), float(c.own_days[number]), float(c.peer_rate[number])
        )
        return self.hits[number].explanation + (f" ({note})" if note else "")


def _history_evidence(
    store: Store, history: History, scored: np.ndarray, daily: np.ndarray, since: date | None, weights: ScoreWeights
) -> np.ndarray:
    """Every history row's evidence before context (scoring.evidence): this run's for the rows it scores, and for
    the earlier days of a run from `since` the evidence kept in `scores`, so persistence looks back the same way."""
    out = np.zeros(len(history))
    out[scored] = daily
    if since is None:
        return out
    rows = store.con.execute(
        "SELECT user_id, day, anomaly, rule_points, volume_points FROM scores WHERE day < ? AND day >= ?",
        [since, since - timedelta(days=REFERENCE_FROM)],
    ).fetchall()
    if rows:
        at = history.rows_of([r[0] for r in rows], [r[1] for r in rows])
        anomaly, rule_points, volume_points = np.array([r[2:] for r in rows], dtype=np.float64).T
        earlier = evidence(anomaly, rule_points, weights, volume_points)
        out[at[at >= 0]] = earlier[at >= 0]
    return out


def _refuse_gap(store: Store, since: date) -> None:
    """Scoring from `since` must not leave unscored days behind it (days ingested but never scored)."""
    cached = store.scalar("SELECT max(day) FROM user_day_features")
    if not isinstance(cached, date):
        raise MolehuntError("nothing is scored yet: run `molehunt score` once without --since")
    missed = store.scalar(
        "SELECT min(CAST(time AS DATE)) FROM events WHERE time >= ? AND time < ?",
        [cached + timedelta(days=1), since],
    )
    if isinstance(missed, date):
        raise MolehuntError(f"days from {missed} to {since} were never scored; run with --since {missed}")


class _Clock:
    """Advances the progress bar one stage at a time and keeps each stage's wall time."""

    def __init__(self, sink: Progress, stages: tuple[str, ...]) -> None:
        self.sink, self.stages = sink, stages
        self.seconds: dict[str, float] = {}
        sink.begin("score", len(stages), unit="stages")
        self.started = time.perf_counter()

    def lap(self) -> None:
        now = time.perf_counter()
        self.seconds[self.stages[len(self.seconds)]] = now - self.started
        self.started = now
        self.sink.advance(1)


def _rule_fields(rules: list[Rule]) -> dict[str, set[str]]:
    """The fields each rule tests, so the reasons do not say again what a fired rule's explanation says."""
    return {
        rule.id: {test.field for s in rule.selections for alternative in s.alternatives for test in alternative}
        | {c.field for c in rule.correlations if c.field}
        for rule in rules
    }


def _reasons(
    table: pa.Table,
    columns: tuple[str, ...],
    contributions: np.ndarray,
    fired: dict[int, list[int]],
    explained: _Explained,
    volume: Volume,
    habits: Habits,
    kept: Persistence,
    departure: np.ndarray,
    weights: ScoreWeights,
    rule_fields: dict[str, set[str]],
) -> list[str]:
    features = {c.split(":")[0] for c in columns}
    data = {
        name: np.nan_to_num(np.asarray(table[name].to_numpy(zero_copy_only=False), dtype=float)) for name in features
    }
    baseline = {
        f"{name}__{kind}": np.asarray(table[f"{name}__{kind}"].to_numpy(zero_copy_only=False), dtype=float)
        for name in features
        for kind in ("median", "peer")
    }
    history = np.nan_to_num(np.asarray(table["history_days"].to_numpy(zero_copy_only=False), dtype=float))
    top = np.argsort(-contributions, axis=1)[:, : 2 * TOP_INDICATORS]
    out = []
    for row in range(table.num_rows):
        # what earned most first; routine hits (earning nothing) last, with why they do not count
        numbers = sorted(fired.get(row, []), key=lambda n: -explained.earned[n])
        full = [n for n in numbers if explained.calibrated.factor[n] >= 1.0]
        partial = [n for n in numbers if 0.0 < explained.calibrated.factor[n] < 1.0]
        routine = [n for n in numbers if explained.calibrated.factor[n] <= 0.0]
        parts = say_context_once([explained.hits[n].explanation for n in full])
        parts += [explained.text(n) for n in partial]
        covered = {field for n in full + partial for field in rule_fields.get(explained.hits[n].rule_id, ())}
        moved = volume_reason(volume, row)
        if moved:
            parts.append(moved)
        new = habit_reason(habits, row)
        if new:
            parts.append(new)
        sustained = persistence_reason(kept, row)
        if sustained:
            parts.append(sustained)
        said: set[str] = set()
        for col in top[row]:
            feature, kind = columns[col].split(":")
            # Only what is rarer than 1 in 100 user-days is worth saying, and each feature once.
            if contributions[row, col] <= np.log(100.0) or feature in said or len(said) == TOP_INDICATORS:
                continue
            if feature in covered:  # a fired rule's explanation already gives this indicator with its magnitude
                said.add(feature)
                continue
            said.add(feature)
            median = float(np.nan_to_num(baseline[f"{feature}__median"][row]))
            parts.append(
                feature_reason(
                    feature, kind, data[feature][row], median, baseline[f"{feature}__peer"][row], history[row]
                )
            )
        when = departure_reason(departure[row], weights.departure_window_days)
        if when and parts and "days_to_departure" not in covered:
            parts.append(when)
        parts += [explained.text(n) for n in routine]
        out.append("; ".join(dict.fromkeys(parts)))
    return out


def _write(
    store: Store,
    users: list[str],
    days: list[object],
    risk: np.ndarray,
    anomaly: np.ndarray,
    rule_points: np.ndarray,
    volume_points: np.ndarray,
    fired: dict[int, list[RuleMatch]],
    reasons: list[str],
    since: date | None,
) -> None:
    rules = [sorted({h.rule_id for h in fired.get(i, [])}) for i in range(len(users))]
    result = pa.table(
        {
            "user_id": users,
            "day": pa.array(days, type=pa.date32()),
            "score": np.round(risk, 4),
            "anomaly": np.round(anomaly, 4),
            "rule_points": np.round(rule_points, 4),
            "volume_points": np.round(volume_points, 4),
            "rules": pa.array(rules, type=pa.list_(pa.string())),
            "reasons": reasons,
        }
    )
    store.con.register("new_scores", result)
    try:
        with store.transaction() as con:
            if since is None:
                con.execute("CREATE OR REPLACE TABLE scores AS SELECT * FROM new_scores")
            else:
                con.execute("DELETE FROM scores WHERE day >= ?", [since])
                con.execute("INSERT INTO scores SELECT * FROM new_scores")
    finally:
        store.con.unregister("new_scores")


def write_scores_csv(store: Store, path: Path) -> int:
    """The scores table as CSV with header user,day,score,reasons (day as YYYY-MM-DD); returns rows written.

    Real user ids: written atomically, readable by the owner only, spreadsheet formulas neutralized."""
    rows = store.con.execute(
        "SELECT user_id, strftime(day, '%Y-%m-%d'), score, reasons FROM scores ORDER BY user_id, day"
    ).fetchall()
    write_private_csv(path, ["user", "day", "score", "reasons"], rows)
    return len(rows)
