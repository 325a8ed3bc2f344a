"""Properties of lendrisk.metrics on random valid platforms (hypothesis): sums, ranges and monotonicity."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lendrisk import metrics, sql, store, vocab

pytestmark = pytest.mark.slow  # hypothesis: hundreds of generated platforms, each built into a store

OBSERVED_TO = dt.date(2024, 12, 31)
FIRST_DAY = dt.date(2023, 1, 1)
INVESTORS = ("I1", "I2", "I3")
REGIONS = ("Beijing", "Shanghai", "Sichuan")
# the fields of a drawn loan row, in order
LOAN_FIELDS = "loan_id borrower_id product channel grade originated_on principal term_months repayment_method"
PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day months later, clamped to the 28th so every month has it."""
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, min(day.day, 28))


def split(total: int, parts: int) -> list[int]:
    """A whole number split into parts near-equal whole numbers that add up to it."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


@st.composite
def loan_tables(draw: st.DrawFn, index: int, borrowers: int, guarantors: bool) -> dict[str, list[tuple]]:
    """One loan with its schedule, payments, events and holdings (amounts in cents until the end)."""
    loan_id = f"L{index}"
    principal = draw(st.integers(1, 40)) * 10_000  # 100 .. 4,000 currency units, held in cents
    term = draw(st.integers(1, 6))
    method = draw(st.sampled_from(["equal_principal", "bullet"]))
    originated = FIRST_DAY + dt.timedelta(days=draw(st.integers(0, 540)))
    principal_parts = (
        split(principal, term) if method == "equal_principal" else [0] * (term - 1) + [principal]
    )
    schedule, remaining = [], principal
    for k, part in enumerate(principal_parts, start=1):
        interest = remaining // 100  # 12 % a year = 1 % a month on the principal still owed
        schedule.append((loan_id, k, add_months(originated, k), part, interest))
        remaining -= part

    repayments: list[tuple] = []
    # the borrower pays the installments before this one: all of them half of the time
    stops_at = term + 1 if draw(st.booleans()) else draw(st.integers(1, term))
    for _, _, due, principal_due, interest_due in schedule[: stops_at - 1]:
        behaviour = draw(st.sampled_from(["on_time", "late", "partial"]))
        paid_on = due + dt.timedelta(days=draw(st.integers(1, 120)) if behaviour == "late" else 0)
        if behaviour == "partial":
            paid = draw(st.integers(1, principal_due + interest_due))
            interest = min(paid, interest_due)
            repayments.append((loan_id, paid_on, paid - interest, interest, 0, "borrower"))
        else:
            repayments.append((loan_id, paid_on, principal_due, interest_due, 0, "borrower"))

    events: list[tuple] = []
    if stops_at <= term:
        first_missed = schedule[stops_at - 1][2]
        outstanding = principal - sum(r[2] for r in repayments)
        if guarantors and draw(st.booleans()):
            bought_on = first_missed + dt.timedelta(days=draw(st.integers(30, 120)))
            repayments.append((loan_id, bought_on, outstanding, 0, 0, "guarantor"))
        if draw(st.booleans()):
            charged_on = first_missed + dt.timedelta(days=draw(st.integers(60, 200)))
            events.append((loan_id, charged_on, "charged_off", outstanding))
            recovered = draw(st.integers(0, outstanding))
            if recovered:
                recovered_on = charged_on + dt.timedelta(days=draw(st.integers(1, 150)))
                repayments.append((loan_id, recovered_on, recovered, 0, 0, "collection"))

    holders = draw(st.lists(st.sampled_from(INVESTORS), min_size=1, max_size=3, unique=True))
    holdings = [
        (f"H{index}-{investor}", investor, loan_id, hundreds, originated)
        for investor, hundreds in zip(holders, split(principal // 10_000, len(holders)), strict=True)
        if hundreds
    ]
    loan = (
        loan_id,
        f"B{draw(st.integers(0, borrowers - 1))}",
        draw(st.sampled_from(["personal", "consumer", "small_business"])),
        draw(st.sampled_from(["platform", "institution"])),
        draw(st.sampled_from(["A", "C", "E"])),
        originated,
        principal,
        term,
        method,
    )
    return {
        "loans": [loan],
        "schedule": schedule,
        "repayments": repayments,
        "events": events,
        "holdings": holdings,
    }


@st.composite
def platforms(draw: st.DrawFn, guarantors: bool = True) -> dict[str, pd.DataFrame]:
    """A valid platform of 2-8 fully funded loans as canonical tables (holdings in whole 100s)."""
    n_loans = draw(st.integers(2, 8))
    n_borrowers = draw(st.integers(1, n_loans))
    parts = [draw(loan_tables(i, n_borrowers, guarantors)) for i in range(n_loans)]
    rows = {key: [r for part in parts for r in part[key]] for key in parts[0]}
    cents = 100.0
    loans = pd.DataFrame(rows["loans"], columns=LOAN_FIELDS.split())
    loans["principal"] /= cents
    loans["annual_rate"] = 0.12
    schedule = pd.DataFrame(
        rows["schedule"], columns=["loan_id", "installment_no", "due_on", "principal_due", "interest_due"]
    )
    schedule[["principal_due", "interest_due"]] /= cents
    repayments = pd.DataFrame(
        rows["repayments"],
        columns=["loan_id", "paid_on", "principal_paid", "interest_paid", "fee_paid", "source"],
    )
    repayments[["principal_paid", "interest_paid", "fee_paid"]] = (
        repayments[["principal_paid", "interest_paid", "fee_paid"]].astype(float) / cents
    )
    events = pd.DataFrame(rows["events"], columns=["loan_id", "event_on", "kind", "amount"])
    events["amount"] = events["amount"].astype(float) / cents
    holdings = pd.DataFrame(
        rows["holdings"], columns=["holding_id", "investor_id", "loan_id", "amount", "invested_on"]
    )
    holdings["amount"] = holdings["amount"].astype(float) * 100  # whole hundreds of currency units
    borrowers = pd.DataFrame(
        {
            "borrower_id": [f"B{i}" for i in range(n_borrowers)],
            "region": [REGIONS[i % len(REGIONS)] for i in range(n_borrowers)],
            "credit_score": 650,
        }
    )
    investors = pd.DataFrame({"investor_id": list(INVESTORS), "segment": "retail"})
    month_ends = pd.date_range(FIRST_DAY, OBSERVED_TO, freq="ME").date
    macro = pd.DataFrame({"month_end": month_ends, "industry_overdue_rate": 0.03})
    return {
        "borrowers": borrowers,
        "loans": loans,
        "schedule": schedule,
        "repayments": repayments,
        "loan_events": events,
        "investors": investors,
        "holdings": holdings,
        "macro": macro,
    }


def platform_store(tables: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    """An in-memory store of a generated platform, loan_month built to OBSERVED_TO."""
    con = duckdb.connect(config={"threads": 1})  # a handful of rows: threads only add overhead
    store.populate(con, tables, source="hypothesis", observed_to=OBSERVED_TO)
    return con


def check_fraction(values: pd.Series) -> None:
    """Every value is a number in [0, 1] (1e-9 slack for floating point)."""
    assert values.notna().all()
    assert ((values >= -1e-9) & (values <= 1 + 1e-9)).all(), values.tolist()


@PROPERTY_SETTINGS
@given(tables=platforms(), offset=st.integers(0, 3))
def test_bucket_balances_sum_to_the_active_outstanding(tables, offset):
    con = platform_store(tables)
    try:
        for as_of in metrics.month_ends(con)[offset::4]:
            state = sql.run(con, "loan_state_as_of", {"as_of": as_of})
            active = state[state["state"].isin(vocab.BUCKETS)]
            frame = metrics.overdue_by_bucket(con, as_of)
            assert tuple(frame["bucket"]) == vocab.BUCKETS
            assert frame["loans"].sum() == len(active)
            total = active["outstanding_principal"].sum()
            assert frame["outstanding_principal"].sum() == pytest.approx(total, abs=0.01)
            assert frame["share"].sum() == pytest.approx(1.0 if len(active) else 0.0)
            trend = metrics.overdue_trend(con, as_of, as_of).iloc[0]
            assert trend["outstanding_principal"] == pytest.approx(total, abs=0.01)
            overdue = frame["outstanding_principal"].iloc[1:].sum()
            assert trend["overdue_balance"] == pytest.approx(overdue, abs=0.01)
    finally:
        con.close()


@PROPERTY_SETTINGS
@given(tables=platforms(), offset=st.integers(0, 11))
def test_rates_and_shares_lie_between_zero_and_one(tables, offset):
    con = platform_store(tables)
    try:
        trend = metrics.overdue_trend(con, FIRST_DAY, OBSERVED_TO)
        for column in ("overdue_rate_amount", "overdue_rate_count", "m3plus_rate", "m3plus_rate_count"):
            check_fraction(trend[column])
        check_fraction(metrics.vintage_curves(con, "month")["cumulative_default_rate"])
        check_fraction(metrics.vintage_curves(con, "quarter")["cumulative_default_rate"])
        outcomes = metrics.lifetime_outcomes_by_grade(con)
        check_fraction(outcomes["chargeoff_rate_count"])
        check_fraction(outcomes["chargeoff_rate_amount"])
        check_fraction(metrics.lifetime_outcomes_by_term_year(con)["chargeoff_rate_count"])
        for month_end in metrics.month_ends(con)[offset::12]:
            row = metrics.disclosure_monthly(con, month_end).iloc[0]
            rates = [c for c in row.index if c.endswith(("_share", "_rate"))]
            check_fraction(row[rates].astype(float))
            for investor_id in (None, *INVESTORS):
                check_fraction(metrics.overdue_by_bucket(con, month_end, investor_id=investor_id)["share"])
                result = metrics.concentration(con, month_end, investor_id=investor_id)
                check_fraction(pd.Series([result["hhi"], result["top1_share"], result["top10_share"]]))
    finally:
        con.close()


@PROPERTY_SETTINGS
@given(tables=platforms(guarantors=False), offset=st.integers(0, 5))
def test_investor_exposures_add_up_to_the_platform_balance(tables, offset):
    con = platform_store(tables)
    try:
        for month_end in metrics.month_ends(con)[offset::6]:
            platform = metrics.overdue_by_bucket(con, month_end)
            investors = [metrics.overdue_by_bucket(con, month_end, investor_id=i) for i in INVESTORS]
            for column in ("outstanding_principal", "past_due_amount"):
                summed = sum(frame[column] for frame in investors)
                assert summed.tolist() == pytest.approx(platform[column].tolist(), abs=0.05)
            exposure = sum(metrics.concentration(con, month_end, i)["exposure"] for i in INVESTORS)
            assert exposure == pytest.approx(metrics.concentration(con, month_end)["exposure"], abs=0.05)
    finally:
        con.close()


@PROPERTY_SETTINGS
@given(tables=platforms(), grain=st.sampled_from(["month", "quarter"]))
def test_vintage_curves_never_fall(tables, grain):
    con = platform_store(tables)
    try:
        curves = metrics.vintage_curves(con, grain)
        assert not curves.empty
        for _, curve in curves.groupby("vintage"):
            assert curve["months_on_book"].tolist() == list(range(len(curve)))
            assert curve["cumulative_default_rate"].is_monotonic_increasing
            assert curve["defaulted_loans"].max() <= curve["loans"].iloc[0]
        assert curves.groupby("vintage")["loans"].first().sum() == len(tables["loans"])
    finally:
        con.close()
