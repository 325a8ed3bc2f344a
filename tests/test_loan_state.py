"""loan_state_as_of and loan_month on the tiny platform (values computed on paper in tests/tiny.py)."""

from __future__ import annotations

import pytest
from tiny import d

from lendrisk import sql


def state(con, as_of: str) -> dict[str, tuple]:
    frame = sql.run(con, "loan_state_as_of", {"as_of": d(as_of)})
    return {
        r.loan_id: (r.state, r.dpd, r.outstanding_principal, r.past_due_amount) for r in frame.itertuples()
    }


def test_loans_not_yet_originated_are_left_out(tiny_con):
    assert set(state(tiny_con, "2024-01-12")) == {"L3"}


def test_partial_payment_leaves_loan_sixteen_days_past_due(tiny_con):
    assert state(tiny_con, "2024-03-31")["L1"] == ("1-30", 16, 708.0, 308.0)


def test_installment_paid_late_moves_loan_back_to_current(tiny_con):
    assert state(tiny_con, "2024-04-12")["L1"] == ("current", 0, 400.0, 0.0)


def test_installment_due_today_is_not_yet_past_due(tiny_con):
    assert state(tiny_con, "2024-03-10")["L3"] == ("current", 0, 2000.0, 0.0)
    assert state(tiny_con, "2024-03-11")["L3"] == ("1-30", 1, 2000.0, 1020.0)


def test_prepayment_pays_the_loan_off(tiny_con):
    assert state(tiny_con, "2024-04-30")["L2"] == ("paid_off", 0, 0.0, 0.0)


def test_guarantor_buy_out_does_not_cure_the_borrower(tiny_con):
    # 06-30: 112 days after 03-10; the guarantor paid 2,000 on 06-10 but the borrower did not.
    assert state(tiny_con, "2024-06-30")["L3"] == ("90+", 112, 2000.0, 2030.0)


def test_dpd_ninety_is_m3_and_ninety_one_is_m3_plus(tiny_con):
    assert state(tiny_con, "2024-06-08")["L3"][:2] == ("61-90", 90)
    assert state(tiny_con, "2024-06-09")["L3"][:2] == ("90+", 91)


def test_charge_off_is_final_and_collection_recovery_reduces_outstanding(tiny_con):
    assert state(tiny_con, "2024-09-06")["L3"] == ("charged_off", 180, 2000.0, 2030.0)
    # 11-15 collection 300 counts as paid: outstanding 1,700, past due 3,060 - 1,330.
    assert state(tiny_con, "2024-12-31")["L3"] == ("charged_off", 296, 1700.0, 1730.0)


def tape(con, loan_id: str) -> list[tuple]:
    rows = con.execute(
        "select month_end, months_on_book, state, dpd, outstanding_principal::double "
        "from loan_month where loan_id = $id order by month_end",
        {"id": loan_id},
    ).fetchall()
    return [(m.isoformat(), mob, s, dpd, bal) for m, mob, s, dpd, bal in rows]


def test_tape_of_partially_paid_loan_runs_to_its_paid_off_month(tiny_con):
    assert tape(tiny_con, "L1") == [
        ("2024-01-31", 0, "current", 0, 1200.0),
        ("2024-02-29", 1, "current", 0, 800.0),
        ("2024-03-31", 2, "1-30", 16, 708.0),
        ("2024-04-30", 3, "paid_off", 0, 0.0),
    ]


def test_tape_of_prepaid_loan_stops_at_prepayment_month(tiny_con):
    assert tape(tiny_con, "L2") == [
        ("2024-02-29", 0, "current", 0, 2400.0),
        ("2024-03-31", 1, "current", 0, 2400.0),
        ("2024-04-30", 2, "paid_off", 0, 0.0),
    ]


def test_tape_of_charged_off_loan_rolls_through_every_bucket(tiny_con):
    assert tape(tiny_con, "L3") == [
        ("2024-01-31", 0, "current", 0, 3000.0),
        ("2024-02-29", 1, "current", 0, 2000.0),
        ("2024-03-31", 2, "1-30", 21, 2000.0),
        ("2024-04-30", 3, "31-60", 51, 2000.0),
        ("2024-05-31", 4, "61-90", 82, 2000.0),
        ("2024-06-30", 5, "90+", 112, 2000.0),
        ("2024-07-31", 6, "90+", 143, 2000.0),
        ("2024-08-31", 7, "90+", 174, 2000.0),
        ("2024-09-30", 8, "charged_off", 204, 2000.0),
    ]


def test_tape_guarantor_cash_is_kept_apart(tiny_con):
    # The guarantor's buy-out of L3 on 06-10: 2,000 principal + 20 interest; none before June.
    rows = tiny_con.execute(
        "select month_end::varchar, guarantor_paid_to_date::double, guarantor_principal_to_date::double "
        "from loan_month where loan_id = 'L3' and month_end in (date '2024-05-31', date '2024-06-30') "
        "order by month_end"
    ).fetchall()
    assert rows == [("2024-05-31", 0.0, 0.0), ("2024-06-30", 2020.0, 2000.0)]


@pytest.mark.parametrize("month_end", ["2024-02-29", "2024-03-31", "2024-04-30", "2024-08-31"])
def test_tape_equals_loan_state_as_of_at_every_month_end(tiny_con, month_end):
    on_tape = tiny_con.execute(
        "select loan_id, state, dpd, outstanding_principal::double from loan_month "
        "where month_end = $m order by loan_id",
        {"m": d(month_end)},
    ).fetchall()
    as_of = state(tiny_con, month_end)
    assert on_tape == [(k, *as_of[k][:3]) for k, *_ in on_tape]
    assert len(on_tape) == {"2024-02-29": 3, "2024-03-31": 3, "2024-04-30": 3, "2024-08-31": 1}[month_end]
