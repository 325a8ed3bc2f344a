"""Dashboard accounts (docs/design.md §4): argon2 password hashes, lockout, signed session tokens.

- Users live in the store's `users` table (username, password_hash, role, investor_id). A User's
  role and investor_id are always read from that table, never from anything a browser sends.
- Passwords: argon2id through argon2-cffi's PasswordHasher with its default (slow, salted) parameters.
- Lockout: five failed attempts on a username lock it for 15 minutes, whatever is typed meanwhile.
  The dashboard opens the store read-only, so the counters live in this process (LoginGuard, a
  module-level object behind a lock): a restart of the server clears them.
- Sessions: after a login the browser keeps a cookie holding a token = base64url(JSON {"u": username,
  "exp": unix seconds}) + "." + base64url(HMAC-SHA256(secret, payload)). A token proves only who
  logged in and until when ($LENDRISK_SESSION_HOURS, default 8); an edited token fails the HMAC.
  The secret is $LENDRISK_SECRET, else a random 32-byte file beside the store (<store>.secret,
  mode 0600, created on first use). Logout revokes the token in this process and deletes the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lendrisk import sql, store

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
DEFAULT_SESSION_HOURS = 8.0
DEMO_PASSWORDS = {"manager": "demo-manager", "admin": "demo-admin", "investor": "demo-investor"}
DEMO_INVESTORS: tuple[str, ...] = ("investor1", "investor2", "investor3")

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
_PROCESS_SECRET = secrets.token_bytes(32)
# Verified against when a username does not exist, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    """A logged-in account as the users table has it (investor_id only for investors)."""

    username: str
    role: str
    investor_id: str | None


def hash_password(password: str) -> str:
    """An argon2id hash (salted, default cost) of a password."""
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash (False for a malformed hash)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class LoginGuard:
    """Failed-login counters per username: MAX_FAILURES in a row lock it for LOCKOUT_SECONDS."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        lockout_seconds: float = LOCKOUT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.clock = clock
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def locked_until(self, username: str) -> float | None:
        """Unix time at which the lock on a username ends, or None when it is not locked."""
        with self._lock:
            until = self._locked_until.get(username)
            if until is None:
                return None
            if self.clock() >= until:
                del self._locked_until[username]
                return None
            return until

    def attempts_left(self, username: str) -> int:
        """Failed attempts a username has left before it is locked."""
        with self._lock:
            return self.max_failures - self._failures.get(username, 0)

    def failed(self, username: str) -> None:
        """Count a failed attempt; the last allowed failure locks the username."""
        with self._lock:
            count = self._failures.get(username, 0) + 1
            if count >= self.max_failures:
                self._locked_until[username] = self.clock() + self.lockout_seconds
                count = 0
            self._failures[username] = count

    def succeeded(self, username: str) -> None:
        """Reset the failure count after a successful login."""
        with self._lock:
            self._failures.pop(username, None)


GUARD = LoginGuard()


def load_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """The account row of a username (None when there is none)."""
    row = sql.run(con, "user_account", {"username": username})
    if row.empty:
        return None
    rec = row.iloc[0]
    investor_id = rec["investor_id"] if isinstance(rec["investor_id"], str) else None
    return User(username=str(rec["username"]), role=str(rec["role"]), investor_id=investor_id)


def verify(
    con: duckdb.DuckDBPyConnection, username: str, password: str, guard: LoginGuard = GUARD
) -> User | None:
    """The user when username and password match and the username is not locked out, else None."""
    username = username.strip()
    if not username or guard.locked_until(username) is not None:
        return None
    row = sql.run(con, "user_account", {"username": username})
    known = not row.empty
    stored = str(row.iloc[0]["password_hash"]) if known else _DUMMY_HASH
    if password_matches(stored, password) and known:
        guard.succeeded(username)
        return load_user(con, username)
    guard.failed(username)
    return None


def session_hours() -> float:
    """How long a login lasts: $LENDRISK_SESSION_HOURS, default 8."""
    return float(os.environ.get("LENDRISK_SESSION_HOURS") or DEFAULT_SESSION_HOURS)


def session_secret(db: Path | str) -> bytes:
    """The token signing key: $LENDRISK_SECRET, else a random key kept in <store>.secret (0600).

    When that file cannot be written (read-only folder), a key for this process only: logins
    then do not survive a server restart.
    """
    env = os.environ.get("LENDRISK_SECRET")
    if env:
        return env.encode("utf-8")
    path = Path(f"{db}.secret")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_bytes()
    except OSError as exc:
        log.warning("cannot keep a session secret in %s (%s): logins last until a restart", path, exc)
        return _PROCESS_SECRET
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(username: str, secret: bytes, expires_at: float) -> str:
    """A signed session token naming the user and the unix time it expires."""
    payload = _b64(json.dumps({"u": username, "exp": int(expires_at)}, separators=(",", ":")).encode())
    signature = _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def read_token(token: str, secret: bytes, now: float | None = None) -> tuple[str, float] | None:
    """(username, expires_at) of a genuine, unexpired token; None for anything else."""
    try:
        payload, signature = token.split(".")
        expected = _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())
        if not hmac.compare_digest(signature, expected):
            return None
        data = json.loads(_unb64(payload))
        username, expires_at = str(data["u"]), float(data["exp"])
    except (ValueError, KeyError, TypeError, UnicodeError):
        return None
    if (time.time() if now is None else now) >= expires_at:
        return None
    return username, expires_at


class Revocations:
    """Tokens logged out in this process (refused until they expire anyway)."""

    def __init__(self) -> None:
        self._tokens: set[str] = set()
        self._lock = threading.Lock()

    def revoke(self, token: str) -> None:
        """Refuse a token from now on."""
        with self._lock:
            self._tokens.add(token)

    def revoked(self, token: str) -> bool:
        """Whether a token was logged out."""
        with self._lock:
            return token in self._tokens


REVOKED = Revocations()


def demo_user_rows(investor_ids: Mapping[str, str]) -> pd.DataFrame:
    """The demo accounts (README): manager, admin and investor1..3 with the given investor ids."""
    rows = [
        ("manager", "manager", None),
        ("admin", "admin", None),
        *[(name, "investor", investor_ids[name]) for name in DEMO_INVESTORS],
    ]
    return pd.DataFrame(
        {
            "username": [name for name, _, _ in rows],
            "password_hash": [hash_password(DEMO_PASSWORDS[role]) for _, role, _ in rows],
            "role": [role for _, role, _ in rows],
            "investor_id": [inv for _, _, inv in rows],
        }
    )


def add_demo_users(db_path: Path | str, investor_ids: Mapping[str, str] | None = None) -> None:
    """Rebuild a store with the demo accounts as its users (ids default to simulate.demo_investors)."""
    tables = store.read_tables(db_path)
    if investor_ids is None:
        from lendrisk import simulate

        investor_ids = simulate.demo_investors(tables)
    con = store.connect(db_path)
    try:
        meta = store.read_meta(con)
    finally:
        con.close()
    tables["users"] = demo_user_rows(investor_ids)
    store.build_store(
        db_path,
        tables,
        source=meta["source"],
        observed_to=pd.Timestamp(meta["observed_to"]).date(),
    )
