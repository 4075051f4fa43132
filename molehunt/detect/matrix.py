"""From the user_day table to the numeric matrix the anomaly scorers read: deviations, larger = worse.

For each feature F two columns:
- F:own, the robust z-score against the user's own trailing history, (F - median) / max(1.4826 * MAD, 1);
- F:peer, the excess over the peer group's same-day median in units of that median, (F - peer) / max(peer, 1).
Only excess is evidence (negative deviations are clipped to 0). A user with little history (fewer than
FULL_HISTORY_DAYS active days in the window) has their own z-score shrunk toward the peer deviation in proportion,
so a new hire's first busy day is judged against colleagues rather than against nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from molehunt.features.catalog import FEATURE_NAMES

FULL_HISTORY_DAYS = 20
MAD_SCALE = 1.4826  # makes the MAD a consistent estimator of the standard deviation under normality
# The user_day columns deviation_matrix reads (an engine scoring elsewhere ships only these).
INPUT_COLUMNS = ("history_days", *(f"{f}{s}" for f in FEATURE_NAMES for s in ("", "__median", "__mad", "__peer")))
# The columns of the matrix: per feature, the deviation from the user's own baseline, then from their peers.
COLUMNS = tuple(f"{f}:{kind}" for f in FEATURE_NAMES for kind in ("own", "peer"))


@dataclass(frozen=True)
class DeviationMatrix:
    values: np.ndarray  # n_user_days x (2 * n_features), float64, >= 0
    columns: tuple[str, ...]  # "F:own" / "F:peer"


def _column(table: pa.Table, name: str, default: float = 0.0) -> np.ndarray:
    array = table[name].to_numpy(zero_copy_only=False)
    return np.nan_to_num(np.asarray(array, dtype=np.float64), nan=default)


def deviation_matrix(table: pa.Table) -> DeviationMatrix:
    """The scorers' input for every row of a user_day table (which must carry the baseline columns)."""
    history = _column(table, "history_days")
    trust = np.clip(history / FULL_HISTORY_DAYS, 0.0, 1.0)
    columns: list[np.ndarray] = []
    for feature in FEATURE_NAMES:
        value = _column(table, feature)
        median = _column(table, f"{feature}__median")
        mad = _column(table, f"{feature}__mad")
        peer = _column(table, f"{feature}__peer", default=np.nan)
        # No peer group that day (too few active peers): no peer evidence either way.
        peer_dev = np.nan_to_num(np.clip((value - peer) / np.maximum(peer, 1.0), 0.0, None), nan=0.0)
        own_dev = np.clip((value - median) / np.maximum(MAD_SCALE * mad, 1.0), 0.0, None)
        columns += [trust * own_dev + (1.0 - trust) * peer_dev, peer_dev]  # in the order of COLUMNS
    return DeviationMatrix(np.column_stack(columns) if columns else np.empty((table.num_rows, 0)), COLUMNS)
