"""lendrisk.investor on the tiny platform (tests/tiny.py): I1 holds 1/2 of L1, all of L2, 1/3 of L3."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lendrisk import charts, investor, risk, sql, vocab

MARCH, JUNE, JULY, DEC = (
    dt.date(2024, 3, 31),
    dt.date(2024, 6, 30),
    dt.date(2024, 7, 31),
    dt.date(2024, 12, 31),
)
# L2 is current at 03-31 with 5 installments to come: a current loan needs 5 months to charge off and
# leaves current with 14/47 a month (tests/test_risk.py), so its 12-month PD is 1 - (33/47)^5.
PD_L2_MARCH = 1 - (33 / 47) ** 5


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- holdings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("month_end", [MARCH, d("2024-05-31"), JUNE, JULY])
@pytest.mark.parametrize("investor_id", ["I1", "I2"])
def test_investor_holdings_carries_the_holding_risk_inputs_rows(tiny_con, month_end, investor_id):
    # holdings prices the at_risk rows of investor_holdings instead of reading holding_risk_inputs again:
    # the same rows, columns, values and types (06-30: the guarantor bought L3 out, no claim left)
    params = {"as_of": month_end, "investor_id": investor_id}
    own = sql.run(tiny_con, "holding_risk_inputs", params)
    carried = sql.run(tiny_con, "investor_holdings", {**params, "months": investor.NEXT_PAYMENT_MONTHS})
    carried = carried.loc[carried["at_risk"], investor.RISK_INPUTS].reset_index(drop=True)
    if own.empty:  # DuckDB types an empty result's text columns as object: only rows and columns to match
        assert carried.empty and list(carried.columns) == list(own.columns)
    else:
        pd.testing.assert_frame_equal(carried, own, check_exact=True)
    if month_end == MARCH:  # I1: H1, H3, H4; I2: H2 (L1), H5 (L3)
        assert len(own) == {"I1": 3, "I2": 2}[investor_id]


def test_holdings_of_i1_at_march_end(tiny_con):
    frame = investor.holdings(tiny_con, MARCH, "I1").set_index("holding_id")
    assert list(frame.index) == ["H1", "H3", "H4"]
    assert frame["loan_id"].tolist() == ["L1", "L2", "L3"]
    assert frame["state"].tolist() == ["1-30", "current", "1-30"]
    assert frame["dpd"].tolist() == [16, 0, 21]  # L1 due 03-15, L3 due 03-10
    assert frame["share"].tolist() == pytest.approx([0.5, 1.0, 1 / 3])
    # exposure = share x unpaid principal: 1/2 x 708, 2,400, 1/3 x 2,000
    assert frame["exposure"].tolist() == pytest.approx([354.0, 2400.0, 2000 / 3])
    # EL after the guarantee: L1 PD 1 (1-30 always rolls on in the tiny matrix), LGD 0.9; L2 12-month
    # PD 1 - (33/47)^5; L3 is reserve-guaranteed and the reserve covers it in full.
    assert frame.loc["H1", "el"] == pytest.approx(354 * 0.9)
    assert frame.loc["H3", "pd"] == pytest.approx(PD_L2_MARCH)
    assert frame.loc["H3", "el"] == pytest.approx(2400 * PD_L2_MARCH * 0.9)
    assert frame.loc["H4", "el"] == 0.0
    assert frame["el"].sum() == pytest.approx(risk.investor_returns(tiny_con, MARCH, "I1")["expected_loss"])
    # received: 1/2 x (412 + 100), 24, 1/3 x 1,030; next: 1/2 x 404 on 04-15, 24 on 04-01, 1,010 / 3 on 04-10
    assert frame["received"].tolist() == pytest.approx([256.0, 24.0, 1030 / 3])
    assert [str(d) for d in frame["next_due_on"]] == ["2024-04-15", "2024-04-01", "2024-04-10"]
    assert frame["next_due"].tolist() == pytest.approx([202.0, 24.0, 1010 / 3])


def test_holdings_after_the_buy_out_and_pay_offs(tiny_con):
    frame = investor.holdings(tiny_con, JUNE, "I1").set_index("holding_id")
    assert frame["state"].tolist() == ["paid_off", "paid_off", "90+"]
    # L3 is 90+ (DPD 06-30 - 03-10 = 112) but bought out on 06-10: no exposure, 2,020 / 3 paid.
    assert frame.loc["H4", "dpd"] == 112
    assert frame["exposure"].tolist() == [0.0, 0.0, 0.0]
    assert frame.loc["H4", "guarantor_paid"] == pytest.approx(2020 / 3)
    assert frame["el"].tolist() == [0.0, 0.0, 0.0]
    # at 12-31 L3 is charged off: its tape stops at 09-30 with DPD 09-30 - 03-10 = 204
    dec = investor.holdings(tiny_con, DEC, "I1").set_index("holding_id")
    assert dec.loc["H4", ["state", "dpd"]].tolist() == ["charged_off", 204]


def test_holdings_are_the_investors_own(tiny_con):
    frame = investor.holdings(tiny_con, MARCH, "I2")
    assert frame["holding_id"].tolist() == ["H2", "H5"]
    assert frame["exposure"].tolist() == pytest.approx([354.0, 4000 / 3])
    assert investor.holdings(tiny_con, MARCH, "nobody").empty


def test_filter_and_sort_holdings(tiny_con):
    frame = investor.holdings(tiny_con, MARCH, "I1")
    overdue = investor.filter_holdings(frame, states=["1-30"], sort_by="exposure")
    assert overdue["holding_id"].tolist() == ["H4", "H1"]  # 666.67 before 354
    assert investor.filter_holdings(frame, grades=["B"])["loan_id"].tolist() == ["L2"]
    assert investor.filter_holdings(frame, products=["personal", "small_business"], sort_by="dpd")[
        "loan_id"
    ].tolist() == ["L3", "L1"]
    assert investor.filter_holdings(frame, sort_by="el")["holding_id"].tolist() == ["H3", "H1", "H4"]
    # the default order: overdue first by DPD (L3 21, L1 16), then the current L2
    assert investor.filter_holdings(frame)["loan_id"].tolist() == ["L3", "L1", "L2"]
    assert investor.filter_holdings(frame, search=" l2")["loan_id"].tolist() == ["L2"]
    assert investor.filter_holdings(frame, search="L9").empty
    # 06-30: L1 and L2 paid off, L3 90+ but bought out (no exposure): running, after any loan at stake
    june = investor.holdings(tiny_con, JUNE, "I1")
    assert investor.filter_holdings(june)["loan_id"].tolist() == ["L3", "L2", "L1"]
    assert investor.filter_holdings(june, active_only=True)["loan_id"].tolist() == ["L3"]
    assert investor.attention_rank(june.set_index("loan_id")).to_dict() == {"L1": 4, "L2": 4, "L3": 2}
    with pytest.raises(ValueError, match="sort_by"):
        investor.filter_holdings(frame, sort_by="borrower_id")


# --- portfolio, overdue rate over time, concentration ----------------------------------------------


def test_portfolio_summary_at_march_end(tiny_con):
    kpi = investor.portfolio_summary(tiny_con, MARCH, "I1")
    assert kpi["invested"] == 4000.0
    assert kpi["exposure"] == pytest.approx(3420.67)  # 354 + 2,400 + 666.67
    assert kpi["overdue_balance"] == pytest.approx(1020.67)  # L1 and L3 are 1-30
    assert kpi["overdue_share"] == pytest.approx(1020.67 / 3420.67)
    assert kpi["past_due_amount"] == pytest.approx(494.0)  # 1/2 x 308 + 1/3 x 1,020
    assert kpi["loans"] == 3
    assert kpi["interest_received"] == pytest.approx(44.0)  # Feb 6 + 10, Mar 4 + 24


def test_overdue_trend_of_i1(tiny_con):
    frame = investor.overdue_trend(tiny_con, DEC, "I1").set_index("month_end")
    assert frame.index[0] == d("2024-01-31") and frame.index[-1] == DEC and len(frame) == 12
    # Jan: 1/2 x 1,200 + 1/3 x 3,000; Feb: 1/2 x 800 + 2,400 + 1/3 x 2,000; Mar: 354 + 2,400 + 666.67
    assert frame.loc[d("2024-01-31"), "exposure"] == pytest.approx(1600.0)
    assert frame.loc[d("2024-02-29"), "exposure"] == pytest.approx(400 + 2400 + 2000 / 3)
    assert frame.loc[d("2024-03-31"), "overdue_rate"] == pytest.approx((354 + 2000 / 3) / (2754 + 2000 / 3))
    # April and May: only L3 is left (31-60, then 61-90): everything I1 has out is overdue
    assert frame.loc[d("2024-04-30"), "overdue_rate"] == 1.0
    assert frame.loc[d("2024-05-31"), "held_loans"] == 1
    # June on: the guarantor bought L3 out, no exposure, no rate
    assert frame.loc[d("2024-06-30"), "exposure"] == 0.0
    assert frame.loc[JUNE:, "overdue_rate"].isna().all()


def test_overdue_rates_beside_the_platform(tiny_con):
    rates = investor.overdue_rates(tiny_con, DEC, "I1")
    mine = rates[rates["series"] == "investor"]
    assert len(mine) == 5  # Jan..May: no exposure afterwards
    platform = rates[rates["series"] == "platform"].set_index("month_end")["rate"]
    assert platform[MARCH] == pytest.approx(2708 / 5108)  # (708 + 2,000) / (708 + 2,400 + 2,000)
    assert len(platform) == 12
    assert set(rates.loc[rates["series"] == "industry", "rate"]) == {0.02}
    # the investor's March point agrees with overdue_by_bucket's share outside current
    assert mine.set_index("month_end").loc[MARCH, "rate"] == pytest.approx(1020.67 / 3420.67, abs=1e-5)


def test_top_borrowers(tiny_con):
    top = investor.top_borrowers(tiny_con, MARCH, "I1")
    assert top["borrower_id"].tolist() == ["B2", "B3", "B1"]
    assert top["exposure"].tolist() == [2400.0, 666.67, 354.0]
    assert top["share"].sum() == pytest.approx(1.0)


# --- risk page helpers ------------------------------------------------------------------------


def test_stress_by_state_on_a_flat_economy(tiny_con):
    # unemployment is flat in the tiny store: no sensitivity, the shock changes nothing
    result = risk.stressed_expected_loss(tiny_con, MARCH, 3.0, investor_id="I1")
    frame = investor.stress_by_state(result).set_index("state")
    assert list(frame.index) == ["current", "1-30", "31-60", "61-90", "90+"]
    assert frame.loc["current", "el"] == pytest.approx(2400 * PD_L2_MARCH * 0.9)
    assert frame.loc["1-30", "el"] == pytest.approx(318.6)  # H1; H4 is covered by the reserve
    assert frame["el_stressed"].tolist() == pytest.approx(frame["el"].tolist())


def test_loss_histogram_and_tail_probability():
    losses = np.array([0.0, 0.0, 10.0, 20.0, 40.0])
    bins = investor.loss_histogram(losses, bins=4)
    assert bins["loss_from"].tolist() == [0.0, 10.0, 20.0, 30.0]
    assert bins["runs"].tolist() == [2, 1, 1, 1]
    assert bins["share"].tolist() == [0.4, 0.2, 0.2, 0.2]
    # exposure 200: k 5 % = 10 -> losses 20 and 40 are larger; k 10 % = 20 -> only 40
    assert investor.tail_probability(losses, 200.0, 0.05) == 0.4
    assert investor.tail_probability(losses, 200.0, 0.10) == 0.2
    assert investor.tail_probability(losses, 0.0, 0.05) == 0.0
    assert investor.loss_histogram(np.full(3, 5.0), bins=2)["runs"].tolist() == [3, 0]


# --- loan stories ------------------------------------------------------------------------------


def test_story_of_l1_a_late_installment_that_cured(tiny_con):
    story = investor.loan_story(tiny_con, DEC, "L1", "I1")
    assert story.loan["share"] == 0.5 and story.loan["state"] == "paid_off"
    schedule = story.schedule
    assert schedule["status"].tolist() == ["on_time", "late", "on_time"]
    # installment 2 (running 820) is paid in full by the 308 of 04-12: 28 days after 03-15
    assert schedule["paid_in_full_on"].tolist() == [d("2024-02-15"), d("2024-04-12"), d("2024-04-15")]
    assert schedule["days_late"].tolist() == [0, 28, 0]
    assert story.payments["running_borrower"].tolist() == [412.0, 512.0, 820.0, 1224.0]
    assert story.first_missed_on == d("2024-03-15")
    assert story.paid_off_on == d("2024-04-15")
    assert list(zip(story.milestones["date"], story.milestones["kind"], strict=True)) == [
        (d("2024-01-15"), "originated"),
        (d("2024-03-15"), "first_missed"),
        (d("2024-03-20"), "reminder"),
        (d("2024-04-15"), "paid_off"),  # on the last due date: not early
    ]
    assert story.milestones["amount"].iloc[1] == 408.0  # installment 2 due


def test_story_of_l3_buy_out_charge_off_court(tiny_con):
    story = investor.loan_story(tiny_con, DEC, "L3", "I1")
    # charged off on 09-06: the unpaid installments are written off, their days late stop there
    assert story.schedule["status"].tolist() == ["on_time", "written_off", "written_off"]
    assert story.schedule["days_late"].tolist() == [0, 180, 149]  # 09-06 - 03-10, 09-06 - 04-10
    before = investor.loan_story(tiny_con, dt.date(2024, 8, 31), "L3", "I1")
    assert before.schedule["status"].tolist() == ["on_time", "unpaid", "unpaid"]
    assert before.schedule["days_late"].tolist() == [0, 174, 143]  # 08-31 - 03-10, 08-31 - 04-10
    assert story.payments["source"].tolist() == ["borrower", "guarantor", "collection"]
    # the buy-out does not count as the borrower's payment; the 300 collection does
    assert story.payments["running_borrower"].tolist() == [1030.0, 1030.0, 1330.0]
    assert story.payments["running_guarantor"].tolist() == [0.0, 2020.0, 2020.0]
    assert story.milestones["kind"].tolist() == [
        "originated",
        "first_missed",
        "call",
        "visit",
        "guarantor_buyout",
        "legal_filed",
        "charged_off",
        "judgment",
        "collection_recovery",
    ]
    amounts = story.milestones.set_index("kind")["amount"]
    assert amounts[["first_missed", "guarantor_buyout", "charged_off", "collection_recovery"]].tolist() == [
        1020.0,
        2020.0,
        2000.0,
        300.0,
    ]
    assert story.paid_off_on is None
    timeline = story.timeline
    assert set(timeline["series"]) == {"scheduled", "paid_borrower", "paid_guarantor"}
    scheduled = timeline[timeline["series"] == "scheduled"]["cumulative"].tolist()
    assert scheduled == [0.0, 1030.0, 2050.0, 3060.0]
    # the paid lines run on to the last event or payment (11-15), before as-of
    assert story.span == (d("2024-01-10"), d("2024-11-15"))


def test_story_stops_at_the_as_of_date(tiny_con):
    story = investor.loan_story(tiny_con, MARCH, "L3", "I1")
    assert story.loan["state"] == "1-30" and story.loan["dpd"] == 21
    assert story.schedule["status"].tolist() == ["on_time", "unpaid", "not_due"]
    assert story.schedule["days_late"].tolist() == [0, 21, 0]
    assert story.payments["paid_on"].tolist() == [d("2024-02-10")]
    assert story.events["kind"].tolist() == ["call"]
    assert story.span == (d("2024-01-10"), d("2024-04-10"))  # the last due date


def test_story_of_l2_repaid_early(tiny_con):
    story = investor.loan_story(tiny_con, DEC, "L2", "I1")
    # interest paid 03-01 and 04-01, then the whole principal on 04-20, before installments 3..6
    assert story.schedule["status"].tolist() == ["on_time", "on_time", *["prepaid"] * 4]
    assert story.milestones["kind"].tolist() == ["originated", "repaid_early"]
    assert story.milestones["date"].iloc[-1] == d("2024-04-20")


def test_a_story_needs_the_investors_own_holding(tiny_con):
    assert investor.loan_story(tiny_con, MARCH, "L2", "I2") is None  # I2 does not hold L2
    assert investor.loan_story(tiny_con, MARCH, "L9", "I1") is None
    assert investor.loan_story(tiny_con, MARCH, "L3", "I2") is not None
    for nobody in ("", None):
        with pytest.raises(ValueError, match="investor id"):
            investor.loan_story(tiny_con, MARCH, "L2", nobody)


def test_learn_stories_are_picked_from_the_store(tiny_con):
    none_yet = investor.learn_stories(tiny_con, MARCH)
    assert none_yet.early_repayment is None and none_yet.legal_action is None
    july = investor.learn_stories(tiny_con, JULY)
    assert july.early_pick == {
        "loan_id": "L2",
        "paid_off_on": d("2024-04-20"),
        "last_due_on": d("2024-08-01"),
        "months_early": 4,
        "installments_before": 2,
    }
    assert july.legal_pick["loan_id"] == "L3"
    assert july.legal_pick["first_missed_on"] == d("2024-03-10")
    assert july.legal_pick["first_collection_on"] == d("2024-03-15")
    assert july.legal_pick["legal_filed_on"] == d("2024-07-01")
    assert july.legal_pick["judgment_on"] is None
    assert july.legal_pick["collection_contacts"] == 2  # call 03-15, visit 05-02
    # the Learn stories are platform loans: no investor share
    assert pd.isna(july.legal_action.loan["share"])
    dec = investor.learn_stories(tiny_con, DEC)
    assert dec.legal_pick["judgment_on"] == d("2024-10-20")
    assert dec.legal_action.milestones["kind"].iloc[-1] == "collection_recovery"


def test_figures_are_translated(tiny_con):
    story = investor.loan_story(tiny_con, DEC, "L3", "I1")
    fig = charts.story_milestones_figure(story, "zh")
    assert fig.data[0].y[0] == "放款"
    assert {t.name for t in charts.story_payments_figure(story, "zh").data} == {
        "合同应还",
        "借款人已还（含催收）",
        "担保方代偿",
    }
    buckets = charts.bucket_figure(
        pd.DataFrame(
            {
                "bucket": ["current", "1-30", "31-60", "61-90", "90+"],
                "loans": [1, 0, 0, 0, 0],
                "outstanding_principal": [10.0, 0, 0, 0, 0],
                "share": [1.0, 0, 0, 0, 0],
            }
        ),
        "en",
    )
    assert list(buckets.data[0].x) == ["Current", "1–30 d", "31–60 d", "61–90 d", "90+ d"]
    assert list(buckets.data[0].marker.color) == [vocab.STATE_COLOURS[b] for b in vocab.ACTIVE_STATES]


def test_stress_explained_says_when_the_reserve_gives_out():
    # investor1's case in the issue: 67.19 -> 636.29 after the guarantee; before it 700 -> 1,300;
    # the reserve paid 100 % of guaranteed losses, under stress 40 %
    result = {
        "el": 700.0,
        "el_stressed": 1300.0,
        "el_after_guarantee": 67.19,
        "el_after_guarantee_stressed": 636.29,
        "reserve_coverage": 1.0,
        "reserve_coverage_stressed": 0.4,
    }
    why = investor.stress_explained(result)
    assert why["covered"] == pytest.approx(632.81) and why["covered_stressed"] == pytest.approx(663.71)
    assert why["reserve_gives_out"] is True
    flat = investor.stress_explained(result | {"reserve_coverage_stressed": 1.0})
    assert flat["reserve_gives_out"] is False
