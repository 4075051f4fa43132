"""Fingerprint code Monte Carlo: how often the symmetric Tardos code names a colluder, and whether it ever names an
innocent, next to the published code lengths and to the textbook (Bernstein) threshold.

Each trial draws a fresh document key (fresh biases from molehunt.trace.code) and the codewords of all n recipients;
recipients 0..c-1 collude. Every setting of the trial (coalition size x strategy x erasure) is accused at the same
leak-aware threshold molehunt.trace.accuse uses, with total false-accusation bound eps over the n recipients.

    .venv/bin/python bench/trace.py --trials 10000
    .venv/bin/python bench/trace.py --trials 10000 --length 4000
    .venv/bin/python bench/trace.py --attacks [--texts GPL-3 ...] [--trials 3]   # the carriers' attack table

With --attacks it prints instead the attack table of bench/attack_table.py: real copies of real texts, made and read
by the vault's own code, under each attack (as is, NFKC, zero-width stripped, spell-checked, re-wrapped, excerpt,
retyped, printed at 150 and 300 dpi, photographed), for 1, 2 and 3 colluders among 30 and 1,000 recipients.

Strategies: majority and minority vote per position (ties by a coin), random (a coin wherever the copies differ),
interleave (contiguous segments, "pages", taken from each colluder in turn). Codewords here come from one generator
per trial rather than one HMAC-seeded generator per recipient (the library's way): same distribution, ~10x faster.
Binary positions only, as a 20-page text offers.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from molehunt.trace.code import (
    DEFAULT_CUTOFF,
    FingerprintCode,
    conditional_threshold,
    reference_lengths,
    required_length,
    threshold,
)

STRATEGIES = ("majority", "minority", "random", "interleave")
ERASURES = ("excerpt 30%", "excerpt 10%", "retyped", "erasures 20%")


@dataclass
class Tally:
    caught: int = 0  # trials with at least one colluder accused
    colluders: int = 0  # colluders accused, summed over trials
    innocents: int = 0  # innocents accused, summed over trials
    bernstein: int = 0  # trials with a colluder above the Bernstein threshold instead
    read: int = 0  # readable positions, summed over trials
    cut: float = 0.0  # finite thresholds, summed
    enough: int = 0  # trials where some copy could reach the threshold (finite)
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Setup:
    n: int
    m: int
    eps: float
    cutoff: float
    colluders: tuple[int, ...]
    erasure_base: str
    fragile_share: float
    segments: int
    settings: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for c in self.colluders:
            self.settings += [(c, s) for s in STRATEGIES]
            self.settings += [(c, e) for e in ERASURES]


def collude(strategy: str, copies: np.ndarray, rng: np.random.Generator, segments: int) -> np.ndarray:
    """The leaked bits the coalition builds from its copies (c, m); they can only choose where copies differ."""
    c, m = copies.shape
    ones = copies.sum(axis=0)
    coin = rng.random(m) < 0.5
    differ = (ones > 0) & (ones < c)
    if strategy == "majority":
        return np.where(2 * ones == c, coin, 2 * ones > c).astype(np.int64)
    if strategy == "minority":
        return np.where(differ, np.where(2 * ones == c, coin, 2 * ones < c), ones == c).astype(np.int64)
    if strategy == "random":
        return np.where(differ, coin, ones == c).astype(np.int64)
    # interleave: page-like contiguous segments, each taken from the next colluder's copy in turn
    owner = (np.arange(m) * segments // m) % c
    return copies[owner, np.arange(m)].astype(np.int64)


def erase(setting: str, leak: np.ndarray, rng: np.random.Generator, fragile_share: float) -> np.ndarray:
    m = len(leak)
    kept = np.ones(m, dtype=bool)
    if setting.startswith("excerpt"):
        width = round(m * int(setting.split()[1].rstrip("%")) / 100)
        start = int(rng.integers(0, m - width + 1))
        kept[:] = False
        kept[start : start + width] = True
    elif setting == "retyped":
        kept[rng.permutation(m)[: round(m * fragile_share)]] = False
    elif setting == "erasures 20%":
        kept = rng.random(m) >= 0.2
    return np.where(kept, leak, -1)


def bernstein(read: int, n: int, eps: float, cutoff: float) -> float:
    """The textbook threshold: n exp(-z^2 / (2(m + G z/3))) = eps."""
    budget, g = math.log(n / eps), math.sqrt((1 - cutoff) / cutoff)
    return budget * g / 3 + math.sqrt((budget * g / 3) ** 2 + 2 * budget * read)


def run_trials(setup: Setup, seed: int, trials: int) -> tuple[dict[tuple[int, str], Tally], dict[str, float]]:
    rng = np.random.default_rng(seed)
    tallies = {s: Tally() for s in setup.settings}
    shared = {"code": 0.0, "codewords": 0.0, "scores": 0.0}
    for _ in range(trials):
        started = time.perf_counter()
        p1 = FingerprintCode(rng.bytes(32), [2] * setup.m, cutoff=setup.cutoff).biases[:, 1]
        t1 = time.perf_counter()
        # Bit j of recipient r is 1 with probability p1[j]: a raw 32-bit uniform below p1 * 2^32 (exact to 2^-32).
        raw = rng.bit_generator.random_raw((setup.n * setup.m + 1) // 2).view(np.uint32)[: setup.n * setup.m]
        bits = raw.reshape(setup.n, setup.m) < (p1 * 2.0**32).astype(np.uint32)
        t2 = time.perf_counter()
        leaks = []
        for c, setting in setup.settings:
            began = time.perf_counter()
            strategy = setting if setting in STRATEGIES else setup.erasure_base
            leak = collude(strategy, bits[:c], rng, setup.segments)
            if setting not in STRATEGIES:
                leak = erase(setting, leak, rng, setup.fragile_share)
            leaks.append(leak)
            tallies[(c, setting)].seconds += time.perf_counter() - began
        leaked = np.array(leaks)  # (settings, m), -1 = erased
        # Score linear in the bits: leak 1 -> x (a+b) - b, leak 0 -> b - x (a+b), with a = sqrt((1-p1)/p1), b = 1/a.
        a = np.sqrt((1 - p1) / p1)
        b = 1 / a
        sign = np.where(leaked == 1, 1.0, np.where(leaked == 0, -1.0, 0.0))
        weights = (sign * (a + b)).T.astype(np.float32)
        offset = (-sign * b).sum(axis=1)
        t3 = time.perf_counter()
        scores = (bits.astype(np.float32) @ weights).astype(np.float64) + offset  # (n, settings)
        t4 = time.perf_counter()
        p_leaked = np.where(leaked == 1, p1, np.where(leaked == 0, 1 - p1, np.nan))
        cuts = conditional_threshold(p_leaked, setup.n, setup.eps)
        near = (scores >= cuts - 1e-3 * np.abs(cuts) - 1e-3).any(axis=1)
        if near.any():  # recompute anyone near a threshold in float64
            scores[near] = bits[near].astype(np.float64) @ (sign * (a + b)).T + offset
        accused = scores >= cuts
        t5 = time.perf_counter()
        for j, (c, setting) in enumerate(setup.settings):
            tally = tallies[(c, setting)]
            read = int((leaked[j] >= 0).sum())
            tally.caught += bool(accused[:c, j].any())
            tally.colluders += int(accused[:c, j].sum())
            tally.innocents += int(accused[c:, j].sum())
            tally.bernstein += bool((scores[:c, j] >= bernstein(read, setup.n, setup.eps, setup.cutoff)).any())
            tally.read += read
            tally.cut += float(cuts[j]) if np.isfinite(cuts[j]) else 0.0
            tally.enough += bool(np.isfinite(cuts[j]))
            tally.seconds += (t5 - t4) / len(setup.settings)
        shared["code"] += t1 - started
        shared["codewords"] += t2 - t1
        shared["scores"] += t4 - t3
    return tallies, shared


def simulate(
    setup: Setup, trials: int, seed: int, workers: int
) -> tuple[dict[tuple[int, str], Tally], dict[str, float]]:
    chunks = [trials // workers + (i < trials % workers) for i in range(workers)]
    seeds = np.random.SeedSequence(seed).generate_state(workers)
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(run_trials, [setup] * workers, [int(s) for s in seeds], chunks))
    tallies = {s: Tally() for s in setup.settings}
    shared = {"code": 0.0, "codewords": 0.0, "scores": 0.0}
    for part, times in results:
        for key, tally in part.items():
            tallies[key].add(tally)
        for key, seconds in times.items():
            shared[key] += seconds
    return tallies, shared


def main() -> None:
    if "--attacks" in sys.argv[1:]:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import attack_table

        attack_table.main([arg for arg in sys.argv[1:] if arg != "--attacks"])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--colluders", type=int, nargs="+", default=[1, 2, 3, 5])
    parser.add_argument("--length", type=int, help="code length m (default: required_length(3, n, eps))")
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--eps", type=float, default=1e-3, help="total false-accusation bound per trial")
    parser.add_argument("--cutoff", type=float, default=DEFAULT_CUTOFF)
    parser.add_argument("--fragile-share", type=float, default=0.9, help="share of positions a retyping erases")
    parser.add_argument("--erasure-base", default="minority", choices=STRATEGIES, help="strategy under erasures")
    parser.add_argument("--segments", type=int, default=20, help="interleaving segments (pages)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n, eps = args.recipients, args.eps
    m = args.length or required_length(3, n, eps, args.cutoff)
    setup = Setup(n, m, eps, args.cutoff, tuple(args.colluders), args.erasure_base, args.fragile_share, args.segments)

    print(f"n = {n:,} recipients, m = {m:,} binary positions, eps = {eps:g} per trial, cutoff {args.cutoff:g}, "
          f"{args.trials:,} trials (fresh key each)")  # fmt: skip
    print(f"erasure settings apply to the {args.erasure_base} leak; retyped = {args.fragile_share:.0%} of positions "
          f"(the fragile layer) erased; interleave = {args.segments} segments")  # fmt: skip
    print(f"{'c':>2} {'Tardos 1984':>12} {'symmetric asym.':>16} {'capacity':>9} {'required_length':>16}  used")
    for c in args.colluders:
        ref = reference_lengths(c, n, eps)
        print(f"{c:>2} {ref['tardos_original']:>12,} {ref['symmetric_asymptote']:>16,} {ref['capacity']:>9,} "
              f"{required_length(c, n, eps, args.cutoff):>16,}  {m:,}")  # fmt: skip

    started = time.perf_counter()
    tallies, shared = simulate(setup, args.trials, args.seed, max(1, min(args.workers, args.trials)))
    wall = time.perf_counter() - started
    t = args.trials
    print(f"\n{'c':>2} {'setting':<14} {'read':>6} {'enough':>7} {'threshold':>9} {'worst-case':>10} {'Bernstein':>9} "
          f"{'P(catch)':>9} {'@Bernstein':>10} {'caught':>7} {'innocents':>9} {'time s':>7}")  # fmt: skip
    for (c, setting), tally in tallies.items():
        read = tally.read / t
        worst, textbook = threshold(round(read), n, eps, args.cutoff), bernstein(round(read), n, eps, args.cutoff)
        cut = tally.cut / tally.enough if tally.enough else math.inf
        print(f"{c:>2} {setting:<14} {read:>6.0f} {tally.enough / t:>7.1%} {cut:>9.1f} {worst:>10.1f} {textbook:>9.1f}"
              f" {tally.caught / t:>9.2%} {tally.bernstein / t:>10.2%} {tally.colluders / t:>7.2f}"
              f" {tally.innocents:>9} {tally.seconds:>7.1f}")  # fmt: skip
    innocent = sum(tally.innocents for tally in tallies.values())
    print(f"\ninnocents accused over all {len(tallies) * t:,} accusations: {innocent} "
          f"(the bound allows an expected {len(tallies) * t * eps:,.0f} at most)")  # fmt: skip
    print(f"shared per-trial work (CPU s, all workers): keys and biases {shared['code']:.1f}, codewords "
          f"{shared['codewords']:.1f}, scoring (n x m x settings) {shared['scores']:.1f}; "
          f"wall {wall:.0f} s")  # fmt: skip
    print(
        "enough: trials where some copy could reach the threshold at all; threshold: leak-aware Chernoff, the one "
        "accuse uses (mean over those trials); worst-case: threshold() for any leak (Hoeffding); Bernstein: "
        "n exp(-z^2 / 2(m + Gz/3)) = eps, the textbook bound; @Bernstein: P(catch) had it been used; caught: "
        "colluders accused per trial; time: the setting's own work (leak, threshold, accusation)"
    )


if __name__ == "__main__":
    main()
