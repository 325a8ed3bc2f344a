"""The marts behind the health, why and reserve pages (book_cell, reserve_segment, month_flow) and the
platform's total expected loss priced by segment: hand-computed rows on the tiny platform, and each
query equal to the query it replaced (kept in tests/sql/*_before_marts.sql) on the tiny platform and a
demo platform, up to the order of a double sum (the marts sum exactly in decimal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from tiny import OBSERVED_TO, d, tiny_tables

from lendrisk import risk, sql, store

SQL = Path(__file__).parent / "sql"
FIRST = dt.date(2016, 12, 31)  # before every store's first month-end


def before(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pd.DataFrame:
    """The result of tests/sql/<name>_before_marts.sql: the query as it was before the marts."""
    return con.execute((SQL / f"{name}_before_marts.sql").read_text(), params).df()


def assert_same(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """Same columns, dtypes, rows and order; doubles within 1e-12 relative (sum order only)."""
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12, atol=0)


def test_book_cell_holds_the_hand_computed_march_book(tiny_con):
    rows = tiny_con.execute(
        """
        select months_on_book, grade, score_band, channel, income_verification, originated_late, loans,
            outstanding_principal, overdue_balance, m3plus_balance
        from book_cell where month_end = date '2024-03-31'
        """
    ).fetchall()
    # tests/tiny.py at 03-31: L2 (B, score 680 verified, platform, 1 month on book) current 2,400;
    # L1 (A, 720 verified, platform, 2 on book) 1-30 with 708; L3 (E, 590 not verified,
    # institution, 2 on book) 1-30 with 2,000. No origination day is after the 31st.
    zero, l3 = Decimal("0.00"), Decimal("2000.00")
    assert rows == [
        (1, "B", "650-699", "platform", "verified", False, 1, Decimal("2400.00"), zero, zero),
        (2, "A", "700-749", "platform", "verified", False, 1, Decimal("708.00"), Decimal("708.00"), zero),
        (2, "E", "lt600", "institution", "not_verified", False, 1, l3, l3, zero),
    ]
    # L3 is 90+ from 06-30 to 08-31: the only M3+ balance on the tiny platform
    m3plus = tiny_con.execute(
        "select month_end, m3plus_balance from book_cell where m3plus_balance > 0 order by month_end"
    ).fetchall()
    ends = ("2024-06-30", "2024-07-31", "2024-08-31")
    assert m3plus == [(d(day), Decimal("2000.00")) for day in ends]


@pytest.fixture(scope="module")
def late_con():
    """The tiny platform with L1 originated on 2024-01-30: at 2024-02-29 it is one month on book but
    not yet a month old (2024-02-29 - 1 month = 2024-01-29)."""
    tables = tiny_tables()
    tables["loans"].loc[tables["loans"]["loan_id"] == "L1", "originated_on"] = d("2024-01-30")
    con = duckdb.connect()
    store.populate(con, tables, source="tiny, L1 on 01-30", observed_to=OBSERVED_TO)
    yield con
    con.close()


def test_a_loan_originated_late_in_its_month_is_not_yet_seasoned(late_con):
    late = late_con.execute(
        "select months_on_book, grade, originated_late from book_cell where month_end = date '2024-02-29' "
        "order by grade"
    ).fetchall()
    assert late == [(1, "A", True), (0, "B", False), (1, "E", False)]
    params = {"from": d("2024-02-29"), "to": d("2024-02-29"), "lag_months": 1}
    row = sql.run(late_con, "lagged_overdue_rates", params).iloc[0]
    # at 02-29: L1 800, L2 2,400, L3 2,000 outstanding, all current; one month old: L3 only
    assert (row["outstanding_principal"], row["seasoned_principal"]) == (5200.0, 2000.0)
    new = sql.run(late_con, "lagged_overdue_rates", params)
    assert_same(new, before(late_con, "lagged_overdue_rates", params))
    # at 03-31 every loan is a month old (L2, from 02-01, too): L1 708 + L2 2,400 + L3 2,000
    params = {"from": d("2024-03-31"), "to": d("2024-03-31"), "lag_months": 1}
    assert sql.run(late_con, "lagged_overdue_rates", params)["seasoned_principal"].iloc[0] == 5108.0


def test_reserve_segment_holds_the_reserve_loan_until_the_buy_out(tiny_con):
    rows = tiny_con.execute(
        "select month_end, grade, state, remaining_months, loans, exposure from reserve_segment"
        " order by month_end"
    ).fetchall()
    # L3 (E, 3 months, reserve): 3,000 owed at 01-31, 2,000 after the first installment; the
    # guarantor's 06-10 buy-out takes the investors' claim to 0, so it leaves the mart at 06-30
    assert rows == [
        (d("2024-01-31"), "E", "current", 3, 1, Decimal("3000.00")),
        (d("2024-02-29"), "E", "current", 2, 1, Decimal("2000.00")),
        (d("2024-03-31"), "E", "1-30", 1, 1, Decimal("2000.00")),
        (d("2024-04-30"), "E", "31-60", 0, 1, Decimal("2000.00")),
        (d("2024-05-31"), "E", "61-90", 0, 1, Decimal("2000.00")),
    ]


def test_month_flow_holds_the_months_flows(tiny_con):
    rows = tiny_con.execute("select * from month_flow order by month_end").fetchall()
    none = (None, None, None)
    assert rows == [
        (d("2024-01-31"), *none, 2, Decimal("4200.00")),  # L1 and L3 originated
        (d("2024-02-29"), *none, 1, Decimal("2400.00")),  # L2
        (d("2024-06-30"), None, None, Decimal("2020.00"), None, None),  # the guarantor's buy-out of L3
        (d("2024-09-30"), Decimal("2000.00"), None, None, None, None),  # L3 charged off
        (d("2024-11-30"), None, Decimal("300.00"), None, None, None),  # collection recovers 300
    ]


def test_the_marts_are_built_after_the_tape_and_counted_in_meta(tiny_con):
    for mart in ("book_cell", "reserve_segment"):
        assert store.MARTS.index(mart) > store.MARTS.index("loan_month")
    meta = store.read_meta(tiny_con)
    assert (meta["rows.book_cell"], meta["rows.reserve_segment"], meta["rows.month_flow"]) == ("13", "5", "5")


def _calls(days: list[dt.date]) -> list[tuple[str, dict]]:
    """Every query the marts replaced, at each month-end of days."""
    calls = []
    for day in days:
        calls += [("attribution_cells", {"as_of": day}), ("reserve_exposure", {"as_of": day})]
        calls += [("reserve_history", {"as_of": day}), ("overdue_trend", {"from": FIRST, "to": day})]
        calls += [("overdue_trend", {"from": day - dt.timedelta(days=200), "to": day})]
        calls += [("lagged_overdue_rates", {"from": FIRST, "to": day, "lag_months": n}) for n in (0, 3, 6)]
    return calls


def test_tiny_queries_equal_the_queries_before_the_marts(tiny_con):
    for name, params in _calls([d("2024-03-31"), d("2024-06-30"), d("2024-12-31")]):
        assert_same(sql.run(tiny_con, name, params), before(tiny_con, name, params))


def test_tiny_total_expected_loss_equals_the_loan_by_loan_sum(tiny_con):
    # 04-30: only L3 is active (31-60, past its term: its lifetime PD is 1) with 2,000
    # outstanding at the default LGD of 0.9 (no charge-off yet): 1,800
    assert risk.expected_loss_total(tiny_con, d("2024-04-30")) == pytest.approx(1800.0, rel=1e-12)
    for day in (d("2024-02-29"), d("2024-03-31"), d("2024-06-30")):
        by_loan = float(risk.expected_loss(tiny_con, day)["el"].sum())
        assert risk.expected_loss_total(tiny_con, day) == pytest.approx(by_loan, rel=1e-12)
    assert risk.expected_loss_total(tiny_con, d("2024-12-31")) == 0.0  # nothing active


@pytest.mark.slow
def test_demo_queries_equal_the_queries_before_the_marts(demo_store):
    con = store.connect(demo_store(3_000))
    try:
        days = [d("2019-06-30"), d("2022-02-28"), d("2024-12-31")]
        for name, params in _calls(days):
            new, old = sql.run(con, name, params), before(con, name, params)
            assert len(new) > 0
            assert_same(new, old)
        for day in days:
            by_loan = float(risk.expected_loss(con, day)["el"].sum())
            assert risk.expected_loss_total(con, day) == pytest.approx(by_loan, rel=1e-12)
    finally:
        con.close()
