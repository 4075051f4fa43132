"""Symmetric q-ary Tardos fingerprinting codes: per-recipient codewords from a key, accusation with a rigorous bound.

Each position i of a carrier has an alphabet of ``q_i >= 2`` symbols. Its bias vector ``p_i`` is drawn once per
document from a Dirichlet(kappa, ..., kappa), kappa = 1/q (:func:`kappa`), conditioned on every component being at
least the cutoff ``t`` (:data:`DEFAULT_CUTOFF`). For q = 2 that is Tardos' arcsine density on [t, 1 - t], drawn by
its inverse CDF; larger alphabets are drawn by rejection, so their density is exactly the truncated Dirichlet too.
Recipient r's symbol at position i is drawn from ``p_i``. Biases come from HMAC-SHA512(key, "bias") and r's codeword
from HMAC-SHA512(key, "codeword:" + r), each seeding PCG64, so nothing is stored per recipient.

A leaked copy with symbol y at a readable position scores +sqrt((1 - p)/p) for a recipient whose symbol is y and
-sqrt(p/(1 - p)) otherwise, p = p_iy (Škorić, Katzenbeisser, Celik 2008). For an innocent, whose codeword is
independent of the leak, each term has mean 0 and variance 1 and is at most G = sqrt((1 - t)/t).

Accusations are rigorous for innocents. Given the biases and the leak, an innocent's terms are independent two-point
variables, so the Chernoff bound P(S >= z) <= min_l exp(Lambda(l) - l z) with their exact log-moment generating
function Lambda is valid; a union bound over the n recipients gives the threshold. Without looking at the leak, the
worst case of a term with mean 0, variance 1 and maximum G is the two-point variable {G w.p. t, -1/G w.p. 1 - t}
(Bennett 1962, Hoeffding 1963 Thm 3), which gives :func:`innocent_tail_bound` and :func:`threshold` in closed form.
Both are tighter than Bernstein's exp(-z^2 / (2(m + G z/3))); the leak-aware one is what :func:`accuse` uses.

>>> code = FingerprintCode(b"document key", [2] * 1200 + [3] * 40)
>>> leak = code.codeword("alice")
>>> accuse(code, leak, ["alice", "bob", "carol"]).accused[0][0]
'alice'
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from molehunt.errors import MolehuntError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# The cutoff t: a smaller one lets colluders' rare shared symbols weigh more but fattens innocents' tails. Measured
# with bench/trace.py (n = 1,000, eps = 1e-3, 4,000 trials, catch rate under the worst strategy, minority):
#   t        0.002  0.003  0.005  0.01   (0.001 and 0.02 lower still at 1,000 trials)
#   c=3 m=520  92.8%  93.0%  93.9%  93.6%
#   c=5 m=1400 94.9%  95.0%  94.5%  92.7%
# 0.005 is best for three colluders (the design point) and within noise of the best for five.
DEFAULT_CUTOFF = 0.005


def kappa(q: int) -> float:
    """Dirichlet shape for a q-symbol position: 1/q, a total concentration of 1 as the binary arcsine (1/2, 1/2) has.

    Measured (c = 3, n = 1,000, eps = 1e-3, all-ternary code of 250 positions, 600 trials): worst catch rate over
    majority, minority, random and interleaving 0.86 at kappa 0.2, 0.84 at 1/3, 0.79 at 1/2, 0.50 at 1; quaternary
    (200 positions) 0.95 at 0.2 and 1/4, 0.87 at 1/2. Larger kappa lets the minority attack pick rare symbols that
    every innocent is unlikely to share, which lowers the colluders' scores.
    """
    return 1.0 / q


class CodeError(MolehuntError, ValueError):
    """An alphabet, observation, recipient list or parameter that a fingerprint code cannot work with."""


# --- codes ------------------------------------------------------------------------------------------------------


class _Stream:
    """Uniforms in [0, 1) from PCG64 seeded with all 512 bits of HMAC-SHA512(key, label).

    Only the bit generator is used (raw 64-bit words, top 53 bits as the mantissa), never numpy's distribution
    methods, whose streams numpy may change between releases: a copy handed out today must be traceable for years.
    """

    def __init__(self, key: bytes, label: str) -> None:
        digest = hmac.new(key, label.encode("utf-8"), hashlib.sha512).digest()
        self.bits = np.random.PCG64(np.random.SeedSequence(int.from_bytes(digest, "big")))

    def uniforms(self, count: int) -> FloatArray:
        raw = np.asarray(self.bits.random_raw(count), dtype=np.uint64)
        out: FloatArray = (raw >> np.uint64(11)).astype(np.float64) * 2.0**-53
        return out


def _biases(stream: _Stream, sizes: IntArray, cutoff: float) -> FloatArray:
    """Bias vectors, one row per position, zero-padded to the largest alphabet: Dirichlet(kappa(q)) truncated at
    ``cutoff``. Binary positions first (one uniform each), then each larger alphabet in ascending order."""
    biases = np.zeros((len(sizes), int(sizes.max())))
    binary = np.flatnonzero(sizes == 2)
    # Truncated arcsine by its inverse CDF: p = sin^2(phi), phi uniform on [asin(sqrt t), pi/2 - asin(sqrt t)].
    low = math.asin(math.sqrt(cutoff))
    p = np.sin(low + (math.pi / 2 - 2 * low) * stream.uniforms(len(binary))) ** 2
    biases[binary, 0], biases[binary, 1] = 1 - p, p
    for q in np.unique(sizes[sizes > 2]):
        rows = np.flatnonzero(sizes == q)
        biases[rows, :q] = _truncated_dirichlet(stream, int(q), len(rows), cutoff)
    return biases


def _truncated_dirichlet(stream: _Stream, q: int, count: int, cutoff: float) -> FloatArray:
    """Rejection keeps the truncated density exact (renormalizing would pile mass at the cutoff)."""
    out = np.empty((count, q))
    filled = 0
    for _ in range(10_000):
        if filled == count:
            return out
        batch = 2 * (count - filled) + 16
        gammas = _gammas(stream, kappa(q), batch * q).reshape(batch, q)
        with np.errstate(invalid="ignore"):
            draws = gammas / gammas.sum(axis=1, keepdims=True)
        kept = draws[(draws >= cutoff).all(axis=1)][: count - filled]
        out[filled : filled + len(kept)] = kept
        filled += len(kept)
    raise CodeError(f"cutoff {cutoff} leaves too little of the {q}-symbol Dirichlet to sample from")


def _gammas(stream: _Stream, shape: float, count: int) -> FloatArray:
    """Gamma(shape < 1) variates from uniforms alone: Marsaglia-Tsang (2000) for shape + 1, times U^(1/shape).

    Each attempt takes four uniforms: two for a Box-Muller normal, one to accept, one for the boost.
    """
    d = shape + 2 / 3
    c = 1 / math.sqrt(9 * d)
    out = np.empty(count)
    filled = 0
    while filled < count:
        u = stream.uniforms(4 * (count - filled + 8)).reshape(-1, 4)
        x = np.sqrt(-2 * np.log1p(-u[:, 0])) * np.cos(2 * math.pi * u[:, 1])
        v = (1 + c * x) ** 3
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = (v > 0) & (np.log1p(-u[:, 2]) < x * x / 2 + d - d * v + d * np.log(v))
        kept = (d * v * u[:, 3] ** (1 / shape))[ok][: count - filled]
        out[filled : filled + len(kept)] = kept
        filled += len(kept)
    return out


def _symbols(biases: FloatArray, sizes: IntArray, uniforms: FloatArray) -> IntArray:
    """Inverse-CDF draw per position: symbol s with probability biases[i, s]. uniforms: (..., m)."""
    edges = np.cumsum(biases, axis=1)[:, :-1]
    edges[np.arange(edges.shape[1]) >= (sizes[:, None] - 1)] = np.inf  # never step past a position's last symbol
    symbols = np.zeros(uniforms.shape, dtype=np.int64)
    for j in range(edges.shape[1]):
        symbols += uniforms >= edges[:, j]
    return symbols


class FingerprintCode:
    """A document's code: biases derived from ``key``; codewords derived from ``key`` and the recipient id.

    ``alphabet[i]`` is the number of symbols position i offers (>= 2). The same key, alphabet and cutoff always
    give the same biases, and the same recipient the same codeword.
    """

    def __init__(self, key: bytes, alphabet: Sequence[int], *, cutoff: float = DEFAULT_CUTOFF) -> None:
        sizes = np.asarray(alphabet, dtype=np.int64)
        if sizes.ndim != 1 or len(sizes) == 0 or (sizes < 2).any():
            raise CodeError("alphabet must list at least one position, each with at least 2 symbols")
        if not 0 < cutoff * sizes.max() < 1:
            raise CodeError(f"cutoff must be in (0, 1/{sizes.max()}) for a {sizes.max()}-symbol position")
        if not key:
            raise CodeError("the document key must not be empty")
        self._key = key  # secret: kept off repr and out of any attribute a caller might serialize
        self.cutoff = cutoff
        self.alphabet = sizes
        self.biases = _biases(_Stream(key, "bias"), sizes, cutoff)

    @property
    def length(self) -> int:
        return len(self.alphabet)

    def codeword(self, recipient: str) -> IntArray:
        """The symbols recipient's copy carries, one per position, each in [0, q_i)."""
        word: IntArray = self.codewords([recipient])[0]
        return word

    def codewords(self, recipients: Sequence[str]) -> IntArray:
        """Codewords of ``recipients``, shape (n, m)."""
        uniforms = np.array([_Stream(self._key, f"codeword:{r}").uniforms(self.length) for r in recipients])
        return _symbols(self.biases, self.alphabet, uniforms.reshape(len(recipients), self.length))

    def leaked_bias(self, observed: npt.ArrayLike) -> FloatArray:
        """p_iy for the observed symbol y at each position; NaN where the position was not readable (-1)."""
        leak = self.check(observed)
        read = leak >= 0
        p = np.full(self.length, np.nan)
        p[read] = self.biases[np.flatnonzero(read), leak[read]]
        return p

    def scores(self, observed: npt.ArrayLike, recipients: Sequence[str]) -> FloatArray:
        """Symmetric accusation score of each recipient against the observed (leaked) symbols; -1 = erased."""
        leak = self.check(observed)
        read = np.flatnonzero(leak >= 0)
        if len(read) == 0:
            return np.zeros(len(recipients))
        p = self.biases[read, leak[read]]
        agree = self.codewords(recipients)[:, read] == leak[read]
        out: FloatArray = np.where(agree, np.sqrt((1 - p) / p), -np.sqrt(p / (1 - p))).sum(axis=1)
        return out

    def check(self, observed: npt.ArrayLike) -> IntArray:
        """The observation as an int array, or CodeError if it does not fit this code."""
        leak = np.asarray(observed)
        if leak.shape != (self.length,) or not np.issubdtype(leak.dtype, np.integer):
            raise CodeError(f"observed must be {self.length} integers (symbols, -1 = erased), got {leak.shape}")
        if ((leak < -1) | (leak >= self.alphabet)).any():
            raise CodeError("observed symbols must be -1 (erased) or in [0, q_i) at each position")
        return leak.astype(np.int64)


# --- bounds for innocents ---------------------------------------------------------------------------------------


def _worst_gap(score: float, positions_read: int, cutoff: float) -> float:
    """Share a of worst-case terms at G that reaching ``score`` needs: S >= z iff K >= m a, K ~ Bin(m, t)."""
    g = math.sqrt((1 - cutoff) / cutoff)
    return (score * g + positions_read) / (positions_read * (g * g + 1))


def _kl(a: float, t: float) -> float:
    """Kullback-Leibler divergence of Bernoulli(a) from Bernoulli(t)."""
    return (a * math.log(a / t) if a > 0 else 0.0) + ((1 - a) * math.log((1 - a) / (1 - t)) if a < 1 else 0.0)


def innocent_tail_bound(score: float, positions_read: int, cutoff: float) -> float:
    """An upper bound on P(one innocent scores >= ``score`` over ``positions_read`` positions), any biases and leak.

    Each term has mean 0, variance 1 and is at most G = sqrt((1-t)/t), so its moment generating function is at most
    that of {G w.p. t, -1/G w.p. 1-t}; the Chernoff bound for m of those is exp(-m KL(a || t)).
    """
    if positions_read <= 0 or score <= 0:
        return 1.0
    a = _worst_gap(score, positions_read, cutoff)
    if a > 1:
        return 0.0  # above m G: no codeword scores that much
    return math.exp(-positions_read * _kl(a, cutoff))


def threshold(positions_read: int, recipients: int, eps: float, cutoff: float) -> float:
    """The score above which accusing keeps P(any of ``recipients`` innocents accused) <= eps, for any leak.

    Infinite when no score on that many positions can carry the bound (then nobody can be accused).
    """
    budget = math.log(recipients / eps)
    if positions_read <= 0 or positions_read * math.log(1 / cutoff) <= budget:
        return math.inf
    lo, a = cutoff, 1.0  # m KL(a || t) rises from 0 at a = t to m ln(1/t) at a = 1: bisect, keeping the safe side
    for _ in range(100):
        mid = (lo + a) / 2
        lo, a = (mid, a) if positions_read * _kl(mid, cutoff) < budget else (lo, mid)
    g = math.sqrt((1 - cutoff) / cutoff)
    return float((a * positions_read * (g * g + 1) - positions_read) / g)


@dataclass(frozen=True)
class _Terms:
    """Innocent terms per row: a = sqrt((1-p)/p) with probability p, else -b = -sqrt(p/(1-p)); w counts columns."""

    p: FloatArray
    w: FloatArray
    a: FloatArray
    b: FloatArray

    @classmethod
    def of(cls, p_leaked: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> _Terms:
        p = np.atleast_2d(np.asarray(p_leaked, dtype=np.float64))
        w = np.ones_like(p) if weights is None else np.broadcast_to(np.asarray(weights, np.float64), p.shape)
        w = np.where(np.isfinite(p), w, 0.0)
        p = np.where(w > 0, p, 0.5)  # erased positions weigh nothing; 0.5 keeps the arithmetic finite
        return cls(p, w, np.sqrt((1 - p) / p), np.sqrt(p / (1 - p)))

    def rows(self, keep: npt.NDArray[np.bool_]) -> _Terms:
        return _Terms(self.p[keep], self.w[keep], self.a[keep], self.b[keep])

    def moments(self, lam: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Lambda, Lambda', Lambda'' of the row sums at ``lam`` (one per row), around exp(-lam (a+b)) <= 1."""
        spread = self.a + self.b
        rest = (1 - self.p) * np.exp(-lam[:, None] * spread)
        tilt = self.p / (self.p + rest)  # the tilted probability of a match
        value = (self.w * (lam[:, None] * self.a + np.log(self.p + rest))).sum(axis=1)
        slope = (self.w * (tilt * spread - self.b)).sum(axis=1)
        curve = (self.w * tilt * (1 - tilt) * spread**2).sum(axis=1)
        return value, slope, curve


def _solve_increasing(
    fn: Callable[[FloatArray], tuple[FloatArray, FloatArray]], target: FloatArray, start: FloatArray
) -> FloatArray:
    """Safeguarded Newton for fn(lam) = target with fn increasing on lam > 0, fn(0) <= target; rows independent."""
    lo, hi, lam = np.zeros_like(start), np.full_like(start, np.inf), start.copy()
    for _ in range(100):
        value, slope = fn(lam)
        below = value < target
        lo, hi = np.where(below, lam, lo), np.where(below, hi, lam)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = lam - (value - target) / slope
        inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
        done = np.abs(value - target) <= 1e-10 * (1 + np.abs(target))
        if done.all():
            break
        lam = np.where(done, lam, np.where(inside, newton, np.where(np.isfinite(hi), (lo + hi) / 2, 2 * lam)))
    return lam


def conditional_threshold(
    p_leaked: npt.ArrayLike, recipients: int, eps: float, weights: npt.ArrayLike | None = None
) -> FloatArray:
    """Leak-aware rigorous threshold: min over l > 0 of (Lambda(l) + ln(n/eps)) / l, per row of ``p_leaked``.

    ``p_leaked`` holds p_iy per position (NaN = erased; shape (m,) or (k, m)); ``weights`` (default 1) counts each
    column that many times. Any l gives a valid threshold, so solver precision only costs tightness. The optimum
    solves g(l) = l Lambda'(l) - Lambda(l) = ln(n/eps); g increases from 0 to sum ln(1/p_iy), so the threshold is
    infinite when even a copy agreeing with every readable symbol could not carry the bound (prod p_iy > eps/n).
    """
    terms = _Terms.of(p_leaked, weights)
    budget = math.log(recipients / eps)
    reachable = (terms.w * -np.log(terms.p)).sum(axis=1) > budget * (1 + 1e-9)
    out = np.full(len(terms.p), np.inf)
    if reachable.any():
        live = terms.rows(reachable)

        def g(lam: FloatArray) -> tuple[FloatArray, FloatArray]:
            value, slope, curve = live.moments(lam)
            return lam * slope - value, lam * curve

        start = np.sqrt(2 * budget / np.maximum(live.w.sum(axis=1), 1.0))  # the Gaussian optimum (variance 1 each)
        lam = _solve_increasing(g, np.full(len(start), budget), start)
        out[reachable] = (live.moments(lam)[0] + budget) / lam
    return out


def conditional_tail_bound(score: float, p_leaked: npt.ArrayLike) -> float:
    """Leak-aware upper bound on P(one innocent scores >= ``score``): min over l >= 0 of exp(Lambda(l) - l score)."""
    terms = _Terms.of(p_leaked)
    if score <= 0 or not terms.w.any():
        return 1.0
    if score >= float((terms.w * terms.a).sum()):
        return float(np.exp((terms.w * np.log(terms.p)).sum()))  # the innocent must agree everywhere

    def slope(lam: FloatArray) -> tuple[FloatArray, FloatArray]:
        return terms.moments(lam)[1:]

    lam = _solve_increasing(slope, np.full(1, score), np.full(1, score / terms.w.sum()))
    return min(1.0, math.exp(float(terms.moments(lam)[0][0] - lam[0] * score)))


# --- accusation -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accusation:
    """What a leaked copy says about the recipients, with the false-accusation bound the evidence supports."""

    positions_read: int
    threshold: float  # leak-aware; math.inf when no copy could carry the bound (enough is False)
    eps_target: float  # the total false-accusation probability asked for
    false_accusation_bound: float  # for the accused (<= eps_target); if nobody: what accusing the top scorer carries
    accused: tuple[tuple[str, float], ...]  # (recipient, score), highest first
    scores: tuple[tuple[str, float], ...]  # every recipient, highest first
    enough: bool  # False when no copy could reach the threshold on the readable positions
    note: str


def accuse(code: FingerprintCode, observed: npt.ArrayLike, recipients: Sequence[str], eps: float = 1e-3) -> Accusation:
    """Name the recipients whose score clears the leak-aware threshold for a total false-accusation bound ``eps``.

    ``recipients`` must be everyone who received a copy: the union bound runs over them. The bound holds for any
    leak built without the innocents' copies, whatever the colluders did or which positions were erased.

    Raises CodeError for an empty or repeated recipient list, eps outside (0, 1) or an observation that does not
    fit the code.
    """
    if not recipients or len(set(recipients)) != len(recipients):
        raise CodeError("recipients must be a non-empty list of distinct ids (everyone who received a copy)")
    if not 0 < eps < 1:
        raise CodeError(f"eps must be a probability in (0, 1), got {eps}")
    n = len(recipients)
    p = code.leaked_bias(observed)
    read = int(np.isfinite(p).sum())
    cut = float(conditional_threshold(p, n, eps)[0]) if read else math.inf
    ranked = sorted(zip(recipients, code.scores(observed, recipients).tolist(), strict=True), key=lambda rs: -rs[1])
    accused = tuple((r, s) for r, s in ranked if s >= cut)
    weakest = accused[-1][1] if accused else ranked[0][1]
    bound = min(1.0, n * conditional_tail_bound(weakest, p)) if read else 1.0
    if accused:
        bound = min(bound, eps)  # clearing the threshold carries eps by construction; the tail may be tighter
    enough = math.isfinite(cut)
    return Accusation(
        read,
        cut,
        eps,
        bound,
        accused,
        tuple(ranked),
        enough,
        _note(code, read, cut, eps, accused, ranked, bound, enough),
    )


def _note(
    code: FingerprintCode,
    read: int,
    cut: float,
    eps: float,
    accused: tuple[tuple[str, float], ...],
    ranked: list[tuple[str, float]],
    bound: float,
    enough: bool,
) -> str:
    head = f"{read:,} of {code.length:,} positions readable"
    if not enough:
        return f"{head}: too few for any copy to reach a threshold at {eps:g}; accusing nobody."
    if accused:
        who = ", ".join(f"{r} ({s:.1f})" for r, s in accused[:5]) + (" ..." if len(accused) > 5 else "")
        return (
            f"{head}: {len(accused)} accused above the threshold {cut:.1f} for {eps:g}: {who}; the probability "
            f"that any innocent is among them is at most {bound:.2g}."
        )
    return (
        f"{head}: nobody reaches the threshold {cut:.1f} for {eps:g}; the top candidate {ranked[0][0]} "
        f"({ranked[0][1]:.1f}) would carry a false-accusation bound of {bound:.2g}."
    )


# --- lengths ----------------------------------------------------------------------------------------------------


def reference_lengths(c: int, n: int, eps: float) -> dict[str, int]:
    """Published code lengths for c colluders among n recipients at total false-accusation probability eps."""
    budget = math.log(n / eps)
    return {
        "tardos_original": math.ceil(100 * c * c * budget),
        "symmetric_asymptote": math.ceil(math.pi**2 / 2 * c * c * budget),
        "capacity": math.ceil(2 * c * c * math.log(n)),
    }


def required_length(c: int, n: int, eps: float, cutoff: float = DEFAULT_CUTOFF, *, catch: float = 0.99) -> int:
    """Estimated binary code length at which this implementation catches one of c colluders with probability ``catch``.

    For every symmetric collusion strategy (theta_z = P(leak 1 | z of the c copies carry 1): all 2^(c-1) deterministic
    ones, the coin flip and interleaving, for c <= 10), the coalition's total score per readable position has mean mu
    and spread sigma, computed by quadrature over the truncated arcsine. Its best member scores at least the
    coalition mean, so the estimate is the smallest m with (m mu - k sigma sqrt(m)) / c >= Z(m) for every strategy,
    k the normal quantile of ``catch`` and Z(m) :func:`conditional_threshold` at that strategy's expected leak.
    Erased positions do not count: divide by the share expected to be readable.

    Conservative, since the best colluder usually beats the average: for c = 3, n = 1,000, eps = 1e-3 it says 763,
    where bench/trace.py catches >= 99.9% under every strategy; the measured 99% point is about 630 (the minority
    attack, the hardest, is caught 98.4% of the time at 600 positions and 99.3% at 640).
    """
    if c < 1 or n < 1 or not 0 < eps < 1 or not 0 < cutoff < 0.5 or not 0 < catch < 1:
        raise CodeError("required_length needs c >= 1, n >= 1, eps and catch in (0, 1), cutoff in (0, 1/2)")
    return max(_length_against(theta, n, eps, cutoff, catch) for theta in _strategies(c))


def _strategies(c: int) -> list[tuple[float, ...]]:
    """theta_z for z = 0..c; theta_0 = 0 and theta_c = 1 by the marking assumption."""
    middles = list(product((0.0, 1.0), repeat=c - 1)) if c <= 10 else []
    middles += [tuple(z / c for z in range(1, c)), tuple(0.5 for _ in range(1, c))]
    middles += [tuple(float(z > c / 2) for z in range(1, c)), tuple(float(z < c / 2) for z in range(1, c))]
    return sorted({(0.0, *m, 1.0) for m in middles})


@lru_cache(maxsize=64)
def _quadrature(c: int, cutoff: float) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Nodes p and weights of the truncated arcsine (p = sin^2 phi, phi uniform), P(z | p) and the coalition's
    total score D_z(p) when the leak is 1."""
    x, wq = np.polynomial.legendre.leggauss(400)
    lo = math.asin(math.sqrt(cutoff))
    p = np.sin((math.pi / 2 - 2 * lo) / 2 * x + math.pi / 4) ** 2
    z = np.arange(c + 1)
    pz = np.array([math.comb(c, k) for k in z]) * p[:, None] ** z * (1 - p[:, None]) ** (c - z)
    d = z * np.sqrt((1 - p) / p)[:, None] - (c - z) * np.sqrt(p / (1 - p))[:, None]
    return p, wq / 2, pz, d


@lru_cache(maxsize=4096)
def _length_against(theta: tuple[float, ...], n: int, eps: float, cutoff: float, catch: float) -> int:
    c = len(theta) - 1
    p, wq, pz, d = _quadrature(c, cutoff)
    th = np.asarray(theta)
    mu = float(wq @ (pz * (2 * th - 1) * d).sum(axis=1))
    sigma = math.sqrt(max(float(wq @ (pz * d * d).sum(axis=1)) - mu * mu, 0.0))
    if mu <= 0:
        raise CodeError(f"no length catches this strategy at cutoff {cutoff}")
    # The innocent's view of the leak: the leaked symbol has bias p with weight P(leak 1), 1 - p otherwise.
    cols, weight = np.concatenate([p, 1 - p]), np.concatenate([wq * (pz @ th), wq * (pz @ (1 - th))])
    k = NormalDist().inv_cdf(catch)

    def clears(m: int) -> bool:
        cut = float(conditional_threshold(cols, n, eps, weights=m * weight)[0])
        return (m * mu - k * sigma * math.sqrt(m)) / c >= cut

    lo, hi = 1, 2
    while not clears(hi):
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if clears(mid) else (mid, hi)
    return hi
