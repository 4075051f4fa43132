"""Test support: a writable copy of a home (the shared scored home is read by many tests and must not change)."""

from __future__ import annotations

import shutil
from pathlib import Path

from molehunt.config import Home


def copy_of(home: Home, root: Path) -> Home:
    """A copy of `home` (store, keys, audit log, demo data) at `root`, which must not exist yet."""
    shutil.copytree(home.root, root)
    return Home(root)
