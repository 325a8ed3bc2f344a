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
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lendrisk import store
from lendrisk.vocab import GRADES, PRODUCTS

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
GUARANTEES = ("none", "reserve", "partner")
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


def generate(loans: int = 40_000, seed: int = 7, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """The canonical tables (all but users) of a demo platform with `loans` loans, reproducible by seed."""
    rng = np.random.default_rng(seed)
    say = progress or (lambda _msg, _frac: None)
    say("drawing macro and borrowers", 0.0)
    macro, stress, shock, slowdown = _macro(rng)
    book = _originate(rng, loans, shock, slowdown)
    sched = _schedule(book)
    say("simulating repayments", 0.1)
    cash = _simulate(rng, book, sched, stress, lambda frac: say("simulating repayments", 0.1 + 0.6 * frac))
    say("collections and investors", 0.7)
    _recover(rng, book, cash)
    cash["pay"] = cash["pay"].arrays()
    investors, holdings = _fund(rng, book)
    say("assembling tables", 0.85)
    tables = _frames(book, sched, cash, investors, holdings)
    tables["macro"] = macro
    tables["reserve_fund"] = _reserve(book, cash)
    say("generated", 1.0)
    return tables


def build_demo(
    path: Path | str, loans: int = 40_000, seed: int = 7, progress: Progress | None = None
) -> None:
    """Generate a demo platform and build it into the store at path (atomically)."""
    say = progress or (lambda _msg, _frac: None)
    tables = generate(loans, seed, lambda msg, frac: say(msg, 0.4 * frac))
    store.build_store(
        path,
        tables,
        source=f"demo platform (seed {seed}, {loans} loans)",
        observed_to=OBSERVED_TO,
        progress=lambda msg, frac: say(msg, 0.4 + 0.6 * frac),
    )


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
            "industry_overdue_rate": np.round(
                0.035 + 0.0035 * years + 0.05 * shock + 0.1 * slowdown + 0.001 * noise[2], 4
            ),
        }
    )
    return macro, stress, shock, slowdown


# --- origination -----------------------------------------------------------------------------------


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


def _originate(rng: np.random.Generator, n: int, shock: np.ndarray, slowdown: np.ndarray) -> dict:
    """Loans (sorted by origination) with their borrowers, as numpy arrays in a dict."""
    t = np.arange(N_MONTHS)
    volume = np.exp(0.24 * t / 12) * (1 - 0.35 * shock) * (1 + 0.25 * slowdown)
    month = np.sort(_pick(rng, n, volume).astype(np.int32))  # 0 = 2017-01
    orig_day = _day_number(_MONTH0 + month, rng.integers(1, 32, n))
    day = orig_day - _day_number(_MONTH0 + month, np.ones(n, dtype=np.int64)) + 1  # day of month
    years = month / 12

    # borrowers: about 90 % of loans are a borrower's first; the rest are repeat loans of earlier borrowers
    repeat = (rng.random(n) < 0.1) & (month > month[0])
    first_pos = np.flatnonzero(~repeat)
    n_borrowers = first_pos.size
    borrower = np.empty(n, dtype=np.int64)
    borrower[first_pos] = np.arange(n_borrowers)
    earlier = np.searchsorted(month[first_pos], month[repeat], side="left")
    borrower[repeat] = np.floor(rng.random(earlier.size) * earlier).astype(np.int64)

    # borrower attributes, drawn at the first loan: screening loosens as volume grows
    b_years = years[first_pos]
    employment = _pick(rng, n_borrowers, EMPLOYMENT_P)
    score = np.clip(rng.normal(708 - 7.5 * b_years, 72), 300, 900).astype(np.int32)
    verified = rng.random(n_borrowers) >= 0.08 + 0.045 * b_years
    true_income = np.asarray(INCOME_MEDIAN)[employment] * np.exp(rng.normal(0, 0.45, n_borrowers))
    inflate = np.where(verified, 1.0, np.exp(np.abs(rng.normal(0.35, 0.25, n_borrowers))))
    income = np.round(true_income * inflate, -2)
    age = 21 + rng.gamma(4.0, 3.2, n_borrowers).astype(np.int32)
    birth_year = (2017 + b_years.astype(np.int32) - np.minimum(age, 62)).astype(np.int32)
    region = _pick(rng, n_borrowers, REGION_W)

    # loan attributes
    emp = employment[borrower]
    business = (emp == 1) | (emp == 2)
    product = np.where(business, _pick(rng, n, (0.25, 0.2, 0.55)), _pick(rng, n, (0.47, 0.45, 0.08))).astype(
        np.int8
    )
    loan_score = np.clip(score[borrower] + rng.normal(0, 22, n), 300, 900)
    grade = np.clip(np.searchsorted(-GRADE_CUTS, -loan_score, side="left"), 0, 6).astype(np.int8)
    rate = np.round(np.clip(GRADE_RATE[grade] + rng.normal(0, 0.005, n), 0.05, 0.36), 4)
    channel = (rng.random(n) < 0.08 + 0.03 * years).astype(np.int8)
    u = rng.random(n)
    guarantee = np.where(
        channel == 1,
        np.where(u < 0.6, 2, 0),
        np.where(u < np.select([grade <= 2, grade == 3], [0.5, 0.25], 0.0), 1, 0),
    ).astype(np.int8)
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
    return {
        "n": n,
        "month": month,
        "day": day,
        "orig_day": orig_day,
        "borrower": borrower,
        "n_borrowers": n_borrowers,
        "b_score": score,
        "b_verified": verified,
        "b_income": income,
        "b_birth_year": birth_year,
        "b_employment": employment,
        "b_region": region,
        "product": product,
        "channel": channel,
        "grade": grade,
        "purpose": purpose,
        "rate": rate,
        "term": term,
        "method": method,
        "guarantee": guarantee,
        "principal_c": principal_c,
        "verified": verified[borrower],
    }


# --- schedules -------------------------------------------------------------------------------------


def _schedule(book: dict) -> dict:
    """Contractual schedules in cents (flat, loan-major) and per-loan cumulative sums with a leading 0."""
    n, term = book["n"], book["term"]
    rows = int(term.sum())
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(term, out=start[1:])
    loan = np.repeat(np.arange(n), term)
    j = np.arange(rows) - start[loan] + 1  # installment number
    p = book["principal_c"][loan] / 100.0
    r = book["rate"][loan] / 12.0
    t = term[loan]
    method = book["method"][loan]
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
    principal_c[last] = book["principal_c"] - per_loan

    def cumulative(values: np.ndarray) -> np.ndarray:
        padded = np.zeros(rows + n, dtype=np.int64)
        padded[np.arange(rows) + loan + 1] = values
        total = np.cumsum(padded)
        return total - np.repeat(total[start[:-1] + np.arange(n)], term + 1)

    due_day = _day_number(_MONTH0 + book["month"][loan] + j, book["day"][loan])
    return {
        "start": start,
        "loan": loan,
        "no": j.astype(np.int32),
        "due_day": due_day,
        "principal_c": principal_c,
        "interest_c": interest_c,
        "cum_start": start[:-1] + np.arange(n),
        "cum_p": cumulative(principal_c),
        "cum_i": cumulative(interest_c),
    }


# --- monthly simulation ----------------------------------------------------------------------------


class _Rows:
    """Column chunks appended per step, concatenated at the end."""

    def __init__(self, *names: str) -> None:
        self.chunks: dict[str, list[np.ndarray]] = {name: [] for name in names}

    def add(self, **cols: np.ndarray | int | float) -> None:
        """Append one chunk; scalars are repeated to the length of the array columns."""
        size = next(np.size(v) for v in cols.values() if np.ndim(v) > 0)
        for name, value in cols.items():
            self.chunks[name].append(np.broadcast_to(value, size) if np.ndim(value) == 0 else value)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every column as one array (rows in the order they were added)."""
        return {name: np.concatenate(parts) if parts else np.empty(0) for name, parts in self.chunks.items()}


def _age_factor(k: np.ndarray) -> np.ndarray:
    """Miss hazard by months on book: low at first, peaking in months 4-10, easing later."""
    return np.interp(k, [1, 2, 4, 10, 24, 36], [0.55, 0.85, 1.2, 1.2, 0.85, 0.7])


def _simulate(
    rng: np.random.Generator, book: dict, sched: dict, stress: np.ndarray, tick: Callable[[float], None]
) -> dict:
    """Walk every loan month by month; repayment and event rows plus each loan's final status."""
    n = book["n"]
    cum_start, cum_p, cum_i = sched["cum_start"], sched["cum_p"], sched["cum_i"]
    month, day, term = book["month"], book["day"], book["term"]
    principal_c, rate, grade = book["principal_c"], book["rate"], book["grade"]
    guaranteed = book["guarantee"] > 0
    big = principal_c >= 3_000_000
    # static part of the monthly miss hazard: grade, misreported income, vintage (looser screening
    # lets in worse borrowers within a grade), product and channel
    vintage_years = month / 12
    hazard0 = (
        MISS_BASE[grade]
        * np.where(book["verified"], 1.0, 1.9)
        * (1 + 0.06 * vintage_years)
        * np.where(book["product"] == 2, 1.15, 1.0)
        * np.where(book["channel"] == 1, 0.85, 1.0)
    )
    prepay0 = PREPAY_PROB * np.where(grade <= 1, 1.3, np.where(grade >= 5, 0.75, 1.0))

    paid_n = np.zeros(n, dtype=np.int32)  # installments fully paid by the borrower
    part_p = np.zeros(n, dtype=np.int64)  # partial payment (cents) toward installment paid_n + 1
    part_i = np.zeros(n, dtype=np.int64)
    status = np.zeros(n, dtype=np.int8)  # 0 open, 1 paid off, 2 charged off
    bought = np.zeros(n, dtype=bool)
    early = np.zeros(n, dtype=bool)  # this delinquency episode got a first contact within 3 days
    contact = np.zeros(n, dtype=np.int32)  # days from the missed due date to first contact
    legal = np.zeros(n, dtype=bool)
    co_day = np.zeros(n, dtype=np.int64)
    co_amount = np.zeros(n, dtype=np.int64)

    pay = _Rows("loan", "day", "p", "i", "source")
    ev = _Rows("loan", "day", "kind", "amount", "note")
    first_open = np.searchsorted(month, np.arange(N_MONTHS + 1), side="left")
    open_ = np.empty(0, dtype=np.int64)

    def cp(idx: np.ndarray, j: np.ndarray) -> np.ndarray:
        return cum_p[cum_start[idx] + j]

    def ci(idx: np.ndarray, j: np.ndarray) -> np.ndarray:
        return cum_i[cum_start[idx] + j]

    for t in range(1, N_MONTHS):
        tick(t / N_MONTHS)
        open_ = np.concatenate([open_[status[open_] == 0], np.arange(first_open[t - 1], first_open[t])])
        a = open_
        k = t - month[a]
        am = _MONTH0 + month[a]
        d_k = _day_number(am + k, day[a])
        d_next = _day_number(am + k + 1, day[a])
        tm = term[a]
        kk = np.minimum(k, tm)
        s = stress[t]
        years = t / 12

        # current borrowers with installment k due on D_k
        cur = (paid_n[a] == k - 1) & (k <= tm)
        c_idx = np.flatnonzero(cur)
        ca = a[c_idx]
        ck = k[c_idx]
        last = ck == tm[c_idx]
        hz = (
            hazard0[ca]
            * (1 + 0.7 * s)
            * _age_factor(ck)
            * np.where(last & (book["method"][ca] == 2), 2.5, 1.0)
        )
        u = rng.random(ca.size)
        miss = u < hz
        ok = ~miss
        oa, ok_k = ca[ok], ck[ok]
        pay.add(
            loan=oa,
            day=d_k[c_idx][ok],
            p=cp(oa, ok_k) - cp(oa, ok_k - 1),
            i=ci(oa, ok_k) - ci(oa, ok_k - 1),
            source=0,
        )
        paid_n[oa] = ok_k
        status[oa[ok_k == term[oa]]] = 1
        prepay = (u > 1 - prepay0[ca] * (1 - 0.3 * s)) & ok & ~last
        pa_ = ca[prepay]
        pk = ck[prepay]
        x = rng.integers(1, 20, pa_.size)
        remaining = principal_c[pa_] - cp(pa_, pk)
        pay.add(
            loan=pa_,
            day=d_k[c_idx][prepay] + x,
            p=remaining,
            i=np.round(remaining * rate[pa_] * x / 365).astype(np.int64),
            source=0,
        )
        status[pa_] = 1

        # delinquent loans: the ones that just missed and those already behind
        new = np.zeros(a.size, dtype=bool)
        new[c_idx[miss]] = True
        late = new | (~cur & (status[a] == 0))
        li = np.flatnonzero(late)
        la = a[li]
        if la.size == 0:
            continue
        lk, lkk, dk, dn = k[li], kk[li], d_k[li], d_next[li]
        is_new = new[li]
        j = paid_n[la] + 1  # oldest unpaid installment
        stage = np.minimum(lk - j + 1, CURE_BY_STAGE.size - 1)
        d_j = _day_number(am[li] + j, day[la])
        fresh = la[is_new]
        early[fresh] = rng.random(fresh.size) < 0.8 - 0.06 * years
        contact[fresh] = np.where(
            early[fresh], rng.integers(1, 4, fresh.size), rng.integers(8, 28, fresh.size)
        )
        legal[fresh] = False
        pending_buyout = guaranteed[la] & ~bought[la]
        threshold = d_j + np.where(pending_buyout, 90, 180)
        room = np.minimum(dn - dk - 1, threshold - dk - 1)  # last day offset a payment can still come
        cure_p = (
            CURE_BY_STAGE[stage]
            * np.where(early[la], 1.35, 0.7)
            * (1 - 0.25 * s)
            * np.where(book["verified"][la], 1.0, 0.8)
        )
        cure_p[bought[la] | (room < 1)] = 0.0
        u = rng.random(la.size)
        cure = u < cure_p
        x = 1 + np.floor(rng.random(la.size) * np.maximum(room, 1)).astype(np.int64)
        # the first contact of an episode comes before a cure or not at all
        fc = is_new & (~cure | (x > contact[la]))
        ev.add(
            loan=la[fc],
            day=dk[fc] + contact[la[fc]],
            kind=np.where(early[la[fc]], 0, 1).astype(np.int8),
            amount=np.nan,
            note=np.where(early[la[fc]], 0, 1).astype(np.int8),
        )
        promised = cure & (stage >= 2) & (rng.random(la.size) < 0.5)
        ev.add(
            loan=la[promised],
            day=dk[promised] + np.maximum(x[promised] - rng.integers(1, 6, promised.sum()), 0),
            kind=3,
            amount=np.nan,
            note=3,
        )
        cu = la[cure]
        cj, ckk = j[cure], lkk[cure]
        pay.add(
            loan=cu,
            day=dk[cure] + x[cure],
            p=cp(cu, ckk) - cp(cu, cj - 1) - part_p[cu],
            i=ci(cu, ckk) - ci(cu, cj - 1) - part_i[cu],
            source=0,
        )
        paid_n[cu] = ckk
        part_p[cu] = 0
        part_i[cu] = 0
        status[cu[ckk == term[cu]]] = 1

        # still behind after this step
        st = ~cure
        sa, sj, sk, sdk, sstage, sroom = la[st], j[st], lkk[st], dk[st], stage[st], room[st]
        rem_p = cp(sa, sj) - cp(sa, sj - 1) - part_p[sa]
        rem_i = ci(sa, sj) - ci(sa, sj - 1) - part_i[sa]
        partial = (rng.random(sa.size) < PARTIAL_PROB) & ~bought[sa] & (sroom >= 1) & (rem_p + rem_i >= 200)
        amount = np.floor((rem_p + rem_i) * rng.uniform(0.2, 0.7, sa.size)).astype(np.int64)
        to_i = np.minimum(amount, rem_i)
        pp_ = sa[partial]
        pay.add(
            loan=pp_,
            day=sdk[partial] + 1 + np.floor(rng.random(pp_.size) * sroom[partial]).astype(np.int64),
            p=(amount - to_i)[partial],
            i=to_i[partial],
            source=0,
        )
        part_p[pp_] += (amount - to_i)[partial]
        part_i[pp_] += to_i[partial]

        # collections: call at the second missed date, visit / promise at the third, court at the fourth
        r = rng.random((4, sa.size))
        o = rng.integers(1, 20, (3, sa.size))
        calls = sstage == 2
        ev.add(loan=sa[calls], day=sdk[calls] + o[0][calls] % 7 + 1, kind=1, amount=np.nan, note=1)
        visits = (sstage == 3) & (r[0] < 0.75 - 0.06 * years)
        ev.add(loan=sa[visits], day=sdk[visits] + o[1][visits], kind=2, amount=np.nan, note=2)
        promises = (sstage == 3) & (r[1] < 0.3)
        ev.add(loan=sa[promises], day=sdk[promises] + o[2][promises], kind=3, amount=np.nan, note=3)
        files = (sstage == 4) & (r[2] < np.where(big[sa], 0.6, 0.25))
        fa = sa[files]
        filed_on = sdk[files] + o[0][files]
        ev.add(loan=fa, day=filed_on, kind=4, amount=np.nan, note=4)
        ev.add(loan=fa, day=filed_on + rng.integers(60, 200, fa.size), kind=5, amount=np.nan, note=5)
        legal[fa] = True

        # DPD 90 on a guaranteed loan: buy-out of remaining principal + unpaid interest due
        thr = threshold[st]
        hits = thr < dn[st]
        bo = hits & pending_buyout[st]
        ba = sa[bo]
        pay.add(
            loan=ba,
            day=thr[bo],
            p=principal_c[ba] - cp(ba, sj[bo] - 1) - part_p[ba],
            i=ci(ba, sk[bo]) - ci(ba, sj[bo] - 1) - part_i[ba],
            source=1,
        )
        bought[ba] = True
        # DPD 180: charge-off of the principal not yet paid by the borrower
        co = hits & ~pending_buyout[st]
        coa = sa[co]
        co_day[coa] = thr[co]
        co_amount[coa] = principal_c[coa] - cp(coa, sj[co] - 1) - part_p[coa]
        status[coa] = 2
        ev.add(loan=coa, day=thr[co], kind=6, amount=co_amount[coa] / 100.0, note=6)

    tick(1.0)
    return {
        "pay": pay,
        "ev": ev.arrays(),
        "status": status,
        "bought": bought,
        "legal": legal,
        "co_day": co_day,
        "co_amount": co_amount,
    }


def _recover(rng: np.random.Generator, book: dict, cash: dict) -> None:
    """Collection recoveries after charge-off: 1-6 payments within 24 months, more after a court case."""
    idx = np.flatnonzero(cash["status"] == 2)
    legal = cash["legal"][idx]
    some = rng.random(idx.size) < np.where(legal, 0.8, 0.45)
    share = np.minimum(rng.beta(1.6, 5.0, idx.size) * np.where(legal, 1.5, 1.0), 0.9)
    total = np.floor(cash["co_amount"][idx] * share).astype(np.int64)
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
    cash["pay"].add(loan=loan, day=cash["co_day"][loan] + offset, p=amount, i=0, source=2)


# --- investors -------------------------------------------------------------------------------------


def _fund(rng: np.random.Generator, book: dict) -> tuple[dict, dict]:
    """Investors and their fractional holdings: every loan fully funded to the cent."""
    n = book["n"]
    n_inv = max(30, round(n * 3000 / 40_000))
    n_inst = max(3, round(n_inv * 0.03))
    segment = np.zeros(n_inv, dtype=np.int8)
    segment[:n_inst] = 1
    profile = np.where(segment == 1, 3, _pick(rng, n_inv, (0.4, 0.4, 0.2))).astype(np.int8)
    perm = rng.permutation(n_inv)
    segment, profile = segment[perm], profile[perm]
    activity = np.exp(rng.normal(0, 1.1, n_inv)) * np.where(profile == 0, 0.5, 1.0)

    per_loan = HOLDERS_PER_LOAN if n <= LARGE_BOOK else HOLDERS_PER_LOAN_LARGE
    inst = book["channel"] == 1
    holders = np.where(inst, rng.integers(1, 5, n), rng.integers(per_loan, per_loan + 6, n))
    holders = np.clip(np.minimum(holders, book["principal_c"] // 10_000), 1, None)
    loan = np.repeat(np.arange(n), holders)
    investor = np.empty(loan.size, dtype=np.int64)
    safe = book["grade"][loan] <= 2
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

    # merge an investor's duplicate picks of one loan, then split the principal in cents
    key = np.sort(loan * n_inv + investor)
    key = key[np.r_[True, key[1:] != key[:-1]]]
    loan, investor = key // n_inv, key % n_inv
    first = np.flatnonzero(np.r_[True, loan[1:] != loan[:-1]])
    weight = rng.random(loan.size) + 0.3
    weight_sum = np.add.reduceat(weight, first)
    counts = np.diff(np.r_[first, loan.size])
    amount = np.floor(book["principal_c"][loan] * weight / np.repeat(weight_sum, counts)).astype(np.int64)
    amount[first] += book["principal_c"] - np.add.reduceat(amount, first)
    invested = book["orig_day"][loan]

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


def _ids(prefix: str, count: int, width: int) -> pa.Array:
    """Ids prefix + zero-padded 1..count as an arrow string array."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.arange(1, count + 1)), pa.string()), width, "0")
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


def _frames(book: dict, sched: dict, cash: dict, investors: dict, holdings: dict) -> dict[str, pd.DataFrame]:
    """The canonical pandas frames (ids as str, codes as category, money as float64)."""
    n, nb = book["n"], book["n_borrowers"]
    loan_ids = _ids("L", n, max(7, len(str(n))))
    borrower_ids = _ids("B", nb, max(7, len(str(nb))))
    n_inv = investors["segment"].size
    investor_ids = _ids("I", n_inv, max(6, len(str(n_inv))))

    borrowers = pd.DataFrame(
        {
            "borrower_id": _str(borrower_ids),
            "region": _cat(book["b_region"], REGIONS),
            "birth_year": book["b_birth_year"],
            "annual_income": book["b_income"],
            "income_verified": book["b_verified"],
            "employment": _cat(book["b_employment"], EMPLOYMENT),
            "credit_score": book["b_score"],
        }
    )
    loans = pd.DataFrame(
        {
            "loan_id": _str(loan_ids),
            "borrower_id": _str(borrower_ids, book["borrower"]),
            "product": _cat(book["product"], PRODUCTS),
            "channel": _cat(book["channel"], CHANNELS),
            "grade": _cat(book["grade"], GRADES),
            "purpose": _cat(book["purpose"], PURPOSE_CODES),
            "originated_on": _dates(book["orig_day"]),
            "principal": _money(book["principal_c"]),
            "annual_rate": book["rate"],
            "term_months": book["term"],
            "repayment_method": _cat(book["method"], METHODS),
            "guarantee": _cat(book["guarantee"], GUARANTEES),
        }
    )
    schedule = pd.DataFrame(
        {
            "loan_id": _str(loan_ids, sched["loan"]),
            "installment_no": sched["no"],
            "due_on": _dates(sched["due_day"]),
            "principal_due": _money(sched["principal_c"]),
            "interest_due": _money(sched["interest_c"]),
        }
    )
    pay = cash["pay"]
    seen = pay["day"] <= _OBS_DAY
    order = np.lexsort((pay["source"][seen], pay["day"][seen], pay["loan"][seen]))
    pay = {name: values[seen][order] for name, values in pay.items()}
    repayments = pd.DataFrame(
        {
            "loan_id": _str(loan_ids, pay["loan"]),
            "paid_on": _dates(pay["day"]),
            "principal_paid": _money(pay["p"]),
            "interest_paid": _money(pay["i"]),
            "fee_paid": np.zeros(pay["day"].size),
            "source": _cat(pay["source"], SOURCES),
        }
    )
    ev = cash["ev"]
    seen = ev["day"] <= _OBS_DAY
    order = np.lexsort((ev["kind"][seen], ev["day"][seen], ev["loan"][seen]))
    ev = {name: values[seen][order] for name, values in ev.items()}
    loan_events = pd.DataFrame(
        {
            "loan_id": _str(loan_ids, ev["loan"]),
            "event_on": _dates(ev["day"]),
            "kind": _cat(ev["kind"], EVENT_KINDS),
            "amount": ev["amount"].astype(np.float64),
            "note": _cat(ev["note"], EVENT_NOTES),
        }
    )
    investor_frame = pd.DataFrame(
        {
            "investor_id": _str(investor_ids),
            "segment": _cat(investors["segment"], ("retail", "institutional")),
            "risk_profile": _cat(investors["profile"], ("cautious", "balanced", "aggressive", "institution")),
            "region": _cat(investors["region"], REGIONS),
            "joined_on": _dates(investors["joined"]),
        }
    )
    nh = holdings["loan"].size
    holding_frame = pd.DataFrame(
        {
            "holding_id": _str(_ids("H", nh, max(8, len(str(nh))))),
            "investor_id": _str(investor_ids, holdings["investor"]),
            "loan_id": _str(loan_ids, holdings["loan"]),
            "amount": _money(holdings["amount"]),
            "invested_on": _dates(holdings["day"]),
        }
    )
    return {
        "borrowers": borrowers,
        "loans": loans,
        "schedule": schedule,
        "repayments": repayments,
        "loan_events": loan_events,
        "investors": investor_frame,
        "holdings": holding_frame,
    }


def _reserve(book: dict, cash: dict) -> pd.DataFrame:
    """Month-end reserve balance: fees on platform originations + recoveries - reserve buy-outs."""
    reserve = book["guarantee"] == 1
    platform = book["channel"] == 0
    flow = np.zeros(N_MONTHS)
    fees = np.round(book["principal_c"][platform] * RESERVE_FEE)
    np.add.at(flow, book["month"][platform], fees)
    pay = cash["pay"]
    seen = pay["day"] <= _OBS_DAY
    loan = pay["loan"][seen]
    on_reserve = reserve[loan]
    guarantor = (pay["source"][seen] == 1) & on_reserve
    recovered = (pay["source"][seen] == 2) & on_reserve & cash["bought"][loan]
    total = pay["p"][seen] + pay["i"][seen]
    months = pay["day"][seen].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) - _MONTH0
    np.add.at(flow, months[guarantor], -total[guarantor])
    np.add.at(flow, months[recovered], total[recovered])
    month_end = (FIRST_MONTH + np.arange(N_MONTHS) + 1).astype("datetime64[D]") - 1
    return pd.DataFrame({"month_end": month_end.astype("datetime64[s]"), "balance": _money(np.cumsum(flow))})
