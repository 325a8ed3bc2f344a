"""Properties of lendrisk.risk on random valid platforms (hypothesis) and on the demo platform (slow)."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lendrisk import risk, sql, store, vocab

pytestmark = pytest.mark.slow  # hypothesis: hundreds of generated platforms, each built into a store

OBSERVED_TO = dt.date(2024, 12, 31)
INVESTORS = ("I1", "I2", "I3")
AS_OF = [d.date() for d in pd.date_range("2023-03-31", "2024-12-31", freq="ME")]
PROPERTIES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (days clamped to 28 so every month has them)."""
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, min(day.day, 28))


@st.composite
def loan(draw: st.DrawFn, i: int, late_buyers: bool = False) -> dict[str, list[tuple]]:
    """One loan: equal-principal schedule at 1 % a month, a payment behaviour per installment.

    With late_buyers, each holding is bought 0-400 days after origination (a secondary purchase).
    """
    loan_id = f"L{i}"
    principal = draw(st.integers(2, 40)) * 100
    term = draw(st.integers(1, 6))
    originated = dt.date(2023, 1, 1) + dt.timedelta(days=draw(st.integers(0, 600)))
    part = principal // term
    dues = [part] * (term - 1) + [principal - part * (term - 1)]
    schedule, left = [], principal
    for k, due in enumerate(dues, start=1):
        schedule.append((loan_id, k, months_after(originated, k), float(due), left / 100))
        left -= due
    repayments: list[tuple] = []
    stops = draw(st.integers(1, term + 1))  # the borrower stops paying at this installment
    for _, _k, due_on, principal_due, interest_due in schedule[: stops - 1]:
        late = draw(st.sampled_from([0, 0, 5, 40, 75]))
        repayments.append(
            (loan_id, due_on + dt.timedelta(days=late), principal_due, interest_due, 0.0, "borrower")
        )
    events: list[tuple] = []
    guarantee = draw(st.sampled_from(["none", "reserve"]))
    if stops <= term:
        missed = schedule[stops - 1][2]
        unpaid = principal - sum(r[2] for r in repayments)
        if guarantee == "reserve" and draw(st.booleans()):
            repayments.append((loan_id, missed + dt.timedelta(days=90), unpaid, 0.0, 0.0, "guarantor"))
        if draw(st.booleans()):
            charged = missed + dt.timedelta(days=draw(st.integers(100, 200)))
            events.append((loan_id, charged, "charged_off", float(unpaid)))
            recovered = draw(st.integers(0, unpaid))
            if recovered:
                day = charged + dt.timedelta(days=draw(st.integers(1, 300)))
                repayments.append((loan_id, day, float(recovered), 0.0, 0.0, "collection"))
    holders = draw(st.lists(st.sampled_from(INVESTORS), min_size=1, max_size=3, unique=True))
    shares = [principal // len(holders)] * len(holders)
    shares[0] += principal - sum(shares)
    bought = [
        originated + dt.timedelta(days=draw(st.integers(0, 400)) if late_buyers else 0) for _ in holders
    ]
    holdings = [
        (f"H{i}{inv}", inv, loan_id, float(a), on) for inv, a, on in zip(holders, shares, bought, strict=True)
    ]
    row = (
        loan_id,
        f"B{i}",
        draw(st.sampled_from(["personal", "consumer", "small_business"])),
        "platform",
        draw(st.sampled_from(["A", "C", "E"])),
        originated,
        float(principal),
        0.12,
        term,
        "equal_principal",
        guarantee,
    )
    return {
        "loans": [row],
        "schedule": schedule,
        "repayments": repayments,
        "events": events,
        "holdings": holdings,
    }


@st.composite
def platforms(draw: st.DrawFn, late_buyers: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory store of 3-10 fully funded random loans, tape built to 2024-12-31."""
    n = draw(st.integers(3, 10))
    parts = [draw(loan(i, late_buyers)) for i in range(n)]
    rows = {key: [r for p in parts for r in p[key]] for key in parts[0]}
    month_ends = pd.date_range("2023-01-31", "2024-12-31", freq="ME").date
    tables = {
        "borrowers": pd.DataFrame({"borrower_id": [f"B{i}" for i in range(n)], "credit_score": 650}),
        "loans": pd.DataFrame(
            rows["loans"],
            columns=[
                "loan_id",
                "borrower_id",
                "product",
                "channel",
                "grade",
                "originated_on",
                "principal",
                "annual_rate",
                "term_months",
                "repayment_method",
                "guarantee",
            ],
        ),
        "schedule": pd.DataFrame(
            rows["schedule"], columns=["loan_id", "installment_no", "due_on", "principal_due", "interest_due"]
        ),
        "repayments": pd.DataFrame(
            rows["repayments"],
            columns=["loan_id", "paid_on", "principal_paid", "interest_paid", "fee_paid", "source"],
        ),
        "loan_events": pd.DataFrame(rows["events"], columns=["loan_id", "event_on", "kind", "amount"]),
        "investors": pd.DataFrame({"investor_id": list(INVESTORS), "segment": "retail"}),
        "holdings": pd.DataFrame(
            rows["holdings"], columns=["holding_id", "investor_id", "loan_id", "amount", "invested_on"]
        ),
        "macro": pd.DataFrame(
            {"month_end": month_ends, "unemployment_rate": np.linspace(0.04, 0.06, len(month_ends))}
        ),
        "reserve_fund": pd.DataFrame({"month_end": month_ends, "balance": 500.0}),
    }
    con = duckdb.connect()
    store.populate(con, tables, source="hypothesis", observed_to=OBSERVED_TO)
    return con


@PROPERTIES
@given(con=platforms(), as_of=st.sampled_from(AS_OF), grade=st.sampled_from([None, "A", "C", "E"]))
def test_matrix_rows_are_probabilities(con, as_of, grade):
    matrix = risk.transition_matrix(con, as_of, grade=grade, min_obs=2).to_numpy()
    assert (matrix >= 0).all()
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    assert matrix[5, 5] == 1.0 and matrix[6, 6] == 1.0
    rolls = risk.roll_rates(con, as_of)
    if len(rolls):
        np.testing.assert_allclose(rolls.groupby("from_state")["probability"].sum(), 1.0)


@PROPERTIES
@given(con=platforms(), as_of=st.sampled_from(AS_OF), method=st.sampled_from(["markov", "static"]))
def test_expected_loss_is_bounded(con, as_of, method):
    frames = [risk.expected_loss(con, as_of, method=method)]
    frames += [risk.expected_loss(con, as_of, investor_id=i, method=method) for i in INVESTORS]
    for frame in frames:
        assert ((frame["pd_12m"] >= 0) & (frame["pd_12m"] <= 1)).all()
        assert (frame["pd_lifetime"] >= frame["pd_12m"] - 1e-12).all()
        assert (frame["pd_lifetime"] <= 1 + 1e-12).all()
        assert ((frame["lgd"] >= 0) & (frame["lgd"] <= 1)).all()
        assert ((frame["el"] >= 0) & (frame["el"] <= frame["ead"] + 1e-9)).all()
        assert (
            (frame["el_after_guarantee"] >= 0) & (frame["el_after_guarantee"] <= frame["ead"] + 1e-9)
        ).all()
        assert frame["stage"].isin([1, 2, 3]).all()


@PROPERTIES
@given(con=platforms(), as_of=st.sampled_from(AS_OF))
def test_investor_exposures_add_up_to_the_platform(con, as_of):
    # Holdings fund whole loans, so Σ over investors of share × exposure = the loans' exposure and
    # likewise for the investors' EL after the guarantee.
    platform = risk.expected_loss(con, as_of)
    investors = pd.concat([risk.expected_loss(con, as_of, investor_id=i) for i in INVESTORS])
    assert investors["ead"].sum() == pytest.approx(platform["exposure"].sum(), abs=1e-6)
    assert investors["el_after_guarantee"].sum() == pytest.approx(
        platform["el_after_guarantee"].sum(), abs=1e-6
    )


@PROPERTIES
@given(con=platforms(), as_of=st.sampled_from(AS_OF), shock=st.floats(0, 5))
def test_stress_never_lowers_expected_loss_and_losses_stay_within_exposure(con, as_of, shock):
    stressed = risk.stressed_expected_loss(con, as_of, shock)
    assert stressed["el_stressed"] >= stressed["el"] - 1e-9
    result = risk.loss_distribution(con, as_of, "I1", n_sims=500)
    assert (result["losses"] >= 0).all()
    assert (result["losses"] <= result["exposure"] + 1e-9).all()
    assert 0 <= result["var_95"] <= result["var_99"] <= result["exposure"] + 1e-9


def start_principal_by_definition(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor: str) -> pd.Series:
    """NAR's start-of-month principal straight from its definition, holding by holding, month by month."""
    holdings = con.sql(
        "select h.loan_id, h.amount / l.principal as share, l.principal, h.invested_on "
        "from holdings h join loans l using (loan_id) where h.investor_id = $i and h.invested_on <= $d",
        params={"i": investor, "d": as_of},
    ).df()
    paid = con.sql("select loan_id, paid_on, principal_paid::double as amount from repayments").df()
    dues = con.sql("select loan_id, due_on from schedule").df()
    charged = con.sql("select loan_id, min(event_on) as on from loan_events group by loan_id").df()
    charged_on = dict(zip(charged["loan_id"], pd.to_datetime(charged["on"]), strict=True))
    months = pd.date_range(
        pd.Timestamp(holdings["invested_on"].min()) + pd.offsets.MonthEnd(0), as_of, freq="ME"
    )
    totals = {}
    for month in months:
        before = month - pd.offsets.MonthEnd(1)
        total = 0.0
        for h in holdings.itertuples():
            gone = h.loan_id in charged_on and charged_on[h.loan_id] <= before
            # LendingClub's timing: from the month of the first due date after the investment
            later = pd.to_datetime(dues.loc[dues["loan_id"] == h.loan_id, "due_on"])
            later = later[later > pd.Timestamp(h.invested_on)]
            first = later.min() if len(later) else pd.Timestamp(h.invested_on) + pd.DateOffset(months=1)
            if first + pd.offsets.MonthEnd(0) > month or gone:
                continue
            repaid = paid.loc[
                (paid["loan_id"] == h.loan_id) & (pd.to_datetime(paid["paid_on"]) <= before), "amount"
            ]
            total += h.share * max(h.principal - repaid.sum(), 0.0)
        totals[month.date()] = total
    return pd.Series(totals, dtype=float)


@PROPERTIES
@given(con=platforms(late_buyers=True), as_of=st.sampled_from(AS_OF), investor=st.sampled_from(INVESTORS))
def test_start_of_month_principal_follows_its_definition_for_late_buyers(con, as_of, investor):
    monthly = sql.run(con, "investor_returns_inputs", {"as_of": as_of, "investor_id": investor})
    expected = start_principal_by_definition(con, as_of, investor) if len(monthly) else pd.Series(dtype=float)
    got = pd.Series(monthly["start_principal"].to_numpy(), index=pd.to_datetime(monthly["month_end"]).dt.date)
    assert list(got.index) == list(expected.index)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-6)


# --- the demo platform ------------------------------------------------------------------------


DEMO_LOANS = 20_000  # demo_con (conftest): the 20,000-loan demo store, seed 7


@pytest.mark.slow
def test_pd_does_not_fall_as_the_bucket_worsens(demo_con):
    for as_of in (dt.date(2022, 12, 31), dt.date(2024, 12, 31)):
        model = risk.risk_model(demo_con, as_of)
        for table in (model.pd_12m, model.pd_lifetime):
            active = table[:, :, :5]  # segments × remaining months × (current .. 90+)
            assert (np.diff(active, axis=2) >= -1e-12).all()
        frame = risk.expected_loss(demo_con, as_of)
        by_state = frame.groupby("state")["pd_lifetime"].mean().reindex(list(vocab.ACTIVE_STATES))
        assert by_state.is_monotonic_increasing


@pytest.mark.slow
def test_backtest_on_the_demo_platform_is_within_thirty_percent(demo_con):
    frame = risk.backtest(demo_con)
    assert len(frame) == 36
    assert abs(risk.backtest_error(frame)) <= 0.30


@pytest.mark.slow
def test_demo_stress_raises_roll_forward_with_unemployment(demo_con):
    sensitivity = risk.stress_sensitivity(demo_con, dt.date(2024, 12, 31))
    assert (sensitivity["used_factor_per_pp"] >= 1.0).all()
    current = sensitivity.set_index("from_state").loc["current"]
    assert current["factor_per_pp"] > 1.0  # the demo's downturns raise first misses
