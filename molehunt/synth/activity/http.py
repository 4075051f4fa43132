"""http.csv: web visits drawn from each user's favourite real sites (Zipf over ranks), with job-site,
cloud-storage and download-site habits mixed in; r6.2 adds WWW Visit/Download/Upload. With a profile that
has security analysts, they visit hacking / keylogger sites and download tools on many working days."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from molehunt.synth import strings, vocab
from molehunt.synth.activity.sessions import MAIN, Sessions, spread
from molehunt.synth.batch import EventBatch
from molehunt.synth.habits import N_FAVORITES, domains_of
from molehunt.synth.world import World

RANK_P = 1.0 / np.arange(1, N_FAVORITES + 1) ** 1.1
RANK_P /= RANK_P.sum()
KEYWORDS = [w for _, (name, _) in enumerate(vocab.WEB_CATEGORIES) for w in vocab.CATEGORY_KEYWORDS[name]]
KW_SIZE = np.array([len(vocab.CATEGORY_KEYWORDS[name]) for name, _ in vocab.WEB_CATEGORIES])
KW_OFF = np.concatenate([[0], np.cumsum(KW_SIZE)[:-1]])
DOWNLOAD_P = np.array([0.01] * len(vocab.WEB_CATEGORIES))
UPLOAD_P = np.zeros(len(vocab.WEB_CATEGORIES))
DOWNLOAD_P[vocab.CATEGORY_INDEX["download"]] = 0.5
DOWNLOAD_P[vocab.CATEGORY_INDEX["hacking"]] = 0.3
UPLOAD_P[vocab.CATEGORY_INDEX["cloud"]] = 0.2
UPLOAD_P[vocab.CATEGORY_INDEX["social"]] = 0.02
_KW = strings.vocab_array(KEYWORDS)
_PATH = strings.vocab_array(vocab.PATH_WORDS)
_ACT = strings.vocab_array(["WWW Visit", "WWW Download", "WWW Upload"])


def http_columns(world: World, domain: np.ndarray, activity: np.ndarray, rng: np.random.Generator) -> list[pa.Array]:
    """url[, activity], content columns for given domain indices (activity 0 visit, 1 download, 2 upload)."""
    n = len(domain)
    cat = world.domain_cat[domain]
    kw = [KW_OFF[cat] + (rng.random(n) * KW_SIZE[cat]).astype(np.int64) for _ in range(5)]
    url = strings.join(
        ["http:/", strings.take(world.domains, domain), strings.pick(_PATH, rng, n), strings.take(_KW, kw[0])],
        "/",
    )
    url = strings.join([url, ".html"], "")
    content = strings.join([strings.take(_KW, k) for k in kw[1:]], " ")
    if world.cfg.is_r6:
        return [url, strings.take(_ACT, activity), content]
    return [url, content]


def _replace(domain: np.ndarray, mask: np.ndarray, choices: np.ndarray, rng: np.random.Generator) -> None:
    domain[mask] = choices[rng.integers(0, len(choices), int(mask.sum()))]


def http_events(world: World, day: int, sessions: Sessions, rng: np.random.Generator) -> EventBatch:
    """The day's benign web rows."""
    h = world.habits
    factor = rng.gamma(4.0, 0.25, len(sessions)) * np.minimum(sessions.hours / 8.5, 1.5)
    rate = np.where(sessions.kind == MAIN, h.http_rate[sessions.user] * factor, 0.0)
    idx, t = spread(sessions, rng.poisson(rate), rng)
    user = sessions.user[idx]
    n = len(idx)
    domain = h.favorites[user, rng.choice(N_FAVORITES, size=n, p=RANK_P)]
    r = rng.random(n)
    _replace(domain, (r < h.job_share[user]) & (day >= h.job_from_day[user]), domains_of("job"), rng)
    r = rng.random(n)
    _replace(domain, r < h.cloud_share[user], domains_of("cloud"), rng)
    _replace(domain, rng.random(n) < 0.004, domains_of("download"), rng)
    cat = world.domain_cat[domain]
    r = rng.random(n)
    activity = np.where(r < DOWNLOAD_P[cat], 1, np.where(r > 1 - UPLOAD_P[cat], 2, 0))
    return EventBatch.of(t, user, sessions.pc[idx], http_columns(world, domain, activity, rng))


def security_visits(world: World, sessions: Sessions, rng: np.random.Generator) -> EventBatch:
    """The security analysts' work-day visits to hacking and keylogger sites: reading up on tools and
    downloading them to test (a third of the rows are downloads)."""
    h = world.habits
    on = (sessions.kind == MAIN) & (rng.random(len(sessions)) < h.security_days[sessions.user])
    rate = np.where(on, world.cfg.character.security_visits, 0.0)
    idx, t = spread(sessions, rng.poisson(rate), rng)
    hacking = domains_of("hacking")
    domain = hacking[rng.integers(0, len(hacking), len(idx))]
    activity = np.where(rng.random(len(idx)) < 0.3, 1, 0)
    return EventBatch.of(t, sessions.user[idx], sessions.pc[idx], http_columns(world, domain, activity, rng))
