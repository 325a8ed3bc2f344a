"""Hand-built platforms where each cause of a moving overdue rate is known by construction.

Every loan has the same contract: 1,000.00 at 12 %, 12 months bullet, originated on the 1st of its
month; interest 10.00 is due on the 15th of each of the next 12 months and the principal with the
last installment. A loan either pays every installment on its due date, or (a "misser") pays nothing
from installment `miss` on and catches up on the due date of installment `cure` (every arrear and
that installment at once), then pays on time again. A bullet loan keeps its full 1,000 outstanding
until it pays off, so every active loan weighs the same and rates are shares of loans.

A misser of installment 6 is current at months on book 0..5, in 1-30 at month 6 (DPD 14..16),
31-60 at month 7 (44..47) and 61-90 at month 8 (73..77) when it cures at installment 9; when it
cures at installment 7 it is only in 1-30 at month 6. A loan is active at months on book 0..11
(paid off at 12). The two month-ends compared are D0 = 2023-12-31 and D1 = 2024-12-31, unemployment
is flat at 5 % (no macro effect), and the store is observed to D1.

- growth: 10 loans a month (2 missers, cure at 9) through 2023-12, then 10 + 5k in the k-th month of
  2024 (15 .. 70, a fifth of them missers). Rates by age are the same at both dates (1/5 at months
  on book 6, 7, 8, else 0). D0: 120 loans, 6 overdue, 5 %. D1: ages 0..11 hold 70, 65, .., 15 loans,
  510 in all; ages 6, 7, 8 hold 40, 35, 30 loans with 8 + 7 + 6 = 21 overdue: 21 / 510 = 4.1176 %.
  Change -0.8824 pp, all growth. Lagged rates at D1: 21 / 315 (3 months) and 21 / 165 (6 months).
- mix: 20 loans a month, grade A never misses, grade E has 1 misser in 5 (cure at 9); 10 A + 10 E a
  month for loans originated before 2023-12, 5 A + 15 E from then on. D0: 6 overdue of 240, 2.5 %;
  D1: 9 of 240, 3.75 %. Change +1.25 pp, all grade mix.
- roll: grade C, 10 loans a month, 2 missers; a misser whose missed installment falls before
  December 2023 cures at 7 (one month in 1-30), from then on at 9 (1-30, 31-60, 61-90). D0: 2 of 120
  overdue, 1.6667 %; D1: 6 of 120, 5 %. Change +3.3333 pp, all collections: the 1-30 bucket's
  occupancy goes from 1 month to 3, 1.6667 % x (3 - 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

import pandas as pd

D0, D1 = dt.date(2023, 12, 31), dt.date(2024, 12, 31)
FIRST_MONTH = dt.date(2022, 1, 1)
PRINCIPAL, INTEREST, TERM = 1000.0, 10.0, 12


class Cohort(NamedTuple):
    """Loans originated on the 1st of a month: grade, count, missers (the first `missers` loans)."""

    month: dt.date
    grade: str
    loans: int
    missers: int
    miss: int = 6
    cure: int = 9


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The 1st of every month from first to last (both 1st of a month)."""
    return [d.date() for d in pd.date_range(first, last, freq="MS")]


def _due(month: dt.date, installment: int) -> dt.date:
    """The due date (the 15th) of an installment of a loan originated on the 1st of month."""
    return (pd.Timestamp(month) + pd.DateOffset(months=installment)).date().replace(day=15)


def _payments(loan_id: str, cohort: Cohort, misser: bool) -> list[tuple]:
    """Repayment rows of one loan: on time, or nothing from `miss` then catching up at `cure`."""
    rows, owed = [], 0.0
    for i in range(1, TERM + 1):
        principal = PRINCIPAL if i == TERM else 0.0
        if misser and cohort.miss <= i < cohort.cure:
            owed += INTEREST
            continue
        interest = INTEREST + owed
        owed = 0.0
        rows.append((loan_id, _due(cohort.month, i), principal, interest, 0.0, "borrower"))
    return rows


def platform(cohorts: list[Cohort], macro: bool = True) -> dict[str, pd.DataFrame]:
    """The canonical tables of a platform of cohorts (borrowers all score 720, verified, platform)."""
    loans, schedule, repayments = [], [], []
    for c in cohorts:
        for n in range(c.loans):
            loan_id = f"{c.month:%Y%m}-{c.grade}-{n:03d}"
            loans.append((loan_id, c.month, c.grade))
            for i in range(1, TERM + 1):
                schedule.append((loan_id, i, _due(c.month, i), PRINCIPAL if i == TERM else 0.0, INTEREST))
            repayments += _payments(loan_id, c, n < c.missers)
    ids = [loan[0] for loan in loans]
    month_ends = pd.date_range(FIRST_MONTH, D1, freq="ME").date
    return {
        "borrowers": pd.DataFrame(
            {
                "borrower_id": ids,
                "region": "Beijing",
                "birth_year": 1985,
                "annual_income": 100000.0,
                "income_verified": True,
                "employment": "salaried",
                "credit_score": 720,
            }
        ),
        "loans": pd.DataFrame(
            {
                "loan_id": ids,
                "borrower_id": ids,
                "product": "personal",
                "channel": "platform",
                "grade": [loan[2] for loan in loans],
                "purpose": "other",
                "originated_on": [loan[1] for loan in loans],
                "principal": PRINCIPAL,
                "annual_rate": 0.12,
                "term_months": TERM,
                "repayment_method": "bullet",
                "guarantee": "none",
            }
        ),
        "schedule": pd.DataFrame(
            schedule, columns=["loan_id", "installment_no", "due_on", "principal_due", "interest_due"]
        ),
        "repayments": pd.DataFrame(
            repayments,
            columns=["loan_id", "paid_on", "principal_paid", "interest_paid", "fee_paid", "source"],
        ),
        "macro": pd.DataFrame(
            {
                "month_end": month_ends if macro else [],
                "unemployment_rate": 0.05,
                "gdp_growth": 0.05,
                "industry_overdue_rate": 0.02,
            }
        ),
    }


def _monthly(rule: Callable[[dt.date], list[Cohort]]) -> list[Cohort]:
    """Cohorts of every month from FIRST_MONTH through December 2024."""
    return [c for month in months(FIRST_MONTH, dt.date(2024, 12, 1)) for c in rule(month)]


def growth_cohorts() -> list[Cohort]:
    """10 loans a month through 2023, then 10 + 5k in the k-th month of 2024; a fifth miss."""

    def rule(month: dt.date) -> list[Cohort]:
        count = 10 if month.year < 2024 else 10 + 5 * month.month
        return [Cohort(month, "C", count, count // 5)]

    return _monthly(rule)


def mix_cohorts() -> list[Cohort]:
    """20 loans a month: 10 A + 10 E before December 2023, then 5 A + 15 E; 1 E loan in 5 misses."""

    def rule(month: dt.date) -> list[Cohort]:
        e_loans = 10 if month < dt.date(2023, 12, 1) else 15
        return [Cohort(month, "A", 20 - e_loans, 0), Cohort(month, "E", e_loans, e_loans // 5)]

    return _monthly(rule)


def roll_cohorts() -> list[Cohort]:
    """10 loans a month, 2 missers: cure at 7 if they miss before December 2023, else at 9."""

    def rule(month: dt.date) -> list[Cohort]:
        cure = 7 if _due(month, 6) < dt.date(2023, 12, 1) else 9
        return [Cohort(month, "C", 10, 2, cure=cure)]

    return _monthly(rule)


def vintage_cohorts() -> list[Cohort]:
    """10 loans a month; 1 a month never pays from installment 3 on (90+ at months on book 6, a
    default), but 3 of the June 2024 vintage do: at age 6 it has defaulted 30 % against 10 %."""

    def rule(month: dt.date) -> list[Cohort]:
        return [Cohort(month, "C", 10, 3 if month == dt.date(2024, 6, 1) else 1, miss=3, cure=99)]

    return _monthly(rule)
