"""The marts on the tiny platform (transitions, segments and scores read off the tape in tests/tiny.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from tiny import OBSERVED_TO, d, tiny_tables

from lendrisk import investor, sql, store

# The tiny tape (month-end: state, outstanding), from tests/tiny.py:
#   L1 (A): 01-31 current 1,200 · 02-29 current 800 · 03-31 1-30 708 · 04-30 paid_off
#   L2 (B): 02-29 current 2,400 · 03-31 current 2,400 · 04-30 paid_off (prepaid 04-20)
#   L3 (E): 01-31 current 3,000 · 02-29 current 2,000 · 03-31 1-30 · 04-30 31-60 · 05-31 61-90 ·
#           06-30 .. 08-31 90+ (2,000 throughout: the guarantor's 06-10 buy-out does not cure) ·
#           09-30 charged_off
# Each transition is labelled by its later month-end and weighs the outstanding at the earlier one.
# L2 enters the tape at 02-29, so nothing moves into 02-29 from it.
EXPECTED = [
    ("2024-02-29", "A", "current", "current", 1200.0, 1),
    ("2024-02-29", "E", "current", "current", 3000.0, 1),
    ("2024-03-31", "A", "current", "1-30", 800.0, 1),
    ("2024-03-31", "B", "current", "current", 2400.0, 1),
    ("2024-03-31", "E", "current", "1-30", 2000.0, 1),
    ("2024-04-30", "A", "1-30", "paid_off", 708.0, 1),
    ("2024-04-30", "B", "current", "paid_off", 2400.0, 1),
    ("2024-04-30", "E", "1-30", "31-60", 2000.0, 1),
    ("2024-05-31", "E", "31-60", "61-90", 2000.0, 1),
    ("2024-06-30", "E", "61-90", "90+", 2000.0, 1),
    ("2024-07-31", "E", "90+", "90+", 2000.0, 1),
    ("2024-08-31", "E", "90+", "90+", 2000.0, 1),
    ("2024-09-30", "E", "90+", "charged_off", 2000.0, 1),
]


def mart(con) -> list[tuple]:
    rows = con.execute(
        "select month_end, grade, from_state, to_state, balance::double, loans from loan_transition "
        "order by month_end, grade"
    ).fetchall()
    return [(m.isoformat(), g, f, t, b, n) for m, g, f, t, b, n in rows]


def test_transition_mart_holds_every_move_on_the_tape(tiny_con):
    assert mart(tiny_con) == EXPECTED


def test_transition_mart_is_built_after_the_tape_and_counted_in_meta(tiny_con):
    assert store.MARTS.index("loan_transition") > store.MARTS.index("loan_month")
    # 16 tape rows, 3 loans: every row but each loan's last has a next month -> 13 transitions
    assert store.read_meta(tiny_con)["rows.loan_transition"] == "13"


def test_transitions_end_at_the_observation_end(tiny_frames):
    # Observed only to 2024-03-31: the tape stops there, so the last transitions are into 03-31.
    con = store.connect(":memory:", read_only=False)
    try:
        store.populate(con, tiny_frames, source="tiny to March", observed_to=d("2024-03-31"))
        assert mart(con) == EXPECTED[:5]
    finally:
        con.close()


def test_roll_counts_by_month_read_the_mart(tiny_con):
    frame = sql.run(tiny_con, "roll_counts_by_month", {"from": d("2024-03-15"), "to": d("2024-04-30")})
    got = [
        (r.month_end.date().isoformat(), r.grade, r.from_state, r.to_state, r.balance, r.loans)
        for r in frame.itertuples()
    ]
    assert got == sorted(EXPECTED[2:8], key=lambda r: (r[0], r[1], r[2], r[3]))


def test_file_store_build_includes_the_mart(tmp_path):
    path = tmp_path / "tiny.duckdb"
    store.build_store(path, tiny_tables(), source="tiny", observed_to=OBSERVED_TO)
    con = store.connect(path)
    try:
        assert mart(con) == EXPECTED
        grade_e = sql.run(con, "roll_rates", {"as_of": OBSERVED_TO, "lookback_months": 12, "grade": "E"})
        # E over 2024: current->1-30 2,000 of 5,000 out of current (0.4); 90+: 2 x stays, 1 x charged off
        probability = grade_e.set_index(["from_state", "to_state"])["probability"]
        assert probability[("current", "1-30")] == 0.4
        assert probability[("90+", "charged_off")] == 1 / 3
        pd.testing.assert_series_equal(
            grade_e.groupby("from_state")["probability"].sum(),
            pd.Series(1.0, index=pd.Index(["1-30", "31-60", "61-90", "90+", "current"], name="from_state")),
            check_names=False,
        )
    finally:
        con.close()


def test_loan_key_numbers_the_loans_in_id_order_and_the_tape_carries_it(tiny_con):
    keys = tiny_con.execute("select loan_id, loan_no from loan_key order by loan_no").fetchall()
    assert keys == [("L1", 1), ("L2", 2), ("L3", 3)]
    pairs = tiny_con.execute("select distinct loan_id, loan_no from loan_month order by loan_no").fetchall()
    assert pairs == keys
    assert tiny_con.execute("select count(*) from loan_month where loan_no is null").fetchall() == [(0,)]


def test_book_segment_groups_the_active_tape_by_what_pd_and_lgd_depend_on(tiny_con):
    rows = tiny_con.execute(
        "select grade, product, state, remaining_months, loans, outstanding_principal from book_segment "
        "where month_end = date '2024-03-31' order by grade"
    ).fetchall()
    # tests/tiny.py at 03-31: L1 (A, personal, 3 months, 2 on book) 1-30 with 708; L2 (B, consumer,
    # 6 months, 1 on book) current 2,400; L3 (E, small_business, 3 months, 2 on book) 1-30 2,000.
    assert rows == [
        ("A", "personal", "1-30", 1, 1, 708.0),
        ("B", "consumer", "current", 5, 1, 2400.0),
        ("E", "small_business", "1-30", 1, 1, 2000.0),
    ]
    months = tiny_con.execute("select count(distinct month_end) from book_segment").fetchall()
    active_months = tiny_con.execute(
        "select count(distinct month_end) from loan_month where state not in ('paid_off', 'charged_off')"
    ).fetchall()
    assert months == active_months


def test_segment_month_counts_each_loan_where_it_was_originated_defaulted_and_active(tiny_con):
    rows = tiny_con.execute(
        "select month_end::varchar, originated_loans, originated_principal::double, defaulted_loans, "
        "defaulted_principal::double, active_loans, outstanding_principal::double, overdue_loans, "
        "overdue_balance::double from segment_month where dimension = 'grade' and segment = 'E' "
        "order by month_end"
    ).fetchall()
    # L3 (grade E, 3,000 originated 01-10): current 3,000 at 01-31 and 2,000 at 02-29, then 1-30 .. 90+
    # with 2,000 outstanding; it defaults at 06-30 (first 90+ month-end) and is charged off at 09-30,
    # when it is no longer active: no row then.
    assert rows == [
        ("2024-01-31", 1, 3000.0, 0, 0.0, 1, 3000.0, 0, 0.0),
        ("2024-02-29", 0, 0.0, 0, 0.0, 1, 2000.0, 0, 0.0),
        ("2024-03-31", 0, 0.0, 0, 0.0, 1, 2000.0, 1, 2000.0),
        ("2024-04-30", 0, 0.0, 0, 0.0, 1, 2000.0, 1, 2000.0),
        ("2024-05-31", 0, 0.0, 0, 0.0, 1, 2000.0, 1, 2000.0),
        ("2024-06-30", 0, 0.0, 1, 2000.0, 1, 2000.0, 1, 2000.0),
        ("2024-07-31", 0, 0.0, 0, 0.0, 1, 2000.0, 1, 2000.0),
        ("2024-08-31", 0, 0.0, 0, 0.0, 1, 2000.0, 1, 2000.0),
    ]
    # every loan counts once in each of the six dimensions
    per_dimension = tiny_con.execute(
        "select dimension, sum(originated_loans), sum(originated_principal)::double from segment_month "
        "group by dimension order by dimension"
    ).fetchall()
    assert {(n, p) for _, n, p in per_dimension} == {(3, 6600.0)} and len(per_dimension) == 6


def test_score_month_moves_the_lost_principal_in_the_months_it_changes(tiny_con):
    rows = tiny_con.execute(
        "select vintage_year, credit_score, month_end::varchar, originated_loans, "
        "originated_principal::double, defaulted_loans, defaulted_principal::double, lost_change::double "
        "from score_month "
        "order by credit_score, month_end"
    ).fetchall()
    # L3 (score 590): 2,000 written off on 09-06, 300 recovered by collection on 11-15: lost 2,000 from
    # 09-30, 1,700 from 11-30. L2 (680) and L1 (720) never default.
    assert rows == [
        (2024, 590, "2024-01-31", 1, 3000.0, 0, 0.0, 0.0),
        (2024, 590, "2024-06-30", 0, 0.0, 1, 2000.0, 0.0),
        (2024, 590, "2024-09-30", 0, 0.0, 0, 0.0, 2000.0),
        (2024, 590, "2024-11-30", 0, 0.0, 0, 0.0, -300.0),
        (2024, 680, "2024-02-29", 1, 2400.0, 0, 0.0, 0.0),
        (2024, 720, "2024-01-31", 1, 1200.0, 0, 0.0, 0.0),
    ]
    lost = sql.run(tiny_con, "score_outcomes", {"as_of": d("2024-10-31")})
    assert lost.set_index("credit_score")["lost_principal"].to_dict() == {590: 2000.0, 680: 0.0, 720: 0.0}
    lost = sql.run(tiny_con, "score_outcomes", {"as_of": d("2024-12-31")})
    assert lost.set_index("credit_score")["lost_principal"].to_dict() == {590: 1700.0, 680: 0.0, 720: 0.0}


def test_story_marts_hold_the_learn_pages_candidates_whatever_the_as_of(tiny_con):
    early = tiny_con.execute("select * from early_repayment_story").fetchall()
    # L2 prepaid its 2,400 on 04-20, four months before its last due date 08-01, after two interest
    # installments (03-01, 04-01), never overdue, no events. L1 paid off on its last due date: not early.
    assert early == [("L2", d("2024-04-20"), d("2024-08-01"), 4, 2)]
    legal = tiny_con.execute("select * from legal_action_story").fetchall()
    # L3 missed 03-10, was called 03-15 and visited 05-02, sued 07-01, judged 10-20.
    assert legal == [("L3", d("2024-03-10"), d("2024-03-15"), d("2024-07-01"), d("2024-10-20"), 2, 2)]


def test_holding_book_has_each_holding_with_its_loans_terms_and_final_tape_row(tiny_con):
    rows = tiny_con.execute(
        "select holding_id, investor_id, loan_id, loan_no, grade, guarantee, final_month_end, final_state, "
        "final_dpd, final_months_on_book, final_outstanding_principal::double, "
        "final_guarantor_principal_to_date::double from holding_book"
    ).fetchall()
    # tests/tiny.py: L1 and L2 are paid off at 04-30 (3 and 2 months on book); L3 is charged off on
    # 09-06: at 09-30 its oldest unpaid installment is due 03-10 (DPD 204), 8 months on book, 2,000
    # of borrower principal unpaid, the guarantor's 06-10 buy-out paid 2,000 of principal.
    l1 = ("L1", 1, "A", "none", d("2024-04-30"), "paid_off", 0, 3, 0.0, 0.0)
    l2 = ("L2", 2, "B", "none", d("2024-04-30"), "paid_off", 0, 2, 0.0, 0.0)
    l3 = ("L3", 3, "E", "reserve", d("2024-09-30"), "charged_off", 204, 8, 2000.0, 2000.0)
    # stored by investor, then holding
    assert rows == [
        ("H1", "I1", *l1),
        ("H3", "I1", *l2),
        ("H4", "I1", *l3),
        ("H2", "I2", *l1),
        ("H5", "I2", *l3),
    ]
    assert store.MARTS.index("holding_book") > store.MARTS.index("loan_month")


def test_holding_book_has_each_loans_first_due_date_and_charge_off_date(tiny_con):
    rows = tiny_con.execute(
        "select holding_id, first_due_on, charged_off_on from holding_book order by holding_id"
    ).fetchall()
    # tests/tiny.py: L1's schedule starts 02-15, L2's 03-01, L3's 02-10; only L3 is charged off (09-06)
    assert rows == [
        ("H1", d("2024-02-15"), None),
        ("H2", d("2024-02-15"), None),
        ("H3", d("2024-03-01"), None),
        ("H4", d("2024-02-10"), d("2024-09-06")),
        ("H5", d("2024-02-10"), d("2024-09-06")),
    ]
    # built from the schedule by loan_no and the charge_off mart, so after both
    assert store.MARTS.index("holding_book") > store.MARTS.index("loan_installment")
    assert store.MARTS.index("holding_book") > store.MARTS.index("charge_off")


def test_holding_tape_until_reads_the_final_row_or_the_tapes_month_end_row(tiny_con):
    def states(day: str) -> list[tuple]:
        return tiny_con.execute(
            "select holding_id, month_end, state, dpd, outstanding_principal::double "
            "from holding_tape_until('I1', $day) order by holding_id",
            {"day": d(day)},
        ).fetchall()

    # 03-31: every loan runs past it, so the tape's 03-31 rows (L1 DPD 16 with 708 left, L2 current,
    # L3 DPD 21 with 2,000 left); 06-30: L1 and L2 closed at 04-30 (final rows), L3 90+ at DPD 112
    assert states("2024-03-31") == [
        ("H1", d("2024-03-31"), "1-30", 16, 708.0),
        ("H3", d("2024-03-31"), "current", 0, 2400.0),
        ("H4", d("2024-03-31"), "1-30", 21, 2000.0),
    ]
    assert states("2024-06-30") == [
        ("H1", d("2024-04-30"), "paid_off", 0, 0.0),
        ("H3", d("2024-04-30"), "paid_off", 0, 0.0),
        ("H4", d("2024-06-30"), "90+", 112, 2000.0),
    ]
    # invested on or before the day: H3 (02-01) is not held at 01-31
    assert [r[0] for r in states("2024-01-31")] == ["H1", "H4"]


def test_outcome_segment_adds_up_every_loans_lifetime_outcome(tiny_con):
    rows = tiny_con.execute(
        "select grade, term_months, issue_year, meets_policy, loans, charged_off_loans,"
        " originated_principal::double, charged_off_principal::double, recoveries::double,"
        " principal_received::double from outcome_segment order by grade"
    ).fetchall()
    # tests/tiny.py (meets_policy not given: counted as true). L1 repays its 1,200 (400 + 92 + 308 +
    # 400); L2 prepays 2,400; L3 pays 1,000 itself, is charged off on 09-06 with 2,000 written off and
    # collection recovers 300 on 11-15 (principal received 1,000 + 300; the guarantor's 2,000 is not).
    assert rows == [
        ("A", 3, 2024, True, 1, 0, 1200.0, 0.0, 0.0, 1200.0),
        ("B", 6, 2024, True, 1, 0, 2400.0, 0.0, 0.0, 2400.0),
        ("E", 3, 2024, True, 1, 1, 3000.0, 2000.0, 300.0, 1300.0),
    ]


def test_vintage_default_counts_loans_by_origination_month_and_default_months_on_book(tiny_con):
    rows = tiny_con.execute(
        "select origination_month, grade, product, channel, default_months_on_book, loans,"
        " originated_principal::double, defaulted_principal::double from vintage_default"
    ).fetchall()
    # L1 and L3 are originated in January, L2 in February; only L3 defaults: 90+ first at 06-30,
    # 5 months after its first month-end (01-31), with 2,000 outstanding (the buy-out does not cure).
    assert [(m.isoformat(), *rest) for m, *rest in rows] == [
        ("2024-01-01", "A", "personal", "platform", None, 1, 1200.0, None),
        ("2024-01-01", "E", "small_business", "institution", 5, 1, 3000.0, 2000.0),
        ("2024-02-01", "B", "consumer", "platform", None, 1, 2400.0, None),
    ]


def store_of(frames: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    """An in-memory store of edited tiny tables."""
    con = duckdb.connect()
    store.populate(con, frames, source="tiny", observed_to=OBSERVED_TO)
    return con


def test_charge_off_mart_holds_the_write_off_and_the_active_span(tiny_con):
    rows = tiny_con.execute("select * from charge_off").fetchall()
    # L3 is charged off on 09-06 with 2,000 written off; its tape runs 01-31 .. 09-30 (the charged_off
    # row), so it is active at the month-ends 01-31 .. 08-31.
    assert rows == [("L3", "small_business", d("2024-09-06"), 2000.0, d("2024-01-31"), d("2024-08-31"))]


def test_charge_off_mart_of_a_loan_repaid_before_its_charge_off_event(tiny_frames):
    # A charged_off event without an amount for L1 on 06-01, after it was repaid (paid_off at 04-30):
    # written off 1,200 - 1,200 borrower principal paid before 06-01 = 0; its closing row is the
    # paid_off row at 04-30 (3 months on book), so it is active 01-31 .. 03-31.
    events = tiny_frames["loan_events"]
    extra = pd.DataFrame([("L1", d("2024-06-01"), "charged_off", None, None)], columns=events.columns)
    tiny_frames["loan_events"] = pd.concat([events, extra], ignore_index=True)
    con = store_of(tiny_frames)
    try:
        rows = con.execute("select * from charge_off order by loan_id").fetchall()
        assert rows == [
            ("L1", "personal", d("2024-06-01"), 0.0, d("2024-01-31"), d("2024-03-31")),
            ("L3", "small_business", d("2024-09-06"), 2000.0, d("2024-01-31"), d("2024-08-31")),
        ]
    finally:
        con.close()


def test_recovery_payment_numbers_same_day_payments_by_amount(tiny_frames):
    # Two more collection payments for L3 on 12-01, handed over 50 then 20 (interest): after the 300 of
    # 11-15 they are the loan's payments 2 and 3 by amount, 20 first, whatever order the repayments
    # table holds them in, and recovery_payments (the back-test's and LGD's read) lists them so.
    repayments = tiny_frames["repayments"]
    extra = pd.DataFrame(
        [
            ("L3", d("2024-12-01"), 0.0, 50.0, 0.0, "collection"),
            ("L3", d("2024-12-01"), 0.0, 20.0, 0.0, "collection"),
        ],
        columns=repayments.columns,
    )
    tiny_frames["repayments"] = pd.concat([repayments, extra], ignore_index=True)
    con = store_of(tiny_frames)
    try:
        rows = con.execute("select * from recovery_payment").fetchall()
        assert rows == [
            ("L3", d("2024-11-15"), 1, 300.0),
            ("L3", d("2024-12-01"), 2, 20.0),
            ("L3", d("2024-12-01"), 3, 50.0),
        ]
        frame = sql.run(con, "recovery_payments")
        assert frame["amount"].tolist() == [300.0, 20.0, 50.0]
    finally:
        con.close()


def test_loan_contract_holds_each_loans_borrower_principal_and_contract_interest(tiny_con):
    rows = tiny_con.execute(
        "select loan_no, borrower_id, principal::double, contract_interest::double, borrower_loans"
        " from loan_contract"
    ).fetchall()
    # tests/tiny.py schedules: L1 interest 12 + 8 + 4 = 24; L2 24 x 6 = 144; L3 30 + 20 + 10 = 60.
    # Each borrower has one loan.
    assert rows == [(1, "B1", 1200.0, 24.0, 1), (2, "B2", 2400.0, 144.0, 1), (3, "B3", 3000.0, 60.0, 1)]


def test_loan_contract_counts_the_borrowers_loans(tiny_frames):
    # L2 lent to B1 as well: B1 has two loans (L1, L2), B3 one
    tiny_frames["loans"].loc[tiny_frames["loans"]["loan_id"] == "L2", "borrower_id"] = "B1"
    con = store_of(tiny_frames)
    try:
        rows = con.execute("select loan_no, borrower_id, borrower_loans from loan_contract").fetchall()
        assert rows == [(1, "B1", 2), (2, "B1", 2), (3, "B3", 1)]
    finally:
        con.close()


@pytest.mark.parametrize(
    ("observed_to", "expected"),
    [
        # every loan active at 03-31: L1 708 (I1, I2 600 / 1,200 each), L2 2,400 (I1 alone), L3 2,000
        # (I1 1,000 / 3,000, I2 2,000 / 3,000): I1 354 + 2,400 + 666.67, I2 354 + 1,333.33
        ("2024-03-31", [("I1", 354 + 2400 + 2000 / 3), ("I2", 354 + 4000 / 3)]),
        # L1 and L2 paid off in April (closed); L3 31-60 with its 2,000
        ("2024-04-30", [("I1", 2000 / 3), ("I2", 4000 / 3)]),
        # L3 90+ but the guarantor's 06-10 buy-out paid its 2,000 of principal: no claim left
        ("2024-06-30", []),
        # every loan closed by 12-31 (tests/tiny.py's end of observation)
        ("2024-12-31", []),
    ],
)
def test_lender_exposure_sums_each_investors_holdings_at_the_end_of_observation(observed_to, expected):
    con = duckdb.connect()
    try:
        store.populate(con, tiny_tables(), source="tiny", observed_to=d(observed_to))
        rows = con.execute("select month_end, investor_id, exposure from lender_exposure").fetchall()
        assert [m for m, _, _ in rows] == [d(observed_to)] * len(expected)
        assert [(i, e) for _, i, e in rows] == [(i, pytest.approx(e, rel=1e-15)) for i, e in expected]
    finally:
        con.close()
    assert store.MARTS.index("lender_exposure") > store.MARTS.index("holding_book")


def test_disclosure_month_counts_what_first_happened_in_each_month(tiny_con):
    rows = tiny_con.execute(
        "select month_end, loans_originated, principal_originated::double, new_borrowers, new_lenders,"
        " new_compensated_loans, compensation_paid::double from disclosure_month"
    ).fetchall()
    # January: L1 (B1) and L3 (B3) originated, 1,200 + 3,000; I1 and I2 both first invest on 01-10 (L3).
    # February: L2 (B2), 2,400; no new lender. June: the guarantor's 06-10 buy-out of L3, 2,000 + 20.
    assert [(m.isoformat(), *rest) for m, *rest in rows] == [
        ("2024-01-31", 2, 4200.0, 2, 2, 0, 0.0),
        ("2024-02-29", 1, 2400.0, 1, 0, 0, 0.0),
        ("2024-06-30", 0, 0.0, 0, 0, 1, 2020.0),
    ]


def test_loan_repayment_and_loan_installment_carry_the_integer_loan_no(tiny_con):
    repaid = tiny_con.execute(
        "select loan_no, count(*), sum(principal_paid)::double, sum(interest_paid)::double,"
        " string_agg(source[1], '' order by paid_on) from loan_repayment group by loan_no order by loan_no"
    ).fetchall()
    # tests/tiny.py: L1 (loan_no 1) 400 + 92 + 308 + 400 principal, 12 + 8 + 0 + 4 interest, all by the
    # borrower; L2 (2) 2,400 and 24 + 24; L3 (3) borrower 1,000 + 30, guarantor 2,000 + 20, collection 300.
    assert repaid == [(1, 4, 1200.0, 24.0, "bbbb"), (2, 3, 2400.0, 48.0, "bbb"), (3, 3, 3300.0, 50.0, "bgc")]
    due = tiny_con.execute(
        "select loan_no, count(*), max(installment_no), sum(principal_due + interest_due)::double,"
        " max(due_on) from loan_installment group by loan_no order by loan_no"
    ).fetchall()
    # L1 412 + 408 + 404; L2 24 x 6 + 2,400; L3 1,030 + 1,020 + 1,010.
    assert [(n, c, m, t, day.isoformat()) for n, c, m, t, day in due] == [
        (1, 3, 3, 1224.0, "2024-04-15"),
        (2, 6, 6, 2544.0, "2024-08-01"),
        (3, 3, 3, 3060.0, "2024-04-10"),
    ]
    twice = "select loan_no from loan_installment group by loan_no, installment_no having count(*) > 1"
    assert tiny_con.execute(twice).fetchall() == []


def test_every_mart_is_described_for_contributors():
    text = (Path(__file__).resolve().parent.parent / "docs" / "HELPERS.md").read_text(encoding="utf-8")
    assert [m for m in store.MARTS if m not in text] == []


def test_investor_month_holds_the_big_books_overdue_trend(tiny_big_books):
    # I1 holds 3 loans (H1 1/2 of L1, H3 all of L2 from 02-01, H4 1/3 of L3), I2 holds 2: with big books
    # from 3 holdings the mart holds I1's month-ends with exposure (the tiny tape above; L3's claim is 0
    # from the guarantor's 06-10 buy-out, so nothing after May; no exposure is ever 90+)
    con = tiny_big_books()
    rows = con.execute(
        "select investor_id, month_end, held_loans, exposure, overdue_exposure, m3plus_exposure "
        "from investor_month"
    ).fetchall()
    third = 2000 / 3
    assert [r[:3] for r in rows] == [
        ("I1", d("2024-01-31"), 2),
        ("I1", d("2024-02-29"), 3),
        ("I1", d("2024-03-31"), 3),
        ("I1", d("2024-04-30"), 1),
        ("I1", d("2024-05-31"), 1),
    ]
    # Jan 1/2 x 1,200 + 1/3 x 3,000; Feb 1/2 x 800 + 2,400 + 1/3 x 2,000; Mar 1/2 x 708 (1-30) + 2,400 +
    # 1/3 x 2,000 (1-30); Apr, May L3 (31-60, 61-90)
    expected = [1600.0, 400 + 2400 + third, 354 + 2400 + third, third, third]
    assert [round(r[3], 9) for r in rows] == [round(x, 9) for x in expected]
    overdue = [0.0, 0.0, 354 + third, third, third]
    assert [round(r[4], 9) for r in rows] == [round(x, 9) for x in overdue]
    assert [r[5] for r in rows] == [0.0] * 5
    assert store.MARTS.index("investor_month") > store.MARTS.index("holding_book")
    # I1's trend comes from the mart (Jan..Dec, zeros after May), the same frame as the tape's; I2's
    # book is small, so the stored query returns nothing and the trend reads the tape
    for as_of in (d("2024-03-31"), OBSERVED_TO):
        params = {"as_of": as_of, "investor_id": "I1"}
        stored = sql.run(con, "investor_overdue_trend_stored", {**params, "big_book_holdings": 3})
        pd.testing.assert_frame_equal(stored, sql.run(con, "investor_overdue_trend", params), rtol=1e-12)
    assert len(stored) == 12 and stored["exposure"].tolist()[5:] == [0.0] * 7
    small = {"as_of": OBSERVED_TO, "investor_id": "I2", "big_book_holdings": 3}
    assert sql.run(con, "investor_overdue_trend_stored", small).empty
    trend = investor.overdue_trend(con, OBSERVED_TO, "I1")
    assert trend["held_loans"].tolist() == [2, 3, 3, 1, 1] + [0] * 7


def test_investor_month_counts_a_second_holding_in_a_loan_from_its_month_end(tiny_big_books):
    # H4 split in two: I1 puts 500 into L3 on 01-10 and 500 more on 02-20, so its share of L3 is 1/6 at
    # 01-31 and 1/3 from 02-29; L3 is one held loan throughout
    tables = tiny_tables()
    holdings = tables["holdings"]
    holdings.loc[holdings["holding_id"] == "H4", "amount"] = 500.0
    extra = holdings[holdings["holding_id"] == "H4"].assign(holding_id="H6", invested_on=d("2024-02-20"))
    tables["holdings"] = pd.concat([holdings, extra], ignore_index=True)
    con = tiny_big_books(tables)
    rows = con.execute(
        "select month_end, held_loans, exposure from investor_month where investor_id = 'I1'"
    ).fetchall()
    # Jan 1/2 x 1,200 + 1/6 x 3,000; Feb 1/2 x 800 + 2,400 + 1/3 x 2,000; Mar 354 + 2,400 + 1/3 x 2,000
    assert [(r[0], r[1], round(r[2], 9)) for r in rows[:3]] == [
        (d("2024-01-31"), 2, 1100.0),
        (d("2024-02-29"), 3, round(2800 + 2000 / 3, 9)),
        (d("2024-03-31"), 3, round(2754 + 2000 / 3, 9)),
    ]
    params = {"as_of": OBSERVED_TO, "investor_id": "I1"}
    stored = sql.run(con, "investor_overdue_trend_stored", {**params, "big_book_holdings": 3})
    pd.testing.assert_frame_equal(stored, sql.run(con, "investor_overdue_trend", params), rtol=1e-12)


def test_book_marts_hold_the_big_books_repayments_and_schedule_by_investor(tiny_big_books):
    # with big books from 3 holdings, I1 (H1 in L1, H3 in L2, H4 in L3) is big and I2 (2 holdings) is not:
    # the marts hold I1's copy of its 3 loans' 10 repayments and 12 installments (tests/tiny.py), in loan
    # and date order, and nothing of I2's
    con = tiny_big_books()
    paid = con.execute(
        "select investor_id, loan_no, paid_on, source, cast(principal_paid + interest_paid as double), "
        "principal_paid_before from book_repayment"
    ).fetchall()
    # with each the loan's principal repaid before it (L1: 400, + 92, + 308; L3: 1,000, + 2,000)
    assert paid == [
        ("I1", 1, d("2024-02-15"), "borrower", 412.0, 0.0),
        ("I1", 1, d("2024-03-15"), "borrower", 100.0, 400.0),
        ("I1", 1, d("2024-04-12"), "borrower", 308.0, 492.0),
        ("I1", 1, d("2024-04-15"), "borrower", 404.0, 800.0),
        ("I1", 2, d("2024-03-01"), "borrower", 24.0, 0.0),
        ("I1", 2, d("2024-04-01"), "borrower", 24.0, 0.0),
        ("I1", 2, d("2024-04-20"), "borrower", 2400.0, 0.0),
        ("I1", 3, d("2024-02-10"), "borrower", 1030.0, 0.0),
        ("I1", 3, d("2024-06-10"), "guarantor", 2020.0, 1000.0),
        ("I1", 3, d("2024-11-15"), "collection", 300.0, 3000.0),
    ]
    due = con.execute("select investor_id, loan_no, count(*) from book_installment group by all order by 2")
    assert due.fetchall() == [("I1", 1, 3), ("I1", 2, 6), ("I1", 3, 3)]
    assert store.MARTS.index("book_repayment") > store.MARTS.index("holding_book")


def test_a_big_book_reads_its_cash_from_the_book_marts_and_a_small_one_from_the_loans(tiny_big_books):
    # I1's book is big from 3 holdings: with loan_repayment and loan_installment emptied, its holdings,
    # returns and cash flows are the same (the held_loan_* macros read the book marts); I2's small book
    # reads them, so its repayments are gone
    con = tiny_big_books()
    feb = d("2024-02-29")

    def read(investor_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """holdings at the end of observation and at Feb, monthly returns inputs, cash flows."""
        return (
            investor.holdings(con, OBSERVED_TO, investor_id),
            investor.holdings(con, feb, investor_id),
            sql.run(con, "investor_returns_inputs", {"as_of": OBSERVED_TO, "investor_id": investor_id}),
            investor.cash_flows(con, OBSERVED_TO, investor_id),
        )

    big, small = read("I1"), read("I2")
    # H1 1/2 of L1's 412 + 100 + 308 + 404; H3 all of L2's 24 + 24 + 2,400; H4 1/3 of L3's 1,030 + 2,020
    # (the 300 collected after the guarantor's buy-out is the guarantor's)
    assert big[0]["received"].round(9).tolist() == [612.0, 2448.0, round(3050 / 3, 9)]
    # at Feb: H1's next installment is L1's 03-15 (400 + 8) x 1/2; H3's L2's 03-01 interest 24
    assert big[1]["next_due"].tolist()[:2] == [204.0, 24.0]
    assert small[0]["received"].round(9).tolist() == [612.0, round(2 * 3050 / 3, 9)]
    con.execute("delete from loan_repayment")
    con.execute("delete from loan_installment")
    for before, after in zip(big, read("I1"), strict=True):
        pd.testing.assert_frame_equal(after, before)
    gone = read("I2")
    assert gone[0]["received"].tolist() == [0.0, 0.0]
    assert gone[1]["next_due"].isna().all() and len(gone[3]) == 2  # its two investments, no repayment


def test_legal_case_holds_each_lawsuit_with_its_claim_at_filing(tiny_con):
    rows = tiny_con.execute(
        "select loan_no, loan_id, filed_on, judgment_on, claim from legal_case"
    ).fetchall()
    # tests/tiny.py: only L3 (loan_no 3) is sued, filed 07-01, judgment 10-20; claim 3,000 - 1,000 paid
    # by the borrower on 02-10 (the guarantor's 2,000 of 06-10 is not the borrower's)
    assert rows == [(3, "L3", d("2024-07-01"), d("2024-10-20"), 2000.0)]
    assert store.MARTS.index("legal_case") > store.MARTS.index("loan_contract")


def test_collection_month_holds_every_overdue_loan_month_with_its_contacts_so_far(tiny_con):
    rows = tiny_con.execute(
        "select month_end, loan_no, loan_id, borrower_id, grade, product, region, state, dpd,"
        " outstanding_principal, past_due_amount, contacts, last_contact_on, last_contact_kind,"
        " legal_filed_on, judgment_on, remaining_months from collection_month"
    ).fetchall()
    # tests/tiny.py, in month-end then loan order. L1 at 03-31: DPD 16, 708 outstanding, 308 past due,
    # reminded 03-20, 3 - 2 months on book = 1 installment to come. L3: called 03-15, visited 05-02,
    # sued 07-01 (the 10-20 judgment comes after its last overdue month-end); past due 2,050 - 1,030
    # paid = 1,020 at 03-31, then 3,060 - 1,030 = 2,030 once all three installments are due; 3 - 2 and
    # then 3 - 3 or more months on book leave 1, then 0 installments to come.
    l3 = ("L3", "B3", "E", "small_business", "Guangdong")
    call, visit = (d("2024-03-15"), "call"), (d("2024-05-02"), "visit")
    assert rows == [
        (
            d("2024-03-31"),
            1,
            "L1",
            "B1",
            "A",
            "personal",
            "Beijing",
            "1-30",
            16,
            708.0,
            308.0,
            1,
            d("2024-03-20"),
            "reminder",
            None,
            None,
            1,
        ),
        (d("2024-03-31"), 3, *l3, "1-30", 21, 2000.0, 1020.0, 1, *call, None, None, 1),
        (d("2024-04-30"), 3, *l3, "31-60", 51, 2000.0, 2030.0, 1, *call, None, None, 0),
        (d("2024-05-31"), 3, *l3, "61-90", 82, 2000.0, 2030.0, 2, *visit, None, None, 0),
        (d("2024-06-30"), 3, *l3, "90+", 112, 2000.0, 2030.0, 2, *visit, None, None, 0),
        (d("2024-07-31"), 3, *l3, "90+", 143, 2000.0, 2030.0, 2, *visit, d("2024-07-01"), None, 0),
        (d("2024-08-31"), 3, *l3, "90+", 174, 2000.0, 2030.0, 2, *visit, d("2024-07-01"), None, 0),
    ]
    assert store.MARTS.index("collection_month") > store.MARTS.index("loan_month")
