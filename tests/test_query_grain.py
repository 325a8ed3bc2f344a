"""Every query's `-- key:` line (the columns its `-- grain:` line makes unique, as dbt's `unique` tests)
holds on a store: the tiny platform (fast) and a small demo platform (slow: it builds one)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from lendrisk import demo, sql, store
from lendrisk.ingest.validate import KEYS

QUERIES = sql.list_queries()
TINY_PARAMS: dict[str, Any] = {
    "as_of": dt.date(2024, 6, 30),
    "month_end": dt.date(2024, 6, 30),
    "from": dt.date(2024, 1, 31),
    "to": dt.date(2024, 12, 31),
    "after": dt.date(2024, 3, 31),
    "through": dt.date(2024, 6, 30),
    "investor_id": "I1",
    "loan_id": "L1",
    "username": "investor1",
}
COMMON_PARAMS: dict[str, Any] = {
    "lookback_months": 12,
    "lag_months": 3,
    "months": 12,
    "horizon_months": 3,
    "meets_policy_only": False,
    "grain": "month",
    "grade": None,
    "product": None,
    "channel": None,
    "region": None,
    "recoveries_complete": False,  # the collection queries' repayments path (the mart's is the tiny store's)
    "big_book_holdings": 1,  # every book counts as big: investor_overdue_trend_stored returns its rows
}


def key_of(text: str) -> str:
    """The `-- key:` line's value: column names, "one row", or "none (reason)"."""
    keys = [line[len("-- key:") :].strip() for line in text.splitlines() if line.startswith("-- key:")]
    assert len(keys) == 1, "a query file has exactly one -- key: line"
    return keys[0]


def assert_key_holds(frame: Any, key: str) -> None:
    """The frame has at most one row for "one row", else no duplicate key (and the key's columns)."""
    if key == "one row":
        assert len(frame) <= 1
        return
    if key.startswith("none ("):
        return
    columns = [c.strip() for c in key.split(",")]
    assert set(columns) <= set(frame.columns), f"key columns {columns} not in {list(frame.columns)}"
    duplicated = frame[frame.duplicated(columns, keep=False)]
    assert duplicated.empty, f"{len(duplicated)} rows share a key:\n{duplicated.head()}"


@pytest.fixture(scope="module")
def tiny_store(tiny_db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the tiny store file (with its demo accounts)."""
    con = store.connect(tiny_db, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """A 2,000-loan demo platform and query parameters that reach its data (investor1's first loan)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build_demo_store(path, loans=2_000, seed=11)
    con = store.connect(path, read_only=True)
    investor = con.execute("select investor_id from users where username = 'investor1'").fetchone()[0]
    loan = con.execute(
        "select min(loan_id) from holdings where investor_id = ? and invested_on <= date '2023-12-31'",
        [investor],
    ).fetchone()[0]
    params = {
        "as_of": dt.date(2023, 12, 31),
        "month_end": dt.date(2023, 12, 31),
        "from": dt.date(2021, 1, 31),
        "to": dt.date(2023, 12, 31),
        "after": dt.date(2023, 6, 30),
        "through": dt.date(2023, 12, 31),
        "investor_id": investor,
        "loan_id": loan,
        "username": "investor1",
    }
    yield con, params
    con.close()


@pytest.mark.parametrize("info", QUERIES, ids=[q.name for q in QUERIES])
def test_every_query_declares_its_grain_and_key(info: sql.QueryInfo) -> None:
    assert info.grain.startswith("one row"), f"{info.name}: -- grain: one row per ..."
    key = key_of(info.sql)
    assert (
        key == "one row" or key.startswith("none (") or all(c.strip().isidentifier() for c in key.split(","))
    )


@pytest.mark.parametrize("info", QUERIES, ids=[q.name for q in QUERIES])
def test_key_is_unique_on_the_tiny_store(info: sql.QueryInfo, tiny_store: duckdb.DuckDBPyConnection) -> None:
    params = TINY_PARAMS | COMMON_PARAMS
    frame = sql.run(tiny_store, info.name, {p: params[p] for p in info.params})
    assert_key_holds(frame, key_of(info.sql))


@pytest.mark.slow  # builds a demo platform
@pytest.mark.parametrize("info", QUERIES, ids=[q.name for q in QUERIES])
def test_key_is_unique_on_a_demo_store(info: sql.QueryInfo, demo_store: tuple) -> None:
    con, params = demo_store
    params = params | COMMON_PARAMS
    frame = sql.run(con, info.name, {p: params[p] for p in info.params})
    assert_key_holds(frame, key_of(info.sql))
    if info.name in {"overdue_by_bucket", "roll_rates", "vintage_curves", "investor_cash_flows"}:
        assert len(frame) > 1  # the parameters reach the demo's data


def test_the_check_finds_a_duplicate_key() -> None:
    frame = pd.DataFrame({"a": [1, 1], "b": [1, 2]})
    assert_key_holds(frame, "a, b")
    with pytest.raises(AssertionError, match="2 rows share a key"):
        assert_key_holds(frame, "a")
    with pytest.raises(AssertionError):
        assert_key_holds(frame, "one row")


@pytest.mark.slow  # builds a demo platform
@pytest.mark.parametrize("table", sorted(KEYS))
def test_table_key_is_unique_on_a_demo_store(table: str, demo_store: tuple) -> None:
    """Every canonical table's key (ingest.validate.KEYS) holds, also where the store keeps no index."""
    con, _ = demo_store
    key = ", ".join(KEYS[table])
    frame = con.execute(f"select {key} from {table}").df()  # names from the fixed KEYS table
    assert len(frame) > 0
    assert_key_holds(frame, key)
