"""Crash tests (issue 14): a writer killed with SIGKILL at 20+ points across an import and an account
change never harms the store: the previous (or the new) store always opens, and the next write succeeds
(and removes the killed writer's half-built files)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from apptest_helpers import build_tiny_store

from lendrisk import accounts, cli, store

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
KILLS_PER_WRITER = 11  # x 2 writers = 22 kill points


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_tiny_store(tmp_path / "store" / "tiny.duckdb")


@pytest.fixture
def exported(db: Path, tmp_path: Path) -> list[str]:
    out = tmp_path / "export"
    assert cli.main(["--db", str(db), "export", str(out)]) == cli.EXIT_OK
    return [str(p) for p in sorted(out.glob("*.csv")) if p.name != "users.csv"]


def writer(db: Path, what: str, files: list[str]) -> list[str]:
    """The command line of a writer: a replace import, or an account change (reset with stdin)."""
    base = [sys.executable, "-m", "lendrisk", "--db", str(db)]
    if what == "import":
        return [*base, "import", "--mode", "replace", *files]
    return [*base, "users", "reset", "investor1"]


def run(command: list[str], kill_after: float | None) -> float:
    """Run a writer, SIGKILLed after kill_after seconds (None: to the end); its wall seconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    proc = subprocess.Popen(
        command, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    assert proc.stdin is not None
    proc.stdin.write(b"a-new-password\n")
    proc.stdin.close()
    if kill_after is None:
        assert proc.wait(120) == 0
    else:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    return time.monotonic() - started


def opens(db: Path) -> int:
    """The store's loan count (it must open and hold its tables)."""
    con = store.connect_fresh(db)
    try:
        assert store.read_meta(con)["schema_version"] == str(store.SCHEMA_VERSION)
        return con.execute("select count(*) from loans").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("what", ["import", "account"])
def test_sigkill_at_any_point_leaves_a_store_that_opens_and_takes_the_next_write(
    db: Path, exported: list[str], what: str
) -> None:
    command = writer(db, what, exported)
    whole = run(command, None)  # how long an unkilled run takes, to spread the kill points over it
    killed = 0
    for i in range(KILLS_PER_WRITER):
        run(command, whole * (i + 0.5) / KILLS_PER_WRITER)
        killed += 1
        assert opens(db) == 3
        accounts.add_user(db, f"after-kill-{i}", "long-enough-1", "manager")  # the next write succeeds
        assert not list(db.parent.glob("*.building-*"))
    assert killed == KILLS_PER_WRITER
    users = set(store.read_tables(db, ("users",))["users"]["username"])
    assert {f"after-kill-{i}" for i in range(KILLS_PER_WRITER)} <= users
