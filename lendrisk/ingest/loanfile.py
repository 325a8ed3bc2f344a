"""What the loan-file adapters (lendrisk.ingest.lendingclub, lendrisk.ingest.prosper) share: the error
naming file, row and column; reading and parsing columns; the contractual annuity schedule and payment
allocation in integer cents; fitting snapshot cash; clearly simulated investors; canonical frames.

Amounts are integer cents inside, float currency units with two decimals in the frames handed out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lendrisk.vocab import add_months_clipped

NOTE_AMOUNT_CENTS = 2500  # a simulated investor's note in a loan
BIG = np.int64(2**62)


class AdapterError(ValueError):
    """A source file that cannot be read: file, spreadsheet row (header = 1; None for the file) and column."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.file, self.row, self.column, self.message = file, row, column, message
        where = file if row is None else f"{file} row {row}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {message}")


# --- reading and parsing ---------------------------------------------------------------------------------


def header(path: Path) -> pd.Index:
    """The column names of a CSV (.csv or .csv.gz)."""
    try:
        return pd.read_csv(path, nrows=0).columns
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise AdapterError(str(path), None, None, f"cannot read the file ({exc})") from exc


def read_csv(path: Path, needed: Sequence[str]) -> pd.DataFrame:
    """The needed columns of a CSV (.csv or .csv.gz) as strings, one row per data line (others ignored)."""
    columns = header(path)
    missing = [c for c in needed if c not in columns]
    if missing:
        raise AdapterError(str(path), None, missing[0], "needed column is missing")
    wanted = set(needed)
    return pd.read_csv(path, usecols=lambda c: c in wanted, dtype=str, keep_default_na=False)


def bad_value(path: Path, frame: pd.DataFrame, column: str, mask: np.ndarray, what: str) -> AdapterError:
    """The error for the first row flagged in mask (frame index = data line from 0; spreadsheet row + 2)."""
    i = int(np.flatnonzero(mask)[0])
    value = frame[column].iloc[i]
    return AdapterError(str(path), int(frame.index[i]) + 2, column, f"{what}: {value!r}")


def numbers(path: Path, frame: pd.DataFrame, column: str, *, blank: float | None = None) -> np.ndarray:
    """A numeric column as float64; blanks become `blank` (an error when None), text is an error."""
    text = frame[column].str.strip()
    values = np.array(pd.to_numeric(text.str.rstrip("%"), errors="coerce"), dtype="float64")
    empty = (text == "").to_numpy()
    if blank is not None:
        values[empty] = blank
    bad = np.isnan(values) & ~(empty & (blank is not None))
    if bad.any():
        raise bad_value(
            path, frame, column, bad, "not a number" if not empty[bad].all() else "value is missing"
        )
    return values


def cents(path: Path, frame: pd.DataFrame, column: str, *, blank: float | None = None) -> np.ndarray:
    """A non-negative money column in integer cents (rounded half away from zero)."""
    values = numbers(path, frame, column, blank=blank)
    if (values < 0).any():
        raise bad_value(path, frame, column, values < 0, "negative amount")
    return np.floor(values * 100 + 0.5 + 1e-6).astype("int64")


def cents_by_running_total(
    values: np.ndarray, groups: np.ndarray, path: Path, frame: pd.DataFrame, column: str
) -> np.ndarray:
    """Non-negative amounts with sub-cent digits in cents, rounded along the running total per group.

    Each amount moves by less than a cent and every group's sum equals the group's exact sum rounded to
    the cent (rows keep file order within a group).
    """
    if (values < 0).any():
        raise bad_value(path, frame, column, values < 0, "negative amount")
    order = np.lexsort((np.arange(len(values)), groups))
    g = groups[order]
    running = np.floor(group_cumsum(values[order], g) * 100 + 0.5 + 1e-6).astype("int64")
    out = np.empty(len(values), dtype="int64")
    out[order] = group_diff(running, g)
    return out


def dates(path: Path, frame: pd.DataFrame, column: str, fmt: str, *, blank_ok: bool = False) -> np.ndarray:
    """A date column as datetime64[D] (NaT for blanks when blank_ok)."""
    text = frame[column].str.strip()
    parsed = np.array(pd.to_datetime(text, format=fmt, errors="coerce"), dtype="datetime64[D]")
    bad = np.isnat(parsed) & ~((text == "").to_numpy() & blank_ok)
    if bad.any():
        raise bad_value(path, frame, column, bad, "not a date")
    return parsed


def codes(path: Path, frame: pd.DataFrame, column: str, allowed: Sequence[str]) -> np.ndarray:
    """A code column checked against its allowed values."""
    values = frame[column].str.strip().to_numpy(dtype=object)
    bad = ~np.isin(values, list(allowed))
    if bad.any():
        raise bad_value(path, frame, column, bad, "unknown code")
    return values


# --- schedule and payments (vectorised, integer cents) ---------------------------------------------------


def annuity_schedule(
    principal: np.ndarray, rate: np.ndarray, term: np.ndarray, originated: np.ndarray
) -> dict[str, np.ndarray]:
    """Equal monthly installments: one row per loan (index into the inputs) and installment, cents.

    Cumulative principal is rounded to the cent so Σ principal_due = principal exactly (the residue
    falls in the last installment); interest_due = the level payment minus the principal part, rounded.
    """
    term = term.astype("int64")
    loan = np.repeat(np.arange(len(principal)), term)
    starts = np.cumsum(term) - term
    no = np.arange(len(loan)) - np.repeat(starts, term) + 1
    p = principal[loan] / 100.0
    r = rate[loan] / 12.0
    n = term[loan]
    with np.errstate(divide="ignore", invalid="ignore"):
        growth_n = (1 + r) ** n
        payment = np.where(r > 0, p * r * growth_n / (growth_n - 1), p / n)
        growth = (1 + r) ** no
        balance = np.where(r > 0, p * growth - payment * (growth - 1) / r, p - payment * no)
    cum = np.floor((p - balance) * 100 + 0.5).astype("int64")
    cum = np.where(no == n, principal[loan], np.clip(cum, 0, principal[loan]))
    prev = np.concatenate(([0], cum[:-1]))
    prev[starts] = 0
    principal_due = cum - prev
    interest_due = np.maximum(np.floor(payment * 100 + 0.5).astype("int64") - principal_due, 0)
    return {
        "loan": loan,
        "no": no,
        "due": add_months_clipped(originated[loan], no),
        "principal": principal_due,
        "interest": interest_due,
    }


def group_cumsum(values: np.ndarray, loan: np.ndarray) -> np.ndarray:
    """Running sum within each loan (rows sorted by loan)."""
    total = np.cumsum(values)
    first = np.flatnonzero(np.r_[True, loan[1:] != loan[:-1]])
    offset = np.repeat(total[first] - values[first], np.diff(np.r_[first, len(loan)]))
    return total - offset


def group_diff(cumulative: np.ndarray, loan: np.ndarray) -> np.ndarray:
    """Row amounts from a running sum within each loan."""
    prev = np.r_[0, cumulative[:-1]]
    prev[np.r_[True, loan[1:] != loan[:-1]]] = 0
    return cumulative - prev


def first_unpaid(sched: dict[str, np.ndarray], paid: np.ndarray, n_loans: int) -> np.ndarray:
    """Per loan the schedule row of the oldest installment not covered by `paid` cents (-1 if none)."""
    running = group_cumsum(sched["principal"] + sched["interest"], sched["loan"])
    unpaid = running > paid[sched["loan"]]
    rows = np.flatnonzero(unpaid)
    out = np.full(n_loans, -1, dtype="int64")
    loans, idx = np.unique(sched["loan"][rows], return_index=True)
    out[loans] = rows[idx]
    return out


def allocate_payments(
    sched: dict[str, np.ndarray],
    principal_paid: np.ndarray,
    interest_paid: np.ndarray,
    fee_paid: np.ndarray,
    last_paid: np.ndarray,
) -> dict[str, np.ndarray]:
    """Borrower payments (cents) matching per-loan totals: one row per payment, keyed by loan index.

    The cash (principal + interest) is applied to installments in order; an installment due on or
    before the last payment date is paid on its due date (interest part first, capped by the totals),
    and everything left (prepayment, late interest, fees) is paid on the last payment date.
    """
    loan, due = sched["loan"], sched["due"]
    owed = sched["principal"] + sched["interest"]
    cash = (principal_paid + interest_paid)[loan]
    on_time = due <= last_paid[loan]
    before = group_cumsum(owed, loan) - owed
    x = np.where(on_time, np.clip(cash - before, 0, owed), 0)
    interest = group_diff(
        np.minimum(group_cumsum(np.minimum(x, sched["interest"]), loan), interest_paid[loan]), loan
    )
    principal = group_diff(np.minimum(group_cumsum(x - interest, loan), principal_paid[loan]), loan)
    interest = x - principal
    keep = x > 0
    n = len(principal_paid)
    rest_p = principal_paid - np.bincount(loan, principal, minlength=n).round().astype("int64")
    rest_i = interest_paid - np.bincount(loan, interest, minlength=n).round().astype("int64")
    rest = np.flatnonzero(rest_p + rest_i + fee_paid > 0)
    return {
        "loan": np.r_[loan[keep], rest],
        "paid_on": np.r_[due[keep], last_paid[rest]],
        "principal": np.r_[principal[keep], rest_p[rest]],
        "interest": np.r_[interest[keep], rest_i[rest]],
        "fee": np.r_[np.zeros(keep.sum(), dtype="int64"), fee_paid[rest]],
    }


def installments_due(sched: dict[str, np.ndarray], as_of: np.datetime64, n_loans: int) -> np.ndarray:
    """Per loan the number of installments due before as_of (due_on < as_of)."""
    return np.bincount(sched["loan"], sched["due"] < as_of, minlength=n_loans).astype("int64")


def fit_snapshot_cash(
    sched: dict[str, np.ndarray],
    principal_paid: np.ndarray,
    interest_paid: np.ndarray,
    paid_installments: np.ndarray,
    exact: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Totals adjusted so exactly `paid_installments` installments are covered (at least, unless exact).

    Cash short of the installments a status says are paid is added as interest; for a late status
    (exact) cash that would also cover the oldest unpaid installment is cut, interest first, to one
    cent below it. Loans with paid_installments < 0 are left as they are. Returns (principal, interest).
    """
    n = len(principal_paid)
    loan = sched["loan"]
    running = group_cumsum(sched["principal"] + sched["interest"], loan)
    k = paid_installments[loan]
    low = np.zeros(n, dtype="int64")
    hit = sched["no"] == k
    low[loan[hit]] = running[hit]
    high = np.full(n, BIG)
    nxt = sched["no"] == k + 1
    high[loan[nxt]] = running[nxt]
    active = paid_installments >= 0
    cash = principal_paid + interest_paid
    interest = interest_paid + np.where(active & (cash < low), low - cash, 0)
    over = np.where(active & exact, np.maximum(principal_paid + interest - (high - 1), 0), 0)
    cut_i = np.minimum(over, interest)
    return principal_paid - (over - cut_i), interest - cut_i


# --- simulated investors ----------------------------------------------------------------------------------


def simulated_investors(loans: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clearly simulated investors SIM-0001.. each holding 25-unit notes in up to 100 random loans.

    One investor per 100 loans (5 to 400); Σ holdings per loan stays ≤ principal.
    """
    rng = np.random.default_rng(seed)
    n_loans = len(loans)
    n_inv = int(np.clip(n_loans // 100, 5, 400))
    per = min(100, n_loans)
    picks = np.concatenate([rng.choice(n_loans, size=per, replace=False) for _ in range(n_inv)])
    owner = np.repeat(np.arange(n_inv), per)
    principal = np.floor(loans["principal"].to_numpy(dtype="float64") * 100 + 0.5).astype("int64")
    order = np.argsort(picks, kind="stable")
    picks, owner = picks[order], owner[order]
    taken = group_cumsum(np.full(len(picks), NOTE_AMOUNT_CENTS, dtype="int64"), picks)
    keep = taken <= principal[picks]
    picks, owner = picks[keep], owner[keep]
    invested = loans["originated_on"].to_numpy(dtype="datetime64[D]")[picks]
    ids = np.array([f"SIM-{i + 1:04d}" for i in range(n_inv)], dtype=object)
    holdings = pd.DataFrame(
        {
            "holding_id": [f"SIM-H{i + 1:07d}" for i in range(len(picks))],
            "investor_id": ids[owner],
            "loan_id": loans["loan_id"].to_numpy(dtype=object)[picks],
            "amount": NOTE_AMOUNT_CENTS / 100.0,
            "invested_on": invested,
        }
    ).sort_values(["investor_id", "invested_on", "loan_id"], ignore_index=True)
    holdings["holding_id"] = [f"SIM-H{i + 1:07d}" for i in range(len(holdings))]
    joined = holdings.groupby("investor_id")["invested_on"].min()
    investors = pd.DataFrame(
        {
            "investor_id": ids,
            "segment": "retail",
            "risk_profile": "simulated",
            "region": None,
            "joined_on": joined.reindex(ids).to_numpy(),
        }
    )
    return investors, holdings


# --- canonical frames -------------------------------------------------------------------------------------


def to_units(values: np.ndarray) -> np.ndarray:
    """Integer cents as float currency units."""
    return values / 100.0


def schedule_frame(loan_ids: np.ndarray, sched: dict[str, np.ndarray]) -> pd.DataFrame:
    """The canonical schedule table."""
    return pd.DataFrame(
        {
            "loan_id": loan_ids[sched["loan"]],
            "installment_no": sched["no"].astype("int32"),
            "due_on": sched["due"],
            "principal_due": to_units(sched["principal"]),
            "interest_due": to_units(sched["interest"]),
        }
    )


def repayments_frame(loan_ids: np.ndarray, pays: dict[str, np.ndarray], source: str) -> pd.DataFrame:
    """The canonical repayments table for one source."""
    return pd.DataFrame(
        {
            "loan_id": loan_ids[pays["loan"]],
            "paid_on": pays["paid_on"],
            "principal_paid": to_units(pays["principal"]),
            "interest_paid": to_units(pays["interest"]),
            "fee_paid": to_units(pays["fee"]),
            "source": source,
        }
    )


def canonical_tables(
    loan_ids: np.ndarray,
    borrowers: pd.DataFrame,
    loans: pd.DataFrame,
    sched: dict[str, np.ndarray],
    borrower: dict[str, np.ndarray],
    collection: dict[str, np.ndarray],
    events: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """A platform file's canonical tables: borrower and collection cash in one repayments table."""
    repayments = [
        repayments_frame(loan_ids, borrower, "borrower"),
        repayments_frame(loan_ids, collection, "collection"),
    ]
    return {
        "borrowers": borrowers,
        "loans": loans,
        "schedule": schedule_frame(loan_ids, sched),
        "repayments": pd.concat(repayments, ignore_index=True),
        "loan_events": events,
    }


def borrowers_and_loans(
    loan_ids: np.ndarray,
    attrs: dict[str, np.ndarray],
    principal: np.ndarray,
    originated: np.ndarray,
    meets_policy: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """borrowers and loans tables of a loan file (one borrower per loan, '<loan_id>-B'; principal in cents).

    attrs: region, income, verified, employment, score, product, grade, purpose, rate, term per loan.
    """
    borrower_ids = np.array([f"{i}-B" for i in loan_ids], dtype=object)
    borrowers = pd.DataFrame(
        {
            "borrower_id": borrower_ids,
            "region": attrs["region"],
            "birth_year": pd.array([None] * len(loan_ids), dtype="Int32"),
            "annual_income": attrs["income"],
            "income_verified": attrs["verified"],
            "employment": attrs["employment"],
            "credit_score": attrs["score"].astype("int32"),
        }
    )
    loans = pd.DataFrame(
        {
            "loan_id": loan_ids,
            "borrower_id": borrower_ids,
            "product": attrs["product"],
            "channel": "platform",
            "grade": attrs["grade"],
            "purpose": attrs["purpose"],
            "originated_on": originated,
            "principal": to_units(principal),
            "annual_rate": attrs["rate"],
            "term_months": attrs["term"].astype("int32"),
            "repayment_method": "annuity",
            "guarantee": "none",
            "meets_policy": meets_policy,
        }
    )
    return borrowers, loans


def charge_off_frame(
    loan_ids: np.ndarray, idx: np.ndarray, on: np.ndarray, amount: np.ndarray, note: str
) -> pd.DataFrame:
    """charged_off events (amount = principal written off, cents) for the loans in idx."""
    return pd.DataFrame(
        {
            "loan_id": loan_ids[idx],
            "event_on": on,
            "kind": "charged_off",
            "amount": to_units(amount),
            "note": note,
        }
    )


def recovery_payments(
    idx: np.ndarray, paid_on: np.ndarray, amount: np.ndarray, room: np.ndarray
) -> dict[str, np.ndarray]:
    """Collection payments: principal up to the principal still unpaid (room), the rest as interest."""
    principal = np.minimum(amount, room)
    return {
        "loan": idx,
        "paid_on": paid_on,
        "principal": principal,
        "interest": amount - principal,
        "fee": np.zeros(len(idx), dtype="int64"),
    }


def merge_files(
    parts: list[tuple[dict[str, pd.DataFrame], dt.date]],
) -> tuple[dict[str, pd.DataFrame], dt.date]:
    """Tables of several files concatenated; observed_to is the latest of theirs."""
    names = parts[0][0].keys()
    tables = {t: pd.concat([p[0][t] for p in parts], ignore_index=True) for t in names}
    return tables, max(p[1] for p in parts)
