"""What several commands share: the home the root command resolved, and options parsed the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from molehunt.config import Home

if TYPE_CHECKING:  # the report package pulls in scikit-learn and matplotlib: only the commands that use it load it
    from molehunt.report.reveal import Reveal
    from molehunt.store import Store

# The built-in readers, named in --help without importing them (the readers load pyarrow); a test checks they are
# molehunt.ingest.READERS.
SOURCES = ("cert", "hr", "ocsf")


def home_of(ctx: typer.Context) -> Home:
    """The home directory the root command put in the context (--home, $MOLEHUNT_HOME or ./molehunt-data)."""
    home: Home = ctx.obj
    return home


def day_of(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option as a date (None when not given); a bad value is a usage error naming the option."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a day; use YYYY-MM-DD", param_hint=option) from exc


def store_path_of(ctx: typer.Context, store: Path | None) -> Path:
    """The --store option, else the home's store (the home created when missing)."""
    return store if store is not None else home_of(ctx).ensure().store_path


def reveal_of(names: bool, reason: str | None) -> Reveal | None:
    """--names and --reason as a Reveal (the operating-system user and the reason), or None for pseudonyms."""
    if names and not (reason and reason.strip()):
        raise typer.BadParameter("--names shows real identities: say why with --reason TEXT", param_hint="--reason")
    if reason is not None and not names:
        raise typer.BadParameter("--reason only goes with --names", param_hint="--reason")
    if not (names and reason):
        return None  # the report package loads matplotlib: only a reveal needs it
    import getpass

    from molehunt.report.reveal import Reveal

    return Reveal(getpass.getuser(), reason)


def record_shown(home: Home, reveal: Reveal | None, target: str, user_ids: Iterable[str]) -> Callable[[str], str]:
    """How people are named on the terminal: their pseudonyms, or with a reveal their real ids, recorded first in
    the audit log (action "reveal", out "terminal") with every id about to be shown. AuditError when the log cannot
    take the entry (then nothing is shown)."""
    from molehunt.pseudonyms import Pseudonyms

    if reveal is None:
        return Pseudonyms.for_keys_dir(home.keys_dir).of
    from molehunt.report.reveal import record_reveal

    shown = sorted(set(user_ids))
    if shown:  # nobody shown, nothing revealed
        record_reveal(home, reveal, target, None, shown)
    return str


NAMES_HELP = "Show real user ids instead of pseudonyms (needs --reason; recorded in the audit log)."
REASON_HELP = "Why real ids are needed; recorded in the audit log."


@contextmanager
def read_store(path: Path) -> Iterator[Store]:
    """The store opened read-only, or while an ingest or scoring run holds it, the snapshot it last published,
    with a note on standard error saying so: a read-only command does not fail because the pipeline is running."""
    from molehunt.cli.ui import console
    from molehunt.store import open_reading

    store, generation = open_reading(path)
    if generation is not None:
        console.print(
            "note: an ingest or scoring run is using the store; showing what was published last"
            f" (snapshot {generation})"
        )
    with store:
        yield store
