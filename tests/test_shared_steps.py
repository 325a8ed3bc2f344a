"""The shared SQL steps over the marts (queries/schema/after_marts/003_tape.sql) on the tiny platform
(tests/tiny.py; the tape as tests/test_marts.py lists it), every number read off the tiny story."""

from __future__ import annotations

import datetime as dt

from lendrisk import store

MARCH, JUNE = dt.date(2024, 3, 31), dt.date(2024, 6, 30)


def test_active_loans_at_march_with_claims_and_remaining_months(tiny_con):
    rows = tiny_con.execute(
        "select loan_id, state, dpd, outstanding_principal, claim, remaining_months, principal"
        " from active_loans($d) order by loan_id",
        {"d": MARCH},
    ).fetchall()
    # L1: 708 left, 16 DPD, 2 months on book of 3; L2 current, 1 of 6; L3 2,000 left, 21 DPD, 2 of 3
    assert rows == [
        ("L1", "1-30", 16, 708.0, 708.0, 1, 1200.0),
        ("L2", "current", 0, 2400.0, 2400.0, 5, 2400.0),
        ("L3", "1-30", 21, 2000.0, 2000.0, 1, 3000.0),
    ]


def test_a_guarantor_buy_out_leaves_no_claim(tiny_con):
    rows = tiny_con.execute(
        "select loan_id, state, outstanding_principal, guarantor_principal, claim, remaining_months"
        " from active_loans($d)",
        {"d": JUNE},
    ).fetchall()
    # L1 and L2 are paid off by June; the guarantor bought L3's 2,000 out on 06-10 (no cure)
    assert rows == [("L3", "90+", 2000.0, 2000.0, 0.0, 0)]
    assert tiny_con.execute("select count(*) from held_exposures('I1', $d)", {"d": JUNE}).fetchone() == (0,)


def test_held_exposures_are_share_times_claim(tiny_con):
    rows = tiny_con.execute(
        "select holding_id, loan_id, share, exposure from held_exposures('I1', $d) order by loan_id",
        {"d": MARCH},
    ).fetchall()
    assert [r[:2] for r in rows] == [("H1", "L1"), ("H3", "L2"), ("H4", "L3")]
    # 600 / 1,200 of 708; all of 2,400; 1,000 / 3,000 of 2,000
    assert [round(r[3], 6) for r in rows] == [354.0, 2400.0, 666.666667]
    assert rows[0][2] == 0.5


def test_loan_default_is_the_first_month_at_90_plus(tiny_con):
    rows = tiny_con.execute("select * from loan_default").fetchall()
    # L3 reaches 90+ at 06-30, five months after its first month-end (01-31), 2,000 outstanding
    assert [(r[0], r[1], r[2], float(r[3])) for r in rows] == [("L3", JUNE, 5, 2000.0)]


def test_transitions_to_keeps_the_lookback_window(tiny_con):
    rows = tiny_con.execute(
        "select month_end, loan_count from (select month_end, sum(loans) as loan_count"
        " from transitions_to($d, 3) group by month_end) order by month_end",
        {"d": JUNE},
    ).fetchall()
    # (03-31, 06-30]: L1, L2 and L3 move into April, L3 alone into May and June
    assert rows == [(dt.date(2024, 4, 30), 3), (dt.date(2024, 5, 31), 1), (JUNE, 1)]


def test_the_steps_over_the_marts_come_with_every_build(tiny_con):
    names = {r[0] for r in tiny_con.execute("select function_name from duckdb_functions()").fetchall()}
    assert {"active_tape", "active_loans", "loan_risk_profile", "held_exposures", "transitions_to"} <= names
    store.create_mart_views(tiny_con)  # created or replaced: running it again changes nothing
    assert tiny_con.execute("select count(*) from active_loans($d)", {"d": MARCH}).fetchone() == (3,)
