"""Account changes patch a copy of the store (users only) instead of rebuilding the marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lendrisk import accounts, ingest, store


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
    tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tape(tiny_db_copy)
    monkeypatch.setattr(store, "build_store", no_rebuild)
    accounts.add_user(tiny_db_copy, "analyst", "long-enough-1", "manager")
    con = store.connect(tiny_db_copy)
    try:
        users = con.execute("select username, role, investor_id from users order by username").fetchall()
        meta = store.read_meta(con)
    finally:
        con.close()
    assert ("analyst", "manager", None) in users and len(users) == 6
    assert (meta["source"], meta["observed_to"], meta["rows.users"]) == ("tiny", "2024-12-31", "6")
    assert meta["rows.loan_month"] == "16" and tape(tiny_db_copy) == before  # the tape is untouched
    assert (tiny_db_copy.parent / (tiny_db_copy.name + ".prev")).exists()
    assert not list(tiny_db_copy.parent.glob("*.building-*"))


def test_a_bad_account_change_leaves_the_store_as_it_was(
    tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tiny_db_copy.read_bytes()
    monkeypatch.setattr(store, "build_store", no_rebuild)
    users = store.read_tables(tiny_db_copy, ("users",))["users"]
    users.loc[0, "investor_id"] = "I9"  # no such investor
    with pytest.raises(ingest.ValidationFailed, match="no such investor_id in investors"):
        ingest.import_tables(tiny_db_copy, {"users": users}, source="tiny", mode="replace")
    assert tiny_db_copy.read_bytes() == content


def test_an_older_store_is_rebuilt_not_patched(tiny_db_copy: Path) -> None:
    con = duckdb.connect(str(tiny_db_copy))
    try:
        con.execute("update meta set value = '1' where key = 'schema_version'")
    finally:
        con.close()
    users = store.read_tables(tiny_db_copy, ("users",))["users"]
    with pytest.raises(ValueError, match="rebuilt, not patched"):
        store.replace_tables(tiny_db_copy, {"users": users})
    accounts.add_user(
        tiny_db_copy, "analyst", "long-enough-1", "manager"
    )  # falls back to a full (upgrading) build
    assert store.schema_version(tiny_db_copy) == store.SCHEMA_VERSION


def test_only_standalone_tables_can_be_patched(tiny_db_copy: Path) -> None:
    loans = store.read_tables(tiny_db_copy, ("loans",))["loans"]
    with pytest.raises(ValueError, match="only users can change without a rebuild"):
        store.replace_tables(tiny_db_copy, {"loans": loans})
