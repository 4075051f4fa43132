"""Metrics of a scoring against ground truth. Labels are read here and nowhere else.

Inputs are plain: per user-day scores (user, day, score) and the truth (insider users, malicious user-days, the
last day of insiders who leave). Every metric is defined in its docstring so a reader can recompute it by hand.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from molehunt.errors import InputError
from molehunt.store import Store

MIN_ACTIVE_FOR_TOP5 = 20


@dataclass(frozen=True)
class Truth:
    insiders: frozenset[str]
    malicious_days: frozenset[tuple[str, date]]
    leavers: frozenset[str]  # insiders who leave the organization (their last day is their last scored day)
    scenarios: tuple[tuple[str, int], ...] = ()  # (insider, scenario number), for per-scenario recall


@dataclass(frozen=True)
class DetectionDelay:
    user: str
    first_malicious: date
    first_in_top5: date | None
    last_day: date
    first_theft_in_top5: date | None = None  # the first of their malicious days on which they were in the top 5

    @property
    def days(self) -> int | None:
        return None if self.first_in_top5 is None else (self.first_in_top5 - self.first_malicious).days

    @property
    def catchable(self) -> bool:
        """Acted before their last day: someone whose whole theft falls on their last day cannot be caught earlier."""
        return self.first_malicious < self.last_day

    @property
    def on_theft_day(self) -> bool:
        """Reached a day's top 5 on one of their malicious days before their last day: caught in the act."""
        return self.first_theft_in_top5 is not None and self.first_theft_in_top5 < self.last_day

    @property
    def before_leaving(self) -> bool:
        """Reached a day's top 5 before their last day (on the last day itself is too late to stop them)."""
        return self.first_in_top5 is not None and self.first_in_top5 < self.last_day


@dataclass(frozen=True)
class Evaluation:
    users: int
    insiders: int
    user_days: int
    malicious_user_days: int
    user_auc: float
    user_day_auc: float
    recall_top1: float
    recall_top5: float
    insiders_in_top_k: int
    delays: tuple[DetectionDelay, ...]
    # (scenario, malicious user-days, of which in the top 1% of user-days), for the scenarios with insiders
    per_scenario: tuple[tuple[int, int, int], ...] = ()

    @property
    def caught_on_theft_day(self) -> tuple[int, int]:
        """(leavers in a day's top 5 on one of their theft days before their last day, leavers who acted before it)."""
        catchable = [d for d in self.delays if d.catchable]
        return sum(d.on_theft_day for d in catchable), len(catchable)

    def to_json(self) -> dict[str, Any]:
        """As JSON-safe values (an undefined AUC, with no positives or no negatives, becomes null)."""
        data = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in asdict(self).items()}
        data["delays"] = [
            {"user": d.user, "first_malicious": str(d.first_malicious), "last_day": str(d.last_day),
             "first_in_top5": str(d.first_in_top5) if d.first_in_top5 else None, "days": d.days,
             "before_leaving": d.before_leaving, "on_theft_day": d.on_theft_day}
            for d in self.delays
        ]  # fmt: skip
        return data

    def rows(self, name: Callable[[str], str] = str) -> list[tuple[str, str]]:
        """The metrics as (label, value) text, one row each, as the CLI and the report show them; `name` says how
        a leaving insider is named (their id, or a pseudonym)."""

        def number(value: float, template: str) -> str:
            return "n/a" if np.isnan(value) else template.format(value)

        rows = [
            ("user-level ROC AUC (max daily score)", number(self.user_auc, "{:.3f}")),
            ("user-day ROC AUC", number(self.user_day_auc, "{:.3f}")),
            ("malicious user-days in the top 1% of user-days", f"{self.recall_top1:.1%}"),
            ("malicious user-days in the top 5% of user-days", f"{self.recall_top5:.1%}"),
            (f"insiders among the top {self.insiders} users", f"{self.insiders_in_top_k} of {self.insiders}"),
            ("user-days scored / malicious", f"{self.user_days:,} / {self.malicious_user_days:,}"),
        ]
        caught, catchable = self.caught_on_theft_day
        if self.delays:
            rows.append(("leaving insiders in a day's top 5 on a theft day", f"{caught} of {catchable}"))
        for delay in self.delays:
            if delay.first_in_top5 is None:
                when = "never in a day's top 5" + ("" if delay.catchable else " (acted only on their last day)")
            else:
                when = f"day {delay.days} of their theft" + ("" if delay.before_leaving else ", after leaving")
            rows.append((f"{name(delay.user)} (leaves {delay.last_day}): first in a day's top 5", when))
        return rows


def read_scores(path: Path) -> list[tuple[str, date, float]]:
    """Rows of a scores CSV (header user,day,score,reasons); InputError with file:line on a bad row."""
    rows: list[tuple[str, date, float]] = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or not {"user", "day", "score"} <= set(reader.fieldnames):
                raise InputError("expected a header with user,day,score", path=str(path), line=1)
            for number, row in enumerate(reader, start=2):
                try:
                    rows.append((row["user"], date.fromisoformat(row["day"]), float(row["score"])))
                except (ValueError, TypeError) as exc:
                    raise InputError(f"bad row: {exc}", path=str(path), line=number) from exc
    except OSError as exc:
        raise InputError(f"cannot read scores: {exc}", path=str(path)) from exc
    return rows


def truth_from_store(store: Store, dataset: str | None = None) -> Truth:
    """Ground truth of one release (the only one ingested, unless named) from the store's answers tables."""
    datasets = [
        r[0] for r in store.con.execute("SELECT DISTINCT release FROM ingested_files WHERE role = 'answers'").fetchall()
    ]
    chosen = dataset or (datasets[0] if len(datasets) == 1 else None)
    if chosen is None:
        raise InputError(f"the store holds answers of {len(datasets)} releases ({datasets}); name one with --dataset")
    insiders = {
        r[0] for r in store.con.execute("SELECT user_id FROM answers_insiders WHERE dataset = ?", [chosen]).fetchall()
    }
    days = {
        (u, d)
        for u, d in store.con.execute(
            "SELECT DISTINCT user_id, CAST(time AS DATE) FROM answers_events WHERE dataset = ?", [chosen]
        ).fetchall()
    }
    leavers = {r[0] for r in store.con.execute("SELECT user_id FROM directory_users WHERE departed").fetchall()}
    scenarios = store.con.execute(
        "SELECT DISTINCT user_id, scenario FROM answers_insiders WHERE dataset = ? ORDER BY ALL", [chosen]
    ).fetchall()
    return Truth(
        frozenset(insiders), frozenset(days), frozenset(leavers & insiders), tuple((u, int(s)) for u, s in scenarios)
    )


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score  # scikit-learn takes a second to import: only when evaluating

    if labels.min() == labels.max():
        return float("nan")
    return float(roc_auc_score(labels, scores))


def evaluate(scores: list[tuple[str, date, float]], truth: Truth) -> Evaluation:
    """All metrics; ties in rank cut-offs are broken by user and day so results are deterministic.

    - user AUC: ROC AUC of max-over-days score per user, insiders positive.
    - user-day AUC: ROC AUC over user-days, malicious user-days positive.
    - recall top 1% / 5%: share of all malicious user-days (those of the scored period, scored or not) found among
      the ceil(1% / 5% of user-days) highest scores.
    - insiders in top k: insiders among the k highest users, k = number of insiders.
    - delays: for insiders who leave, from their first malicious day to the first day they rank in that day's top 5;
      only days with at least MIN_ACTIVE_FOR_TOP5 active users count (on a near-empty weekend anyone is in the top 5);
      and the first of their malicious days on which they rank there (caught on a theft day).
    - per scenario: the malicious user-days of that scenario's insiders, and how many are in the top 1%.
    """
    if not scores:
        raise InputError("no scores to evaluate")
    ordered = sorted(scores, key=lambda r: (-r[2], r[0], r[1]))
    labels = np.array([(u, d) in truth.malicious_days for u, d, _ in ordered], dtype=int)
    values = np.array([s for _, _, s in ordered])
    per_user: dict[str, float] = {}
    for user, _, score in ordered:
        per_user[user] = max(per_user.get(user, -np.inf), score)
    users = sorted(per_user, key=lambda u: (-per_user[u], u))
    user_labels = np.array([u in truth.insiders for u in users], dtype=int)
    k = len(truth.insiders)

    first_day, last_day = min(r[1] for r in ordered), max(r[1] for r in ordered)
    malicious = sum(1 for _, d in truth.malicious_days if first_day <= d <= last_day)

    def recall(share: float) -> float:
        cut = int(np.ceil(share * len(ordered)))
        return float(labels[:cut].sum() / max(malicious, 1))

    return Evaluation(
        users=len(users),
        insiders=int(user_labels.sum()),
        user_days=len(ordered),
        malicious_user_days=malicious,
        user_auc=_auc(user_labels, np.array([per_user[u] for u in users])),
        user_day_auc=_auc(labels, values),
        recall_top1=recall(0.01),
        recall_top5=recall(0.05),
        insiders_in_top_k=int(user_labels[:k].sum()),
        delays=_delays(ordered, truth),
        per_scenario=_per_scenario(ordered, truth, first_day, last_day),
    )


def _per_scenario(
    ordered: list[tuple[str, date, float]], truth: Truth, first_day: date, last_day: date
) -> tuple[tuple[int, int, int], ...]:
    top = {(u, d) for u, d, _ in ordered[: int(np.ceil(0.01 * len(ordered)))]}
    scenario_of = dict(truth.scenarios)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for user, day in truth.malicious_days:
        if user in scenario_of and first_day <= day <= last_day:
            counts[scenario_of[user]][0] += 1
            counts[scenario_of[user]][1] += (user, day) in top
    return tuple((s, n, hit) for s, (n, hit) in sorted(counts.items()))


def _delays(ordered: list[tuple[str, date, float]], truth: Truth) -> tuple[DetectionDelay, ...]:
    top5: dict[date, set[str]] = defaultdict(set)
    by_day: dict[date, list[tuple[str, float]]] = defaultdict(list)
    last_days: dict[str, date] = {}
    for user, day, score in ordered:
        by_day[day].append((user, score))
        last_days[user] = max(day, last_days.get(user, day))
    for day, entries in by_day.items():
        if len(entries) >= MIN_ACTIVE_FOR_TOP5:
            top5[day] = {u for u, _ in entries[:5]}  # already in score order
    delays = []
    for user in sorted(truth.leavers):
        last_day = last_days.get(user)
        if last_day is None:
            continue
        malicious = sorted(d for u, d in truth.malicious_days if u == user)
        if not malicious:
            continue
        first = malicious[0]
        hits = sorted(d for d in top5 if d >= first and user in top5[d])
        on_theft = [d for d in malicious if user in top5.get(d, ())]
        delays.append(
            DetectionDelay(user, first, hits[0] if hits else None, last_day, on_theft[0] if on_theft else None)
        )
    return tuple(delays)
