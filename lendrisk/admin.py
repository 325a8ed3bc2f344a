"""Administration glue for the Data page: import uploaded canonical files through lendrisk.ingest (as the
CLI does: validated, atomic) and manage dashboard accounts (add, reset password, remove) by replacing
the users table with lendrisk.ingest.import_tables(mode="replace"), which writes a patched copy of
the store (users only, marts untouched) and swaps it in atomically.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from lendrisk import auth, ingest, sql, store
from lendrisk.vocab import ROLES

MIN_PASSWORD = 8
USERNAME = re.compile(r"[A-Za-z0-9_.\-]{3,40}")
UPLOAD_SUFFIXES = (".csv", ".parquet")


class AdminError(ValueError):
    """A refused account change; .code names the reason (message key suffix on the Data page)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def problems_frame(error: ingest.ValidationFailed, lang: str = "en") -> pd.DataFrame:
    """One row per reported problem: file, row (header = 1), column, rule, value; rule and file in lang."""
    return pd.DataFrame(
        [
            {
                "file": p.file_in(lang),
                "row": p.row,
                "column": p.column,
                "rule": p.rule_in(lang),
                "value": p.value,
            }
            for p in error.problems
        ],
        columns=["file", "row", "column", "rule", "value"],
    ).astype({"row": "Int64"})


def import_uploads(
    db: Path | str,
    files: Sequence[tuple[str, bytes]],
    mode: str = "append",
    progress: store.Progress | None = None,
) -> ingest.ImportReport:
    """Import uploaded canonical files (name, content) like `lendrisk import`: every problem raises
    ingest.ValidationFailed and leaves the store untouched; otherwise the store is rebuilt atomically.

    File names must be <table>.csv or <table>.parquet; only the base name of a name is used.
    """
    with tempfile.TemporaryDirectory(prefix="lendrisk-upload-") as folder:
        paths = []
        for name, content in files:
            path = Path(folder) / Path(name).name
            path.write_bytes(content)
            paths.append(path)
        return ingest.import_paths(db, paths, fmt="canonical", mode=mode, progress=progress)


# --- accounts ---------------------------------------------------------------------------------


def users(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per dashboard account: username, role, investor_id (never the password hash)."""
    return sql.run(con, "users_all")[["username", "role", "investor_id"]]


def investor_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every investor id of the store, sorted (choices for an investor account)."""
    return sql.run(con, "investor_ids")["investor_id"].tolist()


def _store_meta(db: Path) -> tuple[str, dt.date | None]:
    """The store's source and observation end (kept when only the users table changes)."""
    con = store.connect(db, read_only=True)
    try:
        meta = store.read_meta(con)
    finally:
        con.close()
    observed = meta.get("observed_to")
    return meta.get("source", "users"), dt.date.fromisoformat(observed) if observed else None


def _accounts(db: Path) -> pd.DataFrame:
    """The users table with password hashes."""
    con = store.connect(db, read_only=True)
    try:
        return sql.run(con, "users_all")
    finally:
        con.close()


def _replace(db: Path, accounts: pd.DataFrame) -> None:
    """Write the users table back: validated, then swapped in atomically (a patched copy of the store)."""
    source, observed_to = _store_meta(db)
    ingest.import_tables(
        db, {"users": accounts.reset_index(drop=True)}, source=source, observed_to=observed_to, mode="replace"
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AdminError("password_short")


def add_user(db: Path | str, username: str, password: str, role: str, investor_id: str | None = None) -> None:
    """Add an account (argon2-hashed password); investors need an investor id, other roles have none."""
    db = Path(db)
    username = username.strip()
    if not USERNAME.fullmatch(username):
        raise AdminError("username_invalid")
    if role not in ROLES:
        raise AdminError("role_invalid")
    if role == "investor" and not investor_id:
        raise AdminError("investor_missing")
    _check_password(password)
    accounts = _accounts(db)
    if username in set(accounts["username"]):
        raise AdminError("username_taken")
    row = pd.DataFrame(
        {
            "username": [username],
            "password_hash": [auth.hash_password(password)],
            "role": [role],
            "investor_id": [investor_id if role == "investor" else None],
        }
    )
    _replace(db, pd.concat([accounts, row], ignore_index=True))


def reset_password(db: Path | str, username: str, password: str) -> None:
    """Give an existing account a new password."""
    db = Path(db)
    _check_password(password)
    accounts = _accounts(db)
    if username not in set(accounts["username"]):
        raise AdminError("unknown_user")
    accounts.loc[accounts["username"] == username, "password_hash"] = auth.hash_password(password)
    _replace(db, accounts)


def remove_user(db: Path | str, username: str, acting_user: str) -> None:
    """Remove an account; an administrator cannot remove their own account."""
    db = Path(db)
    if username == acting_user:
        raise AdminError("remove_self")
    accounts = _accounts(db)
    if username not in set(accounts["username"]):
        raise AdminError("unknown_user")
    _replace(db, accounts[accounts["username"] != username])
