"""The store file: an older schema version is rebuilt from its own canonical tables, atomically."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from apptest_helpers import APP, build_tiny_store
from fingerprints import fingerprints
from streamlit.testing.v1 import AppTest

from lendrisk import cli, store


def version_1_store(folder: Path) -> Path:
    """folder/old.duckdb: the tiny platform as schema version 1 wrote it (only loan_month and
    loan_transition, fewer columns)."""
    path = folder / "old.duckdb"
    build_tiny_store(path)
    con = duckdb.connect(str(path))
    try:
        con.execute("alter table loan_month drop column guarantor_principal_to_date")
        con.execute("alter table loan_month drop column loan_no")
        con.execute("drop table loan_key")
        con.execute("drop table book_segment")
        con.execute("drop table platform_month")
        for mart in ("book_cell", "reserve_segment", "month_flow"):
            con.execute(f"drop table {mart}")
        for (view,) in con.execute("select view_name from duckdb_views() where not internal").fetchall():
            con.execute(f"drop view {view}")
        con.execute("update meta set value = '1' where key = 'schema_version'")
    finally:
        con.close()
    (path.parent / (path.name + ".prev")).unlink(missing_ok=True)
    return path


def counts(path: Path) -> dict[str, int]:
    """Rows per canonical table."""
    con = store.connect(path)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in store.TABLES}
    finally:
        con.close()


@pytest.mark.slow  # rebuilds a store from its tables
def test_store_of_an_older_schema_is_rebuilt_from_its_own_tables(tmp_path: Path) -> None:
    path = version_1_store(tmp_path)
    before = counts(path)
    assert store.schema_version(path) == 1

    assert store.upgrade(path) is True

    assert store.schema_version(path) == store.SCHEMA_VERSION == 22
    assert counts(path) == before == {**before, "loans": 3, "repayments": 10, "holdings": 5, "users": 5}
    con = store.connect(path)
    try:
        meta = store.read_meta(con)
        # L3's guarantor buy-out on 06-10 repaid 2,000 principal (+ 20 interest).
        guarantor = con.execute(
            "select guarantor_principal_to_date::double from loan_month "
            "where loan_id = 'L3' and month_end = date '2024-06-30'"
        ).fetchall()
    finally:
        con.close()
    assert (meta["source"], meta["observed_to"]) == ("tiny", "2024-12-31")
    assert guarantor == [(2000.0,)]
    assert (tmp_path / "old.duckdb.prev").exists()  # the version-1 file, kept
    assert store.schema_version(tmp_path / "old.duckdb.prev") == 1
    assert store.upgrade(path) is False  # current: nothing to do


@pytest.mark.slow  # rebuilds a store from its tables
def test_upgrade_copies_the_tables_in_batches_and_equals_a_fresh_build(tmp_path: Path, monkeypatch) -> None:
    path = version_1_store(tmp_path)
    monkeypatch.setattr(store, "UPGRADE_BATCH_ROWS", 2)  # 10 repayments: five batches
    assert store.upgrade(path) is True
    fresh = tmp_path / "fresh.duckdb"
    build_tiny_store(fresh)
    upgraded, built = store.connect(path), store.connect(fresh)
    try:
        assert fingerprints(upgraded) == fingerprints(built)
    finally:
        upgraded.close()
        built.close()


def test_store_without_meta_has_version_zero(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    assert store.schema_version(path) == 0


@pytest.mark.slow  # rebuilds a store from its tables
def test_dashboard_upgrades_an_older_store_on_first_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = version_1_store(tmp_path)
    monkeypatch.setenv("LENDRISK_DB", str(path))
    monkeypatch.setenv("LENDRISK_SECRET", "test-secret")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert store.schema_version(path) == store.SCHEMA_VERSION
    assert at.text_input(key="login_username")  # the login form of the upgraded store


@pytest.mark.slow  # rebuilds a store from its tables
def test_cli_refuses_queries_on_an_older_store_until_upgraded(tmp_path: Path, capsys) -> None:
    path = version_1_store(tmp_path)
    args = ["--db", str(path), "query", "holding_risk_inputs", "--format", "csv"]
    args += ["--param", "as_of=2024-03-31", "--param", "investor_id=I1"]
    assert cli.main(args) == cli.EXIT_BAD_INPUT
    assert "schema version 1" in capsys.readouterr().err
    assert cli.main(["--db", str(path), "upgrade"]) == cli.EXIT_OK
    assert "upgraded" in capsys.readouterr().out
    assert cli.main(args) == cli.EXIT_OK
    # I1 at 03-31: half of L1 (708 left, 1-30), all of L2 (2,400), a third of L3 (2,000 left).
    rows = [line.split(",") for line in capsys.readouterr().out.splitlines()[1:]]
    assert [(r[0], r[5], float(r[-1])) for r in rows] == [
        ("H1", "1-30", 354.0),
        ("H3", "current", 2400.0),
        ("H4", "1-30", 2000 / 3),
    ]


@pytest.mark.slow  # rebuilds a store from its tables
def test_a_failed_upgrade_is_one_clear_message_and_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = version_1_store(tmp_path)
    content = path.read_bytes()
    calls = []

    def broken(*args: object, **kwargs: object) -> bool:
        calls.append(args)
        raise RuntimeError("Constraint Error: duplicate key\nmore detail")

    monkeypatch.setattr(store, "upgrade", broken)
    monkeypatch.setenv("LENDRISK_DB", str(path))
    monkeypatch.setenv("LENDRISK_SECRET", "test-secret")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    expected = (
        "The store could not be upgraded to this version of lendrisk, so the dashboard cannot open it "
        "(RuntimeError: Constraint Error: duplicate key). The store file is unchanged. Run "
        f"`python -m lendrisk --db {path} upgrade` for the details, or import the data again."
    )
    assert [e.value for e in at.error] == [expected]
    at.run()
    assert [e.value for e in at.error] == [expected] and len(calls) == 1  # remembered, not retried
    assert path.read_bytes() == content


def test_chunks_appended_in_background_arrive_in_order_and_a_failure_reaches_the_caller() -> None:
    got: list[tuple[str, int]] = []
    with store.appending_in_background(lambda table, chunk: got.append((table, chunk))) as append:
        for i in range(7):
            append("repayments", i)
    assert got == [("repayments", i) for i in range(7)]

    def refuse(table: str, chunk: int) -> None:
        raise ValueError(f"{table}: chunk {chunk} refused")

    with (
        pytest.raises(ValueError, match="schedule: chunk 0 refused"),
        store.appending_in_background(refuse) as append,
    ):
        append("schedule", 0)
