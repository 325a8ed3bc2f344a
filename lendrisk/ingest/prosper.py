"""Prosper loan files (prosperLoanData layout) -> canonical tables; inferences in docs/real-data.md.

One row per loan with lifetime totals and the status at the data pull (March 2014, taken as the
month-end 2014-03-31). The contractual annuity schedule is rebuilt from amount, rate, term and the
origination date; repayments, charge-offs and recoveries are inferred from the LP_* totals.
Amounts are handled in integer cents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lendrisk.ingest import loanfile as lf
from lendrisk.vocab import MONTHS_BEHIND

# The prosperLoanData pull is dated March 2014 (latest origination 2014-03-07): observed at the month-end.
OBSERVED_TO = dt.date(2014, 3, 31)
RECOVERY_LAG_DAYS = 30
DATE_FORMAT = "%d-%m-%Y %H:%M"
NEEDED = (
    "LoanKey",
    "LoanStatus",
    "ClosedDate",
    "BorrowerRate",
    "ProsperRating (Alpha)",
    "CreditGrade",
    "Term",
    "LoanOriginalAmount",
    "LoanOriginationDate",
    "LP_CustomerPrincipalPayments",
    "LP_InterestandFees",
    "LP_GrossPrincipalLoss",
    "LP_NetPrincipalLoss",
    "LP_NonPrincipalRecoverypayments",
    "BorrowerState",
    "CreditScoreRangeLower",
    "CreditScoreRangeUpper",
    "StatedMonthlyIncome",
    "IncomeVerifiable",
    "EmploymentStatus",
    "ListingCategory (numeric)",
)
# Prosper status -> lendrisk state at OBSERVED_TO.
STATUS_STATE = {
    "Current": "current",
    "Completed": "paid_off",
    "FinalPaymentInProgress": "current",
    "Chargedoff": "charged_off",
    "Defaulted": "charged_off",
    "Cancelled": "cancelled",
    "Past Due (1-15 days)": "1-30",
    "Past Due (16-30 days)": "1-30",
    "Past Due (31-60 days)": "31-60",
    "Past Due (61-90 days)": "61-90",
    "Past Due (91-120 days)": "90+",
    "Past Due (>120 days)": "90+",
}
# Prosper rating (ProsperRating (Alpha) from 2009, CreditGrade before) -> lendrisk grade A..G.
GRADES = {"AA": "A", "A": "B", "B": "C", "C": "D", "D": "E", "E": "F", "HR": "G", "NC": "G"}
# Score bands for loans without any Prosper rating: < 600 HR, 600-639 E, ... 760+ AA.
SCORE_BANDS = (600, 640, 680, 720, 760)
SCORE_GRADES = ("HR", "E", "D", "C", "A", "AA")
# ListingCategory (numeric) -> (purpose, product).
CATEGORIES = {
    "0": ("not_available", "personal"),
    "1": ("debt_consolidation", "personal"),
    "2": ("home_improvement", "consumer"),
    "3": ("business", "small_business"),
    "4": ("personal_loan", "personal"),
    "5": ("student_use", "personal"),
    "6": ("auto", "consumer"),
    "7": ("other", "personal"),
    "8": ("baby_and_adoption", "personal"),
    "9": ("boat", "consumer"),
    "10": ("cosmetic_procedure", "personal"),
    "11": ("engagement_ring", "consumer"),
    "12": ("green_loans", "consumer"),
    "13": ("household_expenses", "personal"),
    "14": ("large_purchases", "consumer"),
    "15": ("medical_dental", "personal"),
    "16": ("motorcycle", "consumer"),
    "17": ("rv", "consumer"),
    "18": ("taxes", "personal"),
    "19": ("vacation", "personal"),
    "20": ("wedding_loans", "personal"),
}


def read_file(path: Path) -> tuple[dict[str, pd.DataFrame], dt.date]:
    """One prosperLoanData file: the canonical tables and observed_to."""
    raw = lf.read_csv(path, NEEDED)
    # prosperLoanData repeats some loans on rows that differ only in unused columns (ProsperScore).
    raw = raw[~raw.duplicated(keep="first")]
    repeated = raw["LoanKey"].duplicated(keep="first").to_numpy()
    if repeated.any():
        raise lf.bad_value(path, raw, "LoanKey", repeated, "loan appears twice with different values")
    status = lf.codes(path, raw, "LoanStatus", [s for s, v in STATUS_STATE.items() if v != "cancelled"])
    state = np.array([STATUS_STATE[s] for s in status], dtype=object)
    loan_ids = raw["LoanKey"].str.strip().to_numpy(dtype=object)
    if (loan_ids == "").any():
        raise lf.bad_value(path, raw, "LoanKey", loan_ids == "", "value is missing")
    attrs = _attributes(path, raw, state)
    cash = _cash(path, raw)
    facts = _borrower_facts(path, raw)
    sched = lf.annuity_schedule(attrs["principal"], attrs["rate"], attrs["term"], attrs["originated"])
    borrower, events, collection = _payments(loan_ids, state, attrs, cash, sched)
    borrowers, loans = _borrowers_and_loans(raw, loan_ids, attrs, facts)
    return lf.canonical_tables(loan_ids, borrowers, loans, sched, borrower, collection, events), OBSERVED_TO


def _attributes(path: Path, raw: pd.DataFrame, state: np.ndarray) -> dict[str, np.ndarray]:
    """The loans' checked attributes: score, grade, category, term, rate, dates and principal (cents)."""
    alpha = raw["ProsperRating (Alpha)"].str.strip()
    older = raw["CreditGrade"].str.strip()
    low = lf.numbers(path, raw, "CreditScoreRangeLower")
    high = lf.numbers(path, raw, "CreditScoreRangeUpper")
    score = np.floor((low + high) / 2 + 0.5).astype("int64")
    if ((score < 300) | (score > 900)).any():
        raise lf.bad_value(
            path, raw, "CreditScoreRangeLower", (score < 300) | (score > 900), "score out of range"
        )
    # A loan with neither rating gets the grade of its credit score band (SCORE_GRADES).
    by_score = np.array(SCORE_GRADES)[np.searchsorted(SCORE_BANDS, score, side="right")]
    raw["ProsperRating (Alpha)"] = alpha.where(alpha != "", older).where(lambda r: r != "", by_score)
    rating = lf.codes(path, raw, "ProsperRating (Alpha)", list(GRADES))
    grade = np.array([GRADES[r] for r in rating], dtype=object)
    category = lf.codes(path, raw, "ListingCategory (numeric)", list(CATEGORIES))
    term = lf.numbers(path, raw, "Term").astype("int64")
    if ((term < 1) | (term > 120)).any():
        raise lf.bad_value(path, raw, "Term", (term < 1) | (term > 120), "term out of range")
    rate = lf.numbers(path, raw, "BorrowerRate")
    if ((rate < 0) | (rate >= 1)).any():
        raise lf.bad_value(path, raw, "BorrowerRate", (rate < 0) | (rate >= 1), "interest rate out of range")
    originated = lf.dates(path, raw, "LoanOriginationDate", DATE_FORMAT)
    closed = lf.dates(path, raw, "ClosedDate", DATE_FORMAT, blank_ok=True)
    needs_close = np.isin(state, ["paid_off", "charged_off"]) & np.isnat(closed)
    if needs_close.any():
        raise lf.bad_value(path, raw, "ClosedDate", needs_close, "a closed loan needs its closing date")
    principal = lf.cents(path, raw, "LoanOriginalAmount")
    if (principal <= 0).any():
        raise lf.bad_value(path, raw, "LoanOriginalAmount", principal <= 0, "principal must be positive")
    return {
        "score": score,
        "grade": grade,
        "category": category,
        "term": term,
        "rate": rate,
        "originated": originated,
        "closed": closed,
        "principal": principal,
    }


def _cash(path: Path, raw: pd.DataFrame) -> dict[str, np.ndarray]:
    """The file's cash totals per loan: payments, losses and recoveries (cents; net loss in units)."""
    return {
        "principal": lf.cents(path, raw, "LP_CustomerPrincipalPayments"),
        "interest": lf.cents(path, raw, "LP_InterestandFees"),
        "gross_loss": lf.cents(path, raw, "LP_GrossPrincipalLoss"),
        "net_loss": lf.numbers(path, raw, "LP_NetPrincipalLoss"),
        "recovered_interest": lf.cents(path, raw, "LP_NonPrincipalRecoverypayments"),
    }


def _payments(
    loan_ids: np.ndarray,
    state: np.ndarray,
    attrs: dict[str, np.ndarray],
    cash: dict[str, np.ndarray],
    sched: dict[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], pd.DataFrame, dict[str, np.ndarray]]:
    """Borrower payments fitted to the state, charge-off events and recoveries (docs/real-data.md)."""
    n, principal, closed = len(loan_ids), attrs["principal"], attrs["closed"]
    as_of = np.datetime64(OBSERVED_TO)
    # Completed loans repaid their principal: cent differences in the file move between principal
    # and interest (the cash total stays the file's).
    done = state == "paid_off"
    total = cash["principal"] + cash["interest"]
    got_p = np.where(done, np.minimum(principal, total), np.minimum(cash["principal"], principal))
    got_i = total - got_p
    due_count = lf.installments_due(sched, as_of, n)
    missed = pd.Series(state).map(MONTHS_BEHIND).to_numpy()
    target = np.where(np.isnan(missed), -1, np.maximum(due_count - np.nan_to_num(missed), 0)).astype("int64")
    got_p, got_i = lf.fit_snapshot_cash(sched, got_p, got_i, target, state != "current")
    charged = np.flatnonzero(state == "charged_off")
    last_paid = np.where(done, closed, as_of)
    last_paid[charged] = closed[charged] - 1
    borrower = lf.allocate_payments(sched, got_p, got_i, np.zeros(n, dtype="int64"), last_paid)
    gross_loss = cash["gross_loss"]
    written_off = np.minimum(gross_loss[charged], principal[charged] - got_p[charged])
    events = lf.charge_off_frame(loan_ids, charged, closed[charged], written_off, "Prosper ClosedDate")
    rec_principal = np.maximum(gross_loss - np.floor(cash["net_loss"] * 100 + 0.5).astype("int64"), 0)
    recovered = (rec_principal + cash["recovered_interest"])[charged]
    rec = recovered > 0
    collection = lf.recovery_payments(
        charged[rec],
        np.minimum(closed[charged][rec] + RECOVERY_LAG_DAYS, as_of),
        recovered[rec],
        np.minimum(rec_principal[charged][rec], principal[charged][rec] - got_p[charged][rec]),
    )
    return borrower, events, collection


def _borrower_facts(path: Path, raw: pd.DataFrame) -> dict[str, np.ndarray]:
    """Annual income (units, NaN when not stated), income verified (bool) and employment (text or None)."""
    income = lf.numbers(path, raw, "StatedMonthlyIncome", blank=np.nan) * 12
    raw["IncomeVerifiable"] = raw["IncomeVerifiable"].str.strip().str.lower()
    verified = lf.codes(path, raw, "IncomeVerifiable", ["true", "false"]) == "true"
    employment = raw["EmploymentStatus"].str.strip().to_numpy(dtype=object)
    employment[employment == ""] = None
    return {"income": income, "verified": verified, "employment": employment}


def _borrowers_and_loans(
    raw: pd.DataFrame, loan_ids: np.ndarray, attrs: dict[str, np.ndarray], facts: dict[str, np.ndarray]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The canonical borrowers (one per loan: Prosper gives no borrower key) and loans frames."""
    category = attrs["category"]
    loan_attrs = attrs | facts
    loan_attrs["region"] = raw["BorrowerState"].str.strip().replace("", None).to_numpy(dtype=object)
    loan_attrs["product"] = [CATEGORIES[c][1] for c in category]
    loan_attrs["purpose"] = [CATEGORIES[c][0] for c in category]
    meets_policy = np.ones(len(loan_ids), dtype=bool)
    return lf.borrowers_and_loans(loan_ids, loan_attrs, attrs["principal"], attrs["originated"], meets_policy)


def read_tables(
    paths: Sequence[Path], *, investors: bool = True, seed: int = 7
) -> tuple[dict[str, pd.DataFrame], dt.date | None]:
    """Canonical tables (+ simulated investors and holdings) and observed_to from Prosper files."""
    parts = [read_file(Path(p)) for p in paths]
    if not parts:
        raise lf.AdapterError("(no files)", None, None, "no Prosper file given")
    tables, observed_to = lf.merge_files(parts)
    if investors:
        tables["investors"], tables["holdings"] = lf.simulated_investors(tables["loans"], seed)
    return tables, observed_to
