"""Risk engine: roll-rate matrices, PD, LGD, expected loss, back-test, returns, stress, loss distribution.

Definitions are docs/design.md §3; the model and every choice it makes are written down in
docs/risk-model.md. SQL in queries/*.sql aggregates; this module only does the matrix algebra and
simulation on small arrays: per-loan PDs are read by indexing precomputed tables
(segment × remaining months × state), never in per-loan Python loops.

Amounts are currency units (floats), probabilities and rates fractions in 0..1, dates month-ends.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyxirr
from scipy.special import ndtr
from scipy.stats import norm
from threadpoolctl import ThreadpoolController

from lendrisk import cache, sql
from lendrisk.vocab import (
    ACTIVE_STATES,
    CHARGED_OFF,
    CURRENT,
    GRADES,
    GUARANTEES,
    MONTHS_BEHIND,
    PAID_OFF,
    PRODUCTS,
    STATES,
    add_months,
    observed_to,
    require_month_end,
)

NINETY_PLUS = STATES.index("90+")  # a reserve-guaranteed loan is bought out when it first reaches 90+
ALL_GRADES = len(GRADES)  # index of the all-grades matrix in a segment stack

MIN_OBS = 30  # loan-month observations a grade's matrix row needs before it replaces the all-grades row
LGD_LOOKBACK_MONTHS = 36  # charge-offs feeding LGD: recoveries take up to 24 months to come in
LGD_MIN_CHARGEOFFS = 20  # charge-offs a product needs for its own LGD (and its own recovery curve)
RECOVERY_MONTHS = 24  # months of recoveries after a charge-off that count (the development triangle's width)
DEFAULT_LGD = 0.9  # when the store has no charge-off in the LGD window at all
TAIL_MONTHS = 36  # run-off after the last due date: an unpaid loan keeps rolling until it absorbs
MAX_REMAINING = 120  # longest term the schema allows (loans.term_months <= 120)
HORIZON_12M = 12
BUYOUT_HORIZON = 12  # months of expected reserve buy-outs the coverage and liquidity pages look ahead
# Stress: unemployment must move this far (standard deviation, pp) apart from a straight line in time
# for its effect to be told from the platform's trend (a tenth of a point, the precision it is published at).
MIN_MACRO_SPREAD_PP = 0.1
# IFRS 9 forward-looking scenarios: (name, unemployment above the base case in pp, weight): adverse
# and severe 1 and 2 pp above base (the stress page's shocks), weighted 60/30/10. scenario_shifts
# centres them so their weighted mean is the forecast (unbiased; the weighting adds only the
# convexity of PD in unemployment): base lies 0.5 pp below it, as unemployment risk is skewed upwards.
SCENARIOS: tuple[tuple[str, float, float], ...] = (
    ("base", 0.0, 0.6),
    ("adverse", 1.0, 0.3),
    ("severe", 2.0, 0.1),
)

# LendingClub's default loss rates for Adjusted NAR (loss of outstanding principal by note status),
# as published when Adjusted NAR was launched in November 2013 (docs/risk-model.md cites the source).
LENDINGCLUB_LOSS_RATES: dict[str, float] = {
    "current": 0.0,
    "in_grace_period": 0.23,  # 1-15 days late
    "late_16_30": 0.49,
    "late_31_120": 0.72,
    "default": 0.86,  # 121+ days late, not yet charged off
}

Method = Literal["markov", "static"]

# --- roll rates -------------------------------------------------------------------------------


def roll_rates(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, lookback_months: int = 12, grade: str | None = None
) -> pd.DataFrame:
    """One row per observed (from_state, to_state): balance, loans, probability (queries/roll_rates.sql)."""
    params = {"as_of": require_month_end(as_of), "lookback_months": lookback_months, "grade": grade}
    return sql.run(con, "roll_rates", params)


def cure_rates(con: duckdb.DuckDBPyConnection, as_of: dt.date, lookback_months: int = 12) -> pd.DataFrame:
    """One row per overdue bucket: balance-weighted share back to current the next month."""
    return sql.run(con, "cure_rates", {"as_of": require_month_end(as_of), "lookback_months": lookback_months})


def cure_rates_by_month(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, lookback_months: int = 12
) -> pd.DataFrame:
    """One row per month-end × overdue bucket: cure_rate of the bucket's balance a month before."""
    params = {"as_of": require_month_end(as_of), "lookback_months": lookback_months}
    return sql.run(con, "cure_rates_by_month", params)


def _transition_counts(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> pd.DataFrame:
    """One row per to-month-end in [first, last] × grade × (from_state, to_state): balance, loans.

    A filter of the loan_transition mart (a few thousand rows at one million loans).
    """
    return sql.run(con, "roll_counts_by_month", {"from": first, "to": last})


def _window(counts: pd.DataFrame, as_of: dt.date, lookback_months: int) -> pd.DataFrame:
    """The transitions whose later month-end is in (as_of - lookback_months, as_of]."""
    months = pd.to_datetime(counts["month_end"])
    start = pd.Timestamp(add_months(as_of, -lookback_months))
    return counts[(months > start) & (months <= pd.Timestamp(as_of))]


def _count_arrays(counts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Balances and loan counts as (grade + all-grades) × from × to arrays (8 × 7 × 7)."""
    if not len(counts):
        return _add_counts(np.zeros((3, 0), dtype=int), np.zeros(0), np.zeros(0))
    return _add_counts(
        _count_codes(counts), counts["balance"].to_numpy(dtype=float), counts["loans"].to_numpy(dtype=float)
    )


def _count_codes(counts: pd.DataFrame) -> np.ndarray:
    """3 × rows array of grade, from-state and to-state indices of transition count rows."""
    g = counts["grade"].map({grade: i for i, grade in enumerate(GRADES)}).to_numpy()
    f = counts["from_state"].map(STATES.index).to_numpy()
    t = counts["to_state"].map(STATES.index).to_numpy()
    return np.array([g, f, t])


def _add_counts(
    codes: np.ndarray, balances: np.ndarray, loan_counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Balances and loan counts of coded rows as (grade + all-grades) × from × to arrays (8 × 7 × 7)."""
    balance = np.zeros((len(GRADES) + 1, len(STATES), len(STATES)))
    loans = np.zeros_like(balance)
    np.add.at(balance, tuple(codes), balances)
    np.add.at(loans, tuple(codes), loan_counts)
    balance[ALL_GRADES] = balance[:ALL_GRADES].sum(axis=0)
    loans[ALL_GRADES] = loans[:ALL_GRADES].sum(axis=0)
    return balance, loans


def _normalise(balance: np.ndarray) -> np.ndarray:
    """Row-stochastic 7 × 7 matrix from transition balances; absorbing rows, unobserved rows roll forward."""
    matrix = np.zeros((len(STATES), len(STATES)))
    for s in range(len(ACTIVE_STATES)):
        total = balance[s].sum()
        if total > 0:
            matrix[s] = balance[s] / total
        else:  # never observed: assume the worst, the loan rolls one bucket on (90+ charges off)
            matrix[s, s + 1 if s < 4 else CHARGED_OFF] = 1.0
    matrix[PAID_OFF, PAID_OFF] = 1.0
    matrix[CHARGED_OFF, CHARGED_OFF] = 1.0
    return matrix


def _segment_matrices(counts: pd.DataFrame, min_obs: int) -> np.ndarray:
    """8 × 7 × 7 stack: one matrix per grade A..G (rows under min_obs from all grades), then all grades."""
    return _stack(*_count_arrays(counts), min_obs)


def _stack(balance: np.ndarray, loans: np.ndarray, min_obs: int) -> np.ndarray:
    """8 × 7 × 7 stack from (grade + all-grades) × from × to balances and loan counts."""
    pooled = _normalise(balance[ALL_GRADES])
    stack = np.empty((len(GRADES) + 1, len(STATES), len(STATES)))
    for g in range(len(GRADES)):
        own = _normalise(balance[g])
        thin = loans[g].sum(axis=1) < min_obs
        own[thin] = pooled[thin]
        stack[g] = own
    stack[ALL_GRADES] = pooled
    return stack


def transition_matrix(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    lookback_months: int = 12,
    grade: str | None = None,
    min_obs: int = MIN_OBS,
) -> pd.DataFrame:
    """7 × 7 monthly roll-rate matrix (rows from, columns to; rows sum to 1) of a grade or all grades."""
    as_of = require_month_end(as_of)
    counts = _transition_counts(con, add_months(as_of, 1 - lookback_months), as_of)
    stack = _segment_matrices(counts, min_obs)
    matrix = stack[ALL_GRADES if grade is None else GRADES.index(grade)]
    return pd.DataFrame(matrix, index=list(STATES), columns=list(STATES))


# --- PD ---------------------------------------------------------------------------------------


def pd_curve(matrix: np.ndarray, max_horizon: int, default_state: int = -1) -> np.ndarray:
    """(max_horizon + 1) × n array: row h = (Pʰ)[:, default_state], h-month default probability by state."""
    curve = np.empty((max_horizon + 1, matrix.shape[0]))
    vector = np.zeros(matrix.shape[0])
    vector[default_state] = 1.0
    curve[0] = vector
    for h in range(1, max_horizon + 1):
        vector = matrix @ vector
        curve[h] = vector
    return curve


def _run_off(matrix: np.ndarray) -> np.ndarray:
    """The matrix after the last due date: a current loan has nothing left to pay, so it pays off."""
    after = matrix.copy()
    after[CURRENT] = 0.0
    after[CURRENT, PAID_OFF] = 1.0
    return after


def _run_off_curve(stack: np.ndarray) -> np.ndarray:
    """(TAIL + 1) × segments × states: h-month charge-off probability under the run-off matrices."""
    run_off = stack.copy()
    run_off[:, CURRENT] = 0.0
    run_off[:, CURRENT, PAID_OFF] = 1.0
    curve = np.empty((max(TAIL_MONTHS, HORIZON_12M) + 1, stack.shape[0], len(STATES)))
    curve[0] = 0.0
    curve[0, :, CHARGED_OFF] = 1.0
    for h in range(1, len(curve)):
        curve[h] = np.einsum("gij,gj->gi", run_off, curve[h - 1])
    return curve


def _pd12_table(stack: np.ndarray, q_curve: np.ndarray | None = None) -> np.ndarray:
    """12-month PD, segments × remaining months (0..120) × states: P^min(r,12) Q^(12-min(r,12))."""
    q_curve = _run_off_curve(stack) if q_curve is None else q_curve
    pd12 = np.empty((stack.shape[0], MAX_REMAINING + 1, len(STATES)))
    vectors = q_curve[HORIZON_12M - np.arange(HORIZON_12M + 1)]  # r × seg × state, r = 0..12
    pd12[:, 0] = vectors[0]
    for step in range(1, HORIZON_12M + 1):  # rows r >= step take one more month of P
        vectors[step:] = np.einsum("gij,rgj->rgi", stack, vectors[step:])
        pd12[:, step] = vectors[step]
    pd12[:, HORIZON_12M:] = pd12[:, HORIZON_12M : HORIZON_12M + 1]
    return np.clip(pd12, 0.0, 1.0)


def _pd_tables(stack: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """12-month and lifetime PD, each segments × remaining months (0..120) × states.

    With r installments still to come, a loan follows P for r months and then the run-off matrix
    Q (current pays off, arrears keep rolling): lifetime PD = (Pʳ Q^TAIL)[s, charged_off] and
    12-month PD = (P^min(r,12) Q^(12-min(r,12)))[s, charged_off]. Vectorised over segments.
    """
    q_curve = _run_off_curve(stack)
    life = np.empty((stack.shape[0], MAX_REMAINING + 1, len(STATES)))
    vector = q_curve[TAIL_MONTHS]
    for r in range(MAX_REMAINING + 1):
        life[:, r] = vector
        vector = np.einsum("gij,gj->gi", stack, vector)
    return _pd12_table(stack, q_curve), np.clip(life, 0.0, 1.0)


# --- LGD --------------------------------------------------------------------------------------


def _lgd(inputs: pd.DataFrame, min_chargeoffs: int) -> pd.DataFrame:
    """LGD per product from charge-off counts, principal and projected recoveries, with fall-backs
    to all products, then the default."""
    frame = pd.DataFrame({"product": list(PRODUCTS)}).merge(inputs, on="product", how="left")
    sums = ["charged_off_loans", "charged_off_principal", "projected_recoveries"]
    frame[[*sums, "recoveries"]] = frame[[*sums, "recoveries"]].fillna(0)
    lgd, enough, pooled_basis = _lgd_values(*(frame[c].to_numpy(dtype=float) for c in sums), min_chargeoffs)
    frame["lgd"] = lgd
    frame["basis"] = np.where(enough, "product", pooled_basis)
    return frame


def _lgd_values(
    loans: np.ndarray, principal: np.ndarray, recoveries: np.ndarray, min_chargeoffs: int
) -> tuple[np.ndarray, np.ndarray, str]:
    """LGD per product from per-product charge-off counts and sums: lgd, own-basis flags, pooled basis."""
    total_principal = principal.sum()
    if total_principal > 0:
        pooled, pooled_basis = 1 - recoveries.sum() / total_principal, "all_products"
    else:
        pooled, pooled_basis = DEFAULT_LGD, "default"
    with np.errstate(divide="ignore", invalid="ignore"):
        own = 1 - recoveries / np.where(principal > 0, principal, np.nan)
    enough = (loans >= min_chargeoffs) & ~np.isnan(own)
    return np.clip(np.where(enough, own, pooled), 0.0, 1.0), enough, pooled_basis


@dataclass(frozen=True)
class RecoveryBook:
    """Every charge-off up to a date as arrays: product code (len(PRODUCTS) for others), charge-off
    date, principal written off and recoveries by month since the charge-off (loans × 24)."""

    product: np.ndarray
    charged_off_on: np.ndarray  # datetime64[D]
    principal: np.ndarray
    by_month: np.ndarray


def complete_months(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whole calendar months from start to end (datetime64[D] arrays): 01-15 → 03-14 is 1, → 03-15 is 2."""
    first, last = start.astype("datetime64[M]"), end.astype("datetime64[M]")
    months = (last - first).astype(int)
    start_day = (start - first.astype("datetime64[D]")).astype(int)
    end_day = (end - last.astype("datetime64[D]")).astype(int)
    return months - (end_day < start_day)


Payments = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # row, paid_on, amount, month


@dataclass(frozen=True)
class ChargeOffLedger:
    """Every charge-off of the store (charge_offs.sql), ordered by charge-off date then loan_id, as
    arrays: product code (len(PRODUCTS) for others), charge-off date, principal written off (currency
    units), the first and last month-end the loan was active (NaT: never); and every recovery payment
    (recovery_payments.sql) ordered by charge-off row, date and payment_no: row, date, amount and
    whole months since the charge-off (complete_months)."""

    product: np.ndarray
    charged_off_on: np.ndarray  # datetime64[D], ascending
    principal: np.ndarray
    active_from: np.ndarray  # datetime64[D]
    active_to: np.ndarray  # datetime64[D]
    payments: Payments
    by_code: _ByCode


def _dates(column: pa.ChunkedArray) -> np.ndarray:
    """An Arrow date column as datetime64[D] (NaT for null)."""
    return column.to_numpy().astype("datetime64[D]")


def charge_off_ledger(con: duckdb.DuckDBPyConnection) -> ChargeOffLedger:
    """The store's ChargeOffLedger, read once per store file (cache.memo): every as-of date is a cut of
    it (_ledger_through), so the LGD of any date and the back-test share one read."""

    def compute() -> ChargeOffLedger:
        charge_offs = sql.run_arrow(con, "charge_offs")
        paid = sql.run_arrow(con, "recovery_payments")
        at = pc.index_in(paid["loan_id"], value_set=charge_offs["loan_id"].combine_chunks())
        row = at.fill_null(-1).to_numpy().astype(np.int64)
        order = np.argsort(row, kind="stable")  # by row; a loan's payments keep their (date, no) order
        order = order[row[order] >= 0]
        charged = _dates(charge_offs["charged_off_on"])
        row, paid_on = row[order], _dates(paid["paid_on"])[order]
        amounts = paid["amount"].to_numpy().astype(float)[order]
        months = complete_months(charged[row], paid_on).astype(np.int16)
        payments = (row, paid_on, amounts, months)
        active_from, active_to = _dates(charge_offs["active_from"]), _dates(charge_offs["active_to"])
        active_to[np.isnat(active_from)] = np.datetime64("NaT")  # as day numbers NaT is the least:
        product = _codes(charge_offs["product"], PRODUCTS, len(PRODUCTS))  # a NaT active_to never counts
        principal = charge_offs["principal_written_off"].to_numpy().astype(float)
        by_code = _by_code(product, charged, principal)
        return ChargeOffLedger(product, charged, principal, active_from, active_to, payments, by_code)

    return cache.memo(con, "charge_off_ledger", (), compute)


def _ledger_through(ledger: ChargeOffLedger, as_of: dt.date) -> tuple[int, Payments]:
    """The cut of a ledger at as_of: its first n rows (charged off on or before as_of) and the
    payments on them received on or before as_of, in the ledger's order."""
    day = np.datetime64(as_of)
    n = int(np.searchsorted(ledger.charged_off_on, day, side="right"))
    stop = int(np.searchsorted(ledger.payments[0], n))
    kept = ledger.payments[1][:stop] <= day
    rows, paid, amounts, month = (column[:stop][kept] for column in ledger.payments)
    return n, (rows, paid, amounts, month)


def _runs(ascending: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of an ascending array and the row each first appears at (np.unique's,
    without sorting again)."""
    starts = np.flatnonzero(np.concatenate([[len(ascending) > 0], ascending[1:] != ascending[:-1]]))
    return ascending[starts], starts


def recovery_book(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> RecoveryBook:
    """The charge-offs on or before as_of with their recoveries by month since charge-off (0 .. 23)."""
    ledger = charge_off_ledger(con)
    n, payments = _ledger_through(ledger, as_of)
    cells = _recovery_cells(payments)
    by_month = np.zeros((n, RECOVERY_MONTHS))
    by_month[cells.row, cells.month] = cells.amount
    return RecoveryBook(ledger.product[:n], ledger.charged_off_on[:n], ledger.principal[:n], by_month)


@dataclass(frozen=True)
class RecoveryCells:
    """The non-empty cells of a development triangle, in row then month order: the charge-off's row,
    the month since its charge-off (0 .. 23) and the recoveries in it (its payments added in order,
    from 0, as np.add.at adds them into a RecoveryBook's by_month)."""

    row: np.ndarray
    month: np.ndarray
    amount: np.ndarray


def _recovery_cells(payments: Payments) -> RecoveryCells:
    """RecoveryCells of a ledger's payments (rows ascending, a row's payments by date)."""
    rows, _, amounts, month = payments
    kept = month < RECOVERY_MONTHS
    key = rows[kept] * RECOVERY_MONTHS + month[kept]  # ascending: a row's payments come by date
    starts = np.diff(key, prepend=-1) != 0
    total = np.bincount(np.cumsum(starts) - 1, weights=amounts[kept], minlength=int(starts.sum()))
    first = np.flatnonzero(starts)  # bincount adds each cell's payments in order, from 0
    return RecoveryCells(key[first] // RECOVERY_MONTHS, key[first] % RECOVERY_MONTHS, total)


def recovery_curve(
    book: RecoveryBook, as_of: dt.date, min_chargeoffs: int = LGD_MIN_CHARGEOFFS
) -> np.ndarray:
    """(products + all) × 24 recovery rates by month since charge-off, from the charge-offs whose month
    is complete by as_of: Σ recoveries in month k / Σ principal of the charge-offs observed through k.

    A product with fewer than min_chargeoffs charge-offs observed through month k takes the
    all-products rate of that month; a month no charge-off has reached yet recovers 0.
    """
    return _curve_from_sums(_exposure_sums(book, as_of), min_chargeoffs)


def _exposure_sums(book: RecoveryBook, as_of: dt.date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(products + others) × 24 sums over the charge-offs whose month k is complete by as_of:
    principal (currency units), recoveries in month k (currency units), charge-offs (count, float)."""
    seen = complete_months(book.charged_off_on, np.datetime64(as_of + dt.timedelta(days=1)))
    exposed = (book.charged_off_on <= np.datetime64(as_of))[:, None] & (
        seen[:, None] > np.arange(RECOVERY_MONTHS)
    )
    # one flat bincount per table (no BLAS: cheap on a busy machine); sums run in row order
    cells = (book.product[:, None] * RECOVERY_MONTHS + np.arange(RECOVERY_MONTHS)).ravel()

    def by_segment(values: np.ndarray) -> np.ndarray:
        sums = np.bincount(cells, weights=values.ravel(), minlength=(len(PRODUCTS) + 1) * RECOVERY_MONTHS)
        return sums.reshape(len(PRODUCTS) + 1, RECOVERY_MONTHS)

    principal = by_segment(exposed * book.principal[:, None])
    return principal, by_segment(exposed * book.by_month), by_segment(exposed.astype(float))


def _curve_from_sums(sums: tuple[np.ndarray, np.ndarray, np.ndarray], min_chargeoffs: int) -> np.ndarray:
    """recovery_curve's rates from _exposure_sums (products, others; then all is added and others dropped)."""
    principal, recovered, loans = (np.vstack([table, table.sum(axis=0)]) for table in sums)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(principal > 0, recovered / np.where(principal > 0, principal, 1.0), 0.0)
    thin = loans < min_chargeoffs
    rates[:-1][thin[:-1]] = np.broadcast_to(rates[-1], rates[:-1].shape)[thin[:-1]]
    return np.delete(rates, len(PRODUCTS), axis=0)  # drop "others": products, then all


@dataclass(frozen=True)
class _ByCode:
    """Charge-offs ordered by charge-off date, per product code (others last): its rows and Σ principal
    of its first n rows (row n, from 0, added in row order); the distinct charge-off dates and the row
    each starts at."""

    rows: tuple[np.ndarray, ...]
    principal: tuple[np.ndarray, ...]  # (n + 1)
    dates: np.ndarray  # datetime64[D], ascending
    starts: np.ndarray


def _by_code(product: np.ndarray, charged_off_on: np.ndarray, principal: np.ndarray) -> _ByCode:
    """The _ByCode of charge-offs ordered by charge-off date."""
    rows = tuple(np.flatnonzero(product == code) for code in range(len(PRODUCTS) + 1))
    sums = tuple(np.concatenate([[0.0], np.cumsum(principal[r])]) for r in rows)
    return _ByCode(rows, sums, *_runs(charged_off_on))


def _by_code_through(by_code: _ByCode, n: int) -> _ByCode:
    """The _ByCode of the first n rows (running sums are prefixes: the same floats)."""
    counts = [int(np.searchsorted(rows, n)) for rows in by_code.rows]
    rows = tuple(r[:c] for r, c in zip(by_code.rows, counts, strict=True))
    sums = tuple(s[: c + 1] for s, c in zip(by_code.principal, counts, strict=True))
    dates = int(np.searchsorted(by_code.starts, n))
    return _ByCode(rows, sums, by_code.dates[:dates], by_code.starts[:dates])


@dataclass(frozen=True)
class _RunningSums:
    """Charge-offs ordered by charge-off date as running sums: per product code (others last) its rows
    and Σ principal of its first n rows (row n, from 0); the recovery cells grouped by product code ×
    month (group g = code × 24 + month), each group's running sums of its cells in row order, and a
    sorted search key (group × (rows + 1) + row); the distinct charge-off dates and the rows up to each."""

    rows: tuple[np.ndarray, ...]
    principal: tuple[np.ndarray, ...]  # (n + 1)
    cell_key: np.ndarray  # ascending
    cell_sums: np.ndarray  # running sum within the group, then a last 0 (read for an empty prefix)
    group_start: np.ndarray  # first cell of each group (groups + 1)
    dates: np.ndarray  # datetime64[D], ascending
    rows_through: np.ndarray  # (dates + 1): rows charged off on or before each date, 0 first


def _running_sums(
    product: np.ndarray,
    charged_off_on: np.ndarray,
    principal: np.ndarray,
    cells: RecoveryCells,
    by_code: _ByCode | None = None,
) -> _RunningSums:
    """_RunningSums of charge-offs ordered by charge-off date and their RecoveryCells (by_code: theirs,
    when the caller has it)."""
    by_code = _by_code(product, charged_off_on, principal) if by_code is None else by_code
    groups = (len(PRODUCTS) + 1) * RECOVERY_MONTHS
    group = (product[cells.row] * RECOVERY_MONTHS + cells.month).astype(np.int16)
    order = np.argsort(group, kind="stable")  # rows stay ascending within a group
    start = np.searchsorted(group[order], np.arange(groups + 1))
    amounts = cells.amount[order]
    running = np.zeros(len(amounts) + 1)
    for g in np.flatnonzero(np.diff(start)):  # cumsum adds in row order, as bincount does
        running[start[g] : start[g + 1]] = np.cumsum(amounts[start[g] : start[g + 1]])
    key = group[order].astype(np.int64) * (len(product) + 1) + cells.row[order]
    through = np.append(by_code.starts, len(charged_off_on))
    return _RunningSums(by_code.rows, by_code.principal, key, running, start, by_code.dates, through)


def _running_exposure_sums(
    running: _RunningSums, as_of: dt.date
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_exposure_sums read off running sums: the charge-offs a month k has reached by as_of are the
    first rows (ordered by charge-off date; months seen fall as the date rises), and running sums add
    in row order as bincount does (a cell left out adds 0), so every sum is the same float."""
    seen = complete_months(running.dates, np.datetime64(as_of + dt.timedelta(days=1)))
    charged = np.searchsorted(running.dates, np.datetime64(as_of), side="right")
    months = np.arange(RECOVERY_MONTHS)
    reached = running.rows_through[np.minimum(charged, np.searchsorted(-seen, -months, side="left"))]
    counts = [np.searchsorted(rows, reached) for rows in running.rows]
    principal = np.array([sums[n] for sums, n in zip(running.principal, counts, strict=True)])
    group = np.arange(len(PRODUCTS) + 1)[:, None] * RECOVERY_MONTHS + months
    rows = sum(len(r) for r in running.rows)
    end = np.searchsorted(running.cell_key, group * (rows + 1) + reached)  # past the cells reached
    recovered = np.where(end > running.group_start[group], running.cell_sums[end - 1], 0.0)
    return principal, recovered, np.array(counts, dtype=float)


def recovery_curves(
    book: RecoveryBook, days: Iterable[dt.date], min_chargeoffs: int = LGD_MIN_CHARGEOFFS
) -> list[np.ndarray]:
    """recovery_curve at each of days (the same arrays), from running sums built once."""
    if np.any(book.charged_off_on[1:] < book.charged_off_on[:-1]):
        return [recovery_curve(book, day, min_chargeoffs) for day in days]
    row, month = np.nonzero(book.by_month)
    cells = RecoveryCells(row, month, book.by_month[row, month])
    return _cell_curves(book.product, book.charged_off_on, book.principal, cells, days, min_chargeoffs)


def _cell_curves(
    product: np.ndarray,
    charged_off_on: np.ndarray,
    principal: np.ndarray,
    cells: RecoveryCells,
    days: Iterable[dt.date],
    min_chargeoffs: int,
    by_code: _ByCode | None = None,
) -> list[np.ndarray]:
    """recovery_curves of charge-offs ordered by charge-off date given as arrays and RecoveryCells
    (by_code: theirs, when the caller has it)."""
    running = _running_sums(product, charged_off_on, principal, cells, by_code)
    return [_curve_from_sums(_running_exposure_sums(running, day), min_chargeoffs) for day in days]


def _triangle_sums(
    book: RecoveryBook,
    as_of: dt.date,
    lookback_months: int,
    min_chargeoffs: int,
    curve: np.ndarray | None = None,
) -> np.ndarray:
    """5 × products array over charge-offs in (as_of − lookback, as_of]: loans, principal, recoveries in
    the months completed by as_of, projected recoveries (those + principal × the curve's rates for the
    months still to come: an immature charge-off develops like seasoned ones) and seasoned loans.
    curve: recovery_curve(book, as_of, min_chargeoffs) when the caller has it already."""
    curve = recovery_curve(book, as_of, min_chargeoffs) if curve is None else curve
    tail = np.concatenate([np.cumsum(curve[:, ::-1], axis=1)[:, ::-1], np.zeros((len(curve), 1))], axis=1)
    start = np.datetime64(add_months(as_of, -lookback_months))
    window = (book.charged_off_on > start) & (book.charged_off_on <= np.datetime64(as_of))
    window &= book.product < len(PRODUCTS)
    seen = complete_months(book.charged_off_on[window], np.datetime64(as_of + dt.timedelta(days=1)))
    seen = np.clip(seen, 0, RECOVERY_MONTHS)
    product, principal = book.product[window], book.principal[window]
    observed = (book.by_month[window] * (seen[:, None] > np.arange(RECOVERY_MONTHS))).sum(axis=1)
    projected = observed + principal * tail[product, seen]
    columns = (np.ones(len(product)), principal, observed, projected, seen >= RECOVERY_MONTHS)
    return np.array([np.bincount(product, weights=c, minlength=len(PRODUCTS)) for c in columns])


def _projected_recoveries(
    book: RecoveryBook, as_of: dt.date, lookback_months: int, min_chargeoffs: int
) -> pd.DataFrame:
    """One row per product with charge-offs in the window: _triangle_sums as named columns."""
    sums = _triangle_sums(book, as_of, lookback_months, min_chargeoffs)
    frame = pd.DataFrame(
        {
            "product": list(PRODUCTS),
            "charged_off_loans": sums[0].astype(int),
            "charged_off_principal": sums[1],
            "recoveries": sums[2],
            "projected_recoveries": sums[3],
            "seasoned_loans": sums[4].astype(int),
        }
    )
    return frame[frame["charged_off_loans"] > 0]


def lgd_by_product(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    lookback_months: int = LGD_LOOKBACK_MONTHS,
    min_chargeoffs: int = LGD_MIN_CHARGEOFFS,
) -> pd.DataFrame:
    """One row per product: charge-offs in the window, recoveries so far, projected recoveries (the
    development triangle), lgd = 1 − projected / principal, basis (product / all_products / default)."""
    book = recovery_book(con, as_of)
    return _lgd(_projected_recoveries(book, as_of, lookback_months, min_chargeoffs), min_chargeoffs)


def seasoned_lgd(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, lookback_months: int = LGD_LOOKBACK_MONTHS
) -> dict:
    """All-products LGD three ways at as_of (fractions): triangle (projected, as the model uses),
    observed (recoveries so far counted as final, the old, censored way) and seasoned (only the
    window's charge-offs with all 24 months of recoveries observed), with their loan counts."""
    book = recovery_book(con, as_of)
    start = np.datetime64(add_months(as_of, -lookback_months))
    window = (book.charged_off_on > start) & (book.charged_off_on <= np.datetime64(as_of))
    seen = complete_months(book.charged_off_on, np.datetime64(as_of + dt.timedelta(days=1)))
    mature = window & (seen >= RECOVERY_MONTHS)
    rows = _projected_recoveries(book, as_of, lookback_months, LGD_MIN_CHARGEOFFS)
    principal = float(rows["charged_off_principal"].sum())
    total = book.by_month.sum(axis=1)
    return {
        "charged_off_loans": int(window.sum()),
        "seasoned_loans": int(mature.sum()),
        "triangle": 1 - float(rows["projected_recoveries"].sum()) / principal if principal else DEFAULT_LGD,
        "observed": 1 - float(total[window].sum()) / principal if principal else DEFAULT_LGD,
        "seasoned": 1 - total[mature].sum() / book.principal[mature].sum() if mature.any() else float("nan"),
    }


# --- the model at one date --------------------------------------------------------------------


@dataclass(frozen=True)
class RiskModel:
    """Everything needed to price a loan at one as-of date: matrices, PD tables and LGD by product."""

    as_of: dt.date
    matrices: np.ndarray  # segments (A..G, all) × 7 × 7
    pd_12m: np.ndarray  # segments × remaining months (0..120) × states
    pd_lifetime: np.ndarray
    lgd: dict[str, float]


def _model(
    as_of: dt.date,
    counts: pd.DataFrame,
    lgd: pd.DataFrame,
    lookback_months: int,
    min_obs: int,
) -> RiskModel:
    """A RiskModel from transition counts (any span containing the lookback window) and LGD rows."""
    stack = _segment_matrices(_window(counts, as_of, lookback_months), min_obs)
    pd12, life = _pd_tables(stack)
    return RiskModel(as_of, stack, pd12, life, dict(zip(lgd["product"], lgd["lgd"], strict=True)))


def risk_model(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    lookback_months: int = 12,
    min_obs: int = MIN_OBS,
    lgd_lookback_months: int = LGD_LOOKBACK_MONTHS,
) -> RiskModel:
    """The Markov model at month-end as_of, estimated only from data up to as_of."""
    as_of = require_month_end(as_of)

    def compute() -> RiskModel:
        counts = _transition_counts(con, add_months(as_of, 1 - lookback_months), as_of)
        lgd = lgd_by_product(con, as_of, lgd_lookback_months)
        return _model(as_of, counts, lgd, lookback_months, min_obs)

    return cache.memo(con, "risk_model", (as_of, lookback_months, min_obs, lgd_lookback_months), compute)


def _with_model(model: RiskModel, matrices: np.ndarray) -> RiskModel:
    """The same model with other matrices (a stress scenario)."""
    pd12, life = _pd_tables(matrices)
    return RiskModel(model.as_of, matrices, pd12, life, model.lgd)


def _codes(
    values: pd.Series | np.ndarray | pa.ChunkedArray, labels: tuple[str, ...], missing: int
) -> np.ndarray:
    """Position of each value in labels (missing for values not in it, or null), looked up by Arrow."""
    array = (
        values.combine_chunks() if isinstance(values, pa.ChunkedArray) else pa.array(values, from_pandas=True)
    )
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.string())
    index = pc.index_in(array, value_set=pa.array(list(labels), type=array.type))
    return index.fill_null(missing).to_numpy(zero_copy_only=False).astype(int)


@dataclass(frozen=True)
class LoanCodes:
    """Per-row positions in GRADES, PRODUCTS and GUARANTEES of priced rows, when already known
    (the platform's rows: loan_terms), so pricing need not look the text up again."""

    grade: np.ndarray
    product: np.ndarray
    guarantee: np.ndarray


def _indices(
    frame: pd.DataFrame, codes: LoanCodes | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment, remaining-month and state indices of per-loan rows for PD table look-ups."""
    grade = _codes(frame["grade"], GRADES, ALL_GRADES) if codes is None else codes.grade
    remaining = np.clip(frame["remaining_months"].to_numpy(int), 0, MAX_REMAINING)
    state = _codes(frame["state"], STATES, CURRENT)
    return grade, remaining, state


def _stage(dpd: pd.Series) -> np.ndarray:
    """IFRS 9 stage by DPD: 1 (≤ 30), 2 (31–90), 3 (> 90)."""
    return np.select([dpd <= 30, dpd <= 90], [1, 2], 3)


def lendingclub_status(dpd: pd.Series) -> np.ndarray:
    """LendingClub note status by DPD: current, in_grace_period (1-15), late_16_30, late_31_120, default."""
    return np.select(
        [dpd <= 0, dpd <= 15, dpd <= 30, dpd <= 120],
        ["current", "in_grace_period", "late_16_30", "late_31_120"],
        "default",
    )


def _price(
    frame: pd.DataFrame,
    model: RiskModel,
    method: Method,
    static_loss_rates: Mapping[str, float] | None,
    codes: LoanCodes | None = None,
) -> pd.DataFrame:
    """Add stage, pd_12m, pd_lifetime, lgd and the PD EL uses (stage 1: 12-month, else lifetime)."""
    out = frame.copy(deep=False)  # copy-on-write: new columns never reach the caller's frame
    out["stage"] = _stage(out["dpd"])
    if method == "markov":
        g, r, s = _indices(out, codes)
        out["pd_12m"] = model.pd_12m[g, r, s]
        out["pd_lifetime"] = model.pd_lifetime[g, r, s]
        by_product = np.array([*(model.lgd.get(p, DEFAULT_LGD) for p in PRODUCTS), DEFAULT_LGD])
        product = _codes(out["product"], PRODUCTS, len(PRODUCTS)) if codes is None else codes.product
        out["lgd"] = by_product[product]
    elif method == "static":
        rates = {**LENDINGCLUB_LOSS_RATES, **(static_loss_rates or {})}
        statuses = tuple(LENDINGCLUB_LOSS_RATES)
        rate = np.array([rates[k] for k in statuses])[_codes(lendingclub_status(out["dpd"]), statuses, 0)]
        out["pd_12m"] = rate
        out["pd_lifetime"] = rate
        out["lgd"] = 1.0  # LendingClub's rates are losses of outstanding principal: recoveries are in them
    else:
        raise ValueError(f"unknown method {method!r}")
    out["pd"] = np.where(out["stage"] == 1, out["pd_12m"], out["pd_lifetime"])
    return out


# --- reserve coverage -------------------------------------------------------------------------


def _absorbing_90plus(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(in-term, run-off) stacks of segment matrices with 90+ absorbing; run-off pays a current loan off."""
    in_term = matrices.copy()
    in_term[:, NINETY_PLUS, :] = 0.0
    in_term[:, NINETY_PLUS, NINETY_PLUS] = 1.0
    run_off = in_term.copy()
    run_off[:, CURRENT, :] = 0.0
    run_off[:, CURRENT, PAID_OFF] = 1.0
    return in_term, run_off


def segment_rows(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment, state and remaining-installment arrays of rows with grade, state, remaining_months."""
    grade = _codes(frame["grade"], GRADES, ALL_GRADES)
    state = _codes(frame["state"], STATES, CURRENT)
    return grade, state, frame["remaining_months"].to_numpy(int)


def reach_90plus(
    matrices: np.ndarray,
    grade: np.ndarray,
    state: np.ndarray,
    remaining: np.ndarray,
    months: int = BUYOUT_HORIZON,
) -> np.ndarray:
    """rows × (months + 1): probability each row (segment, state, remaining installments) has reached
    90+ or charge-off by month k = 0 .. months (column 0 = where it starts)."""
    in_term, run_off = _absorbing_90plus(matrices)
    vector = np.zeros((len(grade), len(STATES)))
    vector[np.arange(len(grade)), state] = 1.0
    out = np.empty((len(grade), months + 1))
    out[:, 0] = vector[:, NINETY_PLUS] + vector[:, CHARGED_OFF]
    for k in range(1, months + 1):
        step = np.where((k <= remaining)[:, None, None], in_term[grade], run_off[grade])
        vector = np.einsum("ni,nij->nj", vector, step)
        out[:, k] = vector[:, NINETY_PLUS] + vector[:, CHARGED_OFF]
    return out


def reserve_exposure(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per grade × state × remaining months of reserve-guaranteed exposure at as_of (currency)."""
    params = {"as_of": as_of}
    return cache.memo(con, "reserve_exposure", (as_of,), lambda: sql.run(con, "reserve_exposure", params))


def buyout_flows(exposure: pd.DataFrame, matrices: np.ndarray, months: int = BUYOUT_HORIZON) -> np.ndarray:
    """Expected reserve buy-outs per coming month 1 .. months (currency units): the one definition.

    The reserve buys a loan out when it first reaches 90+ (docs/definitions.md): buy-out in month k =
    Σ exposure × (F(k) − F(k−1)), F = reach_90plus with F(0) taken as 0, so a loan already 90+ and
    not yet bought out is due in the first month. exposure: rows of reserve_exposure.
    """
    if not len(exposure):
        return np.zeros(months)
    reach = reach_90plus(matrices, *segment_rows(exposure), months)
    reach[:, 0] = 0.0
    return exposure["exposure"].to_numpy(float) @ np.diff(reach, axis=1)


def _reserve_balance(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> float:
    """The risk reserve's balance at as_of (currency units; 0 when none)."""
    return float(sql.run(con, "reserve_balance_as_of", {"as_of": as_of})["balance"].iloc[0])


def reserve_coverage(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, model: RiskModel | None = None
) -> dict[str, float]:
    """Risk reserve balance at as_of against the next 12 months' expected buy-outs (90+ trigger):
    balance, expected_buyouts (currency units), coverage (0..1)."""
    as_of = require_month_end(as_of)
    model = model or risk_model(con, as_of)
    balance = cache.memo(con, "reserve_balance", (as_of,), lambda: _reserve_balance(con, as_of))
    expected = float(buyout_flows(reserve_exposure(con, as_of), model.matrices).sum())
    coverage = 1.0 if expected <= balance else max(balance, 0.0) / expected
    return {"balance": balance, "expected_buyouts": expected, "coverage": coverage}


def partner_coverage(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, float]:
    """Partner guarantees from the guarantor's own record at as_of: partner loans that reached 90+
    (by the month before), those bought out, and coverage = guarantor principal paid on them / their
    principal at 90+ (0..1; 0 without a record: no credit is given for an untested guarantee)."""
    record = sql.run(con, "guarantee_record", {"as_of": as_of})
    row = record[record["guarantee"] == "partner"]
    if row.empty or row["claims_90plus"].iloc[0] <= 0:
        return {"loans_90plus": 0, "loans_bought_out": 0, "coverage": 0.0}
    row = row.iloc[0]
    coverage = min(1.0, float(row["guarantor_principal"]) / float(row["claims_90plus"]))
    return {
        "loans_90plus": int(row["loans_90plus"]),
        "loans_bought_out": int(row["loans_bought_out"]),
        "coverage": coverage,
    }


def guarantee_coverage(con: duckdb.DuckDBPyConnection, as_of: dt.date, model: RiskModel) -> dict[str, float]:
    """Share of a guaranteed loan's loss its guarantor bears, by guarantee (0..1): the reserve's
    capacity against expected buy-outs, the partner's buy-out record; none bears nothing."""
    params = (as_of,)
    partner = cache.memo(con, "partner_coverage", params, lambda: partner_coverage(con, as_of))["coverage"]
    return {"reserve": reserve_coverage(con, as_of, model)["coverage"], "partner": partner}


def _kept(guarantee: pd.Series, coverage: Mapping[str, float], codes: LoanCodes | None = None) -> np.ndarray:
    """Share of each loan's loss its investors keep after the guarantee: 1 − coverage of its guarantee."""
    if codes is not None:  # positions in GUARANTEES; none (and any guarantee without coverage) bears 0
        return 1.0 - np.array([coverage.get(g, 0.0) for g in GUARANTEES], dtype=float)[codes.guarantee]
    labels = tuple(coverage)
    covered = np.array([*(coverage[g] for g in labels), 0.0], dtype=float)  # last: no or another guarantee
    return 1.0 - covered[_codes(guarantee, labels, len(labels))]


# --- expected loss ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanTerms:
    """What never changes about a loan, by position loan_no - 1: positions in GRADES, PRODUCTS and
    GUARANTEES (int8) and term_months (int16)."""

    grade: np.ndarray
    product: np.ndarray
    guarantee: np.ndarray
    term_months: np.ndarray


def loan_terms(con: duckdb.DuckDBPyConnection) -> LoanTerms | None:
    """Every loan's LoanTerms, read once per store (cache.memo): 5 bytes a loan; None when loan_no is
    not 1..n or a value lies outside the schema's labels (then loan_risk_inputs does the join)."""

    def compute() -> LoanTerms | None:
        table = sql.run_arrow(con, "loan_terms")
        if not np.array_equal(table["loan_no"].to_numpy(), np.arange(1, table.num_rows + 1)):
            return None
        columns = {"grade": GRADES, "product": PRODUCTS, "guarantee": GUARANTEES}
        codes = {name: _codes(table[name], labels, -1) for name, labels in columns.items()}
        if any((c < 0).any() for c in codes.values()):
            return None
        narrow = {name: c.astype(np.int8) for name, c in codes.items()}
        return LoanTerms(**narrow, term_months=table["term_months"].to_numpy().astype(np.int16))

    return cache.memo(con, "loan_terms", (), compute)


def _labels(labels: tuple[str, ...], at: np.ndarray) -> pa.Array:
    """labels[at] as the Arrow text pandas keeps its str columns in (large_string: no cast)."""
    return pa.array(labels, type=pa.large_string()).take(at)


def _platform_inputs(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> tuple[pd.DataFrame, LoanCodes | None]:
    """loan_risk_inputs' frame (same rows, order, columns and dtypes) and its rows' LoanCodes: the
    month-end tape slice (active_loan_states) with each loan's loan_terms looked up by loan_no instead
    of joined by loan_id."""
    terms = loan_terms(con)
    params = {"as_of": as_of}
    if terms is None:
        return sql.run_via_arrow(con, "loan_risk_inputs", params), None  # text, ints, doubles
    tape = sql.run_arrow(con, "active_loan_states", params)
    if tape.num_rows == 0:
        return sql.run(con, "loan_risk_inputs", params), None  # run's empty frame (object text)
    at = tape["loan_no"].to_numpy() - 1
    codes = LoanCodes(terms.grade[at], terms.product[at], terms.guarantee[at])
    months_on_book = tape["months_on_book"].to_numpy()
    remaining = np.maximum(terms.term_months[at].astype(np.int32) - months_on_book, 0).astype(np.int32)
    table = pa.table(
        {
            "loan_id": tape["loan_id"],
            "grade": _labels(GRADES, codes.grade),
            "product": _labels(PRODUCTS, codes.product),
            "guarantee": _labels(GUARANTEES, codes.guarantee),
            "state": tape["state"],
            "dpd": tape["dpd"],
            "remaining_months": remaining,
            "outstanding_principal": tape["outstanding_principal"],
            "exposure": tape["claim"],
        }
    )
    return table.to_pandas(), codes


def _risk_inputs(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str | None) -> pd.DataFrame:
    """Per active loan (platform) or holding (investor) inputs with ead and exposure columns."""
    return _coded_risk_inputs(con, as_of, investor_id)[0]


def _coded_risk_inputs(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str | None
) -> tuple[pd.DataFrame, LoanCodes | None]:
    """Per active loan (platform) or holding (investor) inputs with ead and exposure columns, and the
    rows' LoanCodes when known (platform)."""
    if investor_id is None:
        frame, codes = _platform_inputs(con, as_of)
        frame["ead"] = frame["outstanding_principal"]
        return frame, codes
    frame = sql.run(con, "holding_risk_inputs", {"as_of": as_of, "investor_id": investor_id})
    frame["exposure"] = frame["ead"]
    return frame, None


def _expected_loss(
    inputs: pd.DataFrame,
    model: RiskModel,
    investor_scoped: bool,
    method: Method,
    static_loss_rates: Mapping[str, float] | None,
    coverage: Mapping[str, float],
    codes: LoanCodes | None = None,
) -> pd.DataFrame:
    """expected_loss from inputs, a model and the guarantees' coverage (shared by the stress scenario);
    codes: the inputs' LoanCodes when known."""
    priced = _price(inputs, model, method, static_loss_rates, codes)
    priced["el"] = priced["ead"] * priced["pd"] * priced["lgd"]
    kept = _kept(priced["guarantee"], coverage, codes)
    priced["el_after_guarantee"] = priced["exposure"] * priced["pd"] * priced["lgd"] * kept
    priced["el_lifetime_after_guarantee"] = priced["exposure"] * priced["pd_lifetime"] * priced["lgd"] * kept
    columns = [
        *(["holding_id"] if investor_scoped else []),
        "loan_id",
        "grade",
        "product",
        "guarantee",
        "state",
        "dpd",
        "stage",
        "remaining_months",
        "ead",
        *([] if investor_scoped else ["exposure"]),
        "pd_12m",
        "pd_lifetime",
        "lgd",
        "el",
        "el_after_guarantee",
        "el_lifetime_after_guarantee",
    ]
    return priced[columns]


def expected_loss(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    investor_id: str | None = None,
    method: Method = "markov",
    lookback_months: int = 12,
    static_loss_rates: Mapping[str, float] | None = None,
    min_obs: int = MIN_OBS,
    forward_looking: bool = False,
) -> pd.DataFrame:
    """One row per active loan (platform) or per holding with exposure (investor): EAD, PDs, LGD, EL.

    Platform rows: ead = outstanding principal, exposure = the investors' unpaid principal (after
    guarantor payments). Investor rows: ead = share × exposure. el = ead × PD × LGD with PD by IFRS 9
    stage; el_after_guarantee = the investors' EL once the risk reserve buys out reserve-guaranteed
    loans, scaled by (1 - coverage) when the reserve cannot cover expected buy-outs. forward_looking
    prices with forward_looking_model instead of the plain roll rates.
    """
    if forward_looking:  # scenario-weighted PDs conditioned on unemployment (forward_looking_model)
        model = forward_looking_model(con, as_of, lookback_months)
    else:
        model = risk_model(con, as_of, lookback_months, min_obs)
    coverage = guarantee_coverage(con, model.as_of, model)
    inputs, codes = _coded_risk_inputs(con, model.as_of, investor_id)
    return _expected_loss(inputs, model, investor_id is not None, method, static_loss_rates, coverage, codes)


def loan_expected_loss(con: duckdb.DuckDBPyConnection, as_of: dt.date, loans: pd.DataFrame) -> pd.DataFrame:
    """pd (by IFRS 9 stage), lgd and el = outstanding_principal x pd x lgd (currency units) of rows of
    loans active at month-end as_of (grade, product, state, dpd, remaining_months,
    outstanding_principal), priced as expected_loss prices them; one row per row of loans, same index."""
    columns = ["grade", "product", "state", "dpd", "remaining_months", "outstanding_principal"]
    priced = _price(loans[columns], risk_model(con, as_of), "markov", None)
    el = priced["outstanding_principal"] * priced["pd"] * priced["lgd"]
    return pd.DataFrame({"pd": priced["pd"], "lgd": priced["lgd"], "el": el}, index=loans.index)


def expected_loss_total(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> float:
    """Σ el of the platform's expected_loss(con, as_of) (Markov PDs, 12-month lookback), currency
    units: loan_expected_loss of the active book by grade x product x state x remaining months
    (book_segment) instead of loan by loan; equal up to the order of the sum."""
    day = require_month_end(as_of)
    segments = sql.run(con, "backtest_exposure", {"from": day, "to": day}).drop(columns="month_end")
    if segments.empty:
        return 0.0
    # 30 days per month behind is a DPD inside the state's bucket (0, 30, 60, 90, 120): its IFRS 9 stage
    segments["dpd"] = segments["state"].map(MONTHS_BEHIND) * 30
    return float(loan_expected_loss(con, as_of, segments)["el"].sum())


def holding_expected_loss(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, inputs: pd.DataFrame
) -> pd.DataFrame:
    """expected_loss(con, as_of, investor_id) from that investor's holding_risk_inputs rows, already read
    (investor_holdings carries them): one row per holding with exposure, EAD, PDs, LGD, EL."""
    model = risk_model(con, as_of)
    coverage = guarantee_coverage(con, model.as_of, model)
    frame = inputs.copy()
    frame["exposure"] = frame["ead"]
    return _expected_loss(frame, model, True, "markov", None, coverage)


def expected_loss_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """An expected_loss frame per IFRS 9 stage × bucket: loans, ead, el, el_after_guarantee, el_rate."""
    summary = (
        frame.groupby(["stage", "state"], sort=False)
        .agg(
            loans=("loan_id", "size"),
            ead=("ead", "sum"),
            el=("el", "sum"),
            el_after_guarantee=("el_after_guarantee", "sum"),
        )
        .reset_index()
    )
    summary["el_rate"] = (summary["el"] / summary["ead"].where(summary["ead"] > 0)).fillna(0.0)
    order = summary["state"].map(STATES.index)
    return summary.assign(_o=order).sort_values("_o").drop(columns="_o").reset_index(drop=True)


# --- back-test --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Macro:
    """The unemployment series and roll-forward rates the forward-looking PD conditions on."""

    months: np.ndarray  # datetime64[D] macro month-ends
    u_pp: np.ndarray  # unemployment, percentage points
    rates: np.ndarray  # 5 × months roll-forward rates (NaN where unobserved)


def macro_inputs(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> _Macro:
    """Every macro month up to as_of with the tape's roll-forward rates of that month."""
    macro = sql.run(con, "unemployment_by_month", {"as_of": as_of})
    first = pd.Timestamp(macro["month_end"].min()).date() if len(macro) else as_of
    return _Macro(*_roll_forward_rates(_transition_counts(con, first, as_of), macro))


def macro_gap(months: np.ndarray, u_pp: np.ndarray, as_of: dt.date, lookback_months: int) -> float:
    """Base-case unemployment over the coming year (the latest month on or before as_of: no change
    is forecast) minus its mean over the matrix window (as_of − lookback, as_of], in pp; 0 without data."""
    day = np.datetime64(as_of)
    window = (months > np.datetime64(add_months(as_of, -lookback_months))) & (months <= day)
    known = months <= day
    if not window.any():
        return 0.0
    return float(u_pp[known][np.argmax(months[known])] - u_pp[window].mean())


def scenario_shifts(gap_pp: float) -> list[tuple[float, float]]:
    """(unemployment shift in pp against the matrix window, weight) per IFRS 9 scenario: the
    scenarios are spread as SCENARIOS says and centred so their weighted mean is the forecast gap."""
    centre = sum(shock * weight for _, shock, weight in SCENARIOS)
    return [(gap_pp + shock - centre, weight) for _, shock, weight in SCENARIOS]


def forward_pd_tables(
    stack: np.ndarray, factors: Iterable[float], gap_pp: float, lifetime: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """12-month and (unless lifetime is False) lifetime PD tables weighted over the IFRS 9 scenarios:
    the matrices conditioned on each scenario's unemployment shift (stress_matrices)."""
    factors = list(factors)
    pd12 = np.zeros((stack.shape[0], MAX_REMAINING + 1, len(STATES)))
    life = np.zeros_like(pd12) if lifetime else None
    for shift, weight in scenario_shifts(gap_pp):
        matrices = stress_matrices(stack, factors, shift)
        if life is None:
            pd12 += weight * _pd12_table(matrices)
        else:
            scenario12, scenario_life = _pd_tables(matrices)
            pd12 += weight * scenario12
            life += weight * scenario_life
    return pd12, life


def forward_looking_model(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, lookback_months: int = 12
) -> RiskModel:
    """The RiskModel at as_of with scenario-weighted, macro-conditioned PDs (matrices: the forecast)."""
    model = risk_model(con, as_of, lookback_months)
    macro = macro_inputs(con, model.as_of)
    factors = _sensitivity(macro.months, macro.u_pp, macro.rates, 6)["used_factor_per_pp"]
    gap = macro_gap(macro.months, macro.u_pp, model.as_of, lookback_months)
    pd12, life = forward_pd_tables(model.matrices, factors, gap)
    return RiskModel(model.as_of, stress_matrices(model.matrices, factors, gap), pd12, life, model.lgd)


def _observed_by_row(cells: RecoveryCells, seen: np.ndarray) -> np.ndarray:
    """Per charge-off row: its recoveries in the months before seen (row's months seen, 0 .. 24), the
    float numpy sums of the row of a RecoveryBook masked there ((by_month × mask).sum(axis=1)): rows
    with one or two such months add them directly (the same float in any order), the rest in rows."""
    kept = cells.month < seen[cells.row]
    row, month, amount = cells.row[kept], cells.month[kept], cells.amount[kept]
    per_row = np.bincount(row, minlength=len(seen))
    few = per_row[row] <= 2
    observed = np.bincount(row[few], weights=amount[few], minlength=len(seen))
    many = np.flatnonzero(per_row > 2)
    dense = np.zeros((len(many), RECOVERY_MONTHS))
    dense[np.searchsorted(many, row[~few]), month[~few]] = amount[~few]
    observed[many] = dense.sum(axis=1)
    return observed


ChargeOffs = tuple[np.ndarray, np.ndarray, np.ndarray]  # product code, charged_off_on, principal


def _ultimate_recovery_rates(
    charge_offs: ChargeOffs,
    cells: RecoveryCells,
    days: np.ndarray,
    horizon: int,
    end: dt.date,
    curve_at_end: np.ndarray,
) -> np.ndarray:
    """Per prediction date D: recoveries / principal of the charge-offs in (D, D + horizon], counting
    24 months of recoveries each (seen by end, the rest projected with the recovery curve at end,
    curve_at_end = recovery_curve at end). charge_offs: ordered by date, so each D's are a slice."""
    _, charged, principal = charge_offs
    curve = curve_at_end[-1]
    tail = np.append(np.cumsum(curve[::-1])[::-1], 0.0)
    seen = np.clip(complete_months(charged, np.datetime64(end + dt.timedelta(days=1))), 0, 24)
    ultimate = _observed_by_row(cells, seen) + principal * tail[seen]
    rates = []
    for day in days:
        cut = np.array([np.datetime64(day), np.datetime64(add_months(day, horizon))])
        first, stop = np.searchsorted(charged, cut, side="right")
        total = principal[first:stop].sum()
        rates.append(ultimate[first:stop].sum() / total if total > 0 else 0.0)
    return np.array(rates)


def backtest(
    con: duckdb.DuckDBPyConnection,
    months: int = 36,
    horizon: int = 12,
    lookback_months: int = 12,
    min_obs: int = MIN_OBS,
    lgd_lookback_months: int = LGD_LOOKBACK_MONTHS,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """One row per prediction month-end D (the last `months` with D + horizon ≤ until, a month-end;
    default and at most observed_to), the plain and the forward-looking model side by side.

    predicted_el_12m = Σ EAD × PD_12m × LGD over loans active at D, with matrices, LGD, the macro
    sensitivity and the unemployment gap estimated only from data up to D (predicted_el_12m_forward:
    forward-looking PDs). realised_loss = principal of those loans charged off in (D, D + horizon]
    less 24 months of recoveries on them (recoveries_in_horizon: those received by D + horizon); the
    24 months not yet seen at the end of observation are projected with the recovery curve then,
    so prediction and outcome count recoveries alike. error = predicted / realised − 1.
    """
    end = observed_to(con) if until is None else min(require_month_end(until), observed_to(con))
    last = add_months(end, -horizon)
    first = add_months(last, 1 - months)
    book = sql.run(con, "backtest_exposure", {"from": first, "to": last})
    ledger = charge_off_ledger(con)
    n, payments = _ledger_through(ledger, end)  # each date's LGD only reads the months complete by then
    cells = _recovery_cells(payments)
    charge_offs = (ledger.product[:n], ledger.charged_off_on[:n], ledger.principal[:n])
    macro = macro_inputs(con, last)
    counts = _transition_counts(con, add_months(first, 1 - lookback_months), last)
    days = [*_book_dates(book)[0], end]  # every date's recovery curve from one pass
    by_code = _by_code_through(ledger.by_code, n)
    curves = _cell_curves(*charge_offs, cells, days, LGD_MIN_CHARGEOFFS, by_code)
    curves = dict(zip(days, curves, strict=True))
    lgds = _backtest_lgds(charge_offs, cells, days[:-1], lgd_lookback_months, curves)
    frame = _backtest_predictions(book, counts, macro, (lookback_months, min_obs), lgds)
    if frame.empty:
        return frame
    frame["realised_to"] = [add_months(day, horizon) for day in frame["predicted_on"]]
    realised = _realised_in_horizon(ledger, payments, frame["predicted_on"], horizon)
    frame[["charged_off_principal", "recoveries_in_horizon"]] = realised
    rate = _ultimate_recovery_rates(
        charge_offs, cells, frame["predicted_on"].to_numpy(), horizon, end, curves[end]
    )
    frame["recoveries"] = frame["charged_off_principal"] * rate
    frame["realised_loss"] = frame["charged_off_principal"] - frame["recoveries"]
    realised_loss = frame["realised_loss"].where(frame["realised_loss"] > 0)
    frame["error"] = frame["predicted_el_12m"] / realised_loss - 1
    frame["error_forward"] = frame["predicted_el_12m_forward"] / realised_loss - 1
    return frame


def _realised_in_horizon(
    ledger: ChargeOffLedger, payments: Payments, days: Iterable[dt.date], horizon: int
) -> np.ndarray:
    """days × 2: per prediction date D, the principal written off on the loans active at D charged off in
    (D, D + horizon months] and the recoveries on them received by then (currency units), as
    queries/realised_losses.sql has them, from the ledger's charge-offs (ordered by date: each D's are
    a slice, and so are their payments) and active spans; numpy sums in a fixed order (the SQL's
    follow DuckDB's threads). payments: the ledger's cut at the end of observation."""
    rows, paid, amounts, _ = payments
    # dates compared as day numbers (a NaT span, the loan never active, is never counted: see the ledger)
    active_from, active_to = ledger.active_from.view(np.int64), ledger.active_to.view(np.int64)
    paid_day = paid.view(np.int64)
    out = []
    for day in days:
        start, end = np.datetime64(day, "D"), np.datetime64(add_months(day, horizon), "D")
        first, stop = np.searchsorted(ledger.charged_off_on, np.array([start, end]), side="right")
        begin = start.astype(np.int64)
        counted = (active_from[first:stop] <= begin) & (active_to[first:stop] >= begin)
        low, high = np.searchsorted(rows, [first, stop])
        received = counted[rows[low:high] - first] & (paid_day[low:high] <= end.astype(np.int64))
        out.append((ledger.principal[first:stop][counted].sum(), amounts[low:high][received].sum()))
    return np.array(out, dtype=float).reshape(-1, 2)


def _backtest_lgds(
    charge_offs: ChargeOffs,
    cells: RecoveryCells,
    days: Iterable[dt.date],
    lookback_months: int,
    curves: Mapping[dt.date, np.ndarray],
) -> dict[dt.date, np.ndarray]:
    """LGD per product at each prediction date, lgd_by_product's from its development triangle, with
    the charge-offs summed by charge-off date × product code first (the same sums in another order:
    within 1e-12); curves: the recovery curve at each date."""
    product, charged, principal = charge_offs
    dates, starts = _runs(charged)
    at = np.repeat(np.arange(len(dates)), np.diff(np.append(starts, len(charged))))
    codes = len(PRODUCTS) + 1
    group, size = at * codes + product, len(dates) * codes
    loans = np.bincount(group, minlength=size).astype(float)
    sums = np.bincount(group, weights=principal, minlength=size)
    recovered = np.bincount(
        group[cells.row] * RECOVERY_MONTHS + cells.month,
        weights=cells.amount,
        minlength=size * RECOVERY_MONTHS,
    ).reshape(size, RECOVERY_MONTHS)
    group_date, group_code = np.repeat(dates, codes), np.tile(np.arange(codes), len(dates))
    lgds = {}
    for day in days:
        tail = np.cumsum(curves[day][:, ::-1], axis=1)[:, ::-1]
        tail = np.concatenate([tail, np.zeros((len(tail), 1))], axis=1)
        start = np.datetime64(add_months(day, -lookback_months))
        window = (group_date > start) & (group_date <= np.datetime64(day)) & (group_code < len(PRODUCTS))
        window &= loans > 0
        seen = complete_months(group_date[window], np.datetime64(day + dt.timedelta(days=1)))
        seen = np.clip(seen, 0, RECOVERY_MONTHS)
        code = group_code[window]
        observed = (recovered[window] * (seen[:, None] > np.arange(RECOVERY_MONTHS))).sum(axis=1)
        projected = observed + sums[window] * tail[code, seen]
        columns = (loans[window], sums[window], projected)
        total = [np.bincount(code, weights=c, minlength=len(PRODUCTS)) for c in columns]
        lgds[day] = _lgd_values(*total, LGD_MIN_CHARGEOFFS)[0]
    return lgds


def _book_dates(book: pd.DataFrame) -> tuple[list[dt.date], np.ndarray]:
    """The month-ends of a back-test book (backtest_exposure: ordered by month_end) and each's first row."""
    days, starts = _runs(pd.to_datetime(book["month_end"]).to_numpy().astype("datetime64[D]"))
    return list(days.astype(object)), starts


def _backtest_predictions(
    book: pd.DataFrame,
    counts: pd.DataFrame,
    macro: _Macro,
    settings: tuple[int, int],
    lgds: Mapping[dt.date, np.ndarray],
) -> pd.DataFrame:
    """One row per date of the book with history: ead, predicted default and EL (plain, forward);
    settings: (lookback_months, min_obs); lgds: the LGD per product at each date (_backtest_lgds)."""
    lookback_months, min_obs = settings
    # plain object labels: they are mapped to table indices below, which is slow on arrow strings
    counts = counts.astype({"grade": object, "from_state": object, "to_state": object})
    # table indices of the whole book once; the book is ordered by month_end, so each date is a slice
    g_all, r_all, s_all = _indices(book)
    product_all = _codes(book["product"], PRODUCTS, len(PRODUCTS))
    ead_all = book["outstanding_principal"].to_numpy(float)
    days, starts = _book_dates(book)
    bounds = np.append(starts, len(book))
    # transition rows coded once; each date's window is a mask over them (rows kept in order)
    count_months = pd.to_datetime(counts["month_end"]).to_numpy()
    codes, balances, loans = (
        _count_codes(counts),
        counts["balance"].to_numpy(float),
        counts["loans"].to_numpy(float),
    )
    dated, stacks, gaps = [], [], []
    for i, day in enumerate(days):
        stamp = pd.Timestamp(day).to_datetime64()
        month_start = pd.Timestamp(add_months(day, -lookback_months)).to_datetime64()
        in_window = (count_months > month_start) & (count_months <= stamp)
        if not in_window.any():
            continue  # no history before this date to estimate a matrix from
        stack = _stack(*_add_counts(codes[:, in_window], balances[in_window], loans[in_window]), min_obs)
        known = macro.months <= np.datetime64(day)
        factors = _used_factors(macro.months[known], macro.u_pp[known], macro.rates[:, known], 6)
        gap = macro_gap(macro.months, macro.u_pp, day, lookback_months)
        shifts = scenario_shifts(gap)  # forward_pd_tables' scenarios, their tables built below at once
        stacks += [stack, *(stress_matrices(stack, factors, shift) for shift, _ in shifts)]
        dated.append((i, day, [weight for _, weight in shifts]))
        gaps.append(gap)
    if not dated:
        return pd.DataFrame()
    tables = _pd12_table(np.concatenate(stacks)).reshape(
        len(dated), len(SCENARIOS) + 1, len(GRADES) + 1, -1, len(STATES)
    )
    rows = []
    for (i, day, weights), table, gap in zip(dated, tables, gaps, strict=True):
        start, stop = bounds[i], bounds[i + 1]
        cells = (g_all[start:stop], r_all[start:stop], s_all[start:stop])
        pd12 = table[0][cells]
        pd12_forward = np.zeros(stop - start)
        for scenario, weight in zip(table[1:], weights, strict=True):  # as forward_pd_tables adds them
            pd12_forward += weight * scenario[cells]
        lgd_rows = np.append(lgds[day], DEFAULT_LGD)[product_all[start:stop]]
        ead = ead_all[start:stop]
        rows.append(
            {
                "predicted_on": day,
                "ead": ead.sum(),
                "unemployment_gap_pp": gap,
                "predicted_default_12m": float((ead * pd12).sum()),
                "predicted_el_12m": float((ead * pd12 * lgd_rows).sum()),
                "predicted_default_12m_forward": float((ead * pd12_forward).sum()),
                "predicted_el_12m_forward": float((ead * pd12_forward * lgd_rows).sum()),
            }
        )
    return pd.DataFrame(rows)


def backtest_error(frame: pd.DataFrame, predicted: str = "predicted_el_12m") -> float:
    """Overall back-test error: Σ predicted (predicted_el_12m or ..._forward) / Σ realised_loss − 1."""
    return float(frame[predicted].sum() / frame["realised_loss"].sum() - 1)


# --- returns ----------------------------------------------------------------------------------


def nar(monthly: pd.DataFrame, adjustment: float = 0.0) -> float:
    """LendingClub NAR = (1 + Σ net / Σ start principal)¹² − 1; net = interest + fees − losses + recoveries.

    adjustment (Adjusted NAR) is subtracted from Σ net: expected future losses on past-due holdings.
    """
    denominator = monthly["start_principal"].sum()
    if denominator <= 0:
        return float("nan")
    net = (
        monthly["interest_received"].sum()
        + monthly["fees_received"].sum()
        - monthly["charged_off_principal"].sum()
        + monthly["recoveries"].sum()
        - adjustment
    )
    return float((1 + net / denominator) ** 12 - 1)


def investor_cash_flows(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str) -> pd.DataFrame:
    """One row per investment or repayment share of the investor up to as_of (signed amount)."""
    params = {"as_of": require_month_end(as_of), "investor_id": investor_id}
    return sql.run(con, "investor_cash_flows", params)


def investor_returns(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    investor_id: str,
    method: Method = "markov",
    lookback_months: int = 12,
    static_loss_rates: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """The investor's money and returns at as_of: invested, received, losses, NAR, Adjusted NAR, XIRR."""
    as_of = require_month_end(as_of)
    # one pass over the investor's repayments: the monthly NAR inputs carry the month's cash flows too
    monthly = sql.run(con, "investor_returns_inputs", {"as_of": as_of, "investor_id": investor_id})
    holdings = expected_loss(con, as_of, investor_id, method, lookback_months, static_loss_rates)
    past_due = holdings["dpd"] > 0
    adjustment = float(holdings.loc[past_due, "el_after_guarantee"].sum())
    outstanding = float(holdings["ead"].sum())
    expected = float(holdings["el_after_guarantee"].sum())
    lifetime = float(holdings["el_lifetime_after_guarantee"].sum())
    sums = monthly.sum(numeric_only=True)  # the investor's totals to as_of
    invested = float(sums["invested"])
    return {
        "invested": invested,
        "principal_received": float(sums["cash_principal"]),
        "interest_received": float(sums["cash_interest"]),
        "fees_received": float(sums["cash_fees"]),
        "charged_off_principal": float(sums["charged_off_principal"]),
        "recoveries": float(sums["recoveries"]),
        "realised_loss": float(sums["charged_off_principal"] - sums["recoveries"]),
        "outstanding_exposure": outstanding,
        "expected_loss": expected,
        "past_due_expected_loss": adjustment,
        "nar": nar(monthly),
        "adjusted_nar": nar(monthly, adjustment),
        "lifetime_expected_loss": lifetime,
        # expected: holdings valued at their remaining flows discounted at the loan rate (= par) less
        # their lifetime EL after the guarantee; realised to date: holdings at par
        "xirr": _xirr(monthly, as_of, outstanding - lifetime) if invested > 0 else float("nan"),
        "xirr_realised": _xirr(monthly, as_of, outstanding) if invested > 0 else float("nan"),
    }


def _xirr(monthly: pd.DataFrame, as_of: dt.date, terminal: float) -> float:
    """XIRR (a yearly fraction) of the investor's cash flows with the holdings worth terminal at as_of."""
    flow_dates = [np.asarray(days, dtype="datetime64[D]") for days in monthly["flow_dates"]]
    dates = np.concatenate([*flow_dates, np.array([as_of], dtype="datetime64[D]")]).tolist()
    amounts = np.concatenate([*map(np.asarray, monthly["flow_amounts"]), [terminal]])
    try:
        value = pyxirr.xirr(dates, amounts)
    except pyxirr.InvalidPaymentsError:
        return float("nan")
    return float("nan") if value is None else float(value)


# --- stress -----------------------------------------------------------------------------------


def _forward_pairs() -> list[tuple[int, int]]:
    """Roll-forward transitions: current→1-30, 1-30→31-60, 31-60→61-90, 61-90→90+, 90+→charged_off."""
    return [(0, 1), (1, 2), (2, 3), (3, 4), (4, CHARGED_OFF)]


def unemployment_slope(
    unemployment_pp: np.ndarray, years: np.ndarray, log_rate: np.ndarray
) -> tuple[float, float, float]:
    """OLS log_rate = a + b·unemployment_pp + c·years: (b per pp, c per year, R²); zeros if unidentified.

    The time trend absorbs the platform's own drift (looser screening, worse vintages, thinner
    follow-up), which a regression on unemployment alone reads as macro sensitivity. b is only
    identified when unemployment moves apart from a straight line in time by MIN_MACRO_SPREAD_PP.
    """
    trend_only = np.column_stack([np.ones_like(years), years])
    if len(log_rate) <= 3:
        return 0.0, 0.0, 0.0
    fitted, *_ = np.linalg.lstsq(trend_only, unemployment_pp, rcond=None)
    if np.std(unemployment_pp - trend_only @ fitted) < MIN_MACRO_SPREAD_PP:
        return 0.0, 0.0, 0.0
    design = np.column_stack([trend_only[:, 0], unemployment_pp, years])
    coef, *_ = np.linalg.lstsq(design, log_rate, rcond=None)
    ss_tot = ((log_rate - log_rate.mean()) ** 2).sum()
    r2 = 1 - ((log_rate - design @ coef) ** 2).sum() / ss_tot if ss_tot > 0 else 0.0
    return float(coef[1]), float(coef[2]), float(r2)


def _roll_forward_rates(
    counts: pd.DataFrame, macro: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Macro month-ends (datetime64), unemployment in pp and the 5 × months balance-weighted monthly
    rates of each roll-forward transition (all grades; NaN where nothing was in the from-state)."""
    months = pd.to_datetime(macro["month_end"]).to_numpy().astype("datetime64[D]")
    u_pp = macro["unemployment_rate"].to_numpy(float) * 100
    index = pd.Index(months).get_indexer(
        pd.to_datetime(counts["month_end"]).to_numpy().astype("datetime64[D]")
    )
    kept = index >= 0
    f = _codes(counts["from_state"], STATES, CURRENT)[kept]
    t = _codes(counts["to_state"], STATES, CURRENT)[kept]
    balance = counts["balance"].to_numpy(float)[kept]
    total = np.zeros((len(STATES), len(months)))
    moved = np.zeros((len(STATES), len(STATES), len(months)))
    np.add.at(total, (f, index[kept]), balance)
    np.add.at(moved, (f, t, index[kept]), balance)
    pairs = _forward_pairs()
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.array([moved[a, b] / np.where(total[a] > 0, total[a], np.nan) for a, b in pairs])
    return months, u_pp, rates


def _fits(
    months: np.ndarray, u_pp: np.ndarray, rates: np.ndarray, min_months: int
) -> list[tuple[int, float, float, float, float]]:
    """Per roll-forward transition: months used, mean rate, and the slope (per pp), trend (per year)
    and R² of its log rate on unemployment and time (zeros with fewer than min_months months)."""
    fits = []
    for rate in rates:
        used = rate > 0  # NaN compares False: months with nothing in the from-state are left out
        month_no = months[used].astype("datetime64[M]").astype(int)
        years = (month_no - (month_no.min() if used.any() else 0)) / 12
        slope, trend, r2 = 0.0, 0.0, 0.0
        if used.sum() >= min_months:
            slope, trend, r2 = unemployment_slope(u_pp[used], years.astype(float), np.log(rate[used]))
        fits.append((int(used.sum()), float(rate[used].mean()) if used.any() else 0.0, slope, trend, r2))
    return fits


def _used_factors(months: np.ndarray, u_pp: np.ndarray, rates: np.ndarray, min_months: int) -> list[float]:
    """_sensitivity's used_factor_per_pp per roll-forward transition, without building the frame."""
    return [float(max(np.exp(fit[2]), 1.0)) for fit in _fits(months, u_pp, rates, min_months)]


def _sensitivity(months: np.ndarray, u_pp: np.ndarray, rates: np.ndarray, min_months: int) -> pd.DataFrame:
    """One row per roll-forward transition: log rate on unemployment (pp) and a trend, over the months
    given (months in which nothing rolled forward are left out); see stress_sensitivity."""
    rows = []
    fits = _fits(months, u_pp, rates, min_months)
    for (f, t), (used, mean_rate, slope, trend, r2) in zip(_forward_pairs(), fits, strict=True):
        rows.append(
            {
                "from_state": STATES[f],
                "to_state": STATES[t],
                "months": used,
                "mean_rate": mean_rate,
                "slope_per_pp": slope,
                "factor_per_pp": float(np.exp(slope)),
                "used_factor_per_pp": float(max(np.exp(slope), 1.0)),
                "trend_per_year": float(np.exp(trend)),
                "r2": r2,
            }
        )
    return pd.DataFrame(rows)


def stress_sensitivity(con: duckdb.DuckDBPyConnection, as_of: dt.date, min_months: int = 6) -> pd.DataFrame:
    """One row per roll-forward transition: log monthly rate on unemployment (pp) and a time trend.

    Uses every month on the tape up to as_of (all grades); see unemployment_slope and
    docs/risk-model.md. factor_per_pp = exp(slope); the factor a stress applies is floored at 1
    (used_factor_per_pp): a shock never improves roll rates. trend_per_year = exp(trend slope).
    """
    as_of = require_month_end(as_of)
    macro = sql.run(con, "unemployment_by_month", {"as_of": as_of})
    first = pd.Timestamp(macro["month_end"].min()).date() if len(macro) else as_of
    counts = _transition_counts(con, first, as_of)
    return _sensitivity(*_roll_forward_rates(counts, macro), min_months)


def stress_matrices(matrices: np.ndarray, factors: Iterable[float], shock_pp: float) -> np.ndarray:
    """Scale each roll-forward probability by factor^shock_pp (capped at 1) and renormalise the row."""
    stressed = matrices.copy()
    for (f, t), factor in zip(_forward_pairs(), factors, strict=True):
        p = stressed[:, f, t]
        new = np.minimum(p * factor**shock_pp, 1.0)
        rest = 1.0 - p
        scale = np.where(rest > 0, (1.0 - new) / np.where(rest > 0, rest, 1.0), 0.0)
        stressed[:, f, :] *= scale[:, None]
        stressed[:, f, t] = new
    return stressed


def stressed_expected_loss(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    shock_pp: float,
    investor_id: str | None = None,
    lookback_months: int = 12,
) -> dict[str, object]:
    """EL per loan (or holding) and totals under an unemployment shock of shock_pp percentage points."""
    model = risk_model(con, as_of, lookback_months)
    sensitivity = stress_sensitivity(con, model.as_of)
    stressed = _with_model(
        model, stress_matrices(model.matrices, sensitivity["used_factor_per_pp"], shock_pp)
    )
    base_cov = guarantee_coverage(con, model.as_of, model)
    stress_cov = guarantee_coverage(con, model.as_of, stressed)
    inputs, codes = _coded_risk_inputs(con, model.as_of, investor_id)
    scoped = investor_id is not None
    base = _expected_loss(inputs, model, scoped, "markov", None, base_cov, codes)
    shocked = _price(inputs, stressed, "markov", None, codes)  # only the columns taken below
    kept = _kept(shocked["guarantee"], stress_cov, codes)
    loans = base.assign(
        pd_12m_stressed=shocked["pd_12m"].to_numpy(),
        pd_lifetime_stressed=shocked["pd_lifetime"].to_numpy(),
        el_stressed=(shocked["ead"] * shocked["pd"] * shocked["lgd"]).to_numpy(),  # as _expected_loss
        el_after_guarantee_stressed=(shocked["exposure"] * shocked["pd"] * shocked["lgd"] * kept).to_numpy(),
    )
    return {
        "shock_pp": shock_pp,
        "loans": loans,
        "ead": float(loans["ead"].sum()),
        "el": float(loans["el"].sum()),
        "el_stressed": float(loans["el_stressed"].sum()),
        "el_after_guarantee": float(loans["el_after_guarantee"].sum()),
        "el_after_guarantee_stressed": float(loans["el_after_guarantee_stressed"].sum()),
        "reserve_coverage": base_cov["reserve"],
        "reserve_coverage_stressed": stress_cov["reserve"],
        "sensitivity": sensitivity,
    }


# --- loss distribution ------------------------------------------------------------------------


def next_words(
    bitgen: np.random.PCG64, carry: int | None, count: int, out: np.ndarray
) -> tuple[np.ndarray, int | None]:
    """The next count 32-bit words of bitgen's stream after carry (a high half word already drawn, or
    None) and the high half word left over (None when the last output's was used), leaving the
    generator's buffered half word alone (uniform_words keeps it). out (uint32, count or more)
    receives the words when a carry leads."""
    if count <= 0:
        return out[:0], carry
    if carry is None:
        halves = np.asarray(bitgen.random_raw((count + 1) // 2), dtype="<u8").view("<u4")
        return halves[:count], int(halves[count]) if count % 2 else None
    halves = np.asarray(bitgen.random_raw(count // 2), dtype="<u8").view("<u4")
    out[0] = carry
    out[1:count] = halves[: count - 1]
    return out[:count], int(halves[count - 1]) if (count - 1) % 2 else None


def uniform_words(rng: np.random.Generator, count: int) -> np.ndarray:
    """The next count 32-bit words (uint32) rng.random(count, dtype=np.float32) would draw, rng left
    exactly where that call leaves it: its uniforms are (word >> 8) / 2**24.

    numpy's PCG64 hands out 32-bit words from 64-bit outputs, low half first, keeping the high half
    for the next 32-bit draw (has_uint32 / uinteger in its state); next_words draws them in bulk from
    the 64-bit outputs, and the high half left over (else the last word) goes back into the state.
    """
    bitgen = rng.bit_generator
    if not isinstance(bitgen, np.random.PCG64):
        raise TypeError(f"uniform_words follows PCG64's 32-bit draws, not {type(bitgen).__name__}'s")
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    state = bitgen.state
    carry = int(state["uinteger"]) if state["has_uint32"] else None
    words, left = next_words(bitgen, carry, count, np.empty(count, dtype=np.uint32))
    state = bitgen.state  # after the 64-bit draws
    state["has_uint32"], state["uinteger"] = (0, int(words[-1])) if left is None else (1, left)
    bitgen.state = state
    return words


def skip_words(rng: np.random.Generator, count: int) -> None:
    """Leave rng exactly where uniform_words(rng, count) would, without making the words: PCG64 jumps
    ahead over the 64-bit outputs (advance) and draws only the last one when its high half is kept."""
    bitgen = rng.bit_generator
    if not isinstance(bitgen, np.random.PCG64):
        raise TypeError(f"skip_words follows PCG64's 32-bit draws, not {type(bitgen).__name__}'s")
    if count <= 0:
        return
    state = bitgen.state
    need = count - int(state["has_uint32"])
    kept = state["uinteger"]
    if need > 0:
        bitgen.advance((need + 1) // 2 - 1)  # advance() drops any buffered half word
        kept = int(bitgen.random_raw()) >> 32  # the last output's high half: next 32-bit draw if need is odd
    state = bitgen.state
    state["has_uint32"], state["uinteger"] = need % 2, kept
    bitgen.state = state


def default_cuts(probability: np.ndarray) -> np.ndarray:
    """ceil(p × 2**24) per float32 probability p, as uint32 (0 for NaN): a float32 uniform
    (word >> 8) / 2**24 is below p exactly when word >> 8 is below it (p × 2**24 is exact in float32)."""
    return np.fmax(np.ceil(probability * np.float32(2**24)), np.float32(0)).astype(np.uint32)


# threads simulating the loss distribution's chunks: each chunk's draws are found first (where the
# generator stands when the chunk starts), so the threads make the same draws and losses as one would
SIMULATION_THREADS = 2
# draws compared and summed at a time: a chunk's scenarios go through in blocks of about this many
# uniforms, so the work arrays stay in the core's cache (smaller blocks suit one thread, but two
# threads then contend for the GIL between the many more numpy calls)
BLOCK_DRAWS = 65_536


def block_rows(loans: int) -> int:
    """Scenarios per block of about BLOCK_DRAWS uniforms (loans each): a multiple of 4."""
    return max(4, BLOCK_DRAWS // max(loans, 1) // 4 * 4)


def blocks(scenarios: int, rows: int) -> list[tuple[int, int]]:
    """(first, stop) scenario of each block of a chunk, rows at a time (a multiple of 4), a single
    row left at the end going with the last block. Each block's losses are then summed as in one
    matrix-vector product over the chunk: OpenBLAS's dgemv_t sums the rows four at a time and the
    last 1-3 rows by other kernels, so a row keeps its kernel; but numpy multiplies a one-row matrix
    by a dot product, summed in another order."""
    firsts = list(range(0, scenarios, rows))
    if len(firsts) > 1 and scenarios - firsts[-1] == 1:
        firsts.pop()
    return list(zip(firsts, [*firsts[1:], scenarios], strict=False))  # none for no scenarios


@functools.cache
def _blas_threads() -> ThreadpoolController:
    """The BLAS libraries loaded in this process, inspected once (threadpool_limits does it per call)."""
    return ThreadpoolController()


def _chunk_losses(
    bitgen: np.random.PCG64,
    state: dict,
    cuts: np.ndarray,
    per_level: np.ndarray,
    severity: np.ndarray,
    rows: int,
    work: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """A chunk's losses (currency units, one per scenario): its uniforms' words drawn from state (the
    generator where they begin) and compared with cuts (scenario × PD level, default_cuts) for the
    per_level loans of each level in turn, rows scenarios at a time in work (words, defaults, 0/1)."""
    bitgen.state = state
    carry = state["uinteger"] if state["has_uint32"] else None
    # word >> 8 < cut is word < cut << 8 while every cut is below 2**24 (a sure default's is not)
    shifted = cuts.max(initial=0) < 2**24
    if shifted:
        cuts = cuts << 8
    buffer, defaulted, as_float = work
    losses = np.empty(len(cuts))
    for first, stop in blocks(len(cuts), rows):
        size = stop - first
        words, carry = next_words(bitgen, carry, size * len(severity), buffer)
        words = words.reshape(size, len(severity))
        if not shifted:
            np.right_shift(words, 8, out=words)
        cut = np.repeat(cuts[first:stop], per_level, axis=1)  # each loan's level's cut
        np.less(words, cut, out=defaulted[:size])
        np.copyto(as_float[:size], defaulted[:size])  # 0/1: the float64 product of the bool matrix
        losses[first:stop] = as_float[:size] @ severity
    return losses


def vasicek_losses(
    pd_12m: np.ndarray,
    loss_given_default: np.ndarray,
    rho: float,
    n_sims: int,
    seed: int,
    chunk: int = 256,
    threads: int = SIMULATION_THREADS,
) -> np.ndarray:
    """n_sims simulated 12-month portfolio losses: one-factor Gaussian copula, loss = EAD × LGD on default.

    A loan defaults when √ρ·Z + √(1−ρ)·ε < Φ⁻¹(PD): given the systematic factor Z, independently of
    the others, with probability p(Z) = Φ((Φ⁻¹(PD) − √ρ·Z) / √(1−ρ)). So each scenario draws Z, evaluates
    p(Z) once per distinct PD, and one float32 uniform U per loan (default when U < p(Z)).
    U = (word >> 8) / 2**24 (uniform_words), so U < p is word >> 8 < default_cuts(p): the same draws
    compared as integers, without making the floats. The chunks of scenarios draw one after another
    from one PCG64 stream: a first pass draws each chunk's factors and notes the generator's state
    where its uniforms begin (skip_words jumps over them), then threads make the chunks' uniforms
    from those states: the same draws as one sequential pass, losses bit for bit. A chunk goes
    through in blocks of scenarios (_chunk_losses), each summed as in one product over the chunk.
    """
    rng = np.random.default_rng(seed)
    threshold = norm.ppf(np.clip(pd_12m, 0.0, 1.0)) / np.sqrt(1.0 - rho)
    levels, codes = np.unique(threshold, return_inverse=True)
    order = np.argsort(codes, kind="stable")  # loans grouped by PD level: p(Z) repeats per group
    per_level = np.bincount(codes, minlength=len(levels))
    levels = levels.astype(np.float32)
    shift = np.float32(np.sqrt(rho / (1.0 - rho)))
    severity = np.asarray(loss_given_default, dtype=np.float64)[order]
    losses = np.empty(n_sims)
    chunks = []  # (first scenario, factors, generator state where the chunk's uniforms begin)
    for start in range(0, n_sims, chunk):
        factor = rng.standard_normal((min(chunk, n_sims - start), 1), dtype=np.float32)
        chunks.append((start, factor, rng.bit_generator.state))
        skip_words(rng, len(factor) * len(order))

    def simulate(part: list[tuple[int, np.ndarray, dict]]) -> None:
        """The losses of some chunks of scenarios, each drawn from the generator state where it begins;
        the thread's generator and work arrays are made once."""
        bitgen = np.random.PCG64()
        rows = min(block_rows(len(order)), max((len(factor) for _, factor, _ in part), default=0))
        most = rows + 1  # a last block takes a single leftover row with it
        work = (
            np.empty(most * len(order), dtype=np.uint32),
            np.empty((most, len(order)), dtype=bool),
            np.empty((most, len(order))),
        )
        for start, factor, state in part:
            cuts = default_cuts(ndtr(levels - shift * factor))
            losses[start : start + len(factor)] = _chunk_losses(
                bitgen, state, cuts, per_level, severity, rows, work
            )

    # one BLAS thread: OpenBLAS splits this matrix-vector product by output row, but waking its
    # threads cost ~10x the product itself
    parts = [chunks[i :: max(threads, 1)] for i in range(max(threads, 1))]
    with _blas_threads().limit(limits=1, user_api="blas"), ThreadPoolExecutor(len(parts)) as pool:
        list(pool.map(simulate, parts))
    return losses


def loss_distribution(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    investor_id: str,
    rho: float = 0.15,
    n_sims: int = 20_000,
    seed: int = 0,
    ks: Iterable[float] = (0.01, 0.02, 0.05, 0.1),
) -> dict[str, object]:
    """12-month loss distribution of an investor's holdings: mean, VaR 95/99, P(loss > k·exposure), losses."""
    model = risk_model(con, as_of)
    coverage = guarantee_coverage(con, model.as_of, model)
    holdings = _price(_risk_inputs(con, model.as_of, investor_id), model, "markov", None)  # as expected_loss
    ead = holdings["ead"].to_numpy(float)
    kept = _kept(holdings["guarantee"], coverage)
    severity = ead * holdings["lgd"].to_numpy(float) * kept
    pd_12m = holdings["pd_12m"].to_numpy(float)
    losses = vasicek_losses(pd_12m, severity, rho, n_sims, seed)
    exposure = float(ead.sum())
    return {
        "exposure": exposure,
        "expected_loss_12m": float((pd_12m * severity).sum()),
        "mean": float(losses.mean()),
        "var_95": float(np.quantile(losses, 0.95)),
        "var_99": float(np.quantile(losses, 0.99)),
        "p_loss_gt": {float(k): float((losses > k * exposure).mean()) for k in ks},
        "losses": losses,
    }


# --- expected cash flows ----------------------------------------------------------------------


def expected_cash_flows(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str, months: int = 12
) -> pd.DataFrame:
    """One row per coming month-end: contractual (share × schedule due), expected = Σ contractual × survival.

    Survival of an installment k months ahead = 1 − (Pᵏ)[state, charged_off] with the loan's grade
    matrix: the probability the loan has not been charged off by then.
    """
    as_of = require_month_end(as_of)
    model = risk_model(con, as_of)
    due = sql.run(
        con, "investor_scheduled_flows", {"as_of": as_of, "investor_id": investor_id, "months": months}
    )
    curves = np.stack([pd_curve(m, months, CHARGED_OFF) for m in model.matrices])  # seg × h × state
    grade = _codes(due["grade"], GRADES, ALL_GRADES)
    state = _codes(due["state"], STATES, CURRENT)
    ahead = np.clip(due["months_ahead"].to_numpy(int), 0, months)
    due["expected"] = due["contractual"] * (1.0 - curves[grade, ahead, state])
    ends = [add_months(as_of, k) for k in range(1, months + 1)]
    frame = pd.DataFrame({"month_end": ends, "months_ahead": range(1, months + 1)})
    per_month = due.groupby("months_ahead", as_index=False)[["contractual", "expected"]].sum()
    frame = frame.merge(per_month, on="months_ahead", how="left").fillna(
        {"contractual": 0.0, "expected": 0.0}
    )
    frame["survival"] = (frame["expected"] / frame["contractual"].where(frame["contractual"] > 0)).fillna(1.0)
    return frame
