"""`molehunt audit`: sign, export, verify and prove the tamper-evident audit log in the home directory.

The log lives in ``HOME/audit`` and its Ed25519 signing key in ``HOME/keys`` (created on first use). The audit
modules are imported inside the commands, so that starting the CLI does not load them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from molehunt.cli.options import NAMES_HELP, REASON_HELP, day_of, record_shown, reveal_of
from molehunt.cli.ui import audit_table, console, exit_on_errors, out
from molehunt.pseudonyms import PREFIX as PSEUDONYM_PREFIX

if TYPE_CHECKING:
    from molehunt.audit import AuditLog, Report
    from molehunt.config import Home

_EXACT_KINDS = frozenset({"entry", "framing", "incomplete-tail"})

audit_app = typer.Typer(
    help="Tamper-evident audit log: signed checkpoints, whole-log verification, inclusion proofs.",
    no_args_is_help=True,
)


@contextmanager
def _open(ctx: typer.Context, *, existing: bool = False) -> Iterator[AuditLog]:
    """Open the home's audit log; with ``existing`` (verify, entry), refuse to create one and sign nothing."""
    from molehunt.audit import AuditError, AuditLog

    home: Home = ctx.obj
    directory = home.audit_dir
    if existing and not directory.is_dir():
        raise AuditError(f"no audit log at {directory}")
    with AuditLog.open(directory, home.keys_dir, checkpoint_on_close=not existing) as log:
        yield log


def _print_json(obj: Any) -> None:
    out.print_json(json.dumps(obj))


@audit_app.command("checkpoint")
def checkpoint_command(
    ctx: typer.Context,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="Also write the checkpoint and the public key to FILE for a witness to keep."),
    ] = None,
    since: Annotated[
        list[int] | None,
        typer.Option(
            "--since", metavar="SIZE", min=0, help="With --export: add a consistency proof from SIZE entries."
        ),
    ] = None,
) -> None:
    """Sign a checkpoint of the current log (tree size, root hash, time) and print it."""
    from molehunt.audit import keys

    with exit_on_errors(), _open(ctx) as log:
        signed = log.checkpoint()
        if export is not None:
            log.export_checkpoint(export, since or ())
        public = keys.public_bytes(log.public_key).hex()
    out.print(
        f"Checkpoint: {signed.tree_size:,} entries, root {signed.root_hash.hex()}", highlight=False, soft_wrap=True
    )
    out.print(f"Signed at {signed.time} by key {signed.key_id}", highlight=False, soft_wrap=True)
    if export is not None:
        out.print(
            f"Exported to {export} with public key {public}; keep it outside this machine.",
            highlight=False,
            soft_wrap=True,
        )


def damaged_entry(report: Report) -> int | None:
    """The first entry whose own bytes or framing fail, or None.

    ``Report.first_bad_entry`` is the first entry not proven intact; when a checkpoint's root disagrees that is
    the start of its interval, which can be well before the entry whose bytes are actually broken.
    """
    exact = [p.first_entry for p in report.problems if p.kind in _EXACT_KINDS and p.first_entry is not None]
    return min(exact) if exact else None


def report_json(report: Report) -> dict[str, Any]:
    """The verification report as JSON: counts, ``ok``, ``first_bad_entry``, ``damaged_entry``, every problem."""
    return {
        "ok": report.ok,
        "entries": report.entries,
        "checkpoints": report.checkpoints,
        "verified_size": report.verified_size,
        "uncovered": report.uncovered,
        "tail_bytes": report.tail_bytes,
        "first_bad_entry": report.first_bad_entry,
        "damaged_entry": damaged_entry(report),
        "problems": [{"kind": p.kind, "message": p.message, "first_entry": p.first_entry} for p in report.problems],
    }


@audit_app.command("verify")
def verify_command(
    ctx: typer.Context,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="A witness home (or its copy file), or a file from `audit checkpoint --export`: prove the log"
            " extends the checkpoint it holds.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Re-read the whole log and check every entry and checkpoint; exit 2 and name the first bad entry on failure."""
    from molehunt.audit.witness import load_witnessed

    with exit_on_errors(), _open(ctx, existing=True) as log:
        witnessed = load_witnessed(against, log.public_key) if against is not None else None
        report = log.verify(against=witnessed)  # a witness signed by another key is reported as a problem
    if as_json:
        _print_json(report_json(report))
    else:
        out.print(
            f"entries: {report.entries:,}, checkpoints: {report.checkpoints:,}, proven by a checkpoint: "
            f"{report.verified_size:,}, not covered by any checkpoint yet: {report.uncovered:,}"
            + (f", incomplete tail: {report.tail_bytes} bytes" if report.tail_bytes else ""),
            highlight=False,
            soft_wrap=True,
        )
        if against is not None and report.ok:
            out.print(f"The log extends the witnessed checkpoint in {against}.", highlight=False)
        for problem in report.problems:
            out.print(f"[red]{problem.kind}:[/] {problem.message}", highlight=False, soft_wrap=True)
    if not report.ok:
        first, damaged = report.first_bad_entry, damaged_entry(report)
        where = f"; first bad entry: {first}" if first is not None else ""
        if damaged is not None and damaged != first:
            where += f" (entries from {first} on are unproven; entry {damaged} itself is damaged)"
        console.print(f"[bold red]error:[/] verification failed{where}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    if not as_json:
        out.print("[green]ok[/]")


@audit_app.command("witness")
def witness_command(
    ctx: typer.Context,
    source: Annotated[
        Path,
        typer.Option(
            "--from",
            help="The log to witness: a file from `audit checkpoint --export`, or the log's home or audit folder.",
        ),
    ],
) -> None:
    """Act as a witness for another log: check its latest checkpoint extends what this home witnessed before
    (RFC 9162 consistency), cosign it with this home's witness key and keep the copy in HOME/witness."""
    from molehunt.audit import keys
    from molehunt.audit.witness import WITNESS_DIR, witness

    home: Home = ctx.obj
    with exit_on_errors():
        done = witness(source, home.root / WITNESS_DIR, home.keys_dir)
    signed, previous = done.cosigned.checkpoint, done.previous
    out.print(
        f"Witnessed log key {signed.key_id}: {signed.tree_size:,} entries, root {signed.root_hash.hex()}",
        highlight=False,
        soft_wrap=True,
    )
    if previous is None:
        out.print(
            f"First checkpoint of this log here: pinned its public key {done.cosigned.log_public_key}",
            highlight=False,
            soft_wrap=True,
        )
    else:
        out.print(
            f"It extends the {previous.tree_size:,} entries witnessed before"
            f" (consistency proof of {done.proof_hashes} hashes checked)",
            highlight=False,
            soft_wrap=True,
        )
    witness_id = keys.key_id(keys.public_key_from_hex(done.cosigned.witness_public_key))
    out.print(f"Cosigned by witness key {witness_id}; copy kept in {done.copy}", highlight=False, soft_wrap=True)


@audit_app.command("prove")
def prove_command(
    ctx: typer.Context,
    index: Annotated[int, typer.Argument(metavar="N", help="Zero-based index of the entry.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the proof document as JSON.")] = False,
) -> None:
    """Print the inclusion proof of entry N under the latest checkpoint (signing a new one if none covers N yet)."""
    with exit_on_errors(), _open(ctx) as log:
        latest = log.latest_checkpoint
        if 0 <= index < log.size and (latest is None or latest.tree_size <= index):
            log.checkpoint()
        proof = log.prove(index)
        proof.verify(log.public_key, log.entry(index).canonical)  # never hand out a proof that does not check
    if as_json:
        _print_json(proof.to_json())
        return
    out.print(
        f"Entry {proof.leaf_index} (leaf {proof.leaf_hash.hex()}) is in the tree of {proof.checkpoint.tree_size:,} "
        f"entries with root {proof.checkpoint.root_hash.hex()}: {len(proof.audit_path)} hashes; --json for the proof",
        highlight=False,
        soft_wrap=True,
    )


@audit_app.command("entry")
def entry_command(
    ctx: typer.Context,
    index: Annotated[int, typer.Argument(metavar="N", help="Zero-based index of the entry.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the entry as JSON.")] = False,
) -> None:
    """Print entry N (the object its canonical bytes encode) and its leaf hash, SHA-256(0x00 || canonical bytes)."""
    from molehunt.audit import AuditError, merkle

    with exit_on_errors(), _open(ctx, existing=True) as log:
        if not 0 <= index < log.size:
            raise AuditError(f"no entry {index}: the log has {log.size} entries")
        entry = log.entry(index)
    shown = {**entry.to_json(), "leaf_hash": merkle.leaf_hash(entry.canonical).hex()}
    if as_json:
        _print_json(shown)
        return
    for key, value in shown.items():
        out.print(f"{key}: {json.dumps(value, ensure_ascii=False)}", highlight=False, soft_wrap=True)


@audit_app.command("verify-package")
def verify_package_command(
    package: Annotated[Path, typer.Argument(metavar="FILE", help="An evidence package exported from a case.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check an evidence package offline: its content digest, every cited audit entry and its inclusion proof under
    a signed checkpoint, and the export's own entry; exits 2 naming each problem. Needs no home."""
    from molehunt.audit.package import verify_package
    from molehunt.errors import InputError

    with exit_on_errors():
        try:
            raw = package.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the package: {exc.strerror or exc}", path=str(package)) from exc
    report = verify_package(raw)
    if as_json:
        _print_json({"ok": report.ok, "key_id": report.key_id, "entries": report.entries,
                     "problems": list(report.problems), "actions": list(report.actions)})  # fmt: skip
    elif report.ok:
        out.print(f"ok: {report.entries} audit entries proven under checkpoints signed by key {report.key_id}")
        for action in report.actions:
            out.print(f"  {action}", highlight=False, soft_wrap=True)
    else:
        for problem in report.problems:
            console.print(f"error: {package}: {problem}", highlight=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(2)


@audit_app.command("ls")
def ls_command(
    ctx: typer.Context,
    action: Annotated[str | None, typer.Option(help="Only this action, e.g. reveal, login, vault.read.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor: an account name or a person's pseudonym.")] = None,
    since: Annotated[str | None, typer.Option(help="Only entries from this UTC day on, YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many entries (newest first).")] = 50,
    before: Annotated[
        int | None, typer.Option(min=0, metavar="N", help="Only entries before index N (the next page's start).")
    ] = None,
    names: Annotated[bool, typer.Option("--names", help=NAMES_HELP)] = False,
    reason: Annotated[str | None, typer.Option(help=REASON_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List entries newest first: index, time, actor, action, target and whether a signed checkpoint covers it.
    People (actors or targets that are person ids) appear by pseudonym unless --names."""
    from molehunt.audit.listing import Filter, list_entries, reading, shown_with
    from molehunt.pseudonyms import Pseudonyms

    home: Home = ctx.obj
    first, reveal = day_of(since, "--since"), reveal_of(names, reason)
    with exit_on_errors():
        if not (home.audit_dir / "entries.log").exists():
            out.print(f"No audit log at {home.audit_dir} yet: nothing has been recorded.", highlight=False)
            return
        people = _people(home)
        pseudonyms = Pseudonyms.for_keys_dir(home.keys_dir)
        pseudonyms.learn(people)
        wanted = pseudonyms.resolve(actor) if actor and actor.startswith(PSEUDONYM_PREFIX) else actor
        with reading(home.audit_dir, home.keys_dir) as log:
            page = list_entries(log, Filter(action, wanted or actor, first), limit=limit, before=before)
        named = [x for e in page.entries for x in (e.entry.actor, e.entry.target) if x in people]
        person = record_shown(home, reveal, "audit", named)
    rows = [shown_with(lambda x: person(x) if x in people else x, listed) for listed in page.entries]
    if as_json:
        _print_json({"size": page.size, "covered": page.covered_size, "older": page.older, "entries": rows})
    elif not rows:
        out.print(f"No audit entries match (the log has {page.size:,}).", highlight=False)
    else:
        out.print(audit_table(rows, page.size, page.covered_size), soft_wrap=False)
        if page.older is not None:
            out.print(f"Older entries: add --before {page.older}.", highlight=False)


def _people(home: Home) -> set[str]:
    """Who is a person (directory or activity) in the store, to show by pseudonym; nobody before any ingest."""
    from molehunt.store import open_store
    from molehunt.workbench.people import known_users

    if not home.store_path.exists():
        return set()
    with open_store(home.store_path, read_only=True) as store:
        return set(known_users(store))
