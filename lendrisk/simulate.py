"""A seeded demo P2P platform, 2017-01 .. 2024-12: borrowers, loans, schedules, cash, collections, investors.

The story (docs/design.md §0) is built into the parameters: volume grows while screening
loosens (later vintages carry lower credit scores, worse grades and more unverified income), post-loan
follow-up thins out (first contact comes later), and two downturns (2020, 2023-2024) raise the
delinquency of every loan active then, so the platform's overdue rate climbs to the upper end of the
industry benchmark by 2024.

Mechanics, vectorised over loans with one loop over the ~96 calendar months:

- step k of a loan is its k-th due date D_k = originated_on + k months (day clamped to month end) and
  covers the days [D_k, D_{k+1}); at each step a current borrower pays installment k on D_k, prepays
  the rest or misses it; a delinquent borrower cures (pays every unpaid installment late), pays part of
  the oldest unpaid one, or pays nothing.
- DPD follows docs/design.md §3 from these rows: a missed installment j makes the loan j's DPD count from D_j,
  partial payments never complete an installment, so the guarantor buy-out of a reserve / partner loan
  is dated D_j + 90 (DPD 90) and the charge-off D_j + 180 (DPD 180) unless the borrower cures first.
- guarantor cash never cures; a bought-out borrower pays nothing more until the charge-off, after which
  collections recover part of the written-off principal within 24 months.

Counts scale with `loans`: borrowers ~0.9 x loans (a tenth of loans are repeat loans), investors
max(30, loans x 3000 / 40000), 10-15 retail holders per platform loan and 1-4 institutional holders per
institution-channel loan (about 10 per loan in all); above 200,000 loans retail loans get 4-9 holders
so a million-loan build stays within memory. The reserve is fed by 2.5 % of every platform-channel
origination and by recoveries on loans it bought out, and drained by reserve buy-outs (partner
guarantees buy out with their own money). All money is computed in integer cents and handed out as
float64 with 2 decimals; ids are str, codes category, dates datetime64[s].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lendrisk import store
from lendrisk.vocab import GRADES, GUARANTEES, PRODUCTS

Progress = Callable[[str, float], None]

OBSERVED_TO = dt.date(2024, 12, 31)
FIRST_MONTH = np.datetime64("2017-01", "M")
N_MONTHS = 96  # 2017-01 .. 2024-12
_OBS_DAY = int(np.datetime64(OBSERVED_TO, "D").astype(np.int64))
_MONTH0 = int(FIRST_MONTH.astype(np.int64))  # months since 1970-01

GRADE_CUTS = np.array([760, 720, 680, 640, 600, 560])  # credit score at or above -> A, B, ... F
GRADE_RATE = np.array([0.07, 0.095, 0.12, 0.145, 0.175, 0.205, 0.24])  # annual rate by grade
MISS_BASE = np.array([0.008, 0.0118, 0.017, 0.025, 0.036, 0.056, 0.086])  # monthly miss hazard
CURE_BY_STAGE = np.array([0.0, 0.6, 0.3, 0.2, 0.12, 0.07, 0.05, 0.04])  # by unpaid due dates 1..7+
PARTIAL_PROB = 0.15
PREPAY_PROB = 0.016
RESERVE_FEE = 0.025  # share of the principal of every platform-channel loan paid into the reserve
HOLDERS_PER_LOAN = 10
HOLDERS_PER_LOAN_LARGE = 4  # above LARGE_BOOK loans, to keep a million-loan build within memory
LARGE_BOOK = 200_000

CHANNELS = ("platform", "institution")
METHODS = ("annuity", "equal_principal", "bullet")
SOURCES = ("borrower", "guarantor", "collection")
EVENT_KINDS = ("reminder", "call", "visit", "promise_to_pay", "legal_filed", "judgment", "charged_off")
EVENT_NOTES = (
    "sms",
    "phone",
    "field visit",
    "promised to pay",
    "court filing",
    "judgment for the platform",
    "180 days past due",
)
EMPLOYMENT = ("salaried", "self_employed", "business_owner", "freelance", "student")
EMPLOYMENT_P = (0.55, 0.18, 0.12, 0.12, 0.03)
INCOME_MEDIAN = (90_000, 110_000, 200_000, 70_000, 30_000)
REGIONS = (
    "Guangdong",
    "Zhejiang",
    "Jiangsu",
    "Shandong",
    "Henan",
    "Sichuan",
    "Hubei",
    "Hunan",
    "Hebei",
    "Fujian",
    "Shanghai",
    "Beijing",
    "Anhui",
    "Liaoning",
    "Shaanxi",
    "Chongqing",
    "Jiangxi",
    "Guangxi",
    "Yunnan",
    "Tianjin",
)
REGION_W = (12, 9, 8, 7, 7, 6, 5, 5, 5, 5, 5, 5, 4, 3, 3, 3, 3, 2, 2, 1)
PURPOSE_CODES = (
    "debt_consolidation",
    "home_improvement",
    "car",
    "education",
    "medical",
    "electronics",
    "travel",
    "wedding",
    "furniture",
    "working_capital",
    "inventory",
    "equipment",
    "expansion",
)
PURPOSES = {
    "personal": ("debt_consolidation", "home_improvement", "car", "education", "medical"),
    "consumer": ("electronics", "travel", "wedding", "furniture", "education"),
    "small_business": ("working_capital", "inventory", "equipment", "expansion"),
}
# term choices and their weights by product
TERMS = {
    "personal": ((6, 12, 18, 24, 36), (0.15, 0.35, 0.15, 0.2, 0.15)),
    "consumer": ((3, 6, 9, 12), (0.3, 0.35, 0.15, 0.2)),
    "small_business": ((6, 12, 24, 36), (0.25, 0.4, 0.2, 0.15)),
}
# median principal and log-sd by product, and clip range
PRINCIPAL = {
    "personal": (25_000, 0.6, 3_000, 200_000),
    "consumer": (6_000, 0.6, 1_000, 50_000),
    "small_business": (80_000, 0.7, 10_000, 1_000_000),
}


Emit = Callable[[str, pd.DataFrame], None]
# rows of one table handed on at a time by a streaming build (store.build_streaming): bounds its memory
CHUNK_ROWS = 2_000_000
# Tables produce() hands over already in their stored order (store.STORED_ORDER): holdings by investor
# id, then loan id (ids of one width, so their text order is their number order). A store appends them
# as they come instead of staging them and sorting 5.5 M rows of text ids at one million loans (numpy
# sorts their integer numbers instead: an extra 8 bytes a holding, 0.44 GB at ten million loans).
ARRIVE_ORDERED: tuple[str, ...] = ("holdings",)


def generate(loans: int = 40_000, seed: int = 7, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """The canonical tables (all but users) of a demo platform with `loans` loans, reproducible by seed."""
    parts: dict[str, list[pd.DataFrame]] = {}
    produce(loans, seed, lambda table, frame: parts.setdefault(table, []).append(frame), progress, None)
    return {t: f[0] if len(f) == 1 else pd.concat(f, ignore_index=True) for t, f in parts.items()}


def produce(
    loans: int,
    seed: int,
    emit: Emit,
    progress: Progress | None = None,
    chunk_rows: int | None = CHUNK_ROWS,
) -> None:
    """Hand every canonical table but users to emit(table, frame), at most chunk_rows rows at a time.

    With chunk_rows None every table comes whole, repayments sorted by loan, day and source, events by
    loan, day and kind. Chunked, repayments and events come in the order the months are walked and
    schedule in loan order: a store orders them (store.STORED_ORDER). Holdings always come in their
    stored order (investor, loan; ARRIVE_ORDERED), so a store appends them without sorting. The numbers
    drawn do not depend on chunk_rows: the same seed gives the same rows either way.
    """
    rng = np.random.default_rng(seed)
    say = progress or (lambda _msg, _frac: None)
    say("drawing macro and borrowers", 0.0)
    macro, stress, shock, slowdown = _macro(rng)
    book = _originate(rng, loans, shock, slowdown)
    ids = _Ids.of(book)
    emit("borrowers", _borrower_frame(book.borrowers, ids))
    emit("loans", _loan_frame(book, ids))
    say("writing schedules", 0.05)
    ledger = _schedule(book, lambda rows: emit("schedule", _schedule_frame(rows, ids)), chunk_rows)
    say("simulating repayments", 0.1)
    walk = _Walk.start(book.n)
    cash = _Cash(book, ids, emit, chunk_rows, walk.bought)
    _simulate(
        _Run(rng, book, ledger, walk, cash), stress, lambda f: say("simulating repayments", 0.1 + 0.6 * f)
    )
    say("collections and investors", 0.7)
    _recover(rng, walk, cash.pay)
    cash.flush()
    del ledger, walk
    investors, holdings = _fund(rng, book)
    say("assembling tables", 0.85)
    emit("investors", _investor_frame(investors, ids))
    for frame in _holding_frames(holdings, ids, chunk_rows):
        emit("holdings", frame)
    emit("macro", macro)
    emit("reserve_fund", cash.reserve_frame())
    say("generated", 1.0)


def build_demo(
    path: Path | str, loans: int = 40_000, seed: int = 7, progress: Progress | None = None
) -> None:
    """Simulate a demo platform straight into a new store at path, chunk by chunk (atomically)."""
    store.build_streaming(
        path,
        lambda loader, say: produce_into(loader, loans, seed, say),
        source=f"demo platform (seed {seed}, {loans} loans)",
        observed_to=OBSERVED_TO,
        progress=progress,
    )


def produce_into(loader: store.Loader, loans: int, seed: int, say: Progress) -> None:
    """produce() into a store's loader, DuckDB inserting one chunk while the next is simulated."""
    loader.arrive_ordered(*ARRIVE_ORDERED)
    with store.appending_in_background(loader.append) as append:
        produce(loans, seed, append, say, CHUNK_ROWS)


def demo_investors(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Three showcase investor ids: investor1 cautious saver, investor2 aggressive, investor3 institution."""
    grade = tables["loans"].set_index("loan_id")["grade"].astype(str)
    hold = tables["holdings"][["investor_id", "loan_id", "amount"]].copy()
    hold["risky"] = grade.reindex(hold["loan_id"].astype(str)).to_numpy() >= "D"
    per = hold.groupby("investor_id", observed=True).agg(
        n=("loan_id", "size"), risky=("risky", "mean"), amount=("amount", "sum")
    )
    inv = tables["investors"].set_index("investor_id")
    per = per.join(inv[["segment", "risk_profile"]].astype(str)).reset_index()
    per["investor_id"] = per["investor_id"].astype(str)

    def pick(rows: pd.DataFrame, keys: list[str], ascending: list[bool]) -> str:
        return str(
            rows.sort_values([*keys, "investor_id"], ascending=[*ascending, True]).iloc[0]["investor_id"]
        )

    cautious = per[(per["risk_profile"] == "cautious") & (per["segment"] == "retail")].copy()
    cautious["off_range"] = (30 - cautious["n"]).clip(lower=0) + (cautious["n"] - 80).clip(lower=0)
    aggressive = per[(per["risk_profile"] == "aggressive") & (per["segment"] == "retail")].copy()
    aggressive["few"] = aggressive["n"] < 30
    institutions = per[per["segment"] == "institutional"]
    return {
        "investor1": pick(cautious, ["off_range", "risky"], [True, True]),
        "investor2": pick(aggressive, ["few", "risky"], [True, False]),
        "investor3": pick(institutions, ["amount"], [False]),
    }


# --- macro -----------------------------------------------------------------------------------------


def _macro(rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Monthly macro table (fractions) and the stress index per calendar month (0 calm .. ~1 crisis)."""
    t = np.arange(N_MONTHS)
    # 2020: a sharp shock peaking in 2020-02..04; 2022-2024: a gradual slowdown
    shock = np.interp(t, [36, 37, 38, 40, 43, 47, 54], [0.0, 0.4, 1.0, 0.9, 0.5, 0.2, 0.0])
    slowdown = np.interp(
        t, [0, 24, 36, 60, 66, 72, 78, 84, 90, 95], [0, 0.08, 0.1, 0.1, 0.2, 0.3, 0.45, 0.6, 0.7, 0.8]
    )
    stress = shock + slowdown
    years = t / 12
    noise = rng.normal(0.0, 1.0, (3, N_MONTHS))
    month_end = (FIRST_MONTH + t + 1).astype("datetime64[D]") - 1
    macro = pd.DataFrame(
        {
            "month_end": month_end.astype("datetime64[s]"),
            "unemployment_rate": np.round(0.038 + 0.022 * shock + 0.012 * slowdown + 0.0004 * noise[0], 4),
            "gdp_growth": np.round(
                0.068 - 0.0025 * years - 0.10 * shock - 0.02 * slowdown + 0.002 * noise[1], 4
            ),
            # the industry's overdue rate by amount (docs/definitions.md, "Industry benchmark")
            "industry_overdue_rate": np.round(
                0.035 + 0.0035 * years + 0.05 * shock + 0.1 * slowdown + 0.001 * noise[2], 4
            ),
        }
    )
    return macro, stress, shock, slowdown


# --- origination -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Borrowers:
    """The demo borrowers, one array entry per borrower (index = borrower number - 1)."""

    n: int
    score: np.ndarray  # int32 credit score 300..900
    verified: np.ndarray  # bool: income verified
    income: np.ndarray  # float64 stated annual income
    birth_year: np.ndarray  # int32
    employment: np.ndarray  # int8 code into EMPLOYMENT
    region: np.ndarray  # int8 code into REGIONS


@dataclass(frozen=True)
class Book:
    """The demo loans sorted by origination, one array entry per loan (index = loan number - 1)."""

    n: int
    month: np.ndarray  # int32 origination month, 0 = 2017-01
    day: np.ndarray  # int64 day of month of origination (and of every due date, clamped)
    orig_day: np.ndarray  # int64 origination date, days since 1970-01-01
    borrower: np.ndarray  # int64 borrower index
    borrowers: Borrowers
    product: np.ndarray  # int8 code into PRODUCTS
    channel: np.ndarray  # int8 code into CHANNELS
    grade: np.ndarray  # int8 code into GRADES
    purpose: np.ndarray  # int8 code into PURPOSE_CODES
    rate: np.ndarray  # float64 annual rate
    term: np.ndarray  # int32 months
    method: np.ndarray  # int8 code into METHODS
    guarantee: np.ndarray  # int8 code into GUARANTEES
    principal_c: np.ndarray  # int64 principal in cents
    verified: np.ndarray  # bool: the borrower's income is verified


def _pick(rng: np.random.Generator, n: int, p: tuple[float, ...] | np.ndarray) -> np.ndarray:
    """n category codes drawn with probabilities p (normalised)."""
    p = np.asarray(p, dtype=float)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").astype(np.int8)


def _day_number(month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of `day` in `month` (months since 1970-01), clamped to the month end."""
    if month.size == 0:
        return np.empty(0, dtype=np.int64)
    low = int(month.min())
    firsts = (
        np.arange(low, int(month.max()) + 2).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    )
    first = firsts[month - low]
    return first + np.minimum(day, firsts[month - low + 1] - first) - 1


def _originate(rng: np.random.Generator, n: int, shock: np.ndarray, slowdown: np.ndarray) -> Book:
    """Loans (sorted by origination) with their borrowers."""
    t = np.arange(N_MONTHS)
    volume = np.exp(0.24 * t / 12) * (1 - 0.35 * shock) * (1 + 0.25 * slowdown)
    month = np.sort(_pick(rng, n, volume).astype(np.int32))  # 0 = 2017-01
    orig_day = _day_number(_MONTH0 + month, rng.integers(1, 32, n))
    day = orig_day - _day_number(_MONTH0 + month, np.ones(n, dtype=np.int64)) + 1  # day of month
    borrower, borrowers = _borrowers(rng, month)
    years = month / 12
    emp = borrowers.employment[borrower]
    business = (emp == 1) | (emp == 2)
    product = np.where(business, _pick(rng, n, (0.25, 0.2, 0.55)), _pick(rng, n, (0.47, 0.45, 0.08))).astype(
        np.int8
    )
    loan_score = np.clip(borrowers.score[borrower] + rng.normal(0, 22, n), 300, 900)
    grade = np.clip(np.searchsorted(-GRADE_CUTS, -loan_score, side="left"), 0, 6).astype(np.int8)
    rate = np.round(np.clip(GRADE_RATE[grade] + rng.normal(0, 0.005, n), 0.05, 0.36), 4)
    channel = (rng.random(n) < 0.08 + 0.03 * years).astype(np.int8)
    u = rng.random(n)
    guarantee = np.where(
        channel == 1,
        np.where(u < 0.6, 2, 0),
        np.where(u < np.select([grade <= 2, grade == 3], [0.5, 0.25], 0.0), 1, 0),
    ).astype(np.int8)
    principal_c, term, method, purpose = _contracts(rng, product)
    return Book(
        n=n,
        month=month,
        day=day,
        orig_day=orig_day,
        borrower=borrower,
        borrowers=borrowers,
        product=product,
        channel=channel,
        grade=grade,
        purpose=purpose,
        rate=rate,
        term=term,
        method=method,
        guarantee=guarantee,
        principal_c=principal_c,
        verified=borrowers.verified[borrower],
    )


def _borrowers(rng: np.random.Generator, month: np.ndarray) -> tuple[np.ndarray, Borrowers]:
    """Each loan's borrower index and the borrowers: about 90 % of loans are a borrower's first."""
    n = month.size
    # the rest are repeat loans of earlier borrowers
    repeat = (rng.random(n) < 0.1) & (month > month[0])
    first_pos = np.flatnonzero(~repeat)
    n_borrowers = first_pos.size
    borrower = np.empty(n, dtype=np.int64)
    borrower[first_pos] = np.arange(n_borrowers)
    earlier = np.searchsorted(month[first_pos], month[repeat], side="left")
    borrower[repeat] = np.floor(rng.random(earlier.size) * earlier).astype(np.int64)

    # borrower attributes, drawn at the first loan: screening loosens as volume grows
    b_years = month[first_pos] / 12
    employment = _pick(rng, n_borrowers, EMPLOYMENT_P)
    score = np.clip(rng.normal(708 - 7.5 * b_years, 72), 300, 900).astype(np.int32)
    verified = rng.random(n_borrowers) >= 0.08 + 0.045 * b_years
    true_income = np.asarray(INCOME_MEDIAN)[employment] * np.exp(rng.normal(0, 0.45, n_borrowers))
    inflate = np.where(verified, 1.0, np.exp(np.abs(rng.normal(0.35, 0.25, n_borrowers))))
    income = np.round(true_income * inflate, -2)
    age = 21 + rng.gamma(4.0, 3.2, n_borrowers).astype(np.int32)
    birth_year = (2017 + b_years.astype(np.int32) - np.minimum(age, 62)).astype(np.int32)
    region = _pick(rng, n_borrowers, REGION_W)
    return borrower, Borrowers(
        n=n_borrowers,
        score=score,
        verified=verified,
        income=income,
        birth_year=birth_year,
        employment=employment,
        region=region,
    )


def _contracts(
    rng: np.random.Generator, product: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Principal (cents), term, repayment method and purpose of each loan, drawn by product."""
    n = product.size
    principal_c = np.empty(n, dtype=np.int64)
    term = np.empty(n, dtype=np.int32)
    method = np.empty(n, dtype=np.int8)
    purpose = np.empty(n, dtype=np.int8)
    for code, name in enumerate(PRODUCTS):
        idx = np.flatnonzero(product == code)
        median, sd, low, high = PRINCIPAL[name]
        amount = np.clip(median * np.exp(rng.normal(0, sd, idx.size)), low, high)
        principal_c[idx] = np.round(amount, -2).astype(np.int64) * 100
        choices, weights = TERMS[name]
        term[idx] = np.asarray(choices)[_pick(rng, idx.size, weights)]
        purposes = PURPOSES[name]
        codes = np.array([PURPOSE_CODES.index(p) for p in purposes])
        purpose[idx] = codes[_pick(rng, idx.size, [1.0] * len(purposes))]
        bullet_p = {"personal": 0.05, "consumer": 0.3, "small_business": 0.35}[name]
        u = rng.random(idx.size)
        short = term[idx] <= 6
        method[idx] = np.where(
            u < np.where(short, bullet_p * 1.5, bullet_p * 0.5), 2, np.where(rng.random(idx.size) < 0.6, 0, 1)
        )
    return principal_c, term, method, purpose


# --- schedules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ledger:
    """Each loan's cumulative scheduled principal and interest (cents) after installment j = 0..term."""

    cum_start: np.ndarray  # int64: position of loan i's j = 0 entry
    cum_p: np.ndarray  # int32 (every loan's total fits: principal <= 1e8 cents)
    cum_i: np.ndarray

    def cp(self, idx: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Scheduled principal of installments 1..j of loans idx, in cents."""
        return self.cum_p[self.cum_start[idx] + j]

    def ci(self, idx: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Scheduled interest of installments 1..j of loans idx, in cents."""
        return self.cum_i[self.cum_start[idx] + j]


def _schedule(book: Book, emit: Callable[[dict], None], chunk_rows: int | None) -> _Ledger:
    """Contractual schedules in loan ranges of at most chunk_rows installments (each emitted); the ledger."""
    n, term = book.n, book.term
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(term, out=start[1:])
    cum_start = start[:-1] + np.arange(n)
    cum_p = np.zeros(int(start[-1]) + n, dtype=np.int32)
    cum_i = np.zeros(int(start[-1]) + n, dtype=np.int32)
    lo = 0
    while lo < n:
        hi = n
        if chunk_rows is not None:
            hi = min(max(int(np.searchsorted(start, start[lo] + chunk_rows, side="right")) - 1, lo + 1), n)
        rows, chunk_p, chunk_i = _schedule_rows(book, lo, hi)
        at = int(cum_start[lo])
        if max(chunk_p.max(initial=0), chunk_i.max(initial=0)) >= 2**31:
            raise OverflowError("a loan's scheduled total does not fit the int32 ledger")
        cum_p[at : at + chunk_p.size] = chunk_p
        cum_i[at : at + chunk_i.size] = chunk_i
        emit(rows)
        lo = hi
    return _Ledger(cum_start=cum_start, cum_p=cum_p, cum_i=cum_i)


def _schedule_rows(book: Book, lo: int, hi: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """Schedule rows (cents, loan-major) of loans lo..hi-1 and their cumulative sums with a leading 0."""
    n, term = hi - lo, book.term[lo:hi]
    rows = int(term.sum())
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(term, out=start[1:])
    loan = np.repeat(np.arange(n), term)
    j = np.arange(rows) - start[loan] + 1  # installment number
    p = book.principal_c[lo:hi][loan] / 100.0
    r = book.rate[lo:hi][loan] / 12.0
    t = term[loan]
    method = book.method[lo:hi][loan]
    last = j == t

    # balance before each installment: bullet keeps the whole principal until the end
    balance = p.copy()
    principal = np.zeros(rows)
    ann = np.flatnonzero(method == 0)
    ra = r[ann]
    grow = (1 + ra) ** (j[ann] - 1)
    payment = p[ann] * ra / (1 - (1 + ra) ** -t[ann])
    balance[ann] = p[ann] * grow - payment * (grow - 1) / ra
    principal[ann] = payment - balance[ann] * ra
    ep = np.flatnonzero(method == 1)
    step = np.round(p[ep] / t[ep], 2)
    balance[ep] = p[ep] - (j[ep] - 1) * step
    principal[ep] = step
    interest_c = np.rint(balance * r * 100).astype(np.int64)
    principal_c = np.rint(principal * 100).astype(np.int64)
    principal_c[last] = 0
    per_loan = np.add.reduceat(principal_c, start[:-1]) if rows else np.zeros(n, np.int64)
    principal_c[last] = book.principal_c[lo:hi] - per_loan

    def cumulative(values: np.ndarray) -> np.ndarray:
        padded = np.zeros(rows + n, dtype=np.int64)
        padded[np.arange(rows) + loan + 1] = values
        total = np.cumsum(padded)
        return total - np.repeat(total[start[:-1] + np.arange(n)], term + 1)

    due_day = _day_number(_MONTH0 + book.month[lo:hi][loan] + j, book.day[lo:hi][loan])
    schedule = {
        "loan": loan + lo,
        "no": j.astype(np.int32),
        "due_day": due_day,
        "principal_c": principal_c,
        "interest_c": interest_c,
    }
    return schedule, cumulative(principal_c), cumulative(interest_c)


# --- monthly simulation ----------------------------------------------------------------------------


class _Rows:
    """Column chunks appended per step, handed to `full` as whole arrays every `limit` rows (or at flush)."""

    def __init__(
        self, *names: str, limit: int | None = None, full: Callable[[dict], None] | None = None
    ) -> None:
        self.chunks: dict[str, list[np.ndarray]] = {name: [] for name in names}
        self.size = 0
        self.limit, self.full = limit, full

    def add(self, **cols: np.ndarray | int | float) -> None:
        """Append one chunk; scalars are repeated to the length of the array columns."""
        size = next(np.size(v) for v in cols.values() if np.ndim(v) > 0)
        for name, value in cols.items():
            self.chunks[name].append(np.broadcast_to(value, size) if np.ndim(value) == 0 else value)
        self.size += size
        if self.limit is not None and self.size >= self.limit:
            self.flush()

    def arrays(self) -> dict[str, np.ndarray]:
        """Every column as one array (rows in the order they were added)."""
        return {name: np.concatenate(parts) if parts else np.empty(0) for name, parts in self.chunks.items()}

    def flush(self) -> None:
        """Hand the rows collected so far to `full` and start empty."""
        if self.full is not None and self.size:
            self.full(self.arrays())
            self.chunks = {name: [] for name in self.chunks}
            self.size = 0


@dataclass
class _Walk:
    """Every loan's state while the calendar months are walked (one entry per loan)."""

    paid_n: np.ndarray  # installments fully paid by the borrower
    part_p: np.ndarray  # partial payment (cents) toward installment paid_n + 1
    part_i: np.ndarray
    status: np.ndarray  # 0 open, 1 paid off, 2 charged off
    bought: np.ndarray  # bought out by the guarantor
    early: np.ndarray  # this delinquency episode got a first contact within 3 days
    contact: np.ndarray  # days from the missed due date to first contact
    legal: np.ndarray  # a court case was filed
    co_day: np.ndarray  # charge-off day
    co_amount: np.ndarray  # principal charged off, cents

    @classmethod
    def start(cls, n: int) -> _Walk:
        """Every loan open, nothing paid."""
        return cls(
            paid_n=np.zeros(n, dtype=np.int32),
            part_p=np.zeros(n, dtype=np.int64),
            part_i=np.zeros(n, dtype=np.int64),
            status=np.zeros(n, dtype=np.int8),
            bought=np.zeros(n, dtype=bool),
            early=np.zeros(n, dtype=bool),
            contact=np.zeros(n, dtype=np.int32),
            legal=np.zeros(n, dtype=bool),
            co_day=np.zeros(n, dtype=np.int64),
            co_amount=np.zeros(n, dtype=np.int64),
        )


@dataclass(frozen=True)
class _Month:
    """Calendar month t of the walk: its open loans (a) with their step k and due dates D_k, D_k+1."""

    t: int
    s: float  # stress index
    years: float
    a: np.ndarray
    k: np.ndarray
    am: np.ndarray  # origination month, months since 1970-01
    d_k: np.ndarray
    d_next: np.ndarray
    tm: np.ndarray  # term
    kk: np.ndarray  # min(k, term)

    @classmethod
    def of(cls, book: Book, a: np.ndarray, t: int, stress: float) -> _Month:
        """The month's view of the open loans a."""
        k = t - book.month[a]
        am = _MONTH0 + book.month[a]
        tm = book.term[a]
        return cls(
            t=t,
            s=stress,
            years=t / 12,
            a=a,
            k=k,
            am=am,
            d_k=_day_number(am + k, book.day[a]),
            d_next=_day_number(am + k + 1, book.day[a]),
            tm=tm,
            kk=np.minimum(k, tm),
        )


@dataclass(frozen=True)
class _Late:
    """The loans behind at a step (one entry each) with their oldest unpaid installment j."""

    loan: np.ndarray
    j: np.ndarray
    kk: np.ndarray
    dk: np.ndarray
    dn: np.ndarray
    stage: np.ndarray  # unpaid due dates, capped at the last CURE_BY_STAGE entry
    pending: np.ndarray  # guaranteed and not yet bought out: the guarantor buys out at DPD 90
    threshold: np.ndarray  # the buy-out (DPD 90) or charge-off (DPD 180) day
    room: np.ndarray  # last day offset a payment can still come

    def where(self, mask: np.ndarray) -> _Late:
        """The loans of mask only."""
        return _Late(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})


def _age_factor(k: np.ndarray) -> np.ndarray:
    """Miss hazard by months on book: low at first, peaking in months 4-10, easing later."""
    return np.interp(k, [1, 2, 4, 10, 24, 36], [0.55, 0.85, 1.2, 1.2, 0.85, 0.7])


@dataclass(frozen=True)
class _Run:
    """What the walk works on: its random draws, the book, the schedule ledger, the walk state, the cash."""

    rng: np.random.Generator
    book: Book
    ledger: _Ledger
    walk: _Walk
    cash: _Cash


def _simulate(run: _Run, stress: np.ndarray, tick: Callable[[float], None]) -> None:
    """Walk every loan month by month, adding repayment and event rows to cash and updating walk."""
    book, walk = run.book, run.walk
    # static part of the monthly miss hazard: grade, misreported income, vintage (looser screening
    # lets in worse borrowers within a grade), product and channel
    hazard0 = (
        MISS_BASE[book.grade]
        * np.where(book.verified, 1.0, 1.9)
        * (1 + 0.06 * (book.month / 12))
        * np.where(book.product == 2, 1.15, 1.0)
        * np.where(book.channel == 1, 0.85, 1.0)
    )
    prepay0 = PREPAY_PROB * np.where(book.grade <= 1, 1.3, np.where(book.grade >= 5, 0.75, 1.0))
    first_open = np.searchsorted(book.month, np.arange(N_MONTHS + 1), side="left")
    open_ = np.empty(0, dtype=np.int64)
    for t in range(1, N_MONTHS):
        tick(t / N_MONTHS)
        open_ = np.concatenate([open_[walk.status[open_] == 0], np.arange(first_open[t - 1], first_open[t])])
        month = _Month.of(book, open_, t, float(stress[t]))
        late, new = _pay_current(run, month, hazard0, prepay0)
        _walk_late(run, month, late, new)
    tick(1.0)


def _pay_current(
    run: _Run, m: _Month, hazard0: np.ndarray, prepay0: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Current borrowers with installment k due pay it (some prepay) or miss it; (behind, just missed)."""
    rng, book, ledger, walk, cash = run.rng, run.book, run.ledger, run.walk, run.cash
    a, k = m.a, m.k
    cur = (walk.paid_n[a] == k - 1) & (k <= m.tm)
    c_idx = np.flatnonzero(cur)
    ca = a[c_idx]
    ck = k[c_idx]
    last = ck == m.tm[c_idx]
    hz = hazard0[ca] * (1 + 0.7 * m.s) * _age_factor(ck) * np.where(last & (book.method[ca] == 2), 2.5, 1.0)
    u = rng.random(ca.size)
    miss = u < hz
    ok = ~miss
    oa, ok_k = ca[ok], ck[ok]
    cash.pay.add(
        loan=oa,
        day=m.d_k[c_idx][ok],
        p=ledger.cp(oa, ok_k) - ledger.cp(oa, ok_k - 1),
        i=ledger.ci(oa, ok_k) - ledger.ci(oa, ok_k - 1),
        source=0,
    )
    walk.paid_n[oa] = ok_k
    walk.status[oa[ok_k == book.term[oa]]] = 1
    prepay = (u > 1 - prepay0[ca] * (1 - 0.3 * m.s)) & ok & ~last
    pa_ = ca[prepay]
    pk = ck[prepay]
    x = rng.integers(1, 20, pa_.size)
    remaining = book.principal_c[pa_] - ledger.cp(pa_, pk)
    cash.pay.add(
        loan=pa_,
        day=m.d_k[c_idx][prepay] + x,
        p=remaining,
        i=np.round(remaining * book.rate[pa_] * x / 365).astype(np.int64),
        source=0,
    )
    walk.status[pa_] = 1
    new = np.zeros(a.size, dtype=bool)
    new[c_idx[miss]] = True
    return new | (~cur & (walk.status[a] == 0)), new


def _walk_late(run: _Run, m: _Month, late: np.ndarray, new: np.ndarray) -> None:
    """Loans behind (just missed or already late): contact, cure, partial pay, collections, DPD 90/180."""
    rng, book, walk = run.rng, run.book, run.walk
    li = np.flatnonzero(late)
    la = m.a[li]
    if la.size == 0:
        return
    lk, dk, dn = m.k[li], m.d_k[li], m.d_next[li]
    is_new = new[li]
    j = walk.paid_n[la] + 1  # oldest unpaid installment
    stage = np.minimum(lk - j + 1, CURE_BY_STAGE.size - 1)
    d_j = _day_number(m.am[li] + j, book.day[la])
    fresh = la[is_new]
    walk.early[fresh] = rng.random(fresh.size) < 0.8 - 0.06 * m.years
    walk.contact[fresh] = np.where(
        walk.early[fresh], rng.integers(1, 4, fresh.size), rng.integers(8, 28, fresh.size)
    )
    walk.legal[fresh] = False
    pending = (book.guarantee[la] > 0) & ~walk.bought[la]
    threshold = d_j + np.where(pending, 90, 180)
    behind = _Late(
        loan=la,
        j=j,
        kk=m.kk[li],
        dk=dk,
        dn=dn,
        stage=stage,
        pending=pending,
        threshold=threshold,
        room=np.minimum(dn - dk - 1, threshold - dk - 1),
    )
    cure = _cure(run, m, behind, is_new)
    still = behind.where(~cure)
    _pay_part(run, still)
    _collect(run, m, still)
    _buy_out_or_charge_off(run, still)


def _cure(run: _Run, m: _Month, late: _Late, is_new: np.ndarray) -> np.ndarray:
    """First contact of new episodes; borrowers who cure pay every unpaid installment late. The cure mask."""
    rng, book, ledger, walk, cash = run.rng, run.book, run.ledger, run.walk, run.cash
    la = late.loan
    cure_p = (
        CURE_BY_STAGE[late.stage]
        * np.where(walk.early[la], 1.35, 0.7)
        * (1 - 0.25 * m.s)
        * np.where(book.verified[la], 1.0, 0.8)
    )
    cure_p[walk.bought[la] | (late.room < 1)] = 0.0
    u = rng.random(la.size)
    cure = u < cure_p
    x = 1 + np.floor(rng.random(la.size) * np.maximum(late.room, 1)).astype(np.int64)
    # the first contact of an episode comes before a cure or not at all
    fc = is_new & (~cure | (x > walk.contact[la]))
    cash.ev.add(
        loan=la[fc],
        day=late.dk[fc] + walk.contact[la[fc]],
        kind=np.where(walk.early[la[fc]], 0, 1).astype(np.int8),
        amount=np.nan,
        note=np.where(walk.early[la[fc]], 0, 1).astype(np.int8),
    )
    promised = cure & (late.stage >= 2) & (rng.random(la.size) < 0.5)
    cash.ev.add(
        loan=la[promised],
        day=late.dk[promised] + np.maximum(x[promised] - rng.integers(1, 6, promised.sum()), 0),
        kind=3,
        amount=np.nan,
        note=3,
    )
    cu = la[cure]
    cj, ckk = late.j[cure], late.kk[cure]
    cash.pay.add(
        loan=cu,
        day=late.dk[cure] + x[cure],
        p=ledger.cp(cu, ckk) - ledger.cp(cu, cj - 1) - walk.part_p[cu],
        i=ledger.ci(cu, ckk) - ledger.ci(cu, cj - 1) - walk.part_i[cu],
        source=0,
    )
    walk.paid_n[cu] = ckk
    walk.part_p[cu] = 0
    walk.part_i[cu] = 0
    walk.status[cu[ckk == book.term[cu]]] = 1
    return cure


def _pay_part(run: _Run, late: _Late) -> None:
    """Some borrowers still behind pay part of the oldest unpaid installment (interest first)."""
    rng, ledger, walk, cash = run.rng, run.ledger, run.walk, run.cash
    sa, sj = late.loan, late.j
    rem_p = ledger.cp(sa, sj) - ledger.cp(sa, sj - 1) - walk.part_p[sa]
    rem_i = ledger.ci(sa, sj) - ledger.ci(sa, sj - 1) - walk.part_i[sa]
    partial = (
        (rng.random(sa.size) < PARTIAL_PROB) & ~walk.bought[sa] & (late.room >= 1) & (rem_p + rem_i >= 200)
    )
    amount = np.floor((rem_p + rem_i) * rng.uniform(0.2, 0.7, sa.size)).astype(np.int64)
    to_i = np.minimum(amount, rem_i)
    pp_ = sa[partial]
    cash.pay.add(
        loan=pp_,
        day=late.dk[partial] + 1 + np.floor(rng.random(pp_.size) * late.room[partial]).astype(np.int64),
        p=(amount - to_i)[partial],
        i=to_i[partial],
        source=0,
    )
    walk.part_p[pp_] += (amount - to_i)[partial]
    walk.part_i[pp_] += to_i[partial]


def _collect(run: _Run, m: _Month, late: _Late) -> None:
    """Collections: a call at the second missed date, visit / promise at the third, court at the fourth."""
    rng, book, walk, cash = run.rng, run.book, run.walk, run.cash
    sa, sdk, sstage = late.loan, late.dk, late.stage
    r = rng.random((4, sa.size))
    o = rng.integers(1, 20, (3, sa.size))
    calls = sstage == 2
    cash.ev.add(loan=sa[calls], day=sdk[calls] + o[0][calls] % 7 + 1, kind=1, amount=np.nan, note=1)
    visits = (sstage == 3) & (r[0] < 0.75 - 0.06 * m.years)
    cash.ev.add(loan=sa[visits], day=sdk[visits] + o[1][visits], kind=2, amount=np.nan, note=2)
    promises = (sstage == 3) & (r[1] < 0.3)
    cash.ev.add(loan=sa[promises], day=sdk[promises] + o[2][promises], kind=3, amount=np.nan, note=3)
    files = (sstage == 4) & (r[2] < np.where(book.principal_c[sa] >= 3_000_000, 0.6, 0.25))
    fa = sa[files]
    filed_on = sdk[files] + o[0][files]
    cash.ev.add(loan=fa, day=filed_on, kind=4, amount=np.nan, note=4)
    cash.ev.add(loan=fa, day=filed_on + rng.integers(60, 200, fa.size), kind=5, amount=np.nan, note=5)
    walk.legal[fa] = True


def _buy_out_or_charge_off(run: _Run, late: _Late) -> None:
    """DPD 90 on a guaranteed loan: buy-out; DPD 180 otherwise: charge-off of the principal unpaid."""
    book, ledger, walk, cash = run.book, run.ledger, run.walk, run.cash
    thr = late.threshold
    hits = thr < late.dn
    bo = hits & late.pending
    ba = late.loan[bo]
    # the guarantor pays the remaining principal and the interest due so far
    cash.pay.add(
        loan=ba,
        day=thr[bo],
        p=book.principal_c[ba] - ledger.cp(ba, late.j[bo] - 1) - walk.part_p[ba],
        i=ledger.ci(ba, late.kk[bo]) - ledger.ci(ba, late.j[bo] - 1) - walk.part_i[ba],
        source=1,
    )
    walk.bought[ba] = True
    co = hits & ~late.pending
    coa = late.loan[co]
    walk.co_day[coa] = thr[co]
    walk.co_amount[coa] = book.principal_c[coa] - ledger.cp(coa, late.j[co] - 1) - walk.part_p[coa]
    walk.status[coa] = 2
    cash.ev.add(loan=coa, day=thr[co], kind=6, amount=walk.co_amount[coa] / 100.0, note=6)


def _recover(rng: np.random.Generator, walk: _Walk, pay: _Rows) -> None:
    """Collection recoveries after charge-off: 1-6 payments within 24 months, more after a court case."""
    idx = np.flatnonzero(walk.status == 2)
    legal = walk.legal[idx]
    some = rng.random(idx.size) < np.where(legal, 0.8, 0.45)
    share = np.minimum(rng.beta(1.6, 5.0, idx.size) * np.where(legal, 1.5, 1.0), 0.9)
    total = np.floor(walk.co_amount[idx] * share).astype(np.int64)
    keep = some & (total >= 100)
    idx, total = idx[keep], total[keep]
    count = rng.integers(1, 7, idx.size)
    loan = np.repeat(idx, count)
    first = np.zeros(idx.size + 1, dtype=np.int64)
    np.cumsum(count, out=first[1:])
    weight = rng.random(loan.size) + 0.2
    weight_sum = np.add.reduceat(weight, first[:-1])
    amount = np.floor(np.repeat(total, count) * weight / np.repeat(weight_sum, count)).astype(np.int64)
    amount[first[:-1]] += total - np.add.reduceat(amount, first[:-1])
    offset = rng.integers(20, 720, loan.size)
    pay.add(loan=loan, day=walk.co_day[loan] + offset, p=amount, i=0, source=2)


class _Cash:
    """The walk's repayment and event rows, handed on as canonical frames; the reserve's monthly flows."""

    def __init__(self, book: Book, ids: _Ids, emit: Emit, limit: int | None, bought: np.ndarray) -> None:
        self.book, self.ids, self.emit, self.bought = book, ids, emit, bought
        self.pay = _Rows("loan", "day", "p", "i", "source", limit=limit, full=self._repayments)
        self.ev = _Rows("loan", "day", "kind", "amount", "note", limit=limit, full=self._events)
        # the reserve: 2.5 % of every platform-channel origination in, reserve buy-outs out, recoveries in
        self.flow = np.zeros(N_MONTHS)
        platform = book.channel == 0
        np.add.at(self.flow, book.month[platform], np.round(book.principal_c[platform] * RESERVE_FEE))

    def flush(self) -> None:
        """Hand on every row collected so far."""
        self.pay.flush()
        self.ev.flush()

    def _repayments(self, pay: dict[str, np.ndarray]) -> None:
        """Rows up to the observation end, sorted by loan, day and source; their reserve flows."""
        seen = pay["day"] <= _OBS_DAY
        order = np.lexsort((pay["source"][seen], pay["day"][seen], pay["loan"][seen]))
        pay = {name: values[seen][order] for name, values in pay.items()}
        loan = pay["loan"]
        on_reserve = self.book.guarantee[loan] == 1
        guarantor = (pay["source"] == 1) & on_reserve
        # recoveries come after the walk, when every buy-out is known
        recovered = (pay["source"] == 2) & on_reserve & self.bought[loan]
        total = pay["p"] + pay["i"]
        months = pay["day"].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) - _MONTH0
        np.add.at(self.flow, months[guarantor], -total[guarantor])
        np.add.at(self.flow, months[recovered], total[recovered])
        self.emit("repayments", _repayment_frame(pay, self.ids))

    def _events(self, ev: dict[str, np.ndarray]) -> None:
        """Event rows up to the observation end, sorted by loan, day and kind."""
        seen = ev["day"] <= _OBS_DAY
        order = np.lexsort((ev["kind"][seen], ev["day"][seen], ev["loan"][seen]))
        self.emit("loan_events", _event_frame({name: v[seen][order] for name, v in ev.items()}, self.ids))

    def reserve_frame(self) -> pd.DataFrame:
        """Month-end reserve balance from the flows of every repayment handed on."""
        month_end = (FIRST_MONTH + np.arange(N_MONTHS) + 1).astype("datetime64[D]") - 1
        return pd.DataFrame(
            {"month_end": month_end.astype("datetime64[s]"), "balance": _money(np.cumsum(self.flow))}
        )


# --- investors -------------------------------------------------------------------------------------


def _investor_count(loans: int) -> int:
    """Investors of a platform with this many loans."""
    return max(30, round(loans * 3000 / 40_000))


def _fund(rng: np.random.Generator, book: Book) -> tuple[dict, dict]:
    """Investors and their fractional holdings: every loan fully funded to the cent."""
    n = book.n
    n_inv = _investor_count(n)
    n_inst = max(3, round(n_inv * 0.03))
    segment = np.zeros(n_inv, dtype=np.int8)
    segment[:n_inst] = 1
    profile = np.where(segment == 1, 3, _pick(rng, n_inv, (0.4, 0.4, 0.2))).astype(np.int8)
    perm = rng.permutation(n_inv)
    segment, profile = segment[perm], profile[perm]
    activity = np.exp(rng.normal(0, 1.1, n_inv)) * np.where(profile == 0, 0.5, 1.0)

    per_loan = HOLDERS_PER_LOAN if n <= LARGE_BOOK else HOLDERS_PER_LOAN_LARGE
    inst = book.channel == 1
    holders = np.where(inst, rng.integers(1, 5, n), rng.integers(per_loan, per_loan + 6, n))
    holders = np.clip(np.minimum(holders, book.principal_c // 10_000), 1, None)
    loan = np.repeat(np.arange(n), holders)
    investor = np.empty(loan.size, dtype=np.int64)
    safe = book.grade[loan] <= 2
    # preference of each risk profile (cautious, balanced, aggressive) for safe (A-C) and risky (D-G) loans
    taste = {True: np.array([3.0, 1.5, 0.3, 0.0]), False: np.array([0.15, 1.0, 3.0, 0.0])}
    for mask, weights in (
        (inst[loan], activity * (segment == 1)),
        (~inst[loan] & safe, activity * taste[True][profile]),
        (~inst[loan] & ~safe, activity * taste[False][profile]),
    ):
        rows = np.flatnonzero(mask)
        cdf = np.cumsum(weights / weights.sum())
        investor[rows] = np.minimum(np.searchsorted(cdf, rng.random(rows.size), side="right"), n_inv - 1)
    del safe

    # merge an investor's duplicate picks of one loan, then split the principal in cents
    key = np.sort(loan * n_inv + investor)
    del loan, investor
    key = key[np.r_[True, key[1:] != key[:-1]]]
    loan, investor = key // n_inv, key % n_inv
    del key
    first = np.flatnonzero(np.r_[True, loan[1:] != loan[:-1]])
    weight = rng.random(loan.size) + 0.3
    weight_sum = np.add.reduceat(weight, first)
    counts = np.diff(np.r_[first, loan.size])
    amount = np.floor(book.principal_c[loan] * weight / np.repeat(weight_sum, counts)).astype(np.int64)
    amount[first] += book.principal_c - np.add.reduceat(amount, first)
    invested = book.orig_day[loan]

    joined = rng.integers(_day_number(np.array([_MONTH0 - 6]), np.array([1]))[0], _OBS_DAY, n_inv)
    earliest = np.full(n_inv, np.iinfo(np.int64).max)
    np.minimum.at(earliest, investor, invested)
    joined = np.where(earliest < joined, earliest - rng.integers(0, 90, n_inv), joined)
    investors = {
        "segment": segment,
        "profile": profile,
        "region": _pick(rng, n_inv, REGION_W),
        "joined": joined,
    }
    return investors, {"loan": loan, "investor": investor, "amount": amount, "day": invested}


# --- frames ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ids:
    """The text ids of loans, borrowers and investors (arrow string arrays, index = number - 1)."""

    loans: pa.Array
    borrowers: pa.Array
    investors: pa.Array

    @classmethod
    def of(cls, book: Book) -> _Ids:
        """L0000001.., B0000001.., I000001.. for this book (at least 7, 7 and 6 digits)."""
        n, nb, ni = book.n, book.borrowers.n, _investor_count(book.n)
        return cls(
            loans=_ids("L", n, max(7, len(str(n)))),
            borrowers=_ids("B", nb, max(7, len(str(nb)))),
            investors=_ids("I", ni, max(6, len(str(ni)))),
        )


def _ids(prefix: str, count: int, width: int, first: int = 1) -> pa.Array:
    """Ids prefix + zero-padded first..first+count-1 as an arrow string array."""
    return _ids_of(prefix, np.arange(first, first + count), width)


def _ids_of(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Ids prefix + zero-padded numbers as an arrow string array (one id per number, in that order)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _str(ids: pa.Array, take: np.ndarray | None = None) -> pd.Series:
    """A pandas str column from an arrow id array (optionally taking positions)."""
    values = ids if take is None else pc.take(ids, pa.array(take))
    return pd.Series(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _cat(codes: np.ndarray, labels: tuple[str, ...]) -> pd.Categorical:
    """A categorical column of labels from integer codes."""
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(labels))


def _dates(days: np.ndarray) -> np.ndarray:
    """datetime64[s] dates from day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[s]")


def _money(cents: np.ndarray) -> np.ndarray:
    """float64 currency units with 2 decimals from integer cents."""
    return np.round(cents / 100.0, 2)


def _borrower_frame(b: Borrowers, ids: _Ids) -> pd.DataFrame:
    """The borrowers table: one row per borrower."""
    return pd.DataFrame(
        {
            "borrower_id": _str(ids.borrowers),
            "region": _cat(b.region, REGIONS),
            "birth_year": b.birth_year,
            "annual_income": b.income,
            "income_verified": b.verified,
            "employment": _cat(b.employment, EMPLOYMENT),
            "credit_score": b.score,
        }
    )


def _loan_frame(book: Book, ids: _Ids) -> pd.DataFrame:
    """The loans table: one row per loan, money in currency units."""
    return pd.DataFrame(
        {
            "loan_id": _str(ids.loans),
            "borrower_id": _str(ids.borrowers, book.borrower),
            "product": _cat(book.product, PRODUCTS),
            "channel": _cat(book.channel, CHANNELS),
            "grade": _cat(book.grade, GRADES),
            "purpose": _cat(book.purpose, PURPOSE_CODES),
            "originated_on": _dates(book.orig_day),
            "principal": _money(book.principal_c),
            "annual_rate": book.rate,
            "term_months": book.term,
            "repayment_method": _cat(book.method, METHODS),
            "guarantee": _cat(book.guarantee, GUARANTEES),
        }
    )


def _schedule_frame(rows: dict[str, np.ndarray], ids: _Ids) -> pd.DataFrame:
    """Schedule rows: one row per loan per installment."""
    return pd.DataFrame(
        {
            "loan_id": _str(ids.loans, rows["loan"]),
            "installment_no": rows["no"],
            "due_on": _dates(rows["due_day"]),
            "principal_due": _money(rows["principal_c"]),
            "interest_due": _money(rows["interest_c"]),
        }
    )


def _repayment_frame(pay: dict[str, np.ndarray], ids: _Ids) -> pd.DataFrame:
    """Repayment rows: one row per payment (borrower, guarantor or collection)."""
    return pd.DataFrame(
        {
            "loan_id": _str(ids.loans, pay["loan"]),
            "paid_on": _dates(pay["day"]),
            "principal_paid": _money(pay["p"]),
            "interest_paid": _money(pay["i"]),
            "fee_paid": np.zeros(pay["day"].size),
            "source": _cat(pay["source"], SOURCES),
        }
    )


def _event_frame(ev: dict[str, np.ndarray], ids: _Ids) -> pd.DataFrame:
    """Loan event rows: one row per post-loan event."""
    return pd.DataFrame(
        {
            "loan_id": _str(ids.loans, ev["loan"]),
            "event_on": _dates(ev["day"]),
            "kind": _cat(ev["kind"], EVENT_KINDS),
            "amount": ev["amount"].astype(np.float64),
            "note": _cat(ev["note"], EVENT_NOTES),
        }
    )


def _investor_frame(investors: dict[str, np.ndarray], ids: _Ids) -> pd.DataFrame:
    """The investors table: one row per investor."""
    return pd.DataFrame(
        {
            "investor_id": _str(ids.investors),
            "segment": _cat(investors["segment"], ("retail", "institutional")),
            "risk_profile": _cat(investors["profile"], ("cautious", "balanced", "aggressive", "institution")),
            "region": _cat(investors["region"], REGIONS),
            "joined_on": _dates(investors["joined"]),
        }
    )


def _holding_frames(
    holdings: dict[str, np.ndarray], ids: _Ids, chunk_rows: int | None
) -> Iterator[pd.DataFrame]:
    """The holdings table in chunks of chunk_rows rows, in its stored order (investor, then loan); holding
    ids H00000001.. number the holdings in loan order (the order _fund makes them in)."""
    nh = holdings["loan"].size
    width = max(8, len(str(nh)))
    # (investor, loan) is unique and every investor and loan id has one width: number order = text order
    order = np.argsort(holdings["investor"] * len(ids.loans) + holdings["loan"])
    step = chunk_rows or max(nh, 1)
    for lo in range(0, max(nh, 1), step):
        take = order[lo : lo + step]
        part = {name: values[take] for name, values in holdings.items()}
        yield pd.DataFrame(
            {
                "holding_id": _str(_ids_of("H", take + 1, width)),
                "investor_id": _str(ids.investors, part["investor"]),
                "loan_id": _str(ids.loans, part["loan"]),
                "amount": _money(part["amount"]),
                "invested_on": _dates(part["day"]),
            }
        )
