"""device.csv and the removable-media part of file.csv: thumb-drive connects with disconnects after a
lognormal while (about 2% missing) and file copies while connected. IT staff connect several times a day
and the backup operators copy many files every night: both are benign look-alikes of data theft. With a
profile that turns them on, heavy USB users copy every day (their habits) and benign leavers copy personal
files (photos, music, their own papers) to a thumb drive on a few days before their last day."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from molehunt.synth import strings, vocab
from molehunt.synth.activity.sessions import ADMIN, BACKUP, MAIN, SHARED, Sessions, spread
from molehunt.synth.batch import EventBatch
from molehunt.synth.world import World

_WORK = strings.vocab_array(vocab.WORK_WORDS)
_DIRS = strings.vocab_array([*vocab.PROJECT_SUBDIRS, "Backup", "Docs", "Transfer"])
_DEVICE_ACT = strings.vocab_array(["Connect", "Disconnect"])
_FILE_ACT = strings.vocab_array(["File Open", "File Write", "File Copy", "File Delete"])
_BOOL = strings.vocab_array(["False", "True"])
TYPE_P = np.array(vocab.DOC_TYPE_WEIGHTS) / sum(vocab.DOC_TYPE_WEIGHTS)


def file_tree(rng: np.random.Generator, n: int) -> pa.Array:
    """r6.2 file_tree: 'R:\\;R:\\dir;R:\\dir\\sub' listings of the drive."""
    a, b = strings.pick(_DIRS, rng, n), strings.pick(_DIRS, rng, n)
    return strings.join(["R:\\", strings.join(["R:\\", a], ""), strings.join(["R:\\", a, "\\", b], "")], ";")


def device_columns(world: World, activity: np.ndarray, rng: np.random.Generator) -> list[pa.Array]:
    """[file_tree,] activity columns (activity 0 connect, 1 disconnect)."""
    act = strings.take(_DEVICE_ACT, activity)
    if world.cfg.is_r6:
        tree = strings.optional(file_tree(rng, len(activity)), activity == 0)
        return [tree, act]
    return [act]


def file_columns(
    world: World,
    doc: np.ndarray,
    ftype: np.ndarray,
    activity: np.ndarray,
    to_rm: np.ndarray,
    from_rm: np.ndarray,
    rng: np.random.Generator,
) -> list[pa.Array]:
    """file.csv columns after id,date,user,pc.

    r6.2: documents from the catalog (doc >= 0; copies to removable media are named 'R:\\<name>').
    r4.2: a bare random name like '7XC2RWTD.doc' (doc is ignored).
    """
    n = len(ftype)
    content = strings.join([strings.take(world.magic, ftype), strings.words(_WORK, rng, n, 4)], " ")
    if not world.cfg.is_r6:
        ext = strings.take(strings.vocab_array([e for e, _ in vocab.FILE_TYPES]), ftype)
        name = strings.fixed_width(strings.random_tokens(rng, n, 8))
        return [strings.join([name, ext], "."), content]
    on_drive = strings.join(["R:\\", strings.take(world.docs.names_arrow, doc)], "")
    path = pc.if_else(pa.array(to_rm), on_drive, strings.take(world.docs.paths_arrow, doc))
    return [
        path,
        strings.take(_FILE_ACT, activity),
        strings.take(_BOOL, to_rm.astype(np.int64)),
        strings.take(_BOOL, from_rm.astype(np.int64)),
        content,
    ]


def usb_events(world: World, sessions: Sessions, rng: np.random.Generator) -> tuple[EventBatch, EventBatch]:
    """(device batch, file batch) of the day's benign thumb-drive use."""
    h = world.habits
    rate = h.usb_rate[sessions.user] * np.where((sessions.kind == SHARED) | (sessions.kind == ADMIN), 0.3, 1.0)
    rate = np.where(sessions.kind == MAIN, rate * rng.gamma(3.0, 1 / 3, len(sessions)), rate)
    counts = rng.poisson(rate)
    counts[sessions.kind == BACKUP] = 1
    idx, t_on = spread(sessions, counts, rng)
    backup = sessions.kind[idx] == BACKUP
    t_on = np.where(backup, sessions.start[idx] + 30, t_on)
    dur = rng.lognormal(np.log(900), 0.9, len(idx)).astype(np.int64) + 30
    t_off = np.minimum(t_on + dur, sessions.end[idx] - 1)
    t_off = np.where(backup, sessions.end[idx] - 30, t_off)
    t_off = np.maximum(t_off, t_on + 1)
    has_off = backup | (rng.random(len(idx)) > 0.02)
    n_on, n_off = len(idx), int(has_off.sum())
    user, pc = sessions.user[idx], sessions.pc[idx]
    activity = np.concatenate([np.zeros(n_on, np.int64), np.ones(n_off, np.int64)])
    device = EventBatch.of(
        np.concatenate([t_on, t_off[has_off]]),
        np.concatenate([user, user[has_off]]),
        np.concatenate([pc, pc[has_off]]),
        device_columns(world, activity, rng),
    )
    copies = rng.poisson(np.where(backup, world.cfg.character.backup_files, h.copies_per_connect[user]))
    cidx = np.repeat(np.arange(n_on), copies)
    t = t_on[cidx] + 1 + (rng.random(len(cidx)) * np.maximum(t_off[cidx] - t_on[cidx] - 1, 1)).astype(np.int64)
    cu = user[cidx]
    doc = world.docs.pool[cu, rng.integers(0, world.docs.pool.shape[1], len(cidx))]
    is_it = np.isin(cu, np.flatnonzero(world.org.role_mask("ITAdmin")))
    ftype = np.where(is_it & (rng.random(len(cidx)) < 0.15), vocab.EXE_TYPE, world.docs.ftype[doc])
    if not world.cfg.is_r6:
        ftype = np.where(ftype == vocab.EXE_TYPE, ftype, rng.choice(len(TYPE_P), len(cidx), p=TYPE_P))
    from_rm = rng.random(len(cidx)) < 0.2
    cols = file_columns(world, doc, ftype, np.full(len(cidx), 2), ~from_rm, from_rm, rng)
    return device, EventBatch.of(t, cu, pc[cidx], cols)


def local_file_events(world: World, sessions: Sessions, rng: np.random.Generator) -> EventBatch:
    """r6.2 only: opens, writes, local copies and deletes of documents in each user's working set."""
    h = world.habits
    factor = rng.gamma(2.0, 0.5, len(sessions)) * np.minimum(sessions.hours / 8.5, 1.5)
    rate = np.where(sessions.kind == MAIN, h.file_rate[sessions.user] * factor, 0.0)
    idx, t = spread(sessions, rng.poisson(rate), rng)
    user = sessions.user[idx]
    n = len(idx)
    doc = world.docs.pool[user, rng.integers(0, world.docs.pool.shape[1], n)]
    activity = rng.choice(4, size=n, p=[0.6, 0.25, 0.08, 0.07])
    false = np.zeros(n, dtype=bool)
    cols = file_columns(world, doc, world.docs.ftype[doc], activity, false, false, rng)
    return EventBatch.of(t, user, sessions.pc[idx], cols)


# personal file types a leaver takes home: photos mostly, then papers and archives (indices into FILE_TYPES)
PERSONAL_TYPES = np.array([4, 2, 1, 0, 3, 5])
PERSONAL_TYPE_P = np.array([0.45, 0.15, 0.12, 0.1, 0.1, 0.08])
_PERSONAL_WORDS = strings.vocab_array(vocab.PERSONAL_WORDS)


def personal_copies(
    world: World, sessions: Sessions, day: int, rng: np.random.Generator
) -> tuple[EventBatch, EventBatch]:
    """(device batch, file batch): benign leavers copying their personal files to a thumb drive today."""
    h = world.habits
    main = np.flatnonzero((sessions.kind == MAIN) & (h.personal_copy[sessions.user, day] > 0))
    user, pcs = sessions.user[main], sessions.pc[main]
    span = np.maximum(sessions.end[main] - sessions.start[main] - 3600, 60)
    t_on = sessions.start[main] + 300 + (rng.random(len(main)) * span).astype(np.int64)
    k = h.personal_copy[user, day]
    t_off = t_on + 120 + 20 * k + rng.integers(60, 900, len(main))
    device = EventBatch.of(
        np.concatenate([t_on, t_off]),
        np.concatenate([user, user]),
        np.concatenate([pcs, pcs]),
        device_columns(world, np.repeat(np.array([0, 1]), len(main)), rng),
    )
    cidx = np.repeat(np.arange(len(main)), k)
    n = len(cidx)
    t = t_on[cidx] + 30 + (rng.random(n) * (t_off[cidx] - t_on[cidx] - 60)).astype(np.int64)
    cu = user[cidx]
    own_work = rng.random(n) < 0.15  # a few of their own work papers among the personal files
    doc = world.docs.pool[cu, rng.integers(0, world.docs.pool.shape[1], n)]
    ftype = np.where(own_work, world.docs.ftype[doc], rng.choice(PERSONAL_TYPES, n, p=PERSONAL_TYPE_P))
    act = np.full(n, 2)
    to_rm, from_rm = np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    cols = file_columns(world, doc, ftype, act, to_rm, from_rm, rng)
    if world.cfg.is_r6:  # personal files are not in the document catalog: name them from the user's folders
        ext = strings.take(strings.vocab_array([e for e, _ in vocab.FILE_TYPES]), ftype)
        name = strings.join([strings.fixed_width(strings.random_tokens(rng, n, 8)), ext], ".")
        personal = strings.join(["R:\\", name], "")
        cols[0] = pc.if_else(pa.array(own_work), cols[0], personal)
    chat = strings.join([strings.take(world.magic, ftype), strings.words(_PERSONAL_WORDS, rng, n, 4)], " ")
    cols[-1] = pc.if_else(pa.array(own_work), cols[-1], chat)
    return device, EventBatch.of(t, cu, pcs[cidx], cols)
