"""LendingClub loan files -> canonical tables (docs/design.md §2); every inference is in docs/real-data.md.

Two layouts, told apart by their columns: the lifetime file LoanStats3a (loans issued 2007-2011, all
closed, one row per loan with aggregate repayment totals) and the OpenIntro `loans_full_schema`
snapshot (10,000 loans issued Jan-Mar 2018 with their status at the end of June 2018). Neither has
installment histories: the contractual annuity schedule is rebuilt from amount, rate, term and issue
month, and repayments, charge-offs and recoveries are inferred from the totals. Amounts are handled in
integer cents and handed out as floats with two decimals.

The helpers it shares with lendrisk.ingest.prosper live in lendrisk.ingest.loanfile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lendrisk.ingest.loanfile import (
    AdapterError,
    allocate_payments,
    annuity_schedule,
    bad_value,
    borrowers_and_loans,
    canonical_tables,
    cents,
    cents_by_running_total,
    charge_off_frame,
    codes,
    dates,
    first_unpaid,
    fit_snapshot_cash,
    header,
    installments_due,
    merge_files,
    numbers,
    read_csv,
    recovery_payments,
    repayments_frame,
    schedule_frame,
    simulated_investors,
)
from lendrisk.vocab import MONTHS_BEHIND

# LoanStats3a statuses are as of LendingClub's 2017-Q3 data refresh (data/real/README.md).
LIFETIME_OBSERVED_TO = dt.date(2017, 9, 30)
# The OpenIntro snapshot: loans issued Jan/Feb/Mar 2018 have paid 5/4/3 monthly installments, so the
# statuses describe the June 2018 billing cycle (docs/real-data.md).
SNAPSHOT_OBSERVED_TO = dt.date(2018, 6, 30)
# LendingClub charges a loan off no later than 150 days past due (docs/real-data.md).
CHARGE_OFF_DPD = 150
# A recovery is booked one month after the charge-off when the file gives no later payment date.
RECOVERY_LAG_DAYS = 30

LIFETIME_NEEDED = (
    "row_id",
    "funded_amnt",
    "term",
    "int_rate",
    "grade",
    "sub_grade",
    "issue_d",
    "loan_status",
    "purpose",
    "addr_state",
    "annual_inc",
    "verification_status",
    "emp_length",
    "total_rec_prncp",
    "total_rec_int",
    "total_rec_late_fee",
    "recoveries",
    "last_pymnt_d",
)
SNAPSHOT_NEEDED = (
    "loan_amount",
    "term",
    "interest_rate",
    "installment",
    "grade",
    "sub_grade",
    "issue_month",
    "loan_status",
    "loan_purpose",
    "state",
    "annual_income",
    "verified_income",
    "emp_length",
    "paid_principal",
    "paid_interest",
    "paid_late_fees",
)
POLICY_PREFIX = "Does not meet the credit policy. Status:"
LIFETIME_STATUSES = ("Fully Paid", "Charged Off")
# OpenIntro snapshot status -> lendrisk state at SNAPSHOT_OBSERVED_TO ("late" = 31-60 or 61-90 by the
# installments the paid amounts leave unpaid, see installments_due).
SNAPSHOT_STATES = {
    "Current": "current",
    "In Grace Period": "1-30",
    "Late (16-30 days)": "1-30",
    "Late (31-120 days)": "late",
    "Fully Paid": "paid_off",
    "Charged Off": "charged_off",
}
# LendingClub purpose -> lendrisk product.
PRODUCTS = {
    "small_business": "small_business",
    "debt_consolidation": "personal",
    "credit_card": "personal",
    "other": "personal",
    "medical": "personal",
    "moving": "personal",
    "wedding": "personal",
    "vacation": "personal",
    "educational": "personal",
    "car": "consumer",
    "major_purchase": "consumer",
    "home_improvement": "consumer",
    "house": "consumer",
    "renewable_energy": "consumer",
}
# The columns _common reads, by role, in each layout.
_SHARED_COLUMNS = {"grade": "grade", "sub_grade": "sub_grade", "term": "term", "employment": "emp_length"}
LIFETIME_COLUMNS = _SHARED_COLUMNS | {
    "rate": "int_rate",
    "purpose": "purpose",
    "income": "annual_inc",
    "verified": "verification_status",
    "region": "addr_state",
}
SNAPSHOT_COLUMNS = _SHARED_COLUMNS | {
    "rate": "interest_rate",
    "purpose": "loan_purpose",
    "income": "annual_income",
    "verified": "verified_income",
    "region": "state",
}
SUB_GRADES = [f"{g}{n}" for g in "ABCDEFG" for n in range(1, 6)]
# Credit score proxy (not a FICO score): 790 for A1 down 4 points per sub-grade to 654 for G5.
SCORE_PROXY = {sg: 790 - 4 * i for i, sg in enumerate(SUB_GRADES)}


def _employment(text: pd.Series) -> np.ndarray:
    """emp_length as text ('< 1 year', '10+ years'; blank -> None)."""
    out = text.str.strip().to_numpy(dtype=object)
    out[out == ""] = None
    return out


# --- LendingClub layouts ----------------------------------------------------------------------------------


def _common(path: Path, raw: pd.DataFrame, cols: dict[str, str]) -> dict[str, np.ndarray]:
    """Loan attributes shared by both layouts (cols maps role -> column name)."""
    grade = codes(path, raw, cols["grade"], list("ABCDEFG"))
    sub_grade = codes(path, raw, cols["sub_grade"], SUB_GRADES)
    raw[cols["term"]] = raw[cols["term"]].str.replace("months", "")
    term = numbers(path, raw, cols["term"])
    if (~np.isin(term, [36, 60])).any():
        raise bad_value(path, raw, cols["term"], ~np.isin(term, [36, 60]), "term is not 36 or 60 months")
    rate = numbers(path, raw, cols["rate"])
    if cols["rate"] == "interest_rate" or raw[cols["rate"]].str.contains("%").any():
        rate = rate / 100.0
    if ((rate < 0) | (rate >= 1)).any():
        raise bad_value(path, raw, cols["rate"], (rate < 0) | (rate >= 1), "interest rate out of range")
    purpose = raw[cols["purpose"]].str.strip().to_numpy(dtype=object)
    income = numbers(path, raw, cols["income"], blank=np.nan)
    verified = raw[cols["verified"]].str.strip()
    return {
        "grade": grade,
        "sub_grade": sub_grade,
        "term": term.astype("int64"),
        "rate": rate,
        "purpose": purpose,
        "product": np.array([PRODUCTS.get(p, "personal") for p in purpose], dtype=object),
        "region": raw[cols["region"]].str.strip().to_numpy(dtype=object),
        "income": income,
        "verified": (verified != "Not Verified").to_numpy() & (verified != "").to_numpy(),
        "employment": _employment(raw[cols["employment"]]),
        "score": np.array([SCORE_PROXY[s] for s in sub_grade], dtype="int64"),
    }


def read_lifetime(path: Path) -> tuple[dict[str, pd.DataFrame], dt.date]:
    """LoanStats3a: every loan closed (Fully Paid or Charged Off); the canonical tables and observed_to."""
    raw = read_csv(path, LIFETIME_NEEDED)
    status_text = raw["loan_status"].str.strip()
    meets = ~status_text.str.startswith(POLICY_PREFIX).to_numpy()
    raw["loan_status"] = status_text.str.removeprefix(POLICY_PREFIX)
    status = codes(path, raw, "loan_status", LIFETIME_STATUSES)
    row_id = numbers(path, raw, "row_id")
    loan_ids = np.array([f"LC-{int(i)}" for i in row_id], dtype=object)
    attrs = _common(path, raw, LIFETIME_COLUMNS)
    originated = dates(path, raw, "issue_d", "%Y-%m-%d")
    last_paid = dates(path, raw, "last_pymnt_d", "%Y-%m-%d", blank_ok=True)
    funded = cents(path, raw, "funded_amnt")
    got_p = cents(path, raw, "total_rec_prncp")
    got_i = cents(path, raw, "total_rec_int")
    fee = cents(path, raw, "total_rec_late_fee", blank=0.0)
    recovered = cents_by_running_total(
        numbers(path, raw, "recoveries", blank=0.0), attrs["grade"], path, raw, "recoveries"
    )
    paid_off = status == "Fully Paid"
    if (funded <= 0).any():
        raise bad_value(path, raw, "funded_amnt", funded <= 0, "principal must be positive")
    over = ~paid_off & (got_p >= funded)
    if over.any():
        raise bad_value(
            path, raw, "total_rec_prncp", over, "a charged-off loan cannot have repaid its principal"
        )
    no_date = (got_p + got_i + fee > 0) & np.isnat(last_paid)
    if no_date.any():
        raise bad_value(path, raw, "last_pymnt_d", no_date, "payments without a last payment date")
    # Fully Paid loans whose received principal differs from funded_amnt by cents are closed at it.
    principal = np.where(paid_off, got_p, funded)
    n = len(loan_ids)
    sched = annuity_schedule(principal, attrs["rate"], attrs["term"], originated)
    last_paid_file = last_paid
    last_paid = np.where(np.isnat(last_paid), originated, last_paid)

    charged = np.flatnonzero(~paid_off)
    oldest = first_unpaid(sched, got_p + got_i, n)[charged]
    last_row = np.r_[np.flatnonzero(np.diff(sched["loan"])), len(sched["loan"]) - 1][charged]
    due_150 = sched["due"][np.where(oldest >= 0, oldest, last_row)] + CHARGE_OFF_DPD
    # A last payment date past 150 days past due is a recovery when the file has recoveries, else a
    # late borrower payment that postpones the charge-off to the next day.
    late_pay = last_paid[charged] >= due_150
    recovery_dated = late_pay & (recovered[charged] > 0)
    charge_on = np.where(late_pay & ~recovery_dated, last_paid[charged] + 1, due_150)
    last_paid[charged] = np.where(recovery_dated, due_150 - 1, last_paid[charged])
    borrower = allocate_payments(sched, got_p, got_i, fee, last_paid)
    events = charge_off_frame(
        loan_ids, charged, charge_on, principal[charged] - got_p[charged], "inferred: 150 days past due"
    )
    rec = recovered[charged] > 0
    recovery_on = np.where(
        recovery_dated, np.maximum(last_paid_file[charged], charge_on + 1), charge_on + RECOVERY_LAG_DAYS
    )
    collection = recovery_payments(
        charged[rec],
        recovery_on[rec],
        recovered[charged][rec],
        principal[charged][rec] - got_p[charged][rec],
    )
    borrowers, loans = borrowers_and_loans(loan_ids, attrs, principal, originated, meets)
    return canonical_tables(
        loan_ids, borrowers, loans, sched, borrower, collection, events
    ), LIFETIME_OBSERVED_TO


def snapshot_late_bucket(paid: np.ndarray, installment: np.ndarray, due: np.ndarray) -> np.ndarray:
    """Late (31-120 days): '31-60' when the paid cash leaves ≤ 2 installments unpaid, else '61-90'.

    Unpaid installments = installments due - ⌊paid / installment + 0.1⌋ (0.1 absorbs LendingClub's
    daily-interest differences); paid and installment in the same units.
    """
    covered = np.floor(paid / installment + 0.1)
    return np.where(due - covered <= 2, "31-60", "61-90")


def read_snapshot(path: Path) -> tuple[dict[str, pd.DataFrame], dt.date]:
    """The OpenIntro 2018 snapshot: loans whose state at 2018-06-30 is the file's status bucket."""
    raw = read_csv(path, SNAPSHOT_NEEDED)
    status = codes(path, raw, "loan_status", list(SNAPSHOT_STATES))
    loan_ids = np.array([f"LCS-{i + 1}" for i in range(len(raw))], dtype=object)
    attrs = _common(path, raw, SNAPSHOT_COLUMNS)
    emp = numbers(path, raw, "emp_length", blank=np.nan)
    attrs["employment"] = np.array(
        [
            None if np.isnan(e) else ("< 1 year" if e < 1 else f"{int(e)}{'+' if e >= 10 else ''} years")
            for e in emp
        ],
        dtype=object,
    )
    originated = dates(path, raw, "issue_month", "%b-%Y")
    principal = cents(path, raw, "loan_amount")
    if (principal <= 0).any():
        raise bad_value(path, raw, "loan_amount", principal <= 0, "principal must be positive")
    got_p = cents(path, raw, "paid_principal")
    got_i = cents(path, raw, "paid_interest")
    fee = cents(path, raw, "paid_late_fees", blank=0.0)
    installment = numbers(path, raw, "installment")
    over = got_p > principal
    if over.any():
        raise bad_value(path, raw, "paid_principal", over, "more principal paid than lent")
    n = len(loan_ids)
    as_of = np.datetime64(SNAPSHOT_OBSERVED_TO)
    sched = annuity_schedule(principal, attrs["rate"], attrs["term"], originated)
    due_count = installments_due(sched, as_of, n)
    state = np.array([SNAPSHOT_STATES[s] for s in status], dtype=object)
    late = state == "late"
    state[late] = snapshot_late_bucket((got_p + got_i)[late] / 100.0, installment[late], due_count[late])
    # A "Current" loan whose principal is all repaid is paid_off by docs/design.md §3 (outstanding 0).
    state[(state == "current") & (got_p >= principal)] = "paid_off"
    missed = pd.Series(state).map(MONTHS_BEHIND).to_numpy()
    target = np.where(np.isnan(missed), -1, due_count - np.nan_to_num(missed)).astype("int64")
    paid_off = state == "paid_off"
    got_p = np.where(paid_off, principal, got_p)
    got_p, got_i = fit_snapshot_cash(sched, got_p, got_i, target, state != "current")
    last_paid = np.full(n, as_of)
    borrower = allocate_payments(sched, got_p, got_i, fee, last_paid)
    charged = np.flatnonzero(state == "charged_off")
    events = charge_off_frame(
        loan_ids,
        charged,
        np.full(len(charged), as_of),
        principal[charged] - got_p[charged],
        "charged off by the snapshot date (day not in the file)",
    )
    borrowers, loans = borrowers_and_loans(loan_ids, attrs, principal, originated, np.ones(n, dtype=bool))
    tables = {
        "borrowers": borrowers,
        "loans": loans,
        "schedule": schedule_frame(loan_ids, sched),
        "repayments": repayments_frame(loan_ids, borrower, "borrower"),
        "loan_events": events,
    }
    return tables, SNAPSHOT_OBSERVED_TO


def read_tables(
    paths: Sequence[Path], *, investors: bool = True, seed: int = 7
) -> tuple[dict[str, pd.DataFrame], dt.date | None]:
    """Canonical tables (+ simulated investors and holdings) and observed_to from LendingClub files."""
    parts = []
    for path in map(Path, paths):
        reader = read_snapshot if "issue_month" in header(path) else read_lifetime
        parts.append(reader(path))
    if not parts:
        raise AdapterError("(no files)", None, None, "no LendingClub file given")
    tables, observed_to = merge_files(parts)
    if investors:
        tables["investors"], tables["holdings"] = simulated_investors(tables["loans"], seed)
    return tables, observed_to
