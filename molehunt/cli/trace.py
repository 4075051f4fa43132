"""`molehunt trace LEAKED_FILE`: who the leaked copy came from, with the bound behind the accusation."""

from __future__ import annotations

import getpass
import json
import math
from pathlib import Path
from typing import Annotated

import typer

from molehunt.cli.ui import exit_on_errors, out
from molehunt.config import Home

SHOWN = 10  # recipients listed in the table (all of them with --json)


def trace_command(
    ctx: typer.Context,
    leaked_file: Annotated[
        Path,
        typer.Argument(
            help="The leaked copy: text, Markdown, Word (.docx), PDF, a page image (PNG, JPEG, TIFF) or a folder of"
            " page images; an excerpt will do."
        ),
    ],
    doc: Annotated[
        str | None, typer.Option(help="The vault document it came from (default: matched by content).")
    ] = None,
    eps: Annotated[
        float | None,
        typer.Option(
            help="Total false-accusation probability allowed over all recipients (default: the vault's design"
            " bound, 1e-5).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Name the recipients a leaked copy came from (recorded in the audit log)."""
    from rich.table import Table

    if eps is not None and not 0 < eps < 1:
        raise typer.BadParameter(f"{eps:g} is not a probability between 0 and 1 (exclusive)", param_hint="--eps")
    from molehunt.store import open_store
    from molehunt.trace.marking import DESIGN_EPS
    from molehunt.vault.service import Vault
    from molehunt.vault.tracing import trace_leak

    home: Home = ctx.obj
    bound = DESIGN_EPS if eps is None else eps
    with exit_on_errors(), open_store(home.ensure().store_path) as store:
        result = trace_leak(Vault(home, store), leaked_file, doc_id=doc, actor=getpass.getuser(), eps=bound)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
        return
    found = result.accusation
    out.print(
        f"[bold]{result.title}[/] ({result.doc_id}, matched by {result.matched_by})\n"
        f"{found.positions_read:,} of {result.positions:,} fingerprint positions readable; "
        f"{result.recipients} recipient(s) had a copy; threshold {found.threshold:.1f} for a total false-accusation "
        f"bound of {found.eps_target:g}"
        if math.isfinite(found.threshold)
        else f"{result.recipients} recipient(s) had a copy; too little is readable for any threshold",
        highlight=False,
    )
    table = Table(title="Recipients by score")
    for name in ("recipient", "score", "accused"):
        table.add_column(name, justify="right" if name == "score" else "left")
    accused = {user for user, _ in found.accused}
    for user, score in found.scores[:SHOWN]:
        table.add_row(user, f"{score:.1f}", "[bold red]yes[/]" if user in accused else "")
    out.print(table)
    out.print(found.note, highlight=False)
