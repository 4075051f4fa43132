"""The embedded analytics store: one DuckDB file under the home directory, and its published snapshots."""

from molehunt.store.db import Store, bound_params, open_store
from molehunt.store.publish import Snapshots, StoreBusy, open_briefly, open_reading, publish, publish_readable

__all__ = [
    "Snapshots",
    "Store",
    "StoreBusy",
    "bound_params",
    "open_briefly",
    "open_reading",
    "open_store",
    "publish",
    "publish_readable",
]
