"""The shared views of queries/schema/002_views.sql on the hand-computed tiny platform (tests/tiny.py)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from tiny import OBSERVED_TO

from lendrisk import store


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """All rows of a statement, in its order."""
    return con.execute(sql).fetchall()


def test_holding_share_is_amount_over_the_loan_principal(tiny_con: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        tiny_con,
        "select holding_id, investor_id, loan_id, invested_on, amount, principal, share "
        "from holding_share order by holding_id",
    )
    assert got == [
        ("H1", "I1", "L1", dt.date(2024, 1, 15), 600.0, 1200.0, 0.5),
        ("H2", "I2", "L1", dt.date(2024, 1, 15), 600.0, 1200.0, 0.5),
        ("H3", "I1", "L2", dt.date(2024, 2, 1), 2400.0, 2400.0, 1.0),
        ("H4", "I1", "L3", dt.date(2024, 1, 10), 1000.0, 3000.0, 1000.0 / 3000.0),
        ("H5", "I2", "L3", dt.date(2024, 1, 10), 2000.0, 3000.0, 2000.0 / 3000.0),
    ]


def test_charge_off_write_off_and_recovery_of_l3(tiny_con: duckdb.DuckDBPyConnection) -> None:
    # L3: charged off on 09-06 with 2,000 written off; collection recovers 300 principal on 11-15.
    assert rows(
        tiny_con, "select loan_id, charged_off_on, amount::double, total_amount::double from loan_charge_off"
    ) == [("L3", dt.date(2024, 9, 6), 2000.0, 2000.0)]
    assert rows(tiny_con, "select * from loan_write_off") == [
        ("L3", "small_business", dt.date(2024, 9, 6), 2000.0)
    ]
    assert rows(
        tiny_con,
        "select loan_id, charged_off_on, paid_on, principal_paid::double, interest_paid::double "
        "from recovery",
    ) == [("L3", dt.date(2024, 9, 6), dt.date(2024, 11, 15), 300.0, 0.0)]


def store_of(frames: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    """An in-memory store of edited tiny tables."""
    con = duckdb.connect()
    store.populate(con, frames, source="tiny", observed_to=OBSERVED_TO)
    return con


def test_write_off_without_an_amount_counts_borrower_and_collection_principal(
    tiny_frames: dict[str, pd.DataFrame],
) -> None:
    # The 09-06 event without an amount: 3,000 - 1,000 borrower principal before 09-06 (the guarantor's
    # 2,000 on 06-10 does not count) = 2,000.
    events = tiny_frames["loan_events"]
    events.loc[events["kind"] == "charged_off", "amount"] = None
    con = store_of(tiny_frames)
    try:
        assert rows(con, "select charged_off_on, amount, total_amount::double from loan_charge_off") == [
            (dt.date(2024, 9, 6), None, 0.0)
        ]
        assert rows(con, "select * from loan_write_off") == [
            ("L3", "small_business", dt.date(2024, 9, 6), 2000.0)
        ]
    finally:
        con.close()


def test_a_second_charge_off_event_keeps_the_first_date(tiny_frames: dict[str, pd.DataFrame]) -> None:
    # A second event on 10-01 for 150: the charge-off stays on 09-06 and writes off 2,000; total 2,150;
    # recoveries still count from 09-06 (300 on 11-15).
    events = tiny_frames["loan_events"]
    extra = pd.DataFrame([("L3", dt.date(2024, 10, 1), "charged_off", 150.0, None)], columns=events.columns)
    tiny_frames["loan_events"] = pd.concat([events, extra], ignore_index=True)
    con = store_of(tiny_frames)
    try:
        assert rows(
            con, "select charged_off_on, amount::double, total_amount::double from loan_charge_off"
        ) == [(dt.date(2024, 9, 6), 2000.0, 2150.0)]
        assert rows(con, "select * from loan_write_off") == [
            ("L3", "small_business", dt.date(2024, 9, 6), 2000.0)
        ]
        assert rows(con, "select charged_off_on, paid_on from recovery") == [
            (dt.date(2024, 9, 6), dt.date(2024, 11, 15))
        ]
    finally:
        con.close()


def test_loan_visibility_rows_for_the_platform_and_each_holder(tiny_con: duckdb.DuckDBPyConnection) -> None:
    got = rows(
        tiny_con, "select loan_id, investor_id, visible_from from loan_visibility order by all nulls first"
    )
    assert got == [
        ("L1", None, dt.date(2024, 1, 15)),
        ("L1", "I1", dt.date(2024, 1, 15)),
        ("L1", "I2", dt.date(2024, 1, 15)),
        ("L2", None, dt.date(2024, 2, 1)),
        ("L2", "I1", dt.date(2024, 2, 1)),
        ("L3", None, dt.date(2024, 1, 10)),
        ("L3", "I1", dt.date(2024, 1, 10)),
        ("L3", "I2", dt.date(2024, 1, 10)),
    ]


def test_loan_visibility_waits_for_the_investors_first_investment(
    tiny_frames: dict[str, pd.DataFrame],
) -> None:
    # I2 buys into L1 on 03-01 (and again on 05-01) instead of at origination on 01-15.
    holdings = tiny_frames["holdings"]
    holdings.loc[holdings["holding_id"] == "H2", "invested_on"] = dt.date(2024, 3, 1)
    extra = pd.DataFrame([("H6", "I2", "L1", 50.0, dt.date(2024, 5, 1))], columns=holdings.columns)
    tiny_frames["holdings"] = pd.concat([holdings, extra], ignore_index=True)
    con = duckdb.connect()
    try:
        store.populate(con, tiny_frames, source="tiny", observed_to=OBSERVED_TO)
        got = rows(
            con, "select visible_from from loan_visibility where loan_id = 'L1' and investor_id = 'I2'"
        )
    finally:
        con.close()
    assert got == [(dt.date(2024, 3, 1),)]
