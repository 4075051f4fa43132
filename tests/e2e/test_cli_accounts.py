"""Dashboard accounts from the command line (`molehunt user disable|remove`) and `molehunt serve` behind a proxy:
forwarded headers count only from `--trusted-proxy` addresses, so a client cannot pick the address it is limited by."""

from __future__ import annotations

import getpass
import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.config import Home
from molehunt.web import create_app
from molehunt.web.security import ADDRESS_FAILURES
from molehunt.workbench import ops
from molehunt.workbench.accounts import authenticate
from molehunt.workbench.sessions import session_for, start_session
from tests.e2e.test_browser import serving

MOLEHUNT = Path(sys.executable).parent / "molehunt"  # the console script beside the venv's interpreter
PASSWORD = "correct horse battery staple"


def _molehunt(home: Path, *args: str, stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args], input=stdin)
    return result.exit_code, result.output


def _audit(home: Path) -> list[dict[str, object]]:
    from molehunt.audit import AuditLog

    with AuditLog.open(home / "audit", home / "keys") as log:
        return [log.entry(i).to_json() for i in range(log.size)]


@pytest.fixture(scope="module")
def two_analysts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home where `molehunt user add` made alice and bob analysts, made once (each add hashes a password, slowly
    on purpose): tests change copies of it."""
    root = tmp_path_factory.mktemp("accounts") / "home"
    for name in ("alice", "bob"):
        code, out = _molehunt(root, "user", "add", name, "--role", "analyst", "--password-stdin", stdin=PASSWORD)
        assert code == 0, out
    return root


@pytest.fixture
def home(two_analysts: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(two_analysts, tmp_path / "home"))


def test_disable_ends_the_sessions_and_refuses_sign_in_and_is_audited(home: Path) -> None:
    with closing(ops.connect(Home(home))) as con:
        token = start_session(con, "alice")
    code, out = _molehunt(home, "user", "disable", "alice")
    assert code == 0, out
    with closing(ops.connect(Home(home))) as con:
        assert session_for(con, token) is None
        assert authenticate(con, "alice", PASSWORD) is None
        assert authenticate(con, "bob", PASSWORD) is not None
    assert "alice\tanalyst\tdisabled" in _molehunt(home, "user", "ls")[1]
    entry = _audit(home)[-1]
    assert (entry["action"], entry["target"], entry["actor"]) == ("user.disable", "alice", getpass.getuser())
    # a new password enables the account again
    assert (
        _molehunt(home, "user", "add", "alice", "--role", "viewer", "--replace", "--password-stdin", stdin=PASSWORD)[0]
        == 0
    )
    with closing(ops.connect(Home(home))) as con:
        assert authenticate(con, "alice", PASSWORD) is not None


def test_remove_deletes_the_account_and_its_sessions_and_is_audited(home: Path) -> None:
    with closing(ops.connect(Home(home))) as con:
        token = start_session(con, "bob")
    code, out = _molehunt(home, "user", "remove", "bob")
    assert code == 0, out
    with closing(ops.connect(Home(home))) as con:
        assert session_for(con, token) is None
        assert con.execute("SELECT count(*) FROM web_sessions WHERE name = 'bob'").fetchone() == (0,)
    assert "bob" not in _molehunt(home, "user", "ls")[1]
    entry = _audit(home)[-1]
    assert (entry["action"], entry["target"]) == ("user.remove", "bob")


def test_disable_or_remove_of_no_such_account_says_so(home: Path) -> None:
    for command in ("disable", "remove"):
        code, out = _molehunt(home, "user", command, "carol")
        assert code != 0 and "no dashboard account 'carol'" in out and "Traceback" not in out


@pytest.fixture
def served(home: Path, tmp_path: Path) -> Iterator[str]:
    with serving(home, tmp_path / "serve.log", "--warm-plots", "0", seconds=30) as (base, _):
        yield base


@pytest.mark.slow
def test_a_forwarded_for_header_from_an_untrusted_peer_is_ignored(served: str, home: Path) -> None:
    codes = []
    with httpx.Client(base_url=served) as client:
        for i in range(ADDRESS_FAILURES + 2):
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            spoofed = {"X-Forwarded-For": f"203.0.113.{i}"}  # a new address on every try, as the attacker did
            form = {"username": f"guess{i}", "password": "wrong password!", "csrf_token": token[1]}
            codes.append(client.post("/login", data=form, headers=spoofed).status_code)
    assert codes == [401] * ADDRESS_FAILURES + [429, 429]
    failed = [e for e in _audit(home) if e["action"] == "login.failed"]
    assert len(failed) == ADDRESS_FAILURES
    assert {json.dumps(e["details"]["client"]) for e in failed} == {'"127.0.0.1"'}  # type: ignore[index]
    assert {e["actor"] for e in failed} == {"unknown account"}
    assert "203.0.113" not in json.dumps(_audit(home))


@pytest.mark.slow
def test_user_add_and_a_running_servers_sign_ins_write_at_once(served: str, home: Path) -> None:
    """`molehunt user add` processes and the server's sign-ins write the operational store at the same time."""
    stop = threading.Event()
    codes: list[tuple[int, int]] = []  # (sign-in, the next page) of each try

    def sign_in_again_and_again() -> None:
        with httpx.Client(base_url=served, timeout=30) as client:
            while not stop.is_set() or len(codes) < 10:
                client.cookies.clear()
                token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
                assert token
                form = {"username": "alice", "password": PASSWORD, "csrf_token": token[1]}
                signed = client.post("/login", data=form)
                codes.append((signed.status_code, client.get("/cases").status_code))  # the new session works

    signer = threading.Thread(target=sign_in_again_and_again)
    signer.start()
    try:
        adders = [
            subprocess.Popen(
                [MOLEHUNT, "--home", str(home), "user", "add", f"carol{i}", "--role", "viewer", "--password-stdin"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for i in range(6)
        ]
        outputs = [adder.communicate(PASSWORD + "\n", timeout=120)[0] for adder in adders]
    finally:
        stop.set()
        signer.join(timeout=120)
    assert [adder.returncode for adder in adders] == [0] * 6, outputs
    assert len(codes) >= 10 and set(codes) == {(303, 200)}, codes
    listed = _molehunt(home, "user", "ls")[1].splitlines()
    assert listed == ["alice\tanalyst", "bob\tanalyst"] + [f"carol{i}\tviewer" for i in range(6)]
    with closing(ops.connect(Home(home))) as con:
        assert con.execute("SELECT count(*) FROM web_sessions WHERE name = 'alice'").fetchone() == (len(codes),)


def _fail_once(client: TestClient, forwarded_for: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"username": "alice", "password": "wrong password!", "csrf_token": token[1]}
    assert client.post("/login", data=form, headers={"X-Forwarded-For": forwarded_for}).status_code == 401


def test_only_a_configured_proxy_may_name_the_client(home: Path) -> None:
    app_ = create_app(Home(home), proxies=("10.9.8.0/24",))
    with TestClient(app_, client=("10.9.8.7", 5555)) as via_proxy:
        _fail_once(via_proxy, "198.51.100.7")
    with TestClient(app_, client=("192.0.2.1", 5555)) as direct:
        _fail_once(direct, "198.51.100.8")
    clients = [e["details"]["client"] for e in _audit(home) if e["action"] == "login.failed"]  # type: ignore[index]
    assert clients == ["198.51.100.7", "192.0.2.1"]


def test_a_trusted_proxy_must_be_an_address_or_network(home: Path) -> None:
    code, out = _molehunt(home, "serve", "--trusted-proxy", "proxy.example")
    assert code != 0 and "'proxy.example' is not an IP address or network" in out and "Traceback" not in out


def test_adding_and_resetting_an_account_is_audited_without_the_password(home: Path) -> None:
    added = [e for e in _audit(home) if e["action"] in ("user.add", "user.reset")]
    assert [(e["action"], e["target"], e["actor"], e["details"]) for e in added] == [
        ("user.add", name, getpass.getuser(), {"role": "analyst"}) for name in ("alice", "bob")
    ]
    reset = ("user", "add", "alice", "--role", "viewer", "--replace", "--password-stdin")
    code, _ = _molehunt(home, *reset, stdin=PASSWORD)
    assert code == 0
    entry = _audit(home)[-1]
    assert (entry["action"], entry["target"], entry["details"]) == ("user.reset", "alice", {"role": "viewer"})
    code, out = _molehunt(home, "user", "add", "bob", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    assert code != 0 and "exists already" in out
    assert _audit(home)[-1] == entry  # a refused add records nothing
    assert PASSWORD not in (home / "audit" / "entries.log").read_text(errors="replace")
