from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Rich sizes its consoles when molehunt.cli is first imported: one width for every test, serial or on workers whose
# temporary paths are longer, so a table cell is never wrapped differently from one run to the next.
os.environ.setdefault("COLUMNS", "160")
# One OpenBLAS thread a process (set before numpy loads; the CLIs tests start inherit it): on two cores shared by the
# xdist workers, OpenBLAS's own threads made a 400-point Gauss-Legendre rule (trace.code) take 0.2-1.7 s, not 0.02 s.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from molehunt.config import Home
from molehunt.store import Store, open_store

SPARK_TESTS = "tests/unit/engine/test_spark_"  # the modules whose tests share the session's local Spark
# Modules whose tests share costly module fixtures (pages OCR'd by tesseract): each runs whole on one worker.
TOGETHER = ("tests/unit/vault/test_tracing_print.py", "tests/unit/trace/carriers/test_scan.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the local Spark is slow."""
    for item in items:
        if "spark_engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist, the Spark modules run on one worker (one JVM, each module fixture built once), so does
    each module in TOGETHER, and every other test goes to whichever worker is free. (`--dist loadgroup` would do
    this from markers, but xdist 3.8 can no longer rename pytest 9's node ids, so the group is named here.)"""
    from xdist.scheduler import LoadScopeScheduling

    class Together(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(SPARK_TESTS):
                return "spark"
            module = nodeid.split("::")[0]
            return module if module in TOGETHER else nodeid

    return Together(config, log)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "home" / "molehunt.duckdb") as opened:
        yield opened


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's temporary folder, the same for every xdist worker (each worker's own is a child of it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def scored_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A home with a small simulated organization (its CERT files and its HR export) ingested and scored (shared;
    tests must not change it). Built once per run: xdist workers wait on a file lock for the first to build it."""
    shared = _shared_dir(tmp_path_factory)
    root = shared / "scored"
    with (shared / "scored.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "built").exists():
            shutil.rmtree(root, ignore_errors=True)  # a worker that failed half-way
            _build_scored(root)
            (root / "built").touch()
    return Home(root / "home")


def _build_scored(root: Path) -> None:
    from molehunt.ingest import ingest_cert
    from molehunt.ingest.hr import ingest_hr
    from molehunt.score import score_store
    from molehunt.synth import SynthConfig, generate
    from molehunt.synth.hr import HR_FILE

    config = SynthConfig(users=60, days=90, seed=7, release="r6.2")
    generate(config, root / "data")
    home = Home(root / "home").ensure()
    with open_store(home.store_path) as opened:
        ingest_cert(opened, root / "data")
        ingest_hr(opened, root / "data" / HR_FILE)
        score_store(opened)
