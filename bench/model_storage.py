"""The stored anomaly model as data (molehunt.detect.anomaly.state) against the pickle it replaced, measured in the
same run: payload size, save and load time, and whether the rebuilt model scores bit for bit as the fitted one.

The matrix is synthetic (gamma-distributed deviations with repeated values, as user-days have); ``--rows`` user-days
of ``--features`` columns, fitted with the ensemble `molehunt score` uses.

    .venv/bin/python bench/model_storage.py [--rows 200000] [--features 12]
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import time
from collections.abc import Callable

import numpy as np

from molehunt.detect.anomaly.state import dumps, loads
from molehunt.detect.models import new_model


def median_ms(fn: Callable[[], object], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=12)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    matrix = np.round(rng.gamma(1.5, size=(args.rows, args.features)), 1)
    model = new_model(random_state=0).fit(matrix)
    data, pickled = dumps(model), pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    sample = matrix[:20_000]
    same = np.array_equal(loads(data).score_samples(sample), model.score_samples(sample))
    print(f"model of {args.rows:,} user-days x {args.features} features (200 trees, tail scorer)")
    print(f"{'':12}{'bytes':>12}{'save ms':>10}{'load ms':>10}")
    print(
        f"{'pickle':12}{len(pickled):>12,}{median_ms(lambda: pickle.dumps(model)):>10.1f}"
        f"{median_ms(lambda: pickle.loads(pickled)):>10.1f}   (baseline: what the store held before)"
    )
    print(
        f"{'data (npz)':12}{len(data):>12,}{median_ms(lambda: dumps(model)):>10.1f}"
        f"{median_ms(lambda: loads(data)):>10.1f}"
    )
    print(f"rebuilt model scores {'bit for bit the same' if same else 'DIFFERENTLY'} on {len(sample):,} user-days")


if __name__ == "__main__":
    main()
