"""The `molehunt vault` commands: thin wrappers over molehunt.vault.service, one library call each.

The parent app puts a molehunt.config.Home in ctx.obj; errors print one red line and exit 2 (a denial too); a read
or checkout held for a second person's approval prints `held for approval: request ID` and exits 3.

Naming another user (`--as`, `--for`) is an administrator's impersonation: only the operating-system user who owns
the home may run these commands, and every audit entry they write records `impersonated_by: <os user>`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from molehunt.cli.ui import exit_on_errors
from molehunt.config import Home

if TYPE_CHECKING:  # the vault loads cryptography, DuckDB and the PDF carriers: only its commands pay for them
    from molehunt.vault.protection import Request
    from molehunt.vault.service import Vault

app = typer.Typer(help="The document vault: clearances, labelled encrypted documents, checkouts, decoys.")


@contextmanager
def _vault(ctx: typer.Context, *, admin: bool = False) -> Iterator[Vault]:
    """The home's vault; `admin` commands (grant, revoke, add, decoy) publish the store after they succeed, so a
    running dashboard sees the change (reads and checkouts do not: their events reach it with the next run)."""
    from molehunt.store import publish
    from molehunt.vault.errors import VaultHeld
    from molehunt.vault.protection import administrator
    from molehunt.vault.service import open_vault

    home: Home = ctx.obj
    with exit_on_errors():
        by = administrator(home.ensure())
        try:
            with open_vault(home, impersonated_by=by) as vault:
                yield vault
                if admin:
                    publish(vault.store)
        except VaultHeld as held:  # recorded by the vault; the person is told only that it needs approval
            typer.echo(f"held for approval: request {held.request_id}")
            raise typer.Exit(3) from None


@app.command("grant")
def grant_command(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="Account to clear.")],
    clearance: Annotated[str, typer.Option(help="LEVEL[:C1,C2], e.g. 'SECRET:CRYPTO'.")],
    projects: Annotated[str, typer.Option(help="Comma-separated projects the user needs to know.")] = "",
    approver: Annotated[
        bool, typer.Option("--approver", help="May approve others' held reads and checkouts (never their own).")
    ] = False,
) -> None:
    """Give USER a clearance and project memberships (replacing any earlier grant)."""
    with _vault(ctx, admin=True) as vault:
        subject = vault.grant(user, clearance, projects.split(","), approver=approver)
    role = " approver" if approver else ""
    typer.echo(f"{subject.user_id}: {subject.clearance} projects={','.join(sorted(subject.projects))}{role}")


@app.command("revoke")
def revoke_command(ctx: typer.Context, user: Annotated[str, typer.Argument(help="Account to revoke.")]) -> None:
    """Remove USER's clearance."""
    with _vault(ctx, admin=True) as vault:
        vault.revoke(user)
    typer.echo(f"{user}: revoked")


@app.command("add")
def add_command(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="Document to add: text (by content, whatever its name), Markdown, Word (.docx) or PDF; each copy"
            " carries its recipient's fingerprint."
        ),
    ],
    label: Annotated[str, typer.Option(help="LEVEL[:C1,C2], no lower than the writer's level.")],
    project: Annotated[str, typer.Option(help="Owning project (need-to-know).")],
    as_user: Annotated[str, typer.Option("--as", help="Writer's account.")],
    allow_unmarked: Annotated[
        bool,
        typer.Option(
            "--allow-unmarked",
            help="Keep a file that cannot carry a fingerprint (image, archive, legacy .doc, image-only PDF); its"
            " copies cannot be traced and say so.",
        ),
    ] = False,
) -> None:
    """Encrypt FILE into the vault and print its document id."""
    with _vault(ctx, admin=True) as vault:
        doc_id = vault.add(file, label, project, as_user=as_user, allow_unmarked=allow_unmarked)
    typer.echo(doc_id)


@app.command("ls")
def ls_command(ctx: typer.Context, as_user: Annotated[str, typer.Option("--as", help="Reader's account.")]) -> None:
    """List the documents the user may read: id, label, project, type, size, title (tab-separated)."""
    with _vault(ctx) as vault:
        docs = vault.ls(as_user=as_user)
    if not docs:
        typer.echo(f"No documents {as_user} may read.", err=True)  # stdout stays tab-separated rows only
    for doc in docs:
        typer.echo(f"{doc.doc_id}\t{doc.label}\t{doc.project}\t{doc.content_type}\t{doc.size}\t{doc.title}")


@app.command("read")
def read_command(
    ctx: typer.Context,
    doc_id: Annotated[str, typer.Argument(help="Document id (from `vault ls`).")],
    as_user: Annotated[str, typer.Option("--as", help="Reader's account.")],
) -> None:
    """Print the document's content; a denial exits 2 with the reason."""
    with _vault(ctx) as vault:
        copy = vault.read_copy(doc_id, as_user=as_user)
    sys.stdout.buffer.write(copy.data)
    sys.stdout.flush()
    if not copy.fingerprinted and copy.warning:
        typer.echo(f"warning: {copy.warning}", err=True)  # on stderr: stdout stays the document


@app.command("checkout")
def checkout_command(
    ctx: typer.Context,
    doc_id: Annotated[str, typer.Argument(help="Document id (from `vault ls`).")],
    for_user: Annotated[str, typer.Option("--for", help="Recipient's account (the copy is recorded as theirs).")],
    out: Annotated[Path, typer.Option(help="New file to write the copy to.")],
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Render a text document as PDF (the fingerprint survives).")
    ] = False,
) -> None:
    """Write the recipient's own fingerprinted copy of a document."""
    with _vault(ctx) as vault:
        done = vault.checkout(doc_id, for_user=for_user, out_path=out, pdf=pdf)
    marked = "fingerprinted" if done.fingerprinted else "not fingerprinted"
    typer.echo(f"{done.doc_id} -> {done.out} for {done.recipient} ({marked})")
    if done.warning:
        typer.echo(f"warning: {done.warning}", err=True)


@app.command("decoy")
def decoy_command(
    ctx: typer.Context,
    project: Annotated[str, typer.Option(help="Project to plant decoys in.")],
    count: Annotated[int, typer.Option(min=1, help="How many decoys.")] = 3,
) -> None:
    """Plant believable decoy documents; any touch of one is recorded."""
    with _vault(ctx, admin=True) as vault:
        ids = vault.plant_decoys(project, count)
    for doc_id in ids:
        typer.echo(doc_id)


@app.command("verify")
def verify_command(ctx: typer.Context) -> None:
    """Check every clearance and document label in the store against the audit log; exit 1 on a disagreement."""
    with _vault(ctx) as vault:
        problems = vault.verify()
    for problem in problems:
        typer.echo(f"store tampered: {problem}")
    if problems:
        raise typer.Exit(1)
    typer.echo("ok: every clearance and document label in the store is the one the audit log records")


@app.command("requests")
def requests_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of {id, user, doc_id, action, state}.")] = False,
) -> None:
    """List reads and checkouts held for a second person's approval, newest first: id, user, document, action,
    state (tab-separated)."""
    with _vault(ctx) as vault:
        found = vault.requests()
    if as_json:
        typer.echo(json.dumps([request.to_json() for request in found], indent=2))
        return
    if not found:
        typer.echo("No held requests.", err=True)
    for r in found:
        typer.echo(f"{r.id}\t{r.user}\t{r.doc_id}\t{r.action}\t{r.state}")


RequestId = Annotated[str, typer.Argument(help="Request id (from `vault requests`).")]
Approver = Annotated[str, typer.Option("--as", help="Approver's account (granted with --approver).")]
Reason = Annotated[str, typer.Option(help="Why (recorded in the audit log).")]


@app.command("approve")
def approve_command(ctx: typer.Context, request_id: RequestId, as_user: Approver, reason: Reason) -> None:
    """Approve another person's held request: their same read or checkout succeeds once within 24 hours."""
    with _vault(ctx) as vault:
        _say_settled(vault.approve(request_id, by=as_user, reason=reason))


@app.command("deny")
def deny_command(ctx: typer.Context, request_id: RequestId, as_user: Approver, reason: Reason) -> None:
    """Refuse another person's held request."""
    with _vault(ctx) as vault:
        _say_settled(vault.deny(request_id, by=as_user, reason=reason))


def _say_settled(done: Request) -> None:
    typer.echo(f"{done.id}: {done.state} ({done.action} {done.doc_id} for {done.user})")
