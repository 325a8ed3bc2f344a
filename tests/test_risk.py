"""lendrisk.risk on the tiny platform (tests/tiny.py) and small variants of it; every number on paper."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
import pyxirr
from tiny import OBSERVED_TO, d, tiny_tables

from lendrisk import risk, sql, store, vocab

STATES = list(vocab.STATES)


def build(tables: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    """An in-memory store of edited tiny tables, tape built to 2024-12-31."""
    con = duckdb.connect()
    store.populate(con, tables, source="tiny variant", observed_to=OBSERVED_TO)
    return con


@pytest.fixture
def cure_con(tiny_frames):
    """Tiny plus L4, a loan that falls 1-30 and cures.

    L4 900.00 at 0 %, 3 months equal principal, originated 2024-05-05: 300 due 06-05, 07-05, 08-05.
    Pays 300 on 07-03 (installment 1, late), 300 on 07-05, 300 on 08-05.
    Tape: 05-31 current 900 · 06-30 1-30 (DPD 25) 900 · 07-31 current 300 · 08-31 paid_off.
    """
    t = tiny_frames
    t["borrowers"] = pd.concat(
        [t["borrowers"], t["borrowers"].iloc[[0]].assign(borrower_id="B4")], ignore_index=True
    )
    t["loans"] = pd.concat(
        [
            t["loans"],
            t["loans"]
            .iloc[[0]]
            .assign(loan_id="L4", borrower_id="B4", originated_on=d("2024-05-05"), principal=900.0)
            .assign(annual_rate=0.0, term_months=3),
        ],
        ignore_index=True,
    )
    t["schedule"] = pd.concat(
        [
            t["schedule"],
            pd.DataFrame(
                [("L4", k, d(f"2024-{k + 5:02d}-05"), 300.0, 0.0) for k in (1, 2, 3)],
                columns=t["schedule"].columns,
            ),
        ],
        ignore_index=True,
    )
    t["repayments"] = pd.concat(
        [
            t["repayments"],
            pd.DataFrame(
                [
                    ("L4", d("2024-07-03"), 300.0, 0.0, 0.0, "borrower"),
                    ("L4", d("2024-07-05"), 300.0, 0.0, 0.0, "borrower"),
                    ("L4", d("2024-08-05"), 300.0, 0.0, 0.0, "borrower"),
                ],
                columns=t["repayments"].columns,
            ),
        ],
        ignore_index=True,
    )
    t["holdings"] = pd.concat(
        [
            t["holdings"],
            pd.DataFrame([("H6", "I2", "L4", 900.0, d("2024-05-05"))], columns=t["holdings"].columns),
        ],
        ignore_index=True,
    )
    con = build(t)
    yield con
    con.close()


# --- roll rates and cure rates ----------------------------------------------------------------


def rates(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(r.from_state, r.to_state): r.probability for r in frame.itertuples()}


def test_transition_probability_over_the_whole_year(tiny_con):
    got = rates(risk.roll_rates(tiny_con, d("2024-12-31")))
    # Out of current (balance at m): L1 1,200 (->current) + 800 (->1-30); L2 2,400 (->current) +
    # 2,400 (->paid_off); L3 3,000 (->current) + 2,000 (->1-30): 11,800 in all.
    assert got[("current", "1-30")] == pytest.approx((800 + 2000) / 11800)  # 0.2373
    assert got[("current", "paid_off")] == pytest.approx(2400 / 11800)
    # Out of 1-30: L1 708 pays off, L3 2,000 rolls to 31-60.
    assert got[("1-30", "paid_off")] == pytest.approx(708 / 2708)
    # Out of 90+: L3 2,000 stays (07-31), 2,000 stays (08-31), 2,000 charges off (09-30).
    assert got[("90+", "charged_off")] == pytest.approx(2000 / 6000)


def test_roll_rate_rows_sum_to_one(tiny_con):
    frame = risk.roll_rates(tiny_con, d("2024-12-31"))
    assert frame.groupby("from_state")["probability"].sum().to_dict() == pytest.approx(
        {s: 1.0 for s in ("current", "1-30", "31-60", "61-90", "90+")}
    )


def test_lookback_window_and_grade_filter(tiny_con):
    # One month back from 03-31: only 02-29 -> 03-31. Current: L1 800 -> 1-30, L2 2,400 -> current,
    # L3 2,000 -> 1-30.
    got = rates(risk.roll_rates(tiny_con, d("2024-03-31"), lookback_months=1))
    assert got == pytest.approx({("current", "current"): 2400 / 5200, ("current", "1-30"): 2800 / 5200})
    # Grade E is L3 alone: current 3,000 -> current, 2,000 -> 1-30.
    got = rates(risk.roll_rates(tiny_con, d("2024-12-31"), grade="E"))
    assert got[("current", "1-30")] == pytest.approx(2000 / 5000)


def test_loans_whose_tape_ends_at_the_as_of_date_have_no_transition(tiny_con):
    # At 03-31 the 03-31 rows (L1 1-30, L3 1-30) have no next month inside the window.
    frame = risk.roll_rates(tiny_con, d("2024-03-31"))
    assert set(frame["from_state"]) == {"current"}
    assert frame["loans"].sum() == 5  # L1 x2, L3 x2, L2 x1


def test_cure_rate(cure_con):
    frame = risk.cure_rates(cure_con, d("2024-12-31")).set_index("bucket")
    # Out of 1-30: L1 708 (-> paid_off), L3 2,000 (-> 31-60), L4 900 (-> current): 3,608.
    assert frame.loc["1-30", "cure_rate"] == pytest.approx(900 / 3608)  # 0.2494
    assert frame.loc["1-30", "paid_off_rate"] == pytest.approx(708 / 3608)
    assert frame.loc["1-30", "loans"] == 3
    assert frame.loc["90+", "cure_rate"] == 0.0
    assert list(frame.index) == ["1-30", "31-60", "61-90", "90+"]


def test_cure_rate_by_month(cure_con):
    frame = risk.cure_rates_by_month(cure_con, d("2024-12-31"))
    one_to_thirty = frame[frame["bucket"] == "1-30"].set_index("month_end")["cure_rate"]
    # 04-30: L1 and L3 were 1-30 at 03-31, neither current now; 07-31: L4 (1-30 at 06-30) cured.
    assert one_to_thirty[pd.Timestamp("2024-04-30")] == 0.0
    assert one_to_thirty[pd.Timestamp("2024-07-31")] == 1.0


# --- matrices and PD --------------------------------------------------------------------------


def test_transition_matrix_adds_absorbing_rows_and_sums_to_one(tiny_con):
    matrix = risk.transition_matrix(tiny_con, d("2024-12-31"))
    assert list(matrix.index) == STATES and list(matrix.columns) == STATES
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    assert matrix.loc["paid_off", "paid_off"] == 1.0
    assert matrix.loc["charged_off", "charged_off"] == 1.0
    assert matrix.loc["current", "1-30"] == pytest.approx(2800 / 11800)


def test_grade_matrix_falls_back_row_by_row(tiny_con):
    matrix = risk.transition_matrix(tiny_con, d("2024-12-31"), grade="A", min_obs=2)
    # Grade A (L1) has 2 observations out of current: 1,200 -> current, 800 -> 1-30: its own row.
    assert matrix.loc["current", "1-30"] == pytest.approx(800 / 2000)
    # Out of 1-30 grade A has 1 observation (< 2): the all-grades row, 708 / 2,708 pays off.
    assert matrix.loc["1-30", "paid_off"] == pytest.approx(708 / 2708)
    # Out of 31-60 grade A has none: the all-grades row (L3 rolls to 61-90).
    assert matrix.loc["31-60", "61-90"] == 1.0


def test_unobserved_rows_roll_forward(tiny_con):
    # Up to 02-29 only current rows were seen; every other bucket is assumed to roll on.
    matrix = risk.transition_matrix(tiny_con, d("2024-02-29"))
    assert matrix.loc["1-30", "31-60"] == 1.0
    assert matrix.loc["90+", "charged_off"] == 1.0


def test_pd_curve_is_a_matrix_power():
    # States (performing, late, default). P² by hand, default column:
    #   performing: 0.9·0.02 + 0.08·0.2 + 0.02·1 = 0.018 + 0.016 + 0.02 = 0.054
    #   late:       0.5·0.02 + 0.3·0.2  + 0.2·1  = 0.01  + 0.06  + 0.2  = 0.27
    # P³ performing: 0.9·0.054 + 0.08·0.27 + 0.02·1 = 0.0486 + 0.0216 + 0.02 = 0.0902
    p = np.array([[0.9, 0.08, 0.02], [0.5, 0.3, 0.2], [0.0, 0.0, 1.0]])
    curve = risk.pd_curve(p, 3, default_state=2)
    np.testing.assert_allclose(curve[0], [0, 0, 1])
    np.testing.assert_allclose(curve[1], [0.02, 0.2, 1])
    np.testing.assert_allclose(curve[2], [0.054, 0.27, 1])
    assert curve[3, 0] == pytest.approx(0.0902)
    np.testing.assert_allclose(curve[2], np.linalg.matrix_power(p, 2)[:, 2])


def test_pd_and_expected_loss_of_one_loan(tiny_con):
    # At 03-31 the 12-month window holds current rows only: current -> current 1,200 + 3,000 +
    # 2,400 = 6,600, current -> 1-30 800 + 2,000 = 2,800, of 9,400: a = 6,600/9,400 = 33/47.
    # Unseen buckets roll on, so a loan that leaves current charges off 4 months later.
    # L2 (current, 5 installments left, 2,400) defaults iff it leaves current within those 5
    # months (after its last due date a current loan pays off): PD = 1 - (33/47)^5 = 0.82936.
    # No charge-off yet -> LGD is the default 0.9. EL = 2,400 x 0.82936 x 0.9 = 1,791.42.
    frame = risk.expected_loss(tiny_con, d("2024-03-31")).set_index("loan_id")
    pd_l2 = 1 - (33 / 47) ** 5
    row = frame.loc["L2"]
    assert (row["state"], row["stage"], row["remaining_months"]) == ("current", 1, 5)
    assert row["pd_12m"] == pytest.approx(pd_l2)
    assert row["pd_lifetime"] == pytest.approx(pd_l2)
    assert row["lgd"] == 0.9
    assert row["ead"] == 2400.0
    assert row["el"] == pytest.approx(2400 * pd_l2 * 0.9)  # 1,791.42
    # L1 (1-30, 708): 31-60, 61-90, 90+, charged_off for sure: EL = 708 x 1 x 0.9 = 637.20.
    assert frame.loc["L1", "el"] == pytest.approx(637.2)


def test_stage_follows_dpd(tiny_con):
    frame = risk.expected_loss(tiny_con, d("2024-05-31")).set_index("loan_id")
    # L3 at 05-31: DPD 82 -> stage 2, lifetime PD; no installment left.
    assert frame.loc["L3", ["state", "dpd", "stage", "remaining_months"]].tolist() == ["61-90", 82, 2, 0]


# --- LGD --------------------------------------------------------------------------------------


def test_lgd_from_charge_off_and_recovery(tiny_con):
    # L3: 2,000 written off on 09-06, collection recovers 300 on 11-15: LGD = 1 - 300/2,000 = 0.85.
    frame = risk.lgd_by_product(tiny_con, d("2024-12-31"), min_chargeoffs=1).set_index("product")
    assert frame.loc["small_business", "lgd"] == pytest.approx(0.85)
    assert frame.loc["small_business", "basis"] == "product"
    # Products without charge-offs fall back to all products (the same single loan here).
    assert frame.loc["personal", ["lgd", "basis"]].tolist() == [pytest.approx(0.85), "all_products"]


def test_lgd_develops_immature_charge_offs_with_the_seasoned_curve():
    # Three personal charge-offs, as of 2024-12-31 (complete months since charge-off by 2025-01-01):
    #   A 2022-01-10, 1,000: recovered 100 in month 0, 50 in month 1, 50 in month 5 (24+ months seen)
    #   B 2022-06-10, 2,000: recovered 200 in month 1 (30 months seen)
    #   C 2024-11-20, 1,000: nothing yet, 1 month seen
    # Curve: month 0 = 100 / 4,000 (A, B, C) = 0.025; month 1 = 250 / 3,000 (A, B) = 1/12;
    # month 5 = 50 / 3,000 = 1/60; every other month 0.
    # C projected = 0 + 1,000 x (1/12 + 1/60) = 100; LGD = 1 - (200 + 200 + 100) / 4,000 = 0.875
    # (counting C's 0 as final, the censored way, gives 1 - 400 / 4,000 = 0.9).
    by_month = np.zeros((3, 24))
    by_month[0, [0, 1, 5]] = [100, 50, 50]
    by_month[1, 1] = 200
    book = risk.RecoveryBook(
        product=np.zeros(3, dtype=int),
        charged_off_on=np.array(["2022-01-10", "2022-06-10", "2024-11-20"], dtype="datetime64[D]"),
        principal=np.array([1000.0, 2000.0, 1000.0]),
        by_month=by_month,
    )
    curve = risk.recovery_curve(book, d("2024-12-31"), min_chargeoffs=1)
    expected = np.zeros(24)
    expected[[0, 1, 5]] = [0.025, 1 / 12, 1 / 60]
    np.testing.assert_allclose(curve[0], expected)  # personal
    np.testing.assert_allclose(curve[-1], expected)  # all products: the same three loans
    rows = risk._projected_recoveries(book, d("2024-12-31"), 36, 1).set_index("product")
    assert rows.loc["personal", ["charged_off_loans", "seasoned_loans"]].tolist() == [3, 2]
    assert rows.loc["personal", "recoveries"] == 400.0
    assert rows.loc["personal", "projected_recoveries"] == pytest.approx(500.0)
    lgd = risk._lgd(rows.reset_index(), 1).set_index("product")
    assert lgd.loc["personal", "lgd"] == pytest.approx(0.875)
    # a year earlier (2023-12-31) C is not charged off yet and B has 18 months seen: same month 1 rate
    earlier = risk.recovery_curve(book, d("2023-12-31"), min_chargeoffs=1)
    np.testing.assert_allclose(earlier[0, :2], [100 / 3000, 250 / 3000])


def test_backtest_lgds_sum_the_triangle_by_charge_off_date():
    # The back-test's LGD at each date from charge-offs grouped by date x product. Four personal
    # charge-offs, by date: A 2022-01-10 1,000 (100 in month 0, 50 in month 1, 50 in month 5),
    # B 2022-06-10 2,000 (200 in month 1), D 2022-06-10 1,000 (nothing), C 2024-11-20 1,000 (nothing).
    # 2023-12-31 (window from 2020-12-31; C not yet): every curve month A, B, D have reached is seasoned
    # past month 5, so nothing is projected: LGD = 1 - 400 / 4,000 = 0.9. 2024-12-31: C has 1 month
    # seen and is projected with the curve's months 1 .. 23: 250 / 4,000 + 50 / 4,000 = 0.075, so
    # 75; LGD = 1 - 475 / 5,000 = 0.905. Four charge-offs are under 20, so every product pools.
    personal = vocab.PRODUCTS.index("personal")
    charged = np.array(["2022-01-10", "2022-06-10", "2022-06-10", "2024-11-20"], dtype="datetime64[D]")
    charge_offs = (np.full(4, personal), charged, np.array([1000.0, 2000.0, 1000.0, 1000.0]))
    cells = risk.RecoveryCells(np.array([0, 0, 0, 1]), np.array([0, 1, 5, 1]), np.array([100.0, 50, 50, 200]))
    days = [d("2023-12-31"), d("2024-12-31")]
    curves = dict(zip(days, risk._cell_curves(*charge_offs, cells, days, 20), strict=True))
    assert curves[days[1]][-1, :2].tolist() == [100 / 5000, 250 / 4000]
    lgds = risk._backtest_lgds(charge_offs, cells, days, 36, curves)
    assert lgds[days[0]].tolist() == pytest.approx([0.9] * len(vocab.PRODUCTS))
    assert lgds[days[1]].tolist() == pytest.approx([0.905] * len(vocab.PRODUCTS))
    # the same as lgd_by_product's triangle of the book at each date
    by_month = np.zeros((4, 24))
    by_month[cells.row, cells.month] = cells.amount
    for day in days:
        book = risk.RecoveryBook(charge_offs[0], charged, charge_offs[2], by_month)
        rows = risk._lgd(risk._projected_recoveries(book, day, 36, 20), 20)
        assert lgds[day].tolist() == pytest.approx(rows["lgd"].tolist(), rel=1e-12)


def test_recovery_curves_of_many_dates_equal_recovery_curve_at_each():
    # The back-test's curves from running sums. Four charge-offs, ordered by date (recovery_book's order):
    #   A personal 2022-01-10, 1,000: 100 in month 0, 50 in month 1;  B small_business 2022-06-10,
    #   2,000: 300 in month 0;  C personal 2023-03-05, 500: 40 in month 0;  D personal 2024-11-20, 1,000.
    # 2023-12-31 (min 1): personal month 0 = (100 + 40) / 1,500, month 1 = 50 / 1,500 (C has 9 months
    # seen); small_business month 0 = 300 / 2,000; all month 0 = 440 / 3,500. 2022-03-31: only A
    # (2 whole months by 04-01).
    personal, business, every = vocab.PRODUCTS.index("personal"), vocab.PRODUCTS.index("small_business"), -1
    by_month = np.zeros((4, 24))
    by_month[0, [0, 1]] = [100, 50]
    by_month[1, 0] = 300
    by_month[2, 0] = 40
    book = risk.RecoveryBook(
        product=np.array([personal, business, personal, personal]),
        charged_off_on=np.array(
            ["2022-01-10", "2022-06-10", "2023-03-05", "2024-11-20"], dtype="datetime64[D]"
        ),
        principal=np.array([1000.0, 2000.0, 500.0, 1000.0]),
        by_month=by_month,
    )
    days = [d("2022-03-31"), d("2023-12-31"), d("2024-12-31"), d("2021-12-31")]
    curves = risk.recovery_curves(book, days, min_chargeoffs=1)
    for day, curve in zip(days, curves, strict=True):
        assert np.array_equal(curve, risk.recovery_curve(book, day, min_chargeoffs=1))
    assert curves[1][personal, :2].tolist() == [140 / 1500, 50 / 1500]
    assert curves[1][business, 0] == 300 / 2000
    assert curves[1][every, 0] == 440 / 3500
    assert curves[0][personal, :3].tolist() == [0.1, 0.05, 0.0]  # A alone
    assert not curves[3].any()  # before any charge-off
    # thin products (under 2 charge-offs in a month) take the all-products rate, as recovery_curve does
    thin = risk.recovery_curves(book, days, min_chargeoffs=2)
    assert thin[1][business, 0] == 440 / 3500
    assert all(np.array_equal(c, risk.recovery_curve(book, x, 2)) for x, c in zip(days, thin, strict=True))
    # a book out of date order is summed the plain way
    shuffled = risk.RecoveryBook(
        book.product[::-1], book.charged_off_on[::-1], book.principal[::-1], by_month[::-1]
    )
    assert risk.recovery_curves(shuffled, days[1:2], 1)[0][personal, 0] == pytest.approx(140 / 1500)


def test_recovery_book_is_a_cut_of_the_charge_off_ledger(tiny_con):
    # charge_offs.sql and recovery_payments.sql read every charge-off and recovery of the store (L3:
    # 2,000 written off on 09-06, active 01-31 .. 08-31; 300 recovered on 11-15); the ledger codes
    # them, and the book at a date is its cut: L3's 300 falls in month 2 (two whole months after
    # 09-06), not yet paid at 10-31, and no charge-off at all by 08-31.
    assert sql.run_arrow(tiny_con, "charge_offs").to_pylist() == [
        {
            "loan_id": "L3",
            "product": "small_business",
            "charged_off_on": d("2024-09-06"),
            "principal_written_off": 2000.0,
            "active_from": d("2024-01-31"),
            "active_to": d("2024-08-31"),
        }
    ]
    assert sql.run_arrow(tiny_con, "recovery_payments").to_pylist() == [
        {"loan_id": "L3", "paid_on": d("2024-11-15"), "payment_no": 1, "amount": 300.0}
    ]
    ledger = risk.charge_off_ledger(tiny_con)
    assert ledger.product.tolist() == [vocab.PRODUCTS.index("small_business")]
    assert ledger.active_to.tolist() == [d("2024-08-31")]
    assert [column.tolist() for column in ledger.payments] == [[0], [d("2024-11-15")], [300.0], [2]]
    book = risk.recovery_book(tiny_con, d("2024-12-31"))
    assert book.product.tolist() == [vocab.PRODUCTS.index("small_business")]
    assert book.principal.tolist() == [2000.0]
    assert book.by_month.tolist() == [[0.0, 0.0, 300.0] + [0.0] * 21]
    assert risk.recovery_book(tiny_con, d("2024-10-31")).by_month.tolist() == [[0.0] * 24]  # not yet paid
    assert risk.recovery_book(tiny_con, d("2024-08-31")).by_month.shape == (0, 24)


def test_ledger_cut_and_cells_add_a_loans_payments_in_order():
    # Three charge-offs by date: A 2024-01-10, B 2024-02-01, C 2024-03-31 (rows 0, 1, 2). Payments
    # (row, date, amount, month): A 01-20 10 (0), A 01-25 20 (0), A 03-09 5 (1), A 03-10 7 (2),
    # B 02-29 4 (0), C 04-30 1 (0). Cut at 03-31: A's four and B's one (C's comes in April); cells
    # A month 0 = 0 + 10 + 20 = 30, A month 1 = 5, A month 2 = 7, B month 0 = 4. At 02-29 only
    # A and B are charged off and paid 30 and 4.
    paid = np.array(
        ["2024-01-20", "2024-01-25", "2024-03-09", "2024-03-10", "2024-02-29", "2024-04-30"],
        dtype="datetime64[D]",
    )
    charged = np.array(["2024-01-10", "2024-02-01", "2024-03-31"], dtype="datetime64[D]")
    rows = np.array([0, 0, 0, 0, 1, 2])
    product, principal = np.zeros(3, dtype=int), np.array([100.0, 50.0, 10.0])
    ledger = risk.ChargeOffLedger(
        product=product,
        charged_off_on=charged,
        principal=principal,
        active_from=charged,
        active_to=charged,
        payments=(
            rows,
            paid,
            np.array([10.0, 20.0, 5.0, 7.0, 4.0, 1.0]),
            risk.complete_months(charged[rows], paid),
        ),
        by_code=risk._by_code(product, charged, principal),
    )
    assert ledger.payments[3].tolist() == [0, 0, 1, 2, 0, 0]
    n, payments = risk._ledger_through(ledger, d("2024-03-31"))
    assert n == 3 and payments[2].tolist() == [10.0, 20.0, 5.0, 7.0, 4.0]
    cells = risk._recovery_cells(payments)
    assert (cells.row.tolist(), cells.month.tolist(), cells.amount.tolist()) == (
        [0, 0, 0, 1],
        [0, 1, 2, 0],
        [30.0, 5.0, 7.0, 4.0],
    )
    n, payments = risk._ledger_through(ledger, d("2024-02-29"))
    assert n == 2 and payments[2].tolist() == [10.0, 20.0, 4.0]
    # months seen (A 3, B 0): A has three such months, read as numpy sums its masked row: 42;
    # with 2 months seen A has two (35), B none
    assert risk._observed_by_row(cells, np.array([3, 0, 0])).tolist() == [42.0, 0.0, 0.0]
    assert risk._observed_by_row(cells, np.array([2, 1, 0])).tolist() == [35.0, 4.0, 0.0]
    # an empty book has no dates (a back-test before any month-end with active loans)
    assert [x.tolist() for x in risk._runs(np.zeros(0, dtype="datetime64[D]"))] == [[], []]
    assert [x.tolist() for x in risk._runs(charged[[0, 0, 1]])] == [charged[:2].tolist(), [0, 2]]
    # the first two rows' running principal by product code: a prefix of the ledger's
    cut = risk._by_code_through(ledger.by_code, 2)
    assert cut.principal[0].tolist() == [0.0, 100.0, 150.0]
    assert cut.dates.tolist() == [d("2024-01-10"), d("2024-02-01")]


def test_run_via_arrow_gives_the_frame_run_gives(tiny_con):
    # The platform EL reads loan_risk_inputs through Arrow: the same frame, dtypes included, and an
    # empty one (no loan yet in 2023) as run has it. At 03-31 L1 is 1-30 with 708 outstanding.
    for day in ("2024-03-31", "2024-06-30", "2023-12-31"):
        params = {"as_of": d(day)}
        got = sql.run_via_arrow(tiny_con, "loan_risk_inputs", params)
        pd.testing.assert_frame_equal(got, sql.run(tiny_con, "loan_risk_inputs", params), check_exact=True)
    frame = sql.run_via_arrow(tiny_con, "loan_risk_inputs", {"as_of": d("2024-03-31")}).set_index("loan_id")
    assert frame.loc["L1", ["state", "outstanding_principal"]].tolist() == ["1-30", 708.0]
    assert sql.run_via_arrow(tiny_con, "loan_risk_inputs", {"as_of": d("2023-12-31")}).empty


def test_platform_inputs_look_up_loan_terms_by_loan_no(tiny_con, monkeypatch):
    # loan_terms, read once per store, in loan_no order (L1, L2, L3): grades A, B, E; products
    # personal, consumer, small_business; guarantees none, none, reserve; terms 3, 6, 3 months.
    terms = risk.loan_terms(tiny_con)
    assert [vocab.GRADES[g] for g in terms.grade] == ["A", "B", "E"]
    assert [vocab.PRODUCTS[p] for p in terms.product] == ["personal", "consumer", "small_business"]
    assert [vocab.GUARANTEES[g] for g in terms.guarantee] == ["none", "none", "reserve"]
    assert terms.term_months.tolist() == [3, 6, 3]
    # At 03-31 the tape slice (L1 1-30 708, L2 current 2,400, L3 1-30 2,000 with 2 of 3, 5 of 6
    # and 2 of 3 installments due) plus those terms is loan_risk_inputs' frame, dtypes included:
    # remaining 3 - 2 = 1, 6 - 1 = 5, 3 - 2 = 1. So at every month-end, and with no terms (the join).
    frame, codes = risk._platform_inputs(tiny_con, d("2024-03-31"))
    assert frame[["loan_id", "state", "remaining_months", "outstanding_principal"]].values.tolist() == [
        ["L1", "1-30", 1, 708.0],
        ["L2", "current", 5, 2400.0],
        ["L3", "1-30", 1, 2000.0],
    ]
    assert (codes.grade.tolist(), codes.product.tolist(), codes.guarantee.tolist()) == (
        [0, 1, 4],
        [0, 1, 2],
        [0, 0, 1],
    )
    for day in ("2024-03-31", "2024-05-31", "2024-06-30", "2024-12-31", "2023-12-31"):
        params = {"as_of": d(day)}
        expected = sql.run_via_arrow(tiny_con, "loan_risk_inputs", params)
        pd.testing.assert_frame_equal(risk._platform_inputs(tiny_con, d(day))[0], expected, check_exact=True)
    monkeypatch.setattr(risk, "loan_terms", lambda con: None)
    joined, none = risk._platform_inputs(tiny_con, d("2024-03-31"))
    assert none is None
    pd.testing.assert_frame_equal(joined, frame, check_exact=True)


def test_expected_loss_prices_known_codes_as_it_prices_text(tiny_con, monkeypatch):
    # The platform's rows come with their grade, product and guarantee positions (LoanCodes); pricing
    # by them gives the frame pricing by the text gives, to the last bit, stressed or not.
    for day in ("2024-03-31", "2024-05-31"):
        coded = risk.expected_loss(tiny_con, d(day))
        stressed = risk.stressed_expected_loss(tiny_con, d(day), 2.0)["loans"]
        with monkeypatch.context() as m:
            m.setattr(risk, "loan_terms", lambda con: None)
            pd.testing.assert_frame_equal(coded, risk.expected_loss(tiny_con, d(day)), check_exact=True)
            plain = risk.stressed_expected_loss(tiny_con, d(day), 2.0)["loans"]
            pd.testing.assert_frame_equal(stressed, plain, check_exact=True)
    # L3 (reserve) keeps 1 - reserve coverage of its loss, L1 and L2 (none) all of it.
    codes = risk.LoanCodes(np.array([0, 4]), np.array([0, 2]), np.array([0, 1]))
    kept = risk._kept(pd.Series(["none", "reserve"]), {"reserve": 0.25, "partner": 0.5}, codes)
    assert kept.tolist() == [1.0, 0.75]


def test_complete_months_count_whole_calendar_months():
    start = np.array(["2024-01-15", "2024-01-15", "2024-09-06", "2024-09-06"], dtype="datetime64[D]")
    end = np.array(["2024-03-14", "2024-03-15", "2025-01-01", "2024-11-01"], dtype="datetime64[D]")
    assert risk.complete_months(start, end).tolist() == [1, 2, 3, 1]


def test_lgd_counts_only_recoveries_received_by_the_as_of_date(tiny_con):
    frame = risk.lgd_by_product(tiny_con, d("2024-10-31"), min_chargeoffs=1).set_index("product")
    assert frame.loc["small_business", "lgd"] == 1.0  # charged off, nothing recovered yet
    frame = risk.lgd_by_product(tiny_con, d("2024-08-31")).set_index("product")
    assert frame["lgd"].tolist() == [0.9, 0.9, 0.9]  # no charge-off at all yet: the default
    assert set(frame["basis"]) == {"default"}


# --- investor EL, guarantee, static method ----------------------------------------------------


def test_investor_rows_are_share_of_exposure(tiny_con):
    frame = risk.expected_loss(tiny_con, d("2024-03-31"), investor_id="I1").set_index("holding_id")
    # H1 = 600/1,200 of L1 (708 outstanding) = 354; H4 = 1,000/3,000 of L3 (2,000) = 666.67.
    assert frame.loc["H1", "ead"] == pytest.approx(354.0)
    assert frame.loc["H4", "ead"] == pytest.approx(2000 / 3)
    assert frame.loc["H1", "el"] == pytest.approx(354 * 1.0 * 0.9)
    # L3 is reserve-guaranteed and the reserve (10,000) covers the expected buy-out (2,000 x PD 1).
    assert frame.loc["H4", "el_after_guarantee"] == 0.0
    assert frame.loc["H1", "el_after_guarantee"] == pytest.approx(318.6)


def test_guarantor_buy_out_ends_investor_exposure(tiny_con):
    # 06-30: the guarantor bought L3 out on 06-10; the loan is 90+ for the platform, 0 for investors.
    assert risk.expected_loss(tiny_con, d("2024-06-30"), investor_id="I1").empty
    platform = risk.expected_loss(tiny_con, d("2024-06-30")).set_index("loan_id")
    assert platform.loc["L3", ["ead", "exposure", "el_after_guarantee"]].tolist() == [2000.0, 0.0, 0.0]


def test_thin_reserve_scales_the_guarantee(tiny_frames):
    # Reserve 1,000 at 03-31 against expected buy-outs of 2,000 (L3 exposure x PD 1): coverage 0.5.
    # H4's EL after the guarantee = 666.67 x 1 x 0.9 x (1 - 0.5) = 300.
    tiny_frames["reserve_fund"]["balance"] = 1000.0
    con = build(tiny_frames)
    assert risk.reserve_coverage(con, d("2024-03-31")) == pytest.approx(
        {"balance": 1000.0, "expected_buyouts": 2000.0, "coverage": 0.5}
    )
    frame = risk.expected_loss(con, d("2024-03-31"), investor_id="I1").set_index("holding_id")
    assert frame.loc["H4", "el_after_guarantee"] == pytest.approx(300.0)


def test_static_lendingclub_loss_rates(tiny_con):
    frame = risk.expected_loss(tiny_con, d("2024-03-31"), method="static").set_index("loan_id")
    # L1 DPD 16 and L3 DPD 21 are "Late (16-30 days)": 49 %; L2 is current: 0.
    assert frame["el"].to_dict() == pytest.approx({"L1": 708 * 0.49, "L2": 0.0, "L3": 2000 * 0.49})
    custom = risk.expected_loss(
        tiny_con, d("2024-03-31"), method="static", static_loss_rates={"late_16_30": 0.5}
    ).set_index("loan_id")
    assert custom.loc["L1", "el"] == pytest.approx(354.0)


def test_expected_loss_summary_by_stage_and_bucket(tiny_con):
    summary = risk.expected_loss_summary(risk.expected_loss(tiny_con, d("2024-03-31")))
    # Stage 1 current: L2; stage 1 1-30: L1 + L3 = 708 + 2,000, EL 0.9 x 2,708 = 2,437.2.
    assert summary[["stage", "state", "loans"]].values.tolist() == [[1, "current", 1], [1, "1-30", 2]]
    assert summary.loc[1, "ead"] == 2708.0
    assert summary.loc[1, "el"] == pytest.approx(2437.2)


def test_as_of_must_be_a_month_end(tiny_con):
    with pytest.raises(ValueError, match="month-end"):
        risk.expected_loss(tiny_con, dt.date(2024, 3, 30))


# --- returns ----------------------------------------------------------------------------------

I1_FLOWS = [  # (date, amount): investments out, share x every repayment in (tiny.py)
    ("2024-01-10", -1000.0),  # H4 L3
    ("2024-01-15", -600.0),  # H1 L1
    ("2024-02-01", -2400.0),  # H3 L2
    ("2024-02-10", 1030 / 3),  # L3 installment 1, 1/3
    ("2024-02-15", 206.0),  # L1 412 x 1/2
    ("2024-03-01", 24.0),  # L2 interest
    ("2024-03-15", 50.0),  # L1 partial 100 x 1/2
    ("2024-04-01", 24.0),
    ("2024-04-12", 154.0),  # L1 308 x 1/2
    ("2024-04-15", 202.0),  # L1 404 x 1/2
    ("2024-04-20", 2400.0),  # L2 prepaid
    ("2024-06-10", 2020 / 3),  # guarantor buy-out of L3, 1/3
    # L3's 300 collection on 11-15 comes after the buy-out repaid the principal: the guarantor's.
]


def bisection_irr(flows: list[tuple[str, float]]) -> float:
    """The rate where Σ amount / (1 + r)^(days / 365) = 0, by bisection (NPV falls as r rises)."""
    start = d(flows[0][0])

    def npv(rate: float) -> float:
        return sum(a / (1 + rate) ** ((d(day) - start).days / 365) for day, a in flows)

    low, high = -0.99, 10.0
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if npv(mid) > 0 else (low, mid)
    return (low + high) / 2


def test_investor_cash_flows(tiny_con):
    flows = risk.investor_cash_flows(tiny_con, d("2024-12-31"), "I1")
    got = list(zip(pd.to_datetime(flows["flow_on"]).dt.strftime("%Y-%m-%d"), flows["amount"], strict=True))
    assert [g[0] for g in got] == [f[0] for f in I1_FLOWS]
    np.testing.assert_allclose([g[1] for g in got], [f[1] for f in I1_FLOWS])


def test_nar_and_xirr_of_an_investor(tiny_con):
    result = risk.investor_returns(tiny_con, d("2024-12-31"), "I1")
    # Start-of-month principal with LendingClub's timing: a holding counts from its first payment
    # period (the month of its first due date), not the month it was bought: H1 (L1, due 02-15) and
    # H4 (L3, due 02-10) from February, H3 (L2, due 03-01) from March.
    # Jan 0; Feb 600 + 1,000; Mar 400 + 2,400 + 666.67; Apr 354 + 2,400 + 666.67; May, Jun 666.67;
    # then 0 (bought out 06-10) = (4,800 + 10,400 + 10,262 + 2,000 + 2,000)/3 = 29,462/3.
    # Interest: Feb 6 + 10, Mar 4 + 24, Apr 2 + 24, Jun 20/3 (guarantor) = 230/3. No charge-off
    # reaches I1 (bought out first), the recovery is the guarantor's.
    # NAR = (1 + (230/3) / (29,462/3))^12 - 1 = (1 + 230/29,462)^12 - 1 = 0.097809.
    assert result["nar"] == pytest.approx((1 + 230 / 29462) ** 12 - 1)
    assert result["nar"] == pytest.approx(0.097809, abs=1e-6)
    assert result["adjusted_nar"] == result["nar"]  # nothing past due is left at 12-31
    assert result["invested"] == 4000.0
    assert result["interest_received"] == pytest.approx(230 / 3)
    assert result["principal_received"] == pytest.approx(4000.0)
    assert result["realised_loss"] == 0.0
    # XIRR of the flows above with a terminal value of 0 at 12-31 (no exposure left).
    expected = bisection_irr([*I1_FLOWS, ("2024-12-31", 0.0)])
    assert result["xirr"] == pytest.approx(expected, abs=1e-7)
    assert result["xirr"] == pytest.approx(0.0851646, abs=1e-6)
    dates = [d(f[0]) for f in I1_FLOWS]
    assert pyxirr.xirr(dates, [f[1] for f in I1_FLOWS]) == pytest.approx(expected, abs=1e-7)


def test_xirr_two_ways_at_march(tiny_con):
    # I1 at 03-31 holds H1 (L1, 354, 1-30: lifetime PD 1), H3 (L2, 2,400, current: lifetime PD
    # 1 - (33/47)^5 = 0.82936) and H4 (L3, 666.67, reserve-covered). LGD 0.9 (no charge-off yet).
    # Expected: holdings at par less lifetime EL after the guarantee = 3,420.67 - (318.6 + 1,791.42);
    # realised to date: holdings at par, 3,420.67.
    result = risk.investor_returns(tiny_con, d("2024-03-31"), "I1")
    lifetime = 354 * 0.9 + 2400 * (1 - (33 / 47) ** 5) * 0.9
    assert result["lifetime_expected_loss"] == pytest.approx(lifetime)
    flows = [f for f in I1_FLOWS if f[0] <= "2024-03-31"]
    par = 354 + 2400 + 2000 / 3
    # an expected loss of 2,110 on 4,000 within ten weeks: about -99 % a year, below the bisection's
    # bracket, so check that the flows' value at the rate is nil
    expected_flows = [*flows, ("2024-03-31", par - lifetime)]
    rate = result["xirr"]
    npv = sum(a / (1 + rate) ** ((d(day) - d(flows[0][0])).days / 365) for day, a in expected_flows)
    assert rate < -0.9 and npv == pytest.approx(0.0, abs=1e-6)
    assert result["xirr_realised"] == pytest.approx(bisection_irr([*flows, ("2024-03-31", par)]), abs=1e-7)
    assert result["xirr"] < result["xirr_realised"]


def test_partner_guarantee_coverage_comes_from_its_buy_out_record(tiny_frames):
    # L3 partner-guaranteed: first 90+ at 06-30 (DPD 112), bought out on 06-10 with 2,000 principal.
    tiny_frames["loans"].loc[tiny_frames["loans"]["loan_id"] == "L3", "guarantee"] = "partner"
    con = build(tiny_frames)
    # at 06-30 the record is empty (a loan needs a month-end at 90+ before as_of): no credit
    assert risk.partner_coverage(con, d("2024-06-30")) == {
        "loans_90plus": 0,
        "loans_bought_out": 0,
        "coverage": 0.0,
    }
    # from 07-31: one partner loan reached 90+ (2,000 at 06-30) and 2,000 was paid: coverage 1
    assert risk.partner_coverage(con, d("2024-07-31")) == {
        "loans_90plus": 1,
        "loans_bought_out": 1,
        "coverage": 1.0,
    }
    # without the buy-out the record shows a partner that did not pay: coverage 0
    frames = tiny_tables()
    frames["loans"].loc[frames["loans"]["loan_id"] == "L3", "guarantee"] = "partner"
    frames["repayments"] = frames["repayments"][frames["repayments"]["source"] != "guarantor"]
    unpaid = build(frames)
    assert risk.partner_coverage(unpaid, d("2024-07-31")) == {
        "loans_90plus": 1,
        "loans_bought_out": 0,
        "coverage": 0.0,
    }
    # before any record (03-31) a partner loan's investors keep the whole loss: H4 = 666.67 x 1 x 0.9
    frame = risk.expected_loss(con, d("2024-03-31"), investor_id="I1").set_index("holding_id")
    assert frame.loc["H4", "el_after_guarantee"] == pytest.approx(2000 / 3 * 0.9)


def test_charge_off_and_recovery_reach_nar_without_a_buy_out(tiny_frames):
    # Drop the guarantor buy-out: I1 keeps 1/3 of L3 (2,000 outstanding) until the 09-06 charge-off
    # and receives 1/3 of the 300 recovery.
    # Charged off 2,000/3 = 666.67, recovered 100: realised loss = 566.67.
    # Start principal: 29,462/3 (Feb..Jun as before)
    #   + Jul, Aug, Sep 3 x 2,000/3 (not bought out, charged off in September)
    #   = 35,462/3; interest 16 + 28 + 26 = 70 (Jun's guarantor interest is gone).
    # NAR = (1 + (70 - 2,000/3 + 100) / (35,462/3))^12 - 1 = (1 - 1,490/35,462)^12 - 1.
    frames = tiny_frames
    frames["repayments"] = frames["repayments"][frames["repayments"]["source"] != "guarantor"]
    con = build(frames)
    result = risk.investor_returns(con, d("2024-12-31"), "I1")
    assert result["charged_off_principal"] == pytest.approx(2000 / 3)
    assert result["recoveries"] == pytest.approx(100.0)
    assert result["realised_loss"] == pytest.approx(2000 / 3 - 100)
    assert result["nar"] == pytest.approx((1 - 1490 / 35462) ** 12 - 1)  # -0.4026


def test_a_holding_bought_after_its_loans_first_due_date_counts_from_the_next_one(tiny_frames):
    # I1 buys H3 (all of L2) on 03-05 instead of 02-01, after L2's first due date (03-01): its first
    # payment period is April (the 04-01 due date), and L2's 03-01 interest (24) was paid before
    # the investment, so it is not I1's. Start principal: 29,462/3 less H3's March 2,400 =
    # 22,262/3; interest 230/3 - 24 = 158/3. NAR = (1 + 158/22,262)^12 - 1.
    holdings = tiny_frames["holdings"]
    holdings.loc[holdings["holding_id"] == "H3", "invested_on"] = d("2024-03-05")
    con = build(tiny_frames)
    result = risk.investor_returns(con, d("2024-12-31"), "I1")
    assert result["nar"] == pytest.approx((1 + 158 / 22262) ** 12 - 1)
    assert result["interest_received"] == pytest.approx(158 / 3)
    monthly = sql.run(con, "investor_returns_inputs", {"as_of": d("2024-12-31"), "investor_id": "I1"})
    start = dict(zip(pd.to_datetime(monthly["month_end"]).dt.date, monthly["start_principal"], strict=True))
    assert start[d("2024-03-31")] == pytest.approx(400 + 2000 / 3)  # H1 and H4, not H3 yet
    assert start[d("2024-04-30")] == pytest.approx(354 + 2400 + 2000 / 3)


def test_adjusted_nar_subtracts_expected_loss_on_past_due_holdings(tiny_con):
    result = risk.investor_returns(tiny_con, d("2024-03-31"), "I1")
    # Past due at 03-31: H1 (L1, 1-30) EL 354 x 1 x 0.9 = 318.6; H4 (L3) is reserve-covered: 0.
    # Months Jan..Mar (first payment periods: Feb for H1, H4; Mar for H3): start 0 + 1,600 + 10,400/3
    # = 15,200/3; interest 16 + 28 = 44. Adjusted NAR takes the same denominator.
    assert result["past_due_expected_loss"] == pytest.approx(318.6)
    assert result["nar"] == pytest.approx((1 + 44 / (15200 / 3)) ** 12 - 1)
    assert result["adjusted_nar"] == pytest.approx((1 + (44 - 318.6) / (15200 / 3)) ** 12 - 1)


# --- expected cash flows, back-test, stress, loss distribution --------------------------------


def test_expected_cash_flows_weigh_contract_by_survival(tiny_con):
    frame = risk.expected_cash_flows(tiny_con, d("2024-03-31"), "I1", months=6).set_index("months_ahead")
    # April: L1 404 x 1/2 + L2 24 + L3 1,010 x 1/3 = 562.67, every loan still alive in a month.
    assert frame.loc[1, "contractual"] == pytest.approx(202 + 24 + 1010 / 3)
    assert frame.loc[1, "expected"] == pytest.approx(frame.loc[1, "contractual"])
    # August: L2's 2,424. A current loan needs 5 months to charge off (current, 1-30, ..., 90+,
    # charged_off) and leaves current with 14/47 a month: survival at 5 months = 1 - 14/47.
    assert frame.loc[5, "contractual"] == pytest.approx(2424.0)
    assert frame.loc[5, "expected"] == pytest.approx(2424 * 33 / 47)
    assert frame.loc[6, "contractual"] == 0.0


def test_backtest_predicts_with_data_up_to_each_date(tiny_con):
    frame = risk.backtest(tiny_con, months=7, horizon=3).set_index("predicted_on")
    row = frame.loc[d("2024-06-30")]
    # At 06-30 L3 (2,000) is 90+; no 90+ transition seen yet so it is assumed to charge off (PD 1),
    # and no charge-off yet gives LGD 0.9: predicted 1,800. Realised: charged off 2,000 on 09-06
    # (within 3 months); its 24 months of recoveries count, like the LGD's: 300 on 11-15 (month 2),
    # nothing projected after month 3 (no charge-off has been seen longer). 2,000 - 300 = 1,700,
    # of which none came by 09-30. Error 1,800 / 1,700 - 1.
    assert row["predicted_el_12m"] == pytest.approx(1800.0)
    assert row["recoveries_in_horizon"] == 0.0
    assert row["realised_loss"] == pytest.approx(1700.0)
    assert row["error"] == pytest.approx(1800 / 1700 - 1)
    # unemployment never moves in the tiny store: the forward-looking model is the plain one
    assert row["predicted_el_12m_forward"] == pytest.approx(1800.0)
    assert row["unemployment_gap_pp"] == 0.0
    # 08-31: 90+ -> 90+ twice seen, none charged off yet -> the row stays 90+; 12-month PD 0.
    # Realised by 11-30: 2,000 - 300 = 1,700.
    row = frame.loc[d("2024-08-31")]
    assert row["predicted_el_12m"] == 0.0
    assert row["realised_loss"] == pytest.approx(1700.0)
    assert row["recoveries_in_horizon"] == pytest.approx(300.0)


def test_backtest_realised_losses_equal_the_sql_with_a_loan_paid_off_before_its_charge_off(tiny_frames):
    # The back-test reads what was realised from the charge-offs it has loaded and the loans' active
    # spans (charge_offs.sql's active_from, active_to) instead of pairing the tape with every charge-off
    # (realised_losses.sql): the two must agree. L2 paid off on 04-20 (its tape closes paid_off at
    # 04-30: active at 02-29 and 03-31 only) and gets a charge-off on 06-15 writing off 100, with 30 of
    # collection interest on 06-20. Horizon 3 months: at 03-31 L2 counts (100, 30 received by 06-30);
    # at 04-30 and 05-31 nothing (L2 no longer active, L3's 09-06 charge-off beyond the horizon); from
    # 06-30 L3's 2,000, with its 300 of 11-15 received by 08-31 + 3 months only.
    events = tiny_frames["loan_events"]
    extra = pd.DataFrame([("L2", d("2024-06-15"), "charged_off", 100.0, "fraud")], columns=events.columns)
    tiny_frames["loan_events"] = pd.concat([events, extra], ignore_index=True)
    cash = tiny_frames["repayments"]
    extra = pd.DataFrame([("L2", d("2024-06-20"), 0.0, 30.0, 0.0, "collection")], columns=cash.columns)
    tiny_frames["repayments"] = pd.concat([cash, extra], ignore_index=True)
    con = build(tiny_frames)
    spans = sql.run(con, "charge_offs").set_index("loan_id")[["active_from", "active_to"]]
    assert spans.loc["L2"].dt.date.tolist() == [d("2024-02-29"), d("2024-03-31")]
    assert spans.loc["L3"].dt.date.tolist() == [d("2024-01-31"), d("2024-08-31")]
    frame = risk.backtest(con, months=7, horizon=3)
    got = frame[["charged_off_principal", "recoveries_in_horizon"]].to_numpy().tolist()
    days = ["2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30", "2024-07-31", "2024-08-31"]
    assert frame["predicted_on"].tolist() == [d(x) for x in days]  # none active at 09-30: no row
    assert got == [[100.0, 30.0], [0.0, 0.0], [0.0, 0.0], [2000.0, 0.0], [2000.0, 0.0], [2000.0, 300.0]]
    params = {"from": d("2024-03-31"), "to": d("2024-09-30"), "horizon_months": 3}
    expected = sql.run(con, "realised_losses", params)
    assert got == expected[["charged_off_principal", "recoveries"]].to_numpy().tolist()


def test_forward_scenarios_are_centred_on_the_forecast_and_weighted():
    # gap +0.3 pp: scenarios 0 / +1 / +2 pp weighted 0.6 / 0.3 / 0.1 have mean +0.5, so they sit at
    # -0.2, +0.8, +1.8 pp and their weighted mean is the forecast gap itself
    shifts = risk.scenario_shifts(0.3)
    assert [x for pair in shifts for x in pair] == pytest.approx([-0.2, 0.6, 0.8, 0.3, 1.8, 0.1])
    assert sum(s * w for s, w in shifts) == pytest.approx(0.3)
    # one-state chain: current -> 1-30 with 0.1 a month, 1-30 charges off at once (others absorbing).
    # With a factor 2 per pp a 12-month PD weights 1 - (1 - 0.1 x 2^shift)^12 over the scenarios.
    p = np.zeros((len(risk.GRADES) + 1, 7, 7))
    p[:, 0, 0], p[:, 0, 1] = 0.9, 0.1
    p[:, 1, 6] = 1.0
    p[:, 2, 3] = p[:, 3, 4] = 1.0
    p[:, 4, 6] = 1.0
    p[:, 5, 5] = p[:, 6, 6] = 1.0
    pd12, life = risk.forward_pd_tables(p, [2.0, 1.0, 1.0, 1.0, 1.0], 0.3)
    # 12 installments left (r = 12): a miss in months 1..11 charges off within the 12 months
    expected = sum(w * (1 - (1 - 0.1 * 2**s) ** 11) for s, w in shifts)
    assert pd12[0, 12, 0] == pytest.approx(expected)
    assert life is not None and (life >= pd12 - 1e-12).all()


def test_stress_factor_scales_roll_forward_and_keeps_rows_stochastic():
    # current row (0.9, 0.08, ...): roll-forward 0.08 x 1.5^2 = 0.18; the rest (0.92) scaled to 0.82.
    p = np.zeros((1, 7, 7))
    p[0, 0, [0, 1, 5]] = [0.9, 0.08, 0.02]
    for s in (1, 2, 3):
        p[0, s, s + 1] = 1.0
    p[0, 4, 6] = 1.0
    p[0, 5, 5] = p[0, 6, 6] = 1.0
    stressed = risk.stress_matrices(p, [1.5, 1.0, 1.0, 1.0, 1.0], shock_pp=2.0)
    assert stressed[0, 0, 1] == pytest.approx(0.18)
    assert stressed[0, 0, 0] == pytest.approx(0.9 * 0.82 / 0.92)
    assert stressed[0, 0, 5] == pytest.approx(0.02 * 0.82 / 0.92)
    np.testing.assert_allclose(stressed.sum(axis=2), 1.0)


def test_stress_sensitivity_separates_unemployment_from_the_platform_trend():
    # Rates worsen by themselves 10 % a year (looser screening) and 20 % per pp of unemployment, while
    # unemployment also rises over time. log rate = ln 0.02 + ln 1.2 · u + ln 1.1 · t fits exactly.
    years = np.arange(6.0)
    unemployment = np.array([5.0, 6.0, 5.5, 7.0, 6.5, 8.0])
    log_rate = np.log(0.02) + np.log(1.2) * unemployment + np.log(1.1) * years
    slope, trend, r2 = risk.unemployment_slope(unemployment, years, log_rate)
    assert (slope, trend, r2) == pytest.approx((np.log(1.2), np.log(1.1), 1.0))
    # On unemployment alone (no trend) the platform's drift is read as macro sensitivity.
    assert np.polyfit(unemployment, log_rate, 1)[0] > np.log(1.2) + 0.05
    # Pure drift, no macro effect: no sensitivity.
    drift = np.log(0.02) + np.log(1.1) * years
    assert risk.unemployment_slope(unemployment, years, drift)[0] == pytest.approx(0.0, abs=1e-12)
    # Unemployment moving in lockstep with time cannot be told apart from the trend: no factor.
    assert risk.unemployment_slope(5.0 + years, years, drift) == (0.0, 0.0, 0.0)


def test_flat_unemployment_gives_no_stress_factor(tiny_con):
    # Flat 5 % unemployment in the tiny store: no variation, no sensitivity, factor 1.
    frame = risk.stress_sensitivity(tiny_con, d("2024-12-31"))
    assert frame["used_factor_per_pp"].tolist() == [1.0] * 5


def test_vasicek_extremes_and_mean():
    # PD 0 never defaults, PD 1 always does: every simulated loss is exactly the sure loan's 50.
    losses = risk.vasicek_losses(np.array([0.0, 1.0]), np.array([100.0, 50.0]), 0.15, 1000, 1)
    assert set(losses) == {50.0}
    # 200 loans of PD 5 % and loss 10 each: mean loss ≈ 200 x 0.05 x 10 = 100 (± 3 %).
    losses = risk.vasicek_losses(np.full(200, 0.05), np.full(200, 10.0), 0.15, 20000, 0)
    assert losses.mean() == pytest.approx(100.0, rel=0.03)
    assert np.quantile(losses, 0.99) > 2 * losses.mean()  # correlation fattens the tail


def test_loss_distribution_of_an_investor(tiny_con):
    result = risk.loss_distribution(tiny_con, d("2024-03-31"), "I1", n_sims=2000)
    # H1 (354, PD 1, LGD 0.9) always loses 318.6; H4 is reserve-covered; H3 (2,400, PD 0.829).
    assert result["losses"].min() >= 318.6 - 1e-9
    assert result["expected_loss_12m"] == pytest.approx(318.6 + 2400 * (1 - (33 / 47) ** 5) * 0.9)
    assert result["mean"] == pytest.approx(result["expected_loss_12m"], rel=0.03)
    assert result["var_99"] == pytest.approx(318.6 + 2160.0)
    assert set(result["p_loss_gt"]) == {0.01, 0.02, 0.05, 0.1}


def test_file_store_results_equal_in_memory_ones(tiny_con, tiny_db_con):
    # A file store memoises its transition counts and models; results must not change.
    con = tiny_db_con
    for _ in range(2):
        for day in ("2024-03-31", "2024-12-31"):
            pd.testing.assert_frame_equal(
                risk.transition_matrix(con, d(day)), risk.transition_matrix(tiny_con, d(day))
            )
        pd.testing.assert_frame_equal(
            risk.expected_loss(con, d("2024-03-31"), "I1"),
            risk.expected_loss(tiny_con, d("2024-03-31"), "I1"),
        )
        pd.testing.assert_frame_equal(risk.backtest(con, 7, 3), risk.backtest(tiny_con, 7, 3))
