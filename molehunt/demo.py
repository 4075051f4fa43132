"""The demo: simulate an organization, ingest it, score it, and show the suspects and how good that was."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from molehunt.config import Home
from molehunt.detect.alerts import Alert, top_suspects
from molehunt.evaluate import Evaluation, evaluate, read_scores, truth_from_store
from molehunt.ingest import IngestReport, ingest_cert
from molehunt.progress import NoProgress, Progress
from molehunt.pseudonyms import Pseudonyms
from molehunt.report import REPORT_FILE, write_report
from molehunt.score import ScoreRun, score_store, write_scores_csv
from molehunt.store import open_store, publish
from molehunt.store.summary import StoreSummary, summarize
from molehunt.synth import SynthConfig, ensure_generated


@dataclass(frozen=True)
class DemoResult:
    data_dir: Path
    generated: bool
    ingest: IngestReport
    summary: StoreSummary
    scored: ScoreRun
    suspects: list[Alert]
    evaluation: Evaluation
    scores_csv: Path
    report: Path  # the offline HTML report, pseudonymized


def demo_data_dir(home: Home, config: SynthConfig) -> Path:
    return home.root / "demo" / f"{config.release}-u{config.users}-d{config.days}-s{config.seed}"


def run_demo(
    home: Home,
    config: SynthConfig,
    *,
    progress: Progress | None = None,
    synth_progress: Callable[[str, int, int], None] | None = None,
) -> DemoResult:
    """Simulate (unless already on disk), ingest, score, rank suspects, evaluate, write HOME/report.html.

    Re-running is cheap and safe: the simulation is deterministic and ingest skips files it has seen. The
    evaluation reads the simulation's answers/, which the scoring never sees; the report shows people by pseudonym.
    """
    data_dir = demo_data_dir(home.ensure(), config)
    generated = ensure_generated(config, data_dir, progress=synth_progress)
    scores_csv = home.root / "scores.csv"
    with open_store(home.store_path) as store:
        report = ingest_cert(store, data_dir, progress=progress or NoProgress())
        summary = summarize(store)
        scored = score_store(store, progress=progress)
        publish(store)  # a running dashboard shows the demo's scores
        write_scores_csv(store, scores_csv)
        suspects = top_suspects(store, limit=10)
        evaluation = evaluate(read_scores(scores_csv), truth_from_store(store, config.release))
        pseudonyms = Pseudonyms.for_keys_dir(home.keys_dir)
        html = write_report(store, home.root / REPORT_FILE, pseudonyms=pseudonyms, release=config.release)
    return DemoResult(data_dir, generated, report, summary, scored, suspects, evaluation, scores_csv, html)


DEFAULT_DEMO = SynthConfig(users=250, days=180, seed=42, release="r6.2", start=date(2010, 1, 4))
