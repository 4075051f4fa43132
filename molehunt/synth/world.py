"""Everything the daily generators read: config, org, habits, documents and shared vocabularies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from molehunt.synth import strings, vocab
from molehunt.synth.config import SynthConfig
from molehunt.synth.docs import Docs
from molehunt.synth.habits import Habits, domain_table
from molehunt.synth.org import Org


@dataclass(frozen=True)
class World:
    """Read-only inputs of the daily generators."""

    cfg: SynthConfig
    org: Org
    habits: Habits
    docs: Docs
    weekend: np.ndarray
    holiday: np.ndarray
    domains: pa.Array
    domain_cat: np.ndarray
    addresses: pa.Array  # internal emails, then partners, then webmail friends, then users' personal
    n_partners: int
    n_friends: int
    magic: pa.Array  # hex magic per file type

    @property
    def partner_base(self) -> int:
        return self.org.n

    @property
    def friend_base(self) -> int:
        return self.org.n + self.n_partners

    @property
    def personal_base(self) -> int:
        return self.org.n + self.n_partners + self.n_friends


def _outside_people(rng: np.random.Generator, count: int, domains: tuple[str, ...], sep: str) -> list[str]:
    out = []
    for _ in range(count):
        first = vocab.FIRST_NAMES[int(rng.integers(len(vocab.FIRST_NAMES)))]
        last = vocab.LAST_NAMES[int(rng.integers(len(vocab.LAST_NAMES)))]
        domain = domains[int(rng.integers(len(domains)))]
        suffix = "" if sep == "." else str(int(rng.integers(1, 999)))
        out.append(f"{first}{sep}{last}{suffix}@{domain}".lower() if sep != "." else f"{first}.{last}@{domain}")
    return out


def build_world(cfg: SynthConfig, org: Org, habits: Habits, docs: Docs, rng: np.random.Generator) -> World:
    """Assemble the World, drawing the outside address book (partners, personal friends)."""
    from molehunt.synth.dates import day_kinds

    weekend, holiday = day_kinds(cfg.start, cfg.days)
    domains, cats = domain_table()
    partners = _outside_people(rng, max(100, org.n // 2), vocab.BUSINESS_DOMAINS, ".")
    friends = _outside_people(rng, max(100, org.n // 2), vocab.WEBMAIL_DOMAINS, "")
    return World(
        cfg=cfg,
        org=org,
        habits=habits,
        docs=docs,
        weekend=weekend,
        holiday=holiday,
        domains=strings.vocab_array(domains),
        domain_cat=cats,
        addresses=strings.vocab_array(org.emails + partners + friends + org.personal_emails),
        n_partners=len(partners),
        n_friends=len(friends),
        magic=strings.vocab_array([m for _, m in vocab.FILE_TYPES]),
    )
