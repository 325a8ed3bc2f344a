"""Accounts: argon2 hashes, login check against the users table, lockout, signed session tokens."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest
from argon2 import PasswordHasher
from tiny import OBSERVED_TO, tiny_tables

from lendrisk import auth, authstate, store
from lendrisk.authstate import AuthState

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


@pytest.fixture(scope="module")
def con(users) -> duckdb.DuckDBPyConnection:
    """An in-memory tiny store with the demo accounts (read only: logins only read it)."""
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


def test_hashes_use_owasp_cost_and_older_hashes_still_verify() -> None:
    """New hashes carry m=19456 KiB, t=2, p=1; a hash with argon2-cffi's defaults (64 MiB) still verifies."""
    assert "$m=19456,t=2,p=1$" in auth.hash_password("s3cret")
    older = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=4).hash("s3cret")
    assert "$m=65536,t=3,p=4$" in older
    assert auth.password_matches(older, "s3cret")
    assert not auth.password_matches(older, "s3cret!")


def test_demo_accounts(users) -> None:
    assert list(users["username"]) == ["manager", "admin", "investor1", "investor2", "investor3"]
    assert list(users["role"]) == ["manager", "admin", "investor", "investor", "investor"]
    assert list(users["investor_id"].isna()) == [True, True, False, False, False]
    assert list(users["investor_id"][2:]) == ["I1", "I2", "I2"]
    assert auth.password_matches(users["password_hash"][0], "demo-manager")
    assert auth.password_matches(users["password_hash"][4], "demo-investor")


@pytest.fixture
def state(tmp_path: Path) -> tuple[AuthState, Clock]:
    """A fresh login state file with a settable clock."""
    clock = Clock()
    return AuthState(tmp_path / "s.auth.sqlite", clock=clock), clock


def test_verify(con, state) -> None:
    st, clock = state
    assert auth.verify(con, "investor1", "demo-investor", st).user == auth.User("investor1", "investor", "I1")
    assert auth.verify(con, " manager ", "demo-manager", st).user == auth.User("manager", "manager", None)
    assert auth.verify(con, "manager", "demo-investor", st) == auth.Attempt(None, 1.0)  # 1st failure: 1 s
    clock.now += 2
    assert auth.verify(con, "nobody", "demo-manager", st) == auth.Attempt(None, 1.0)
    assert auth.verify(con, "", "", st) == auth.Attempt(None, 0.0)


def test_parallel_wrong_passwords_are_counted_before_the_hash_is_checked(
    con, state, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The attack of issue 14: 13 wrong passwords at once from 13 sessions, then the right one.
    st, _ = state
    checked: list[str] = []
    real = auth.password_matches
    monkeypatch.setattr(auth, "password_matches", lambda h, p: checked.append(p) or real(h, p))
    start = threading.Barrier(13)

    def attempt(i: int) -> auth.Attempt:
        cursor = con.cursor()
        start.wait()
        return auth.verify(cursor, "admin", f"wrong-{i}", st, client="203.0.113.9")

    with ThreadPoolExecutor(13) as pool:
        results = list(pool.map(attempt, range(13)))
    assert len(checked) == 1  # one attempt was evaluated, twelve refused before argon2 ran
    assert sum(r.checked for r in results) == 1 and all(r.user is None for r in results)
    right = auth.verify(con, "admin", "demo-admin", st, client="203.0.113.9")
    assert right == auth.Attempt(None, 1.0, checked=False) and len(checked) == 1


def test_back_off_doubles_per_client_and_the_owner_still_gets_in(con, state) -> None:
    st, clock = state
    attacker, owner = "203.0.113.9", "198.51.100.7"
    waits = []
    for _ in range(6):
        clock.now += waits[-1] if waits else 0
        result = auth.verify(con, "admin", "wrong", st, client=attacker)
        assert result.checked and result.user is None
        waits.append(result.wait)
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    assert authstate.client_backoff(11) == 900.0  # at most 15 minutes
    # straight after the attacker's last failure: the account's one-second gap, then the owner is in
    assert auth.verify(con, "admin", "demo-admin", st, client=owner) == auth.Attempt(None, 1.0, checked=False)
    clock.now += 1
    assert auth.verify(con, "admin", "demo-admin", st, client=owner).user == auth.User("admin", "admin", None)
    # the owner's login clears the account's count, not the attacker's own back-off
    assert st.wait("admin", attacker) == 32.0 - 1.0


def test_success_clears_the_back_off(con, state) -> None:
    st, clock = state
    for _ in range(3):
        clock.now += auth.verify(con, "admin", "wrong", st).wait
    assert auth.verify(con, "admin", "demo-admin", st).user is not None
    assert st.wait("admin", "local") == 0.0
    assert auth.verify(con, "admin", "wrong", st).wait == 1.0  # back to the first step


def test_tokens(con, state) -> None:
    st, _ = state
    secret = b"k" * 32
    token, expires_at = auth.new_session(con, st, secret, "investor1")
    user, until = auth.session_user(con, st, secret, token)
    assert user == auth.User("investor1", "investor", "I1") and until == pytest.approx(expires_at, abs=2)
    assert auth.session_user(con, st, secret, token, now=expires_at + 1) is None  # expired
    assert auth.session_user(con, st, b"other" * 8, token) is None  # another key
    forged = auth.issue_token(b"guess", "manager", 0, "x")
    assert auth.session_user(con, st, secret, forged) is None
    payload = token.split(".")[0]
    for junk in ("", "abc", "a.b.c", f"{payload}.", "!!!.###"):
        assert auth.session_user(con, st, secret, junk) is None


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
