"""CLI start-up: wall time of `molehunt --help`, `--version`, `status` and `alerts` beside `python -c pass` (the
interpreter alone), each the median of --runs runs, all measured in the same run on the same machine.

`status` and `alerts` read a real scored home: a small demo (20 people, 30 days) built in a temporary folder unless
--home names one. The goal (issue 17) is under 0.5 s each; `python -X importtime -c "import molehunt.cli"` shows
where the rest goes.

    .venv/bin/python bench/cli_startup.py [--runs 5] [--home HOME]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "molehunt"
GOAL = 0.5


def _time(args: list[str], runs: int) -> float:
    """Median wall seconds of running `args` (output discarded; a failing command is an error)."""
    taken = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        taken.append(time.perf_counter() - start)
    return statistics.median(taken)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--home", type=Path, help="A scored home to read (default: a small demo built here).")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = options.home
        if home is None:
            home = Path(scratch) / "home"
            print("building a small demo home (20 people, 30 days) ...", flush=True)
            subprocess.run(
                [str(SCRIPT), "--home", str(home), "demo", "--users", "20", "--days", "30"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
            )  # fmt: skip
        os.environ["COLUMNS"] = "120"
        cases = {
            "python -c pass (baseline)": [sys.executable, "-c", "pass"],
            "molehunt --help": [str(SCRIPT), "--help"],
            "molehunt --version": [str(SCRIPT), "--version"],
            "molehunt status": [str(SCRIPT), "--home", str(home), "status"],
            "molehunt alerts": [str(SCRIPT), "--home", str(home), "alerts"],
        }
        print(f"median of {options.runs} runs each, wall seconds (goal: under {GOAL} s)")
        for label, args in cases.items():
            median = _time(args, options.runs)
            verdict = "" if label.startswith("python") else ("  ok" if median < GOAL else "  OVER")
            print(f"  {label:<28} {median:6.3f}{verdict}")


if __name__ == "__main__":
    main()
