"""The embedded analytics store: one DuckDB file under the home directory."""

from molehunt.store.db import Store, bound_params, open_store

__all__ = ["Store", "bound_params", "open_store"]
