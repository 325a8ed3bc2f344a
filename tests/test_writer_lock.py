"""One writer at a time (issue 14): an account change during a `--mode replace` import waits for it and
is not lost; a writer that cannot wait fails with a clear message; a killed writer's files go away."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lendrisk import auth, cli, store

ROOT = Path(__file__).resolve().parent.parent
# A `--mode replace` import in another process that holds the writer lock for at least $HOLD_SECONDS:
# its store build is slowed down, as a large import would be.
SLOW_IMPORT = """
import os, sys, time
from lendrisk import cli, store
real = store.populate
def slow(*args, **kwargs):
    time.sleep(float(os.environ["HOLD_SECONDS"]))
    return real(*args, **kwargs)
store.populate = slow
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.fixture
def db(tiny_db_copy: Path) -> Path:
    """A private copy of the tiny store with the demo accounts."""
    return tiny_db_copy


@pytest.fixture
def exported(db: Path, tmp_path: Path) -> list[str]:
    """The store's canonical files except users.csv (the import replaces the platform, not accounts)."""
    out = tmp_path / "export"
    assert cli.main(["--db", str(db), "export", str(out)]) == cli.EXIT_OK
    return [str(p) for p in sorted(out.glob("*.csv")) if p.name != "users.csv"]


def start_slow_import(db: Path, files: list[str], hold: float) -> subprocess.Popen:
    """The replace import, holding the lock for at least hold seconds, started in another process;
    returns once it holds the lock."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOLD_SECONDS": str(hold)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_IMPORT, "--db", str(db), "import", "--mode", "replace", *files],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lock = Path(f"{db}.lock")
    deadline = time.monotonic() + 60
    while not (lock.exists() and b"import" in lock.read_bytes()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    return proc


def usernames(db: Path) -> list[str]:
    return sorted(store.read_tables(db, ("users",))["users"]["username"])


def users(db: Path, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(["--db", str(db), "users", *args])


@pytest.mark.slow  # two imports in other processes, each holding the lock for a second
def test_an_account_added_during_a_replace_import_is_kept(
    db: Path, exported: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    importing = start_slow_import(db, exported, hold=1.0)
    started = time.monotonic()
    assert users(db, monkeypatch, "add", "analyst", "--role", "manager", stdin="long-enough-1\n") == 0
    waited = time.monotonic() - started
    assert importing.wait(60) == 0, importing.stderr.read()
    assert waited > 0.5  # it waited for the import to swap its file in ...
    assert "analyst" in usernames(db)  # ... and was not overwritten by it
    importing = start_slow_import(db, exported, hold=1.0)
    assert users(db, monkeypatch, "reset", "investor1", stdin="a-new-password\n") == 0
    assert users(db, monkeypatch, "remove", "investor3") == 0
    assert importing.wait(60) == 0
    accounts = store.read_tables(db, ("users",))["users"].set_index("username")
    assert "investor3" not in accounts.index and "analyst" in accounts.index
    assert auth.password_matches(accounts.loc["investor1", "password_hash"], "a-new-password")


@pytest.mark.slow  # an import in another process holding the lock for a second
def test_a_writer_that_cannot_wait_fails_clearly_and_changes_nothing(
    db: Path, exported: list[str], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("LENDRISK_LOCK_WAIT", "0.2")
    importing = start_slow_import(db, exported, hold=1.0)
    code = users(db, monkeypatch, "add", "analyst", "--role", "manager", stdin="long-enough-1\n")
    err = capsys.readouterr().err
    assert importing.wait(60) == 0
    assert code == cli.EXIT_BAD_INPUT
    assert "(import (replace)) is writing the store; waited 0 s, try again when it has finished" in err
    assert "analyst" not in usernames(db)


def test_a_killed_writers_build_files_are_removed_by_the_next_writer(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = [Path(f"{db}.building-{dead.pid}"), Path(f"{db}.building-{dead.pid}.wal")]
    for path in stale:
        path.write_bytes(b"x" * 1000)
    alive = Path(f"{db}.building-{os.getppid()}")  # a writer that still runs keeps its file
    alive.write_bytes(b"x")
    assert users(db, monkeypatch, "add", "analyst", "--role", "manager", stdin="long-enough-1\n") == 0
    assert not any(p.exists() for p in stale) and alive.exists()
    assert oct(db.stat().st_mode & 0o777) == "0o600"
    assert oct(Path(f"{db}.lock").stat().st_mode & 0o777) == "0o600"
