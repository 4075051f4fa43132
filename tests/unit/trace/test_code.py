"""Symmetric Tardos codes: deterministic codewords, innocent score moments, catching coalitions, rigorous bounds."""

from __future__ import annotations

import hashlib
import math
from statistics import NormalDist

import numpy as np
import pytest
from scipy import stats

from molehunt.trace import (
    DEFAULT_CUTOFF,
    CodeError,
    FingerprintCode,
    accuse,
    conditional_tail_bound,
    conditional_threshold,
    innocent_tail_bound,
    reference_lengths,
    required_length,
    threshold,
)

N, EPS = 100, 1e-3
RECIPIENTS = [f"user{j:03d}" for j in range(N)]
STRATEGIES = ("majority", "minority", "random", "interleave")


def collude(strategy: str, copies: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A binary leak the coalition can build under the marking assumption (it only chooses where copies differ)."""
    c, m = copies.shape
    ones = copies.sum(axis=0)
    coin = rng.random(m) < 0.5
    differ = (ones > 0) & (ones < c)
    if strategy == "majority":
        leak = np.where(2 * ones == c, coin, 2 * ones > c)
    elif strategy == "minority":
        leak = np.where(differ, np.where(2 * ones == c, coin, 2 * ones < c), ones == c)
    elif strategy == "random":
        leak = np.where(differ, coin, ones == c)
    else:  # interleave: 20 contiguous segments ("pages"), taken from each colluder in turn
        leak = copies[(np.arange(m) * 20 // m) % c, np.arange(m)]
    return leak.astype(np.int64)


def innocent_terms(code: FingerprintCode, leak: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Per-position score terms, shaped like ``words``, of codewords the leak does not depend on."""
    p = code.leaked_bias(leak)
    return np.where(words == leak, np.sqrt((1 - p) / p), -np.sqrt(p / (1 - p)))


# --- the code ---------------------------------------------------------------------------------------------------


def test_same_key_recipient_and_alphabet_give_the_same_codeword() -> None:
    alphabet = [2] * 300 + [3] * 20 + [5] * 10
    one, two = FingerprintCode(b"doc-17 key", alphabet), FingerprintCode(b"doc-17 key", alphabet)
    assert np.array_equal(one.biases, two.biases)
    words = one.codewords(["alice", "bob"])
    assert words.shape == (2, 330)
    assert np.array_equal(words[0], two.codeword("alice"))
    assert np.array_equal(words[1], two.codeword("bob"))
    assert ((words >= 0) & (words < np.array(alphabet))).all()
    assert not np.array_equal(words[0], words[1])


def test_codewords_are_pinned_across_releases() -> None:
    # Copies already handed out must stay traceable: if this digest changes, so did every codeword ever issued.
    code = FingerprintCode(b"molehunt golden key", [2] * 48 + [3] * 8 + [4] * 8)
    word = code.codeword("alice@example.org")
    assert word[:16].tolist() == [1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0]
    assert hashlib.sha256(word.astype("<i8").tobytes()).hexdigest()[:16] == "bd78245a953dcecb"


def test_different_keys_give_unrelated_codes() -> None:
    alphabet = [2] * 2000
    one, two = FingerprintCode(b"key one", alphabet), FingerprintCode(b"key two", alphabet)
    assert not np.allclose(one.biases, two.biases)
    same = (one.codeword("alice") == two.codeword("alice")).mean()
    # Independent biases and draws: a position agrees with probability E[p] E[p'] + E[1-p] E[1-p'] = 1/2.
    assert 0.46 < same < 0.54


def test_biases_follow_the_truncated_dirichlet() -> None:
    code = FingerprintCode(b"bias law", [2] * 3000 + [3] * 3000)
    binary, ternary = code.biases[:3000], code.biases[3000:]
    assert (binary[:, :2] >= DEFAULT_CUTOFF).all() and (binary[:, 2] == 0).all()
    assert (ternary >= DEFAULT_CUTOFF).all()
    assert np.allclose(code.biases.sum(axis=1), 1)
    low = math.asin(math.sqrt(DEFAULT_CUTOFF))

    def arcsine_cdf(p: np.ndarray) -> np.ndarray:  # the arcsine law on [t, 1 - t]
        return (np.arcsin(np.sqrt(p)) - low) / (math.pi / 2 - 2 * low)

    assert stats.kstest(binary[:, 1], arcsine_cdf).pvalue > 0.01
    # Far from the cutoff, a component of Dirichlet(1/3, 1/3, 1/3) is Beta(1/3, 2/3).
    untruncated = FingerprintCode(b"bias law", [3] * 4000, cutoff=1e-12).biases
    for column in range(3):
        assert stats.kstest(untruncated[:, column], stats.beta(1 / 3, 2 / 3).cdf).pvalue > 0.01


def test_innocent_terms_have_mean_zero_and_variance_one() -> None:
    code = FingerprintCode(b"moments", [2] * 150 + [3] * 30 + [4] * 20)
    rng = np.random.default_rng(5)
    colluders = code.codewords(["x", "y", "z"])
    leaks = {
        "a colluder's symbols": colluders[0],
        "majority of three": np.array([np.bincount(col).argmax() for col in colluders.T]),
        "the rarest symbol": np.where(code.biases > 0, code.biases, 2).argmin(axis=1),
        "uniform noise": rng.integers(0, code.alphabet),
    }
    ids = [f"innocent{k}" for k in range(6000)]
    innocents = code.codewords(ids)
    for name, leak in leaks.items():
        terms = innocent_terms(code, leak, innocents)  # 1.2 million terms
        assert np.allclose(terms[:40].sum(axis=1), code.scores(leak, ids[:40]))  # the terms the library sums
        assert abs(terms.mean()) < 0.01, name
        assert abs((terms**2).mean() - 1) < 0.04, name
    # Position by position the moments are exact: p a - (1-p) b = 0 and p a^2 + (1-p) b^2 = 1.
    p = code.leaked_bias(leaks["the rarest symbol"])
    a, b = np.sqrt((1 - p) / p), np.sqrt(p / (1 - p))
    assert np.allclose(p * a - (1 - p) * b, 0) and np.allclose(p * a * a + (1 - p) * b * b, 1)


# --- accusing ---------------------------------------------------------------------------------------------------


def test_a_lone_leaker_is_accused_with_a_large_margin_and_nobody_else() -> None:
    code = FingerprintCode(b"lone leaker", [2] * 800)
    result = accuse(code, code.codeword("user042"), RECIPIENTS, EPS)
    assert [who for who, _ in result.accused] == ["user042"]
    assert result.accused[0][1] > 3 * result.threshold
    assert result.scores[1][1] < result.threshold / 2
    assert result.enough and result.positions_read == 800
    assert result.false_accusation_bound < 1e-20
    assert "800 of 800 positions readable" in result.note and "user042" in result.note


@pytest.mark.slow
@pytest.mark.parametrize("c", [2, 3])
def test_coalitions_are_caught_at_the_required_length_and_no_innocent_ever_is(c: int) -> None:
    m = required_length(c, N, EPS)
    rng = np.random.default_rng(c)
    caught = dict.fromkeys(STRATEGIES, 0)
    innocents_accused = 0
    trials = 200
    for trial in range(trials):
        code = FingerprintCode(f"coalition {c} trial {trial}".encode(), [2] * m)
        colluders = RECIPIENTS[trial % (N - c) :][:c]
        copies = code.codewords(colluders)
        for strategy in STRATEGIES:
            result = accuse(code, collude(strategy, copies, rng), RECIPIENTS, EPS)
            accused = {who for who, _ in result.accused}
            caught[strategy] += bool(accused & set(colluders))
            innocents_accused += len(accused - set(colluders))
    assert innocents_accused == 0
    for strategy, count in caught.items():
        assert count >= 0.97 * trials, (strategy, count)


def test_a_short_excerpt_accuses_nobody_and_says_what_accusing_would_carry() -> None:
    m = required_length(3, N, EPS)
    rng = np.random.default_rng(10)
    for trial in range(10):
        code = FingerprintCode(f"excerpt {trial}".encode(), [2] * m)
        leak = collude("majority", code.codewords(RECIPIENTS[:3]), rng)
        start = int(rng.integers(0, m - m // 10))
        excerpt = np.full(m, -1)
        excerpt[start : start + m // 10] = leak[start : start + m // 10]
        result = accuse(code, excerpt, RECIPIENTS, EPS)
        assert result.positions_read == m // 10
        assert not result.enough or (not result.accused and result.false_accusation_bound > EPS)
        assert f"{m // 10} of {m:,} positions readable" in result.note


def test_nothing_or_almost_nothing_readable_accuses_nobody() -> None:
    code = FingerprintCode(b"erased", [2] * 500)
    blank = accuse(code, np.full(500, -1), RECIPIENTS, EPS)
    assert (blank.positions_read, blank.enough, blank.accused, blank.false_accusation_bound) == (0, False, (), 1.0)
    assert math.isinf(blank.threshold) and all(score == 0 for _, score in blank.scores)
    # Five positions agreeing with a copy: P(an innocent agrees everywhere) is far above eps / n.
    few = np.full(500, -1)
    few[:5] = code.codeword("user007")[:5]
    scant = accuse(code, few, RECIPIENTS, EPS)
    assert not scant.enough and not scant.accused and scant.false_accusation_bound > EPS
    assert "too few" in scant.note


def test_an_unrelated_text_accuses_nobody() -> None:
    rng = np.random.default_rng(3)
    alphabet = [2] * 700 + [3] * 50
    for trial in range(20):
        code = FingerprintCode(f"unrelated {trial}".encode(), alphabet)
        result = accuse(code, rng.integers(0, code.alphabet), RECIPIENTS, EPS)
        assert result.enough and not result.accused
        assert result.false_accusation_bound > EPS
        assert [s for _, s in result.scores] == sorted((s for _, s in result.scores), reverse=True)


def test_mixed_alphabets_catch_a_coalition() -> None:
    alphabet = [2] * 500 + [3] * 150 + [4] * 50
    rng = np.random.default_rng(8)
    for trial in range(10):
        code = FingerprintCode(f"mixed {trial}".encode(), alphabet)
        copies = code.codewords(RECIPIENTS[:3])
        assert (copies[:, 500:] >= 2).any()  # the larger alphabets are used
        majority = np.array(
            [np.bincount(col, minlength=4)[: code.alphabet[i]].argmax() for i, col in enumerate(copies.T)]
        )
        pick = copies[rng.integers(0, 3, len(alphabet)), np.arange(len(alphabet))]  # a random copy per position
        for leak in (majority, pick):
            accused = {who for who, _ in accuse(code, leak, RECIPIENTS, EPS).accused}
            assert accused and accused <= set(RECIPIENTS[:3])


# --- the bounds -------------------------------------------------------------------------------------------------


def test_the_bounds_hold_for_innocents_where_a_gaussian_guess_fails() -> None:
    # Leaking the rarest symbol everywhere makes innocents' scores right-skewed: their worst case.
    m = 60
    code = FingerprintCode(b"tails", [2] * m)
    leak = np.where(code.biases > 0, code.biases, 2).argmin(axis=1)
    p = code.leaked_bias(leak)
    innocents = 20_000
    scores = innocent_terms(code, leak, code.codewords([f"i{k}" for k in range(innocents)])).sum(axis=1)
    gaussian_failed = False
    for z in (15.0, 20.0, 25.0, 30.0):
        seen = (scores >= z).mean()
        ours, worst = conditional_tail_bound(z, p), innocent_tail_bound(z, m, code.cutoff)
        assert seen <= ours + 3 * math.sqrt(ours / innocents), z
        assert ours <= worst
        gaussian_failed |= seen > 2 * (1 - NormalDist().cdf(z / math.sqrt(m))) + 3 / innocents
    assert gaussian_failed
    # The threshold for n recipients and eps: n P(innocent >= threshold) <= eps, here at a measurable level.
    cut = float(conditional_threshold(p, 10, 0.05)[0])
    assert (scores >= cut).mean() <= 0.005 + 3 * math.sqrt(0.005 / innocents)
    assert 10 * conditional_tail_bound(cut, p) == pytest.approx(0.05, rel=1e-6)


def test_innocents_against_many_random_leaks_stay_under_the_worst_case_bound() -> None:
    m = 80
    code = FingerprintCode(b"random leaks", [2] * 60 + [3] * 20)
    words = code.codewords([f"i{k}" for k in range(2000)])
    rng = np.random.default_rng(4)
    scores = np.concatenate(
        [innocent_terms(code, rng.integers(0, code.alphabet), words).sum(axis=1) for _ in range(50)]
    )  # 100,000 innocent scores
    for z in (20.0, 30.0, 40.0):
        bound = innocent_tail_bound(z, m, code.cutoff)
        assert (scores >= z).mean() <= bound + 3 * math.sqrt(bound / len(scores)), z
    assert (scores >= 20).mean() > 0  # the check is not vacuous


def test_worst_case_bound_is_tighter_than_bernstein_and_above_the_leak_aware_one() -> None:
    g = math.sqrt((1 - DEFAULT_CUTOFF) / DEFAULT_CUTOFF)
    budget = math.log(1000 / 1e-3)
    for m in (100, 773, 4000):
        cut = threshold(m, 1000, 1e-3, DEFAULT_CUTOFF)
        assert 1000 * innocent_tail_bound(cut, m, DEFAULT_CUTOFF) == pytest.approx(1e-3, rel=1e-6)
        bernstein = budget * g / 3 + math.sqrt((budget * g / 3) ** 2 + 2 * budget * m)
        assert math.sqrt(2 * budget * m) < cut < bernstein
        code = FingerprintCode(f"compare {m}".encode(), [2] * m)
        leak = code.codewords(["a", "b", "c"]).max(axis=0)  # a coalition leaking 1 wherever it can
        assert float(conditional_threshold(code.leaked_bias(leak), 1000, 1e-3)[0]) < cut
    assert threshold(1000, 1000, 1e-4, DEFAULT_CUTOFF) > threshold(1000, 1000, 1e-3, DEFAULT_CUTOFF)
    assert threshold(1000, 10_000, 1e-3, DEFAULT_CUTOFF) > threshold(1000, 1000, 1e-3, DEFAULT_CUTOFF)
    assert math.isinf(threshold(0, 1000, 1e-3, DEFAULT_CUTOFF)) and math.isinf(threshold(2, 1000, 1e-3, 0.003))
    assert innocent_tail_bound(0.0, 100, DEFAULT_CUTOFF) == 1.0 and innocent_tail_bound(1e9, 100, 0.003) == 0.0


def test_lengths() -> None:
    assert reference_lengths(3, 1000, 1e-3) == {"tardos_original": 12_434, "symmetric_asymptote": 614, "capacity": 125}
    assert reference_lengths(5, 1000, 1e-3)["symmetric_asymptote"] == 1_705
    lengths = [required_length(c, 1000, 1e-3) for c in (1, 2, 3, 5)]
    assert lengths == sorted(lengths)
    for c, length in zip((1, 2, 3, 5), lengths, strict=True):
        ref = reference_lengths(c, 1000, 1e-3)
        assert ref["symmetric_asymptote"] < length < ref["tardos_original"] / 10
    assert required_length(3, 1000, 1e-6) > lengths[2] and required_length(3, 1000, 1e-3, catch=0.9) < lengths[2]


def test_what_a_code_cannot_work_with() -> None:
    with pytest.raises(CodeError, match="at least 2 symbols"):
        FingerprintCode(b"k", [2, 1, 2])
    with pytest.raises(CodeError, match="cutoff"):
        FingerprintCode(b"k", [2, 4], cutoff=0.3)
    code = FingerprintCode(b"k", [2, 2, 3])
    with pytest.raises(CodeError, match="3 integers"):
        code.scores(np.array([0, 1]), ["a"])
    with pytest.raises(CodeError, match="erased"):
        code.scores(np.array([0, 2, 2]), ["a"])
    with pytest.raises(CodeError, match="distinct"):
        accuse(code, np.array([0, 1, 2]), ["a", "a"])
    with pytest.raises(CodeError, match="eps"):
        accuse(code, np.array([0, 1, 2]), ["a"], eps=0)
