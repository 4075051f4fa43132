"""Everything under the home is the owner's alone: folders 0700, files 0600, as created and as checked at start."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.config import Home
from molehunt.errors import MolehuntError
from molehunt.store import open_store


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """Start from the umask most systems give (022: new files world-readable); put the test's own back after."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def loose(home: Path) -> list[str]:
    """Every file or folder under `home` (itself included) that group or others may use, as 'path mode'."""
    found = [home, *home.rglob("*")]
    return [f"{p} {mode(p):o}" for p in found if not p.is_symlink() and mode(p) & 0o077]


def test_the_store_its_wal_and_its_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "home" / "molehunt.duckdb"
    with open_store(path) as store:
        store.con.execute("CREATE TABLE secrets AS SELECT 'argon2 hash' AS h")
        wal = path.with_name(path.name + ".wal")
        assert wal.exists()  # DuckDB writes its log beside the store while the connection is open
        assert mode(wal) == 0o600
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert loose(path.parent) == []


def test_a_home_left_readable_is_made_private_at_start_and_says_so(tmp_path: Path) -> None:
    root = tmp_path / "home"
    (root / "demo" / "answers").mkdir(parents=True, mode=0o755)
    root.chmod(0o755)
    (root / "scores.csv").write_text("user,day,score\n")
    (root / "scores.csv").chmod(0o644)
    (root / "demo" / "answers" / "insiders.csv").write_text("scenario,user\n")
    (root / "demo" / "answers" / "insiders.csv").chmod(0o666)
    outside = tmp_path / "shared.txt"
    outside.write_text("not molehunt's")
    outside.chmod(0o644)
    (root / "link").symlink_to(outside)  # a link out of the home: its target is not the home's to change
    result = CliRunner().invoke(app, ["--home", str(root), "status"])
    assert loose(root) == []
    assert mode(outside) == 0o644
    assert "made 5 files or folders under" in result.output and "private" in result.output
    again = CliRunner().invoke(app, ["--home", str(root), "status"])
    assert "private" not in again.output  # said once, when it was needed


def test_a_home_that_cannot_be_made_private_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "home"
    root.mkdir(mode=0o755)
    (root / "molehunt.duckdb").write_bytes(b"")
    (root / "molehunt.duckdb").chmod(0o644)

    def refuse(path: Path, mode: int, **_: object) -> None:
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(os, "chmod", refuse)
    with pytest.raises(MolehuntError, match=r"is readable by group or others .*chmod -R go-rwx"):
        Home(root).ensure()


def test_a_key_file_left_readable_is_refused_not_hidden(tmp_path: Path) -> None:
    root = tmp_path / "home"
    (root / "keys").mkdir(parents=True)
    (root / "keys" / "audit-ed25519.key").write_bytes(b"k" * 32)
    (root / "keys" / "audit-ed25519.key").chmod(0o644)
    result = CliRunner().invoke(app, ["--home", str(root), "status"])
    assert result.exit_code != 0 and "key file mode is 644; run `chmod 600" in result.output
    assert "Traceback" not in result.output
    assert mode(root / "keys" / "audit-ed25519.key") == 0o644  # left for the owner to replace


@pytest.mark.slow
def test_the_demo_data_scores_and_store_are_written_private(tmp_path: Path) -> None:
    root = tmp_path / "home"
    runner = CliRunner()
    for args in (
        ["synth", "--users", "20", "--days", "40", "--seed", "2", "--out", str(root / "demo" / "small")],
        ["ingest", str(root / "demo" / "small")],
        ["score", "--out", str(root / "scores.csv")],
        ["export-alerts", "--out", str(root / "alerts.csv")],
    ):
        result = runner.invoke(app, ["--home", str(root), *args])
        assert result.exit_code == 0, result.output
    assert (root / "demo" / "small" / "answers").is_dir() and (root / "scores.csv").is_file()
    assert loose(root) == []


def test_a_file_that_vanishes_during_the_check_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process's temporary files (a DuckDB WAL, SQLite's -shm, a snapshot being copied) come and go while
    a command or the server checks the home: one gone between listing and checking is no error."""
    import molehunt.config

    home = Home(tmp_path / "home").ensure()
    (home.root / "open.txt").write_text("x")
    os.chmod(home.root / "open.txt", 0o644)
    listed = [*molehunt.config._walk(home.root), home.root / "molehunt.duckdb.wal"]  # listed, then gone
    monkeypatch.setattr(molehunt.config, "_walk", lambda root: listed)
    assert home.secure() == [home.root / "open.txt"]
