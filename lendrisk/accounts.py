"""The one account service: add, reset, remove and list dashboard accounts, used by the CLI
(`python -m lendrisk users ...`) and the Data page with one set of rules.

Rules: a username matches USERNAME (3-40 letters, digits, dots, dashes, underscores, starting with a
letter or digit: nothing a spreadsheet reads as a formula); a password has at least MIN_PASSWORD
characters; an investor account names an existing investor id; nobody removes their own account; the
last administrator cannot be removed. Every change holds the store's writer lock from the read of the
users table to the swap of the patched store (store.writer_lock), so a concurrent import or account
change waits instead of being overwritten; a reset or removal then ends every session of the account.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd

from lendrisk import auth, authstate, i18n, ingest, sql, store
from lendrisk.vocab import ROLES

MIN_PASSWORD = 8
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{2,39}")


class AccountError(ValueError):
    """A refused account change; .code names the rule (message key manage.data.error.<code>)."""

    def __init__(self, code: str) -> None:
        super().__init__(i18n.t(f"manage.data.error.{code}", "en"))
        self.code = code


def users(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per dashboard account: username, role, investor_id (never the password hash)."""
    return sql.run(con, "users_all")[["username", "role", "investor_id"]]


def investor_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every investor id of the store, sorted (choices for an investor account)."""
    return sql.run(con, "investor_ids")["investor_id"].tolist()


def check_username(username: str) -> str:
    """The username stripped, or AccountError('username_invalid')."""
    username = username.strip()
    if not USERNAME.fullmatch(username):
        raise AccountError("username_invalid")
    return username


def check_password(password: str) -> None:
    """AccountError('password_short') for a password under MIN_PASSWORD characters."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_short")


def _accounts(db: Path) -> pd.DataFrame:
    """The users table with password hashes, as the file is now (store.read_tables)."""
    return store.read_tables(db, ("users",))["users"]


def _write(db: Path, accounts: pd.DataFrame) -> None:
    """Write the users table back: validated, then a patched copy swapped in atomically."""
    con = store.connect_fresh(db)
    try:
        meta = store.read_meta(con)
    finally:
        con.close()
    observed = meta.get("observed_to")
    ingest.import_tables(
        db,
        {"users": accounts.reset_index(drop=True)},
        source=meta.get("source", "users"),
        observed_to=dt.date.fromisoformat(observed) if observed else None,
        mode="replace",
    )


def add_user(db: Path | str, username: str, password: str, role: str, investor_id: str | None = None) -> str:
    """Add an account (argon2-hashed password); investors need an investor id, other roles have none.

    Returns the username as stored (stripped).
    """
    db = Path(db)
    username = check_username(username)
    if role not in ROLES:
        raise AccountError("role_invalid")
    if role == "investor" and not investor_id:
        raise AccountError("investor_missing")
    check_password(password)
    row = pd.DataFrame(
        {
            "username": [username],
            "password_hash": [auth.hash_password(password)],
            "role": [role],
            "investor_id": [investor_id if role == "investor" else None],
        }
    )
    with store.writer_lock(db, "account change"):
        accounts = _accounts(db)
        if username in set(accounts["username"]):
            raise AccountError("username_taken")
        _write(db, pd.concat([accounts, row], ignore_index=True))
    return username


def reset_password(db: Path | str, username: str, password: str) -> None:
    """Give an existing account a new password; its sessions end."""
    db = Path(db)
    check_password(password)
    new_hash = auth.hash_password(password)
    with store.writer_lock(db, "account change"):
        accounts = _accounts(db)
        if username not in set(accounts["username"]):
            raise AccountError("unknown_user")
        accounts.loc[accounts["username"] == username, "password_hash"] = new_hash
        _write(db, accounts)
    authstate.for_store(db).revoke(username)


def remove_user(db: Path | str, username: str, acting_user: str | None = None) -> None:
    """Remove an account (not one's own, not the last admin); its sessions end.

    acting_user: the administrator doing it on the Data page (None from the command line).
    """
    db = Path(db)
    if username == acting_user:
        raise AccountError("remove_self")
    with store.writer_lock(db, "account change"):
        accounts = _accounts(db)
        if username not in set(accounts["username"]):
            raise AccountError("unknown_user")
        admins = set(accounts.loc[accounts["role"] == "admin", "username"])
        if admins == {username}:
            raise AccountError("last_admin")
        _write(db, accounts[accounts["username"] != username])
    authstate.for_store(db).revoke(username)
