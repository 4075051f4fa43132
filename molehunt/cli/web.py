"""`molehunt user ...` (dashboard accounts) and `molehunt serve` (the dashboard)."""

from __future__ import annotations

import getpass
import sys
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from molehunt.cli.ui import exit_on_errors
from molehunt.config import Home
from molehunt.workbench.accounts import Role

WARM_PLOTS = 1000  # a person page whose plots are drawn already answers in tens of ms instead of hundreds

user_app = typer.Typer(help="Dashboard accounts: add, list, disable and remove them.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat the password", hide_input=True) != first:
        typer.echo("error: the passwords differ; nothing was changed", err=True)
        raise typer.Exit(2)
    return str(first)


@user_app.command("add")
def add_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Account name (letters, digits, '.', '_', '-').")],
    role: Annotated[
        Role,
        typer.Option(
            help="member uses the vault as themselves and sees nothing of detection; viewer reads the dashboard;"
            " analyst also reveals and works cases; admin also edits rules."
        ),
    ],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    replace: Annotated[bool, typer.Option(help="Reset an existing account's role and password.")] = False,
) -> None:
    """Create a dashboard account (the password is prompted for unless --password-stdin; audited, without it)."""
    from molehunt.workbench.actions import Workbench
    from molehunt.workbench.ops import connect

    home: Home = ctx.obj
    password = _password(password_stdin)
    with exit_on_errors(), closing(connect(home)) as con:
        account = Workbench(home, None, con).add_user(name, role, password, replace=replace, by=getpass.getuser())
    typer.echo(f"{account.name}: {account.role.value}")


@user_app.command("ls")
def list_command(ctx: typer.Context) -> None:
    """List dashboard accounts, their roles, and which are disabled."""
    from molehunt.workbench.accounts import list_users
    from molehunt.workbench.ops import connect

    home: Home = ctx.obj
    with exit_on_errors(), closing(connect(home)) as con:
        for account in list_users(con):
            typer.echo(f"{account.name}\t{account.role.value}" + ("\tdisabled" if account.disabled else ""))


@user_app.command("disable")
def disable_command(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Account name.")]) -> None:
    """Refuse an account's sign-ins and end its sessions (audited; `user add NAME --replace` enables it again)."""
    from molehunt.workbench.actions import Workbench
    from molehunt.workbench.ops import connect

    home: Home = ctx.obj
    with exit_on_errors(), closing(connect(home)) as con:
        Workbench(home, None, con).disable_user(name, by=getpass.getuser())
    typer.echo(f"{name}: disabled, sessions ended")


@user_app.command("remove")
def remove_command(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Account name.")]) -> None:
    """Delete an account and end its sessions (audited; cases and the audit log keep the name)."""
    from molehunt.workbench.actions import Workbench
    from molehunt.workbench.ops import connect

    home: Home = ctx.obj
    with exit_on_errors(), closing(connect(home)) as con:
        Workbench(home, None, con).remove_user(name, by=getpass.getuser())
    typer.echo(f"{name}: removed, sessions ended")


def serve_command(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback by default; put TLS in front otherwise).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM) to serve HTTPS directly.")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM) for --certfile.")] = None,
    warm_plots: Annotated[
        int, typer.Option(min=0, help="Draw the plots of this many of the riskiest people in the background at start.")
    ] = WARM_PLOTS,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            help="Address or network of a reverse proxy whose X-Forwarded-For is believed (repeatable); "
            "from anyone else forwarded headers are ignored."
        ),
    ] = None,
) -> None:
    """Serve the analyst dashboard over the store in the home directory."""
    import uvicorn

    from molehunt.web import create_app
    from molehunt.web.security import trusted_proxies

    home: Home = ctx.obj
    if (certfile is None) != (keyfile is None):
        typer.echo("error: give both --certfile and --keyfile, or neither", err=True)
        raise typer.Exit(2)
    with exit_on_errors():
        proxies = trusted_proxies(trusted_proxy or [])
    from molehunt.workbench.accounts import list_users
    from molehunt.workbench.ops import connect

    with exit_on_errors(), closing(connect(home)) as con:
        if not list_users(con):
            typer.echo("note: no account yet; create one with `molehunt user add NAME --role analyst`", err=True)
    scheme = "https" if certfile else "http"
    typer.echo(f"molehunt dashboard on {scheme}://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(
        create_app(home, warm=warm_plots, proxies=proxies), host=host, port=port, log_level="warning", access_log=False,
        proxy_headers=False,  # uvicorn's default believes X-Forwarded-For from loopback; the app decides instead
        ssl_certfile=str(certfile) if certfile else None, ssl_keyfile=str(keyfile) if keyfile else None,
    )  # fmt: skip
