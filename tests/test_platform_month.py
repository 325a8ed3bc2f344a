"""The platform_month mart (the tape summed by month-end x grade x product x channel x state) and the
platform trend read from it: equal to the trend read from the loan_month tape (the query before the
mart, kept as tests/sql/overdue_trend_from_tape.sql) on the tiny platform and a demo platform."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from lendrisk import demo, metrics, store

TAPE_TREND = (Path(__file__).parent / "sql" / "overdue_trend_from_tape.sql").read_text()


def trend_from_tape(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """overdue_trend's book columns as they were computed from the tape before the mart."""
    return con.execute(TAPE_TREND, {"from": start, "to": end}).df()


def assert_book_equal(mart: pd.DataFrame, tape: pd.DataFrame) -> None:
    """The trend read from the mart has the tape's rows and, in the tape's columns, its values."""
    assert len(tape.columns) == 11
    pd.testing.assert_frame_equal(mart[list(tape.columns)], tape)


def test_tiny_march_segments_hold_the_hand_computed_book(tiny_con):
    rows = tiny_con.execute(
        """
        select grade, product, channel, state, loans, outstanding_principal, past_due_amount
        from platform_month where month_end = date '2024-03-31' order by grade
        """
    ).fetchall()
    # L1 (A, 708 outstanding, 308 past due), L2 (B, current, 2,400), L3 (E, 2,000, 1,020 past due)
    assert rows == [
        ("A", "personal", "platform", "1-30", 1, Decimal("708.00"), Decimal("308.00")),
        ("B", "consumer", "platform", "current", 1, Decimal("2400.00"), Decimal("0.00")),
        ("E", "small_business", "institution", "1-30", 1, Decimal("2000.00"), Decimal("1020.00")),
    ]


def test_tiny_default_counted_once_in_its_default_month(tiny_con):
    rows = tiny_con.execute(
        """
        select month_end, state, new_default_loans, new_default_principal
        from platform_month where new_default_loans > 0
        """
    ).fetchall()
    assert rows == [(dt.date(2024, 6, 30), "90+", 1, Decimal("2000.00"))]  # L3 reaches 90+ in June


def test_segment_counts_add_up_to_the_tape(tiny_con):
    tape = tiny_con.execute("select count(*) from loan_month").fetchall()[0][0]
    mart = tiny_con.execute("select sum(loans) from platform_month").fetchall()[0][0]
    assert mart == tape


def test_tiny_trend_equals_the_tape_trend(tiny_con):
    start, end = dt.date(2023, 1, 1), dt.date(2024, 12, 31)
    assert_book_equal(metrics.overdue_trend(tiny_con, start, end), trend_from_tape(tiny_con, start, end))


@pytest.mark.slow
def test_demo_trend_equals_the_tape_trend(tmp_path):
    path = tmp_path / "demo.duckdb"
    demo.build_demo_store(path, loans=3_000, seed=5)
    con = store.connect(path)
    try:
        for start, end in (
            (dt.date(2017, 1, 1), dt.date(2024, 12, 31)),
            (dt.date(2020, 3, 1), dt.date(2021, 2, 28)),
        ):
            mart = metrics.overdue_trend(con, start, end)
            assert len(mart) > 10 and mart["new_default_loans"].sum() > 0
            assert_book_equal(mart, trend_from_tape(con, start, end))
    finally:
        con.close()
