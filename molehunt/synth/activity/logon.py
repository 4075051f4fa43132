"""logon.csv: a Logon at the start and a Logoff at the end of each session; about 1% of logoffs of
ordinary sessions are missing, as in CERT's deliberately dirty data."""

from __future__ import annotations

import numpy as np

from molehunt.synth import strings
from molehunt.synth.activity.sessions import MAIN, Sessions
from molehunt.synth.batch import EventBatch


def logon_events(sessions: Sessions, rng: np.random.Generator) -> EventBatch:
    """Logon/Logoff rows for the day's sessions."""
    keep_off = ~((sessions.kind == MAIN) & (rng.random(len(sessions)) < 0.012))
    n_on, n_off = len(sessions), int(keep_off.sum())
    activity = np.concatenate([np.zeros(n_on, np.int64), np.ones(n_off, np.int64)])
    return EventBatch.of(
        t=np.concatenate([sessions.start, sessions.end[keep_off]]),
        user=np.concatenate([sessions.user, sessions.user[keep_off]]),
        pc=np.concatenate([sessions.pc, sessions.pc[keep_off]]),
        cols=[strings.take(strings.vocab_array(["Logon", "Logoff"]), activity)],
    )
