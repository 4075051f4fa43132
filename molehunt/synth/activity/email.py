"""email.csv: mail sent (and, in r6.2, viewed) by each user: colleagues mostly, business partners for
sales staff, personal webmail friends for some, and for a few benign users their own personal address.
With a profile that turns them on, forwarders send work attachments to their own webmail on many days and
mass mailers send announcements to dozens of colleagues."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from molehunt.synth import strings, vocab
from molehunt.synth.activity.sessions import MAIN, Sessions, spread
from molehunt.synth.batch import EventBatch
from molehunt.synth.habits import N_CONTACTS
from molehunt.synth.world import World

# (slot, probability given the previous slot of its field is present): to x3, cc x2, bcc x1
SLOTS = ((0, 1.0), (1, 0.4), (2, 0.25), (3, 0.3), (4, 0.3), (5, 0.07))
FIRST_OF_FIELD = (0, 3, 5)
_WORK = strings.vocab_array(vocab.WORK_WORDS)
_PERSONAL = strings.vocab_array(vocab.PERSONAL_WORDS)
_ACT = strings.vocab_array(["Send", "View"])
_ANNOUNCE = strings.vocab_array(vocab.ANNOUNCE_WORDS)


def attachment_column(
    world: World, user: np.ndarray, count: np.ndarray, rng: np.random.Generator
) -> tuple[pa.Array, np.ndarray]:
    """r6.2 attachments 'C:\\path(size);...' (up to two) from each user's documents, and total bytes."""
    n = len(user)
    parts = []
    total = np.zeros(n, dtype=np.int64)
    for k in range(2):
        doc = world.docs.pool[user, rng.integers(0, world.docs.pool.shape[1], n)]
        size = rng.lognormal(11.5, 1.0, n).astype(np.int64) + 1000
        has = count > k
        total += np.where(has, size, 0)
        part = strings.join([strings.take(world.docs.paths_arrow, doc), "(", strings.int_strings(size), ")"], "")
        parts.append(strings.optional(part, has, ";" if k else ""))
    return strings.join(parts, ""), total


def email_columns(
    world: World,
    user: np.ndarray,
    to: pa.Array,
    cc: pa.Array,
    bcc: pa.Array,
    sender: pa.Array,
    view: np.ndarray,
    n_attach: np.ndarray,
    personal: np.ndarray,
    rng: np.random.Generator,
) -> list[pa.Array]:
    """The columns after id,date,user,pc in release order."""
    n = len(user)
    size = rng.lognormal(10.0, 0.7, n).astype(np.int64) + 500
    work = strings.words(_WORK, rng, n, 6)
    chat = strings.words(_PERSONAL, rng, n, 6)
    content = pc.if_else(pa.array(personal), chat, work)
    if world.cfg.is_r6:
        attach, attach_bytes = attachment_column(world, user, n_attach, rng)
        act = strings.take(_ACT, view.astype(np.int64))
        return [to, cc, bcc, sender, act, strings.int_strings(size + attach_bytes), attach, content]
    attach_bytes = (rng.lognormal(11.5, 1.0, n) * n_attach).astype(np.int64)
    return [to, cc, bcc, sender, strings.int_strings(size + attach_bytes), strings.int_strings(n_attach), content]


def email_events(world: World, sessions: Sessions, rng: np.random.Generator) -> EventBatch:
    """The day's benign e-mail rows."""
    h, org = world.habits, world.org
    factor = rng.gamma(3.0, 1 / 3, len(sessions)) * np.minimum(sessions.hours / 8.5, 1.5)
    base = np.where(sessions.kind == MAIN, h.email_rate[sessions.user] * factor, 0.0)
    views = rng.poisson(base * 1.3) if world.cfg.is_r6 else np.zeros(len(sessions), np.int64)
    idx, t = spread(sessions, rng.poisson(base) + views, rng)
    user = sessions.user[idx]
    n = len(idx)
    view = np.zeros(n, dtype=bool)
    if world.cfg.is_r6:  # the last `views` events of each session are views
        ends = np.cumsum(np.bincount(idx, minlength=len(sessions)))
        pos_from_end = ends[idx] - np.arange(n)
        view = pos_from_end <= views[idx]
    slots = []
    personal = np.zeros(n, dtype=bool)
    previous = np.ones(n, dtype=bool)
    for k, p in SLOTS:
        r = rng.random(n)
        contact = h.contacts[user, rng.integers(0, N_CONTACTS, n)]
        partner = world.partner_base + (user * 31 + rng.integers(0, 15, n)) % world.n_partners
        friend = world.friend_base + (user * 17 + rng.integers(0, 6, n)) % world.n_friends
        ext = h.ext_share[user]
        to_friend = (r >= ext) & (r < ext + h.webmail_share[user])
        addr = np.where(r < ext, partner, np.where(to_friend, friend, contact))
        if k == 0:
            self_mail = rng.random(n) < h.self_mail[user]
            addr = np.where(self_mail, world.personal_base + user, addr)
            personal = to_friend | self_mail
        present = rng.random(n) < p
        if k > 0:
            present &= ~personal  # personal mail goes to one person
        if k not in FIRST_OF_FIELD:
            present &= previous
        previous = present
        first = k in FIRST_OF_FIELD
        slots.append(strings.optional(strings.take(world.addresses, addr), present, "" if first else ";"))
    to = strings.join(slots[0:3], "")
    cc = strings.join(slots[3:5], "")
    bcc = slots[5]
    own = strings.take(world.addresses, user)
    if view.any():
        vm = pa.array(view)
        sender = pc.if_else(vm, slots[0], own)
        to = pc.if_else(vm, own, to)
    else:
        sender = own
    attach = np.where(rng.random(n) < h.attach_prob[user], rng.integers(1, 3, n), 0)
    del org
    cols = email_columns(world, user, to, cc, bcc, sender, view, attach, personal, rng)
    return EventBatch.of(t, user, sessions.pc[idx], cols)


def _sent(
    world: World,
    user: np.ndarray,
    pcs: np.ndarray,
    t: np.ndarray,
    to: pa.Array,
    bcc: pa.Array,
    n_attach: np.ndarray,
    rng: np.random.Generator,
) -> tuple[EventBatch, list[pa.Array]]:
    n = len(user)
    cols = email_columns(
        world, user, to, strings.constant("", n), bcc, strings.take(world.addresses, user), np.zeros(n, bool),
        n_attach, np.zeros(n, bool), rng,
    )  # fmt: skip
    return EventBatch.of(t, user, pcs, cols), cols


def forwards(world: World, sessions: Sessions, rng: np.random.Generator) -> EventBatch:
    """Forwarders mailing work documents to their own personal address, to work on them at home."""
    h = world.habits
    on = (sessions.kind == MAIN) & (rng.random(len(sessions)) < h.forward_days[sessions.user])
    idx, t = spread(sessions, np.where(on, 1 + (rng.random(len(sessions)) < 0.3), 0), rng)
    user = sessions.user[idx]
    to = strings.take(world.addresses, world.personal_base + user)
    batch, _ = _sent(
        world, user, sessions.pc[idx], t, to, strings.constant("", len(idx)), rng.integers(1, 3, len(idx)), rng
    )
    return batch


def mass_mails(world: World, sessions: Sessions, day: int, rng: np.random.Generator) -> EventBatch:
    """Announcements from the mass mailers to many employed colleagues, in To or (half the time) in Bcc with
    the sender in To; a third carry an attachment (a newsletter, a form)."""
    h = world.habits
    counts = np.where(sessions.kind == MAIN, rng.poisson(h.mass_mail[sessions.user]), 0)
    idx, t = spread(sessions, counts, rng)
    user = sessions.user[idx]
    staff = np.flatnonzero(world.org.employed(day))
    lists = []
    for u in user:
        others = staff[staff != u]
        k = min(len(others), max(2, round(world.cfg.character.mass_mail_recipients * rng.uniform(0.6, 1.4))))
        lists.append(";".join(world.org.emails[int(v)] for v in np.sort(rng.choice(others, k, replace=False))))
    everyone = pa.array(lists, type=pa.string())
    in_bcc = rng.random(len(idx)) < 0.5
    own = strings.take(world.addresses, user)
    to = pc.if_else(pa.array(in_bcc), own, everyone)
    bcc = strings.optional(everyone, in_bcc)
    attach = (rng.random(len(idx)) < 0.33).astype(np.int64)
    batch, cols = _sent(world, user, sessions.pc[idx], t, to, bcc, attach, rng)
    content = strings.words(_ANNOUNCE, rng, len(idx), 6)
    return EventBatch.of(batch.t, batch.user, batch.pc, [*cols[:-1], content])
