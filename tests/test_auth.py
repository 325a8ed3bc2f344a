"""Accounts: argon2 hashes, login check against the users table, lockout, signed session tokens."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from tiny import OBSERVED_TO, tiny_tables

from lendrisk import auth, store

IDS = {"investor1": "I1", "investor2": "I2", "investor3": "I2"}


class Clock:
    """A settable clock for the lockout (unix seconds)."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def users() -> object:
    """The demo accounts (hashing them once for the module)."""
    return auth.demo_user_rows(IDS)


@pytest.fixture
def con(users) -> duckdb.DuckDBPyConnection:
    """An in-memory tiny store with the demo accounts."""
    tables = tiny_tables()
    tables["users"] = users
    con = duckdb.connect()
    store.populate(con, tables, source="tiny", observed_to=OBSERVED_TO)
    yield con
    con.close()


def test_hash_is_salted_argon2() -> None:
    first, second = auth.hash_password("s3cret"), auth.hash_password("s3cret")
    assert first.startswith("$argon2id$")
    assert first != second
    assert auth.password_matches(first, "s3cret")
    assert not auth.password_matches(first, "S3cret")
    assert not auth.password_matches("not a hash", "s3cret")


def test_demo_accounts(users) -> None:
    assert list(users["username"]) == ["manager", "admin", "investor1", "investor2", "investor3"]
    assert list(users["role"]) == ["manager", "admin", "investor", "investor", "investor"]
    assert list(users["investor_id"].isna()) == [True, True, False, False, False]
    assert list(users["investor_id"][2:]) == ["I1", "I2", "I2"]
    assert auth.password_matches(users["password_hash"][0], "demo-manager")
    assert auth.password_matches(users["password_hash"][4], "demo-investor")


def test_verify(con) -> None:
    guard = auth.LoginGuard()
    assert auth.verify(con, "investor1", "demo-investor", guard) == auth.User("investor1", "investor", "I1")
    assert auth.verify(con, " manager ", "demo-manager", guard) == auth.User("manager", "manager", None)
    assert auth.verify(con, "manager", "demo-investor", guard) is None
    assert auth.verify(con, "nobody", "demo-manager", guard) is None
    assert auth.verify(con, "", "", guard) is None


def test_five_failures_lock_for_fifteen_minutes(con) -> None:
    clock = Clock()
    guard = auth.LoginGuard(clock=clock)
    for attempt in range(4):
        assert guard.attempts_left("admin") == 5 - attempt
        assert auth.verify(con, "admin", "wrong", guard) is None
    assert guard.locked_until("admin") is None
    assert guard.attempts_left("admin") == 1
    assert auth.verify(con, "admin", "wrong", guard) is None  # the fifth
    assert guard.locked_until("admin") == clock.now + 15 * 60
    # locked: the right password is refused, for this user only
    assert auth.verify(con, "admin", "demo-admin", guard) is None
    assert auth.verify(con, "manager", "demo-manager", guard) is not None
    clock.now += 15 * 60 - 1
    assert auth.verify(con, "admin", "demo-admin", guard) is None
    clock.now += 1
    assert guard.locked_until("admin") is None
    assert auth.verify(con, "admin", "demo-admin", guard) == auth.User("admin", "admin", None)


def test_success_resets_the_count(con) -> None:
    guard = auth.LoginGuard(clock=Clock())
    for _ in range(4):
        auth.verify(con, "admin", "wrong", guard)
    assert auth.verify(con, "admin", "demo-admin", guard) is not None
    for _ in range(4):
        auth.verify(con, "admin", "wrong", guard)
    assert guard.locked_until("admin") is None


def test_tokens() -> None:
    secret = b"k" * 32
    token = auth.issue_token("investor1", secret, expires_at=2_000.0)
    assert auth.read_token(token, secret, now=1_999.0) == ("investor1", 2_000.0)
    assert auth.read_token(token, secret, now=2_000.0) is None  # expired
    assert auth.read_token(token, b"other" * 8, now=1_000.0) is None  # another key
    payload, signature = token.split(".")
    forged = auth.issue_token("investor2", b"guess", expires_at=2_000.0).split(".")[0]
    assert auth.read_token(f"{forged}.{signature}", secret, now=1_000.0) is None  # edited user
    for junk in ("", "abc", "a.b.c", f"{payload}.", "!!!.###"):
        assert auth.read_token(junk, secret, now=1_000.0) is None


def test_session_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LENDRISK_SECRET", raising=False)
    db = tmp_path / "s.duckdb"
    key = auth.session_secret(db)
    assert len(key) == 32
    assert auth.session_secret(db) == key
    assert (tmp_path / "s.duckdb.secret").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("LENDRISK_SECRET", "from-env")
    assert auth.session_secret(db) == b"from-env"
    monkeypatch.delenv("LENDRISK_SECRET")
    missing = tmp_path / "no-such-folder" / "s.duckdb"
    assert auth.session_secret(missing) == auth.session_secret(missing)  # a key for this process


def test_session_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LENDRISK_SESSION_HOURS", raising=False)
    assert auth.session_hours() == 8.0
    monkeypatch.setenv("LENDRISK_SESSION_HOURS", "0.5")
    assert auth.session_hours() == 0.5


def test_add_demo_users(tmp_path: Path) -> None:
    db = tmp_path / "tiny.duckdb"
    store.build_store(db, tiny_tables(), source="tiny", observed_to=OBSERVED_TO)
    auth.add_demo_users(db, IDS)
    con = store.connect(db)
    try:
        assert auth.load_user(con, "investor2") == auth.User("investor2", "investor", "I2")
        meta = store.read_meta(con)
        assert (meta["source"], meta["observed_to"], meta["rows.users"]) == ("tiny", "2024-12-31", "5")
    finally:
        con.close()
