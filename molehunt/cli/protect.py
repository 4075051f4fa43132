"""`molehunt protect ls|set`: who is at which protection level and why; an analyst's set or lift with a reason."""

from __future__ import annotations

import getpass
import json
from contextlib import closing
from dataclasses import replace
from typing import Annotated

import typer
from rich.table import Table

from molehunt.cli.options import NAMES_HELP, REASON_HELP, home_of, record_shown, reveal_of
from molehunt.cli.ui import data, exit_on_errors, out
from molehunt.protect import Level, Protection

JSON_HELP = 'Print as JSON: [{"user", "level", "since", "reasons"}].'
app = typer.Typer(help="Protection levels per person (none, elevated, high): list, set or lift.", no_args_is_help=True)


def _table(found: list[Protection]) -> Table:
    table = Table(title=f"Protection levels: {len(found)} people above none")
    for name in ("user", "level", "since (UTC)", "set by", "reasons"):
        table.add_column(name, overflow="fold")
    for p in found:
        since = p.since.isoformat(sep=" ", timespec="seconds") if p.since else ""
        table.add_row(data(p.user), p.level.value, since, data(f"{p.source}: {p.set_by}"), data("; ".join(p.reasons)))
    return table


@app.command("ls")
def ls_command(
    ctx: typer.Context,
    names: Annotated[bool, typer.Option("--names", help=NAMES_HELP)] = False,
    reason: Annotated[str | None, typer.Option(help=REASON_HELP)] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print as JSON: [{"user", "level", "since", "reasons"}].')
    ] = False,
) -> None:
    """Everyone above level none, highest first, with why; people by pseudonym unless --names."""
    from molehunt.opstore import connect
    from molehunt.protect import list_levels

    reveal, home = reveal_of(names, reason), home_of(ctx)
    with exit_on_errors():
        with closing(connect(home)) as con:
            found = list_levels(con)
        person = record_shown(home, reveal, "protect ls", [p.user for p in found])
    shown = [replace(p, user=person(p.user)) for p in found]
    if as_json:
        keys = ("user", "level", "since", "reasons")
        out.print_json(json.dumps([{k: v for k, v in p.to_json().items() if k in keys} for p in shown]))
    elif not shown:
        out.print("Nobody is above protection level none.")
    else:
        out.print(_table(shown), soft_wrap=False)


@app.command("set")
def set_command(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(metavar="USER", help="The person's user id.")],
    level: Annotated[Level, typer.Option(help="The level to set: none lifts it.")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the audit log, never shown to the person).")],
) -> None:
    """Set or lift a person's protection level (audited); it stands until the next analyst change or a higher
    raise by the vault's own events."""
    from molehunt.opstore import connect
    from molehunt.workbench.actions import Workbench

    home = home_of(ctx).ensure()
    with exit_on_errors(), closing(connect(home)) as con:
        now = Workbench(home, None, con).set_protection(user, level, reason, by=getpass.getuser())
    out.print(data(f"{now.user} is now at protection level {now.level.value}."))
