"""Where molehunt keeps its state: one home directory, chosen by --home, MOLEHUNT_HOME or ./molehunt-data."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "MOLEHUNT_HOME"
DEFAULT_HOME = "molehunt-data"
STORE_FILE = "molehunt.duckdb"


@dataclass(frozen=True)
class Home:
    """The home directory and the paths of what lives in it."""

    root: Path

    @property
    def store_path(self) -> Path:
        return self.root / STORE_FILE

    @property
    def audit_dir(self) -> Path:
        """The tamper-evident audit log (molehunt.audit)."""
        return self.root / "audit"

    @property
    def keys_dir(self) -> Path:
        """Signing, pseudonym and vault keys."""
        return self.root / "keys"

    def ensure(self) -> Home:
        self.root.mkdir(parents=True, exist_ok=True)
        return self


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Home:
    """The home from an explicit path, else $MOLEHUNT_HOME, else ./molehunt-data (not created here)."""
    chosen = explicit if explicit is not None else os.environ.get(HOME_ENV) or DEFAULT_HOME
    return Home(Path(chosen).expanduser().resolve())
