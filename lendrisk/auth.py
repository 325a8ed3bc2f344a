"""Dashboard accounts (docs/design.md §4): argon2 password hashes, login throttling, signed session tokens.

- Users live in the store's `users` table (username, password_hash, role, investor_id). A User's
  role and investor_id are always read from that table, never from anything a browser sends.
- Passwords: argon2id through argon2-cffi, salted, at OWASP's recommended cost (m = 19 MiB, t = 2, p = 1:
  about 0.1 s and 19 MiB per check on this 2-core machine, against 0.5-1.1 s and 64 MiB for argon2-cffi's
  defaults, so twenty logins at once no longer queue for seconds). Hashes made with other parameters
  (older stores) still verify: argon2 keeps its parameters in the hash.
- Throttling (lendrisk.authstate, a SQLite file beside the store that survives restarts): every
  attempt is counted atomically BEFORE its hash is checked; per client the wait doubles with each
  failure (at most 15 min), per account at most one evaluation a second, so an attacker slows down
  their own attempts but cannot lock the account's owner out.
- Sessions: a token signed with itsdangerous (HMAC-SHA1 key derivation + timestamp) holding the
  username, the account's session version (authstate) and a fingerprint of its password hash. Every
  run re-checks all three against the users table and the state file: logout, a password reset, a
  removal (and a re-added account of the same name) end every older session, also after a restart.
  The key is $LENDRISK_SECRET, else a random 32-byte file beside the store (<store>.secret, 0600).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadData, URLSafeTimedSerializer

from lendrisk import sql, store
from lendrisk.authstate import AuthState

DEFAULT_SESSION_HOURS = 8.0
DEMO_PASSWORDS = {"manager": "demo-manager", "admin": "demo-admin", "investor": "demo-investor"}
DEMO_INVESTORS: tuple[str, ...] = ("investor1", "investor2", "investor3")

log = logging.getLogger(__name__)
# OWASP Password Storage Cheat Sheet, argon2id: m=19456 KiB, t=2, p=1.
ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM = 2, 19_456, 1
_hasher = PasswordHasher(
    time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
)
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
    """An argon2id hash (salted, OWASP cost: 19 MiB, 2 passes, 1 lane) of a password."""
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash (False for a malformed hash)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def load_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """The account row of a username (None when there is none)."""
    return _user_of(sql.run(con, "user_account", {"username": username}))


def _user_of(row: pd.DataFrame) -> User | None:
    """The User of a user_account result (None when it is empty)."""
    if row.empty:
        return None
    rec = row.iloc[0]
    investor_id = rec["investor_id"] if isinstance(rec["investor_id"], str) else None
    return User(username=str(rec["username"]), role=str(rec["role"]), investor_id=investor_id)


@dataclass(frozen=True)
class Attempt:
    """A login attempt's outcome: the user when it succeeded; wait = seconds before this client's
    next attempt on the account is evaluated (0 when it may try again at once); checked = whether
    the password was checked at all (False: refused by the throttle)."""

    user: User | None
    wait: float
    checked: bool = True


def verify(
    con: duckdb.DuckDBPyConnection, username: str, password: str, state: AuthState, client: str = "local"
) -> Attempt:
    """Check a login: counted and throttled first (authstate), then the argon2 hash; see Attempt."""
    username = username.strip()
    if not username:
        return Attempt(None, 0.0)
    wait = state.reserve(username, client)
    if wait > 0:
        return Attempt(None, wait, checked=False)
    row = sql.run(con, "user_account", {"username": username})
    known = not row.empty
    stored = str(row.iloc[0]["password_hash"]) if known else _DUMMY_HASH
    if password_matches(stored, password) and known:
        state.succeeded(username, client)
        return Attempt(_user_of(row), 0.0)
    return Attempt(None, state.wait(username, client))


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


def fingerprint(password_hash: str) -> str:
    """A short digest of a stored password hash: a token made before a password change no longer fits."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def _serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="lendrisk-session")


def issue_token(secret: bytes, username: str, version: int, password_hash: str) -> str:
    """A signed, timestamped session token: username, session version, password-hash fingerprint."""
    return _serializer(secret).dumps({"u": username, "v": version, "h": fingerprint(password_hash)})


def read_token(token: str, secret: bytes) -> tuple[dict, float] | None:
    """(claims, unix time it was signed) of a genuine token; None for anything else."""
    try:
        claims, signed = _serializer(secret).loads(token, return_timestamp=True)
    except (BadData, UnicodeError, ValueError, TypeError):
        return None
    if not isinstance(claims, dict) or not {"u", "v", "h"} <= claims.keys():
        return None
    return claims, signed.replace(tzinfo=signed.tzinfo or dt.UTC).timestamp()


def session_user(
    con: duckdb.DuckDBPyConnection, state: AuthState, secret: bytes, token: str, now: float | None = None
) -> tuple[User, float] | None:
    """(user, unix expiry) of a token that is genuine, unexpired and still current for its account
    (same session version, same password hash); None otherwise. Checked on every run."""
    read = read_token(token, secret)
    if read is None:
        return None
    claims, signed_at = read
    expires_at = signed_at + session_hours() * 3600
    if (time.time() if now is None else now) >= expires_at:
        return None
    row = sql.run(con, "user_account", {"username": str(claims["u"])})
    if row.empty or claims["v"] != state.version(str(claims["u"])):
        return None
    if claims["h"] != fingerprint(str(row.iloc[0]["password_hash"])):
        return None
    user = _user_of(row)  # the same row: role and investor id as the users table has them now
    return (user, expires_at) if user else None


def new_session(
    con: duckdb.DuckDBPyConnection, state: AuthState, secret: bytes, username: str
) -> tuple[str, float]:
    """(token, unix expiry) for a user who just logged in."""
    row = sql.run(con, "user_account", {"username": username})
    token = issue_token(secret, username, state.version(username), str(row.iloc[0]["password_hash"]))
    return token, time.time() + session_hours() * 3600


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
