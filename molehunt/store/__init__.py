"""The embedded analytics store: one DuckDB file under the home directory."""

from molehunt.store.db import Store, open_store

__all__ = ["Store", "open_store"]
