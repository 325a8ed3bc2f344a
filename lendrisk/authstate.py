"""Login throttling and session versions that survive a restart: a small SQLite file beside the store.

The dashboard opens the DuckDB store read-only, so what logins change lives in <store>.auth.sqlite
(mode 0600), shared by every process and thread through SQLite's own locking:

- throttle: per (account, client) and per account, the failures counted so far and the time before
  which no attempt is evaluated. An attempt is counted (and the next slot reserved) in one write
  transaction BEFORE the password hash is checked, so parallel attempts cannot all be evaluated.
  Per client the wait doubles with each failure (1, 2, 4 ... s, at most 15 min); per account, across
  all clients, at most one evaluation a second. An attacker from one client therefore slows only
  their own attempts: the account's owner, from another client, waits at most a second.
- session_version: a counter per username. A session token carries the version it was issued at;
  logout, a password reset and a removal raise it, which ends every session of that account.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

CLIENT_BACKOFF_MAX = 15 * 60.0  # seconds: the longest wait per (account, client)
ACCOUNT_GAP = 1.0  # seconds between two evaluated attempts on one account, from any client
FORGET_AFTER = 3600.0  # seconds of quiet after which an account's failures are forgotten
FILE_MODE = 0o600
_SCHEMA = """
create table if not exists throttle (
    key      text primary key,  -- 'a:<username>' or 'c:<client>|a:<username>'
    failures integer not null,
    next_at  real not null      -- unix seconds before which no attempt is evaluated
);
create table if not exists session_version (
    username text primary key,
    version  integer not null
);
"""

log = logging.getLogger(__name__)


def client_backoff(failures: int) -> float:
    """Seconds a client waits after its n-th failure in a row on an account: 1, 2, 4, ... at most 15 min."""
    return min(2.0 ** max(failures - 1, 0), CLIENT_BACKOFF_MAX)


class AuthState:
    """The throttle and session-version tables of one store (a file beside it)."""

    def __init__(self, path: Path | str, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        self._ready = False
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside an immediate (write-locked) transaction, committed on success."""
        con = self._connect()
        try:
            con.execute("begin immediate")
            try:
                yield con
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")
        finally:
            con.close()

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            with self._lock:
                if not self.path.exists():
                    with contextlib.suppress(FileExistsError):
                        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
                con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                con.executescript(_SCHEMA)
                con.close()
                self._ready = True
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def reserve(self, username: str, client: str) -> float:
        """Count an attempt before its password is checked: 0 when it may be evaluated now, else the
        seconds this client must wait (the attempt is then refused and not counted)."""
        now = self.clock()
        keys = (f"c:{client}|a:{username}", f"a:{username}")
        with self._write() as con:
            con.execute("delete from throttle where next_at < ?", (now - FORGET_AFTER,))
            rows = {
                k: con.execute("select failures, next_at from throttle where key = ?", (k,)).fetchone()
                for k in keys
            }
            wait = max((row[1] - now for row in rows.values() if row), default=0.0)
            if wait > 0:
                return wait
            failures = (rows[keys[0]] or (0, 0.0))[0] + 1
            gaps = (client_backoff(failures), ACCOUNT_GAP)
            for key, count, gap in zip(
                keys, (failures, (rows[keys[1]] or (0, 0.0))[0] + 1), gaps, strict=True
            ):
                con.execute(
                    "insert or replace into throttle (key, failures, next_at) values (?, ?, ?)",
                    (key, count, now + gap),
                )
        return 0.0

    def succeeded(self, username: str, client: str) -> None:
        """Forget the failures of an account (and of this client on it) after the right password."""
        with self._write() as con:
            con.execute(
                "delete from throttle where key in (?, ?)", (f"c:{client}|a:{username}", f"a:{username}")
            )

    def wait(self, username: str, client: str) -> float:
        """Seconds before this client's next attempt on the account is evaluated (0: now)."""
        now = self.clock()
        con = self._connect()
        try:
            rows = con.execute(
                "select max(next_at) from throttle where key in (?, ?)",
                (f"c:{client}|a:{username}", f"a:{username}"),
            ).fetchone()
        finally:
            con.close()
        return max((rows[0] or 0.0) - now, 0.0)

    def version(self, username: str) -> int:
        """The account's session version (0 before any logout, reset or removal)."""
        con = self._connect()
        try:
            row = con.execute(
                "select version from session_version where username = ?", (username,)
            ).fetchone()
        finally:
            con.close()
        return int(row[0]) if row else 0

    def revoke(self, username: str) -> int:
        """End every session of an account (raise its version); the new version."""
        with self._write() as con:
            con.execute(
                "insert into session_version (username, version) values (?, 1) "
                "on conflict (username) do update set version = version + 1",
                (username,),
            )
            return int(
                con.execute("select version from session_version where username = ?", (username,)).fetchone()[
                    0
                ]
            )


_STATES: dict[str, AuthState] = {}
_STATES_LOCK = threading.Lock()


def state_path(db: Path | str) -> Path:
    """Where a store's account state lives: <store>.auth.sqlite, or a temp file when that folder is
    read-only (then state lasts until the machine's temp folder is cleared)."""
    path = Path(f"{db}.auth.sqlite")
    if os.access(path.parent, os.W_OK) or path.exists():
        return path
    digest = hashlib.sha256(str(Path(db).absolute()).encode()).hexdigest()[:16]
    fallback = Path(tempfile.gettempdir()) / f"lendrisk-{digest}.auth.sqlite"
    log.warning("cannot write %s: keeping login state in %s", path, fallback)
    return fallback


def for_store(db: Path | str) -> AuthState:
    """The account state of a store (one object per path in this process)."""
    path = state_path(db)
    with _STATES_LOCK:
        return _STATES.setdefault(str(path.absolute()), AuthState(path))
