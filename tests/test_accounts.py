"""Account changes patch a copy of the store (users only) instead of rebuilding the marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from tiny import OBSERVED_TO, tiny_tables

from lendrisk import accounts, auth, ingest, store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A current store of the tiny platform with the demo accounts (5 users)."""
    path = tmp_path / "tiny.duckdb"
    tables = tiny_tables()
    tables["users"] = auth.demo_user_rows({"investor1": "I1", "investor2": "I2", "investor3": "I2"})
    store.build_store(path, tables, source="tiny", observed_to=OBSERVED_TO)
    return path


def tape(path: Path) -> list[tuple]:
    """Every loan_month row, in order."""
    con = store.connect(path)
    try:
        return con.execute("select * from loan_month order by loan_id, month_end").fetchall()
    finally:
        con.close()


def no_rebuild(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("the store was rebuilt")


def test_adding_an_account_patches_the_store_without_a_rebuild(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tape(db)
    monkeypatch.setattr(store, "build_store", no_rebuild)
    accounts.add_user(db, "analyst", "long-enough-1", "manager")
    con = store.connect(db)
    try:
        users = con.execute("select username, role, investor_id from users order by username").fetchall()
        meta = store.read_meta(con)
    finally:
        con.close()
    assert ("analyst", "manager", None) in users and len(users) == 6
    assert (meta["source"], meta["observed_to"], meta["rows.users"]) == ("tiny", "2024-12-31", "6")
    assert meta["rows.loan_month"] == "16" and tape(db) == before  # the tape is untouched
    assert (db.parent / (db.name + ".prev")).exists()
    assert not list(db.parent.glob("*.building-*"))


def test_a_bad_account_change_leaves_the_store_as_it_was(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = db.read_bytes()
    monkeypatch.setattr(store, "build_store", no_rebuild)
    users = store.read_tables(db, ("users",))["users"]
    users.loc[0, "investor_id"] = "I9"  # no such investor
    with pytest.raises(ingest.ValidationFailed, match="no such investor_id in investors"):
        ingest.import_tables(db, {"users": users}, source="tiny", mode="replace")
    assert db.read_bytes() == content


def test_an_older_store_is_rebuilt_not_patched(db: Path) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute("update meta set value = '1' where key = 'schema_version'")
    finally:
        con.close()
    users = store.read_tables(db, ("users",))["users"]
    with pytest.raises(ValueError, match="rebuilt, not patched"):
        store.replace_tables(db, {"users": users})
    accounts.add_user(db, "analyst", "long-enough-1", "manager")  # falls back to a full (upgrading) build
    assert store.schema_version(db) == store.SCHEMA_VERSION


def test_only_standalone_tables_can_be_patched(db: Path) -> None:
    loans = store.read_tables(db, ("loans",))["loans"]
    with pytest.raises(ValueError, match="only users can change without a rebuild"):
        store.replace_tables(db, {"loans": loans})
