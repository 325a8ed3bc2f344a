"""A hand-built three-loan, two-investor platform whose every number is computed on paper.

L1  1,200.00 at 12 %, 3 months equal principal, originated 2024-01-15 (borrower B1).
    Schedule 02-15 400+12 · 03-15 400+8 · 04-15 400+4 (running 412, 820, 1,224).
    Paid 02-15 412 on time; 03-15 a partial 100 (92 principal, 8 interest); 04-12 the missing 308
    (late: the loan cures); 04-15 the last 404. At 03-31: paid so far 512, oldest unpaid
    installment 2 (due 03-15) -> DPD 16, bucket 1-30, outstanding 708, past due 308.
L2  2,400.00 at 12 %, 6 months bullet, originated 2024-02-01 (borrower B2).
    Interest 24 due on the 1st of each month 03-01 .. 08-01, principal 2,400 on 08-01.
    Pays 24 on 03-01 and 04-01, then prepays the whole principal on 04-20 -> paid_off at 04-30.
L3  3,000.00 at 12 %, 3 months equal principal, reserve-guaranteed, originated 2024-01-10 (B3).
    Schedule 02-10 1,000+30 · 03-10 1,000+20 · 04-10 1,000+10 (running 1,030, 2,050, 3,060).
    Pays only the first installment. DPD at 03-31 = 21, 04-30 = 51, 05-31 = 82, 06-30 = 112.
    Guarantor buys the investors out on 06-10 (2,000 principal + 20 interest): does not cure.
    Charged off on 09-06 (DPD 180) with 2,000 written off; collection recovers 300 on 11-15.

Investors: I1 (retail) holds 600 of L1, all 2,400 of L2, 1,000 of L3; I2 (institutional) holds
600 of L1 and 2,000 of L3. Every loan is fully funded.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

OBSERVED_TO = dt.date(2024, 12, 31)


def d(text: str) -> dt.date:
    """A date from ISO text."""
    return dt.date.fromisoformat(text)


def tiny_tables() -> dict[str, pd.DataFrame]:
    """The canonical tables of the tiny platform."""
    borrowers = pd.DataFrame(
        {
            "borrower_id": ["B1", "B2", "B3"],
            "region": ["Beijing", "Shanghai", "Guangdong"],
            "birth_year": [1985, 1990, 1978],
            "annual_income": [120000.0, 90000.0, 60000.0],
            "income_verified": [True, True, False],
            "employment": ["salaried", "salaried", "self_employed"],
            "credit_score": [720, 680, 590],
        }
    )
    loans = pd.DataFrame(
        {
            "loan_id": ["L1", "L2", "L3"],
            "borrower_id": ["B1", "B2", "B3"],
            "product": ["personal", "consumer", "small_business"],
            "channel": ["platform", "platform", "institution"],
            "grade": ["A", "B", "E"],
            "purpose": ["education", "car", "working_capital"],
            "originated_on": [d("2024-01-15"), d("2024-02-01"), d("2024-01-10")],
            "principal": [1200.0, 2400.0, 3000.0],
            "annual_rate": [0.12, 0.12, 0.12],
            "term_months": [3, 6, 3],
            "repayment_method": ["equal_principal", "bullet", "equal_principal"],
            "guarantee": ["none", "none", "reserve"],
        }
    )
    schedule = pd.DataFrame(
        [
            ("L1", 1, d("2024-02-15"), 400.0, 12.0),
            ("L1", 2, d("2024-03-15"), 400.0, 8.0),
            ("L1", 3, d("2024-04-15"), 400.0, 4.0),
            *[("L2", i, d(f"2024-{i + 2:02d}-01"), 0.0, 24.0) for i in range(1, 6)],
            ("L2", 6, d("2024-08-01"), 2400.0, 24.0),
            ("L3", 1, d("2024-02-10"), 1000.0, 30.0),
            ("L3", 2, d("2024-03-10"), 1000.0, 20.0),
            ("L3", 3, d("2024-04-10"), 1000.0, 10.0),
        ],
        columns=["loan_id", "installment_no", "due_on", "principal_due", "interest_due"],
    )
    repayments = pd.DataFrame(
        [
            ("L1", d("2024-02-15"), 400.0, 12.0, 0.0, "borrower"),
            ("L1", d("2024-03-15"), 92.0, 8.0, 0.0, "borrower"),
            ("L1", d("2024-04-12"), 308.0, 0.0, 0.0, "borrower"),
            ("L1", d("2024-04-15"), 400.0, 4.0, 0.0, "borrower"),
            ("L2", d("2024-03-01"), 0.0, 24.0, 0.0, "borrower"),
            ("L2", d("2024-04-01"), 0.0, 24.0, 0.0, "borrower"),
            ("L2", d("2024-04-20"), 2400.0, 0.0, 0.0, "borrower"),
            ("L3", d("2024-02-10"), 1000.0, 30.0, 0.0, "borrower"),
            ("L3", d("2024-06-10"), 2000.0, 20.0, 0.0, "guarantor"),
            ("L3", d("2024-11-15"), 300.0, 0.0, 0.0, "collection"),
        ],
        columns=["loan_id", "paid_on", "principal_paid", "interest_paid", "fee_paid", "source"],
    )
    loan_events = pd.DataFrame(
        [
            ("L1", d("2024-03-20"), "reminder", None, "sms"),
            ("L3", d("2024-03-15"), "call", None, None),
            ("L3", d("2024-05-02"), "visit", None, None),
            ("L3", d("2024-07-01"), "legal_filed", None, None),
            ("L3", d("2024-09-06"), "charged_off", 2000.0, "180 days past due"),
            ("L3", d("2024-10-20"), "judgment", None, None),
        ],
        columns=["loan_id", "event_on", "kind", "amount", "note"],
    )
    investors = pd.DataFrame(
        {
            "investor_id": ["I1", "I2"],
            "segment": ["retail", "institutional"],
            "risk_profile": ["balanced", "institution"],
            "region": ["Beijing", "Shanghai"],
            "joined_on": [d("2023-12-01"), d("2023-11-01")],
        }
    )
    holdings = pd.DataFrame(
        [
            ("H1", "I1", "L1", 600.0, d("2024-01-15")),
            ("H2", "I2", "L1", 600.0, d("2024-01-15")),
            ("H3", "I1", "L2", 2400.0, d("2024-02-01")),
            ("H4", "I1", "L3", 1000.0, d("2024-01-10")),
            ("H5", "I2", "L3", 2000.0, d("2024-01-10")),
        ],
        columns=["holding_id", "investor_id", "loan_id", "amount", "invested_on"],
    )
    month_ends = pd.date_range("2024-01-31", "2024-12-31", freq="ME").date
    macro = pd.DataFrame(
        {
            "month_end": month_ends,
            "unemployment_rate": [0.05] * 12,
            "gdp_growth": [0.05] * 12,
            "industry_overdue_rate": [0.02] * 12,
        }
    )
    reserve_fund = pd.DataFrame({"month_end": month_ends, "balance": [10000.0] * 12})
    users = pd.DataFrame(columns=["username", "password_hash", "role", "investor_id"])
    return {
        "borrowers": borrowers,
        "loans": loans,
        "schedule": schedule,
        "repayments": repayments,
        "loan_events": loan_events,
        "investors": investors,
        "holdings": holdings,
        "macro": macro,
        "reserve_fund": reserve_fund,
        "users": users,
    }


def signed_session(db, username: str) -> dict:
    """session_state["_auth"] of a logged-in account of store db (key $LENDRISK_SECRET = test-secret)."""
    from lendrisk import auth, authstate, store

    con = store.connect(db)
    try:
        token, expires_at = auth.new_session(con, authstate.for_store(db), b"test-secret", username)
    finally:
        con.close()
    return {"username": username, "token": token, "expires_at": expires_at}
