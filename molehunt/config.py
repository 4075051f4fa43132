"""Where molehunt keeps its state: one home directory, chosen by --home, MOLEHUNT_HOME or ./molehunt-data.

Everything under the home is the owner's alone (folders 0700, files 0600): the store holds password hashes, real
user ids and labels. A home found readable by group or others is made private when molehunt starts on it (the
caller is told what was changed), or refused when that cannot be done (docs/security.md)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from molehunt.errors import MolehuntError
from molehunt.outputs import private_umask

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
        """Create the home (0700) if missing and make everything in it private; see `secure`."""
        private_umask()
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.secure()
        return self

    def secure(self) -> list[Path]:
        """Make the home private: every folder in it 0700 at most and every file 0600 at most (owner bits kept;
        symbolic links are not followed). Returns what was changed. MolehuntError when something cannot be changed
        (another user's file), or for a key file under keys/ that others could read (as molehunt.keyfiles refuses
        it), with the command that fixes it."""
        changed = []
        for path in _walk(self.root):
            try:
                mode = stat.S_IMODE(path.lstat().st_mode)
            except FileNotFoundError:
                continue  # gone since the walk: another process's temporary file (a WAL, a snapshot being copied)
            if mode & 0o077 and path.parent == self.keys_dir and path.is_file():
                # A key that others could read may have been copied: it must be replaced, not quietly hidden.
                raise MolehuntError(f"{path}: key file mode is {mode:o}; run `chmod 600 {path}` and retry")
            if mode & 0o077:
                try:
                    os.chmod(path, mode & 0o700, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise MolehuntError(
                        f"{path} is readable by group or others (mode {mode:o}) and cannot be made private"
                        f" ({exc.strerror}): run `chmod -R go-rwx {self.root}` as its owner and retry"
                    ) from None
                changed.append(path)
        return changed


def _walk(root: Path) -> list[Path]:
    """The home and everything under it that is not a symbolic link (a link's target is not the home's to change)."""
    if not root.is_dir() or root.is_symlink():
        return []
    found = [root]
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        found += [base / name for name in (*dirs, *files) if not (base / name).is_symlink()]
    return found


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Home:
    """The home from an explicit path, else $MOLEHUNT_HOME, else ./molehunt-data (not created here)."""
    chosen = explicit if explicit is not None else os.environ.get(HOME_ENV) or DEFAULT_HOME
    return Home(Path(chosen).expanduser().resolve())
