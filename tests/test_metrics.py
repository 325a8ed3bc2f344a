"""lendrisk.metrics on the tiny platform: every expected value is worked out on paper from tests/tiny.py.

States used below (tests/test_loan_state.py checks them):
  03-31  L1 1-30 (DPD 16) outstanding 708 (1,200 - 400 - 92), past due 308 (820 - 512)
         L2 current, outstanding 2,400, past due 0
         L3 1-30 (DPD 21) outstanding 2,000, past due 1,020 (2,050 - 1,030)
  06-30  L1 and L2 paid off (April); L3 90+ (DPD 112) outstanding 2,000, past due 2,030 (3,060 - 1,030);
         the guarantor bought the investors out on 06-10 (2,000 principal + 20 interest).
Investor I1 holds 600/1,200 = 1/2 of L1, 2,400/2,400 = all of L2, 1,000/3,000 = 1/3 of L3.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from tiny import OBSERVED_TO, d, tiny_tables

from lendrisk import metrics, reports, sql, store, vocab


def row(frame: pd.DataFrame, **where) -> pd.Series:
    """The one row of frame matching column == value for every keyword."""
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, where
    return frame[mask].iloc[0]


# ---------------------------------------------------------------- overdue by bucket


def test_bucket_balances_for_the_platform_at_march_end(tiny_con):
    frame = metrics.overdue_by_bucket(tiny_con, d("2024-03-31"))
    assert tuple(frame["bucket"]) == vocab.BUCKETS
    total = 2400 + 708 + 2000  # 5,108 active outstanding
    got = {
        r.bucket: (r.loans, r.outstanding_principal, r.share, r.past_due_amount) for r in frame.itertuples()
    }
    assert got == {
        "current": (1, 2400.0, pytest.approx(2400 / total), 0.0),  # L2
        "1-30": (2, 2708.0, pytest.approx((708 + 2000) / total), 1328.0),  # L1 + L3; 308 + 1,020
        "31-60": (0, 0.0, 0.0, 0.0),
        "61-90": (0, 0.0, 0.0, 0.0),
        "90+": (0, 0.0, 0.0, 0.0),
    }


def test_bucket_balances_for_investor_i1_at_march_end(tiny_con):
    frame = metrics.overdue_by_bucket(tiny_con, d("2024-03-31"), investor_id="I1")
    # exposures: L1 1/2 x 708 = 354; L2 2,400; L3 1/3 x 2,000 = 666.67; total 3,420.67
    # past due:  L1 1/2 x 308 = 154; L3 1/3 x 1,020 = 340
    total = 354 + 2400 + 2000 / 3
    got = {
        r.bucket: (r.loans, r.outstanding_principal, r.share, r.past_due_amount) for r in frame.itertuples()
    }
    assert got == {
        "current": (1, 2400.0, pytest.approx(2400 / total), 0.0),
        "1-30": (2, 1020.67, pytest.approx((354 + 2000 / 3) / total), 494.0),  # 354 + 666.67; 154 + 340
        "31-60": (0, 0.0, 0.0, 0.0),
        "61-90": (0, 0.0, 0.0, 0.0),
        "90+": (0, 0.0, 0.0, 0.0),
    }


def test_guarantor_buy_out_ends_the_investor_exposure_but_not_the_platform_balance(tiny_con):
    # 06-30: L3 is 90+ for the platform (2,000 outstanding, 2,030 past due) ...
    platform = metrics.overdue_by_bucket(tiny_con, d("2024-06-30"))
    assert row(platform, bucket="90+")[["loans", "outstanding_principal", "past_due_amount"]].tolist() == [
        1,
        2000.0,
        2030.0,
    ]
    # ... but I1's exposure in it is 1/3 x (3,000 - 1,000 borrower - 2,000 guarantor) = 0: nothing held.
    investor = metrics.overdue_by_bucket(tiny_con, d("2024-06-30"), investor_id="I1")
    assert investor["loans"].sum() == 0
    assert investor["outstanding_principal"].sum() == 0.0
    assert investor["share"].tolist() == [0.0] * 5


def test_bucket_filters_by_grade_product_channel_and_borrower_region(tiny_con):
    as_of = d("2024-03-31")
    by_region = metrics.overdue_by_bucket(tiny_con, as_of, region="Guangdong")  # B3 -> L3 only
    assert row(by_region, bucket="1-30")[["loans", "outstanding_principal", "share"]].tolist() == [
        1,
        2000.0,
        1.0,
    ]
    assert by_region["loans"].sum() == 1
    by_grade = metrics.overdue_by_bucket(tiny_con, as_of, investor_id="I1", grade="A")  # L1: 1/2 x 708
    assert row(by_grade, bucket="1-30")[["loans", "outstanding_principal", "past_due_amount"]].tolist() == [
        1,
        354.0,
        154.0,
    ]
    by_product_channel = metrics.overdue_by_bucket(tiny_con, as_of, product="consumer", channel="platform")
    assert row(by_product_channel, bucket="current")["outstanding_principal"] == 2400.0  # L2
    assert by_product_channel["loans"].sum() == 1
    nobody = metrics.overdue_by_bucket(tiny_con, as_of, channel="institution", grade="A")
    assert nobody["loans"].sum() == 0
    assert nobody["share"].sum() == 0.0


def test_investor_buckets_narrow_by_region_product_and_channel_as_the_platform_does(tiny_con):
    as_of = d("2024-03-31")
    # B3 in Guangdong -> L3 only: I1's 1/3 of 2,000 outstanding and of 1,020 past due
    by_region = metrics.overdue_by_bucket(tiny_con, as_of, investor_id="I1", region="Guangdong")
    assert row(by_region, bucket="1-30")[
        ["loans", "outstanding_principal", "share", "past_due_amount"]
    ].tolist() == [
        1,
        666.67,
        1.0,
        340.0,
    ]
    assert by_region["loans"].sum() == 1
    # consumer loans on the platform channel: L2 alone, all 2,400 of it I1's and current
    by_product_channel = metrics.overdue_by_bucket(
        tiny_con, as_of, investor_id="I1", product="consumer", channel="platform"
    )
    assert row(by_product_channel, bucket="current")[["loans", "outstanding_principal"]].tolist() == [
        1,
        2400.0,
    ]
    assert by_product_channel["loans"].sum() == 1
    # I2 holds no part of L2 (Shanghai): nothing
    assert metrics.overdue_by_bucket(tiny_con, as_of, investor_id="I2", region="Shanghai")["loans"].sum() == 0


@pytest.mark.parametrize("month_end", ["2024-01-31", "2024-02-29", "2024-03-31", "2024-05-31", "2024-07-31"])
def test_bucket_balances_agree_with_loan_state_as_of(tiny_con, month_end):
    state = sql.run(tiny_con, "loan_state_as_of", {"as_of": d(month_end)})
    active = state[state["state"].isin(vocab.BUCKETS)]
    expected = active.groupby("state").agg(
        loans=("loan_id", "size"), balance=("outstanding_principal", "sum")
    )
    frame = metrics.overdue_by_bucket(tiny_con, d(month_end))
    for r in frame.itertuples():
        want = (
            expected.loc[r.bucket] if r.bucket in expected.index else pd.Series({"loans": 0, "balance": 0.0})
        )
        assert (r.loans, r.outstanding_principal) == (want["loans"], pytest.approx(want["balance"]))
        want_past_due = active.loc[active["state"] == r.bucket, "past_due_amount"].sum()
        assert r.past_due_amount == pytest.approx(want_past_due)


def test_bucket_refuses_a_date_that_is_not_a_month_end(tiny_con):
    with pytest.raises(ValueError, match="not a month-end"):
        metrics.overdue_by_bucket(tiny_con, d("2024-03-30"))


# ---------------------------------------------------------------- trend


def test_trend_march_end_rates(tiny_con):
    trend = metrics.overdue_trend(tiny_con, d("2024-03-01"), d("2024-03-31"))
    assert len(trend) == 1
    march = trend.iloc[0]
    assert pd.Timestamp(march["month_end"]).date() == d("2024-03-31")
    assert march["active_loans"] == 3
    assert march["outstanding_principal"] == 5108.0  # 708 + 2,400 + 2,000
    assert march["overdue_balance"] == 2708.0  # L1 708 + L3 2,000 (both 1-30)
    assert march["m3plus_balance"] == 0.0
    assert march["overdue_rate_amount"] == pytest.approx(2708 / 5108)
    assert march["overdue_rate_count"] == pytest.approx(2 / 3)
    assert march["m3plus_rate"] == 0.0
    assert march["new_default_principal"] == 0.0
    assert march["charged_off_principal"] == 0.0
    assert march["recoveries"] == 0.0
    assert march["industry_overdue_rate"] == 0.02
    assert march["originated_loans"] == 0  # L1, L3 in January, L2 on 02-01
    assert march["guarantor_paid"] == 0.0


def test_trend_june_end_new_default_and_guarantor_payment(tiny_con):
    trend = metrics.overdue_trend(tiny_con, d("2024-01-01"), d("2024-12-31"))
    assert len(trend) == 12
    june = row(trend, month_end=pd.Timestamp("2024-06-30"))
    # only L3 is active (L1, L2 paid off in April): 2,000 outstanding, 90+ (DPD 112).
    assert june["active_loans"] == 1
    assert june[["outstanding_principal", "overdue_balance", "m3plus_balance"]].tolist() == [2000.0] * 3
    assert june[["overdue_rate_amount", "overdue_rate_count", "m3plus_rate"]].tolist() == [1.0] * 3
    # L3 is 90+ for the first time at 06-30 (05-31 was 61-90): it defaults with 2,000 outstanding.
    assert june["new_default_principal"] == 2000.0
    assert june["new_default_loans"] == 1
    assert june["guarantor_paid"] == 2020.0  # 06-10 buy-out: 2,000 principal + 20 interest
    assert trend["new_default_principal"].sum() == 2000.0  # once only, although 90+ again in July, August


def test_trend_charge_off_recovery_and_origination_months(tiny_con):
    trend = metrics.overdue_trend(tiny_con, d("2024-01-01"), d("2024-12-31")).set_index("month_end")
    assert trend.loc["2024-09-30", "charged_off_principal"] == 2000.0  # L3 written off on 09-06
    assert trend.loc["2024-09-30", "active_loans"] == 0
    assert trend.loc["2024-09-30", "overdue_rate_amount"] == 0.0  # no active book: rate 0, not NaN
    assert trend.loc["2024-11-30", "recoveries"] == 300.0  # collection on 11-15
    assert trend.loc["2024-01-31", ["originated_loans", "originated_principal"]].tolist() == [2, 4200.0]
    assert trend.loc["2024-02-29", ["originated_loans", "originated_principal"]].tolist() == [1, 2400.0]
    assert trend["charged_off_principal"].sum() == 2000.0
    assert trend["recoveries"].sum() == 300.0


def test_trend_keeps_to_the_observed_period(tiny_con):
    trend = metrics.overdue_trend(tiny_con, d("2023-06-30"), d("2025-06-30"))
    assert pd.Timestamp(trend["month_end"].min()).date() == d("2024-01-31")
    assert pd.Timestamp(trend["month_end"].max()).date() == OBSERVED_TO


# ---------------------------------------------------------------- vintages


def test_vintage_point_january_2024(tiny_con):
    curves = metrics.vintage_curves(tiny_con, "month")
    january = curves[curves["vintage"] == pd.Timestamp("2024-01-01")].set_index("months_on_book")
    # L1 1,200 + L3 3,000 = 4,200 originated; months on book 0 (01-31) .. 11 (12-31 = observed_to).
    assert list(january.index) == list(range(12))
    assert (january["loans"] == 2).all()
    assert (january["originated_principal"] == 4200.0).all()
    # L3 first 90+ at 06-30 = months on book 5, with 2,000 outstanding.
    assert (january.loc[0:4, "cumulative_default_rate"] == 0.0).all()
    assert january.loc[5, "defaulted_principal"] == 2000.0
    assert january.loc[5:11, "cumulative_default_rate"].tolist() == [pytest.approx(2000 / 4200)] * 7
    february = curves[curves["vintage"] == pd.Timestamp("2024-02-01")]
    assert february["months_on_book"].max() == 10  # 02-29 .. 12-31
    assert (february["cumulative_default_rate"] == 0.0).all()


def test_quarterly_vintage_and_segment_filter(tiny_con):
    quarter = metrics.vintage_curves(tiny_con, "quarter").set_index("months_on_book")
    assert (quarter["vintage"] == pd.Timestamp("2024-01-01")).all()
    # Q1 2024: L1 + L2 + L3 = 6,600; L3 defaults at its own month on book 5.
    assert quarter.loc[4, "cumulative_default_rate"] == 0.0
    assert quarter.loc[5, "cumulative_default_rate"] == pytest.approx(2000 / 6600)
    grade_e = metrics.vintage_curves(tiny_con, "month", grade="E").set_index("months_on_book")
    assert grade_e.loc[5, "cumulative_default_rate"] == pytest.approx(2000 / 3000)  # L3 alone
    assert metrics.vintage_curves(tiny_con, "month", channel="institution", grade="A").empty


def test_vintage_grain_is_checked(tiny_con):
    with pytest.raises(ValueError, match="grain"):
        metrics.vintage_curves(tiny_con, "year")  # type: ignore[arg-type]


# ---------------------------------------------------------------- lifetime outcomes


def test_lifetime_outcomes_per_grade(tiny_con):
    frame = metrics.lifetime_outcomes_by_grade(tiny_con).set_index("grade")
    columns = [
        "loans",
        "charged_off_loans",
        "chargeoff_rate_count",
        "originated_principal",
        "charged_off_principal",
        "recoveries",
        "principal_received",
    ]
    assert frame[columns].to_dict("index") == {
        "A": dict(zip(columns, [1, 0, 0.0, 1200.0, 0.0, 0.0, 1200.0], strict=True)),  # L1 repaid in full
        "B": dict(zip(columns, [1, 0, 0.0, 2400.0, 0.0, 0.0, 2400.0], strict=True)),  # L2 prepaid
        # L3: charged off 2,000 on 09-06; collection 300 on 11-15 (after) is a recovery; principal
        # received = borrower 1,000 + collection 300 (the guarantor's 2,000 is not the borrower's).
        "E": dict(zip(columns, [1, 1, 1.0, 3000.0, 2000.0, 300.0, 1300.0], strict=True)),
    }
    assert frame.loc["E", "chargeoff_rate_amount"] == pytest.approx(2000 / 3000)


@pytest.fixture
def policy_con():
    """The tiny platform with L3 marked as not meeting the credit policy."""
    tables = tiny_tables()
    tables["loans"]["meets_policy"] = [True, True, False]
    con = duckdb.connect()
    store.populate(con, tables, source="tiny-policy", observed_to=OBSERVED_TO)
    yield con
    con.close()


def test_meets_policy_only_drops_loans_outside_the_policy(policy_con):
    assert metrics.lifetime_outcomes_by_grade(policy_con, meets_policy_only=False)["grade"].tolist() == [
        "A",
        "B",
        "E",
    ]
    assert metrics.lifetime_outcomes_by_grade(policy_con, meets_policy_only=True)["grade"].tolist() == [
        "A",
        "B",
    ]
    by_term_year = metrics.lifetime_outcomes_by_term_year(policy_con, meets_policy_only=True)
    assert by_term_year["charged_off_loans"].sum() == 0


def test_lifetime_outcomes_by_term_and_issue_year(tiny_con):
    frame = metrics.lifetime_outcomes_by_term_year(tiny_con)
    got = {
        (r.grade, r.term_months, r.issue_year): (
            r.loans,
            r.charged_off_loans,
            r.principal_received,
            r.recoveries,
        )
        for r in frame.itertuples()
    }
    assert got == {
        ("A", 3, 2024): (1, 0, 1200.0, 0.0),
        ("B", 6, 2024): (1, 0, 2400.0, 0.0),
        ("E", 3, 2024): (1, 1, 1300.0, 300.0),
    }


# ---------------------------------------------------------------- concentration


def test_hhi_for_investor_i1_at_march_end(tiny_con):
    # I1's exposure by borrower: B1 354 (L1), B2 2,400 (L2), B3 666.67 (L3); total 3,420.67.
    total = 354 + 2400 + 2000 / 3
    result = metrics.concentration(tiny_con, d("2024-03-31"), investor_id="I1")
    assert result["borrowers"] == 3
    assert result["hhi"] == pytest.approx((354**2 + 2400**2 + (2000 / 3) ** 2) / total**2)  # 0.54096
    assert result["hhi"] == pytest.approx(0.54096, abs=1e-5)
    assert result["top1_share"] == pytest.approx(2400 / total)
    assert result["top10_share"] == pytest.approx(1.0)
    frame = metrics.borrower_exposures(tiny_con, d("2024-03-31"), investor_id="I1")
    assert frame[["borrower_id", "exposure", "rank"]].values.tolist() == [
        ["B2", 2400.0, 1],
        ["B3", 666.67, 2],
        ["B1", 354.0, 3],
    ]


def test_platform_concentration_and_buy_out(tiny_con):
    # 03-31: B1 708 (L1), B2 2,400 (L2), B3 2,000 (L3) of 5,108; buckets current 2,400, 1-30 2,708.
    platform = metrics.concentration(tiny_con, d("2024-03-31"))
    assert platform["hhi"] == pytest.approx((708**2 + 2400**2 + 2000**2) / 5108**2)
    assert platform["top1_share"] == pytest.approx(2400 / 5108)
    assert platform["top10_share"] == pytest.approx(1.0)
    assert (platform["borrowers"], platform["exposure"]) == (3, 5108.0)
    row = sql.run(tiny_con, "borrower_concentration", {"as_of": d("2024-03-31")}).iloc[0]
    assert list(row["bucket_amounts"]) == [2400.0, 2708.0, 0.0, 0.0, 0.0]
    assert list(row["top_shares"]) == [2400 / 5108, 2000 / 5108, 708 / 5108]
    # 06-30: L3 alone, 90+ with 2,000 outstanding (the guarantor's buy-out pays the investors, not
    # the borrower's principal); before the first loan nothing at all.
    assert metrics.concentration(tiny_con, d("2024-06-30")) == {
        "hhi": 1.0,
        "top1_share": 1.0,
        "top10_share": 1.0,
        "borrowers": 1,
        "exposure": 2000.0,
    }
    empty = {"hhi": 0.0, "top1_share": 0.0, "top10_share": 0.0, "borrowers": 0, "exposure": 0.0}
    assert metrics.concentration(tiny_con, d("2023-12-31")) == empty
    # 06-30: the guarantor bought I1 out of L3, I1's only live loan: nothing left to concentrate.
    assert metrics.concentration(tiny_con, d("2024-06-30"), investor_id="I1") == {
        "hhi": 0.0,
        "top1_share": 0.0,
        "top10_share": 0.0,
        "borrowers": 0,
        "exposure": 0.0,
    }


# ---------------------------------------------------------------- disclosure


def test_disclosure_row_at_june_end(tiny_con):
    frame = metrics.disclosure_monthly(tiny_con, d("2024-06-30"))
    assert len(frame) == 1
    got = frame.iloc[0].to_dict()
    assert pd.Timestamp(got.pop("month_end")).date() == d("2024-06-30")
    assert got == {
        "cumulative_lending_amount": 6600.0,  # 1,200 + 2,400 + 3,000
        "cumulative_lending_count": 3,
        "outstanding_amount": 2000.0,  # L3 only (L1, L2 paid off in April)
        "outstanding_count": 1,
        "interest_outstanding": 30.0,  # L3 contract interest 30 + 20 + 10 = 60, borrower paid 30
        "cumulative_lenders": 2,  # I1, I2
        "current_lenders": 0,  # the 06-10 buy-out ended both investors' exposure in L3
        "cumulative_borrowers": 3,
        "current_borrowers": 1,  # B3
        "avg_borrowing_per_borrower": 2200.0,  # 6,600 / 3
        "avg_lending_per_lender": 3300.0,  # holdings 6,600 / 2 investors
        "top10_borrower_share": 1.0,  # B3 2,000 / 2,000
        "largest_borrower_share": 1.0,
        "top10_lender_share": 0.0,  # no investor exposure left
        "largest_lender_share": 0.0,
        "overdue_amount": 2000.0,  # L3 DPD 112: its whole outstanding principal, as 借贷余额 counts it
        "overdue_count": 1,
        "overdue_90_amount": 2000.0,  # DPD 112 > 90
        "overdue_90_count": 1,
        "cumulative_compensation_amount": 2020.0,  # guarantor 2,000 principal + 20 interest
        "cumulative_compensation_count": 1,  # one loan bought out
        "project_overdue_rate": 1.0,  # 1 overdue / 1 active
        "amount_overdue_rate": 1.0,  # 2,000 / 2,000
        "top10_borrower_outstanding": 2000.0,
        "largest_borrower_outstanding": 2000.0,
        "lender_claims": 0.0,
        "top10_lender_claims": 0.0,
        "largest_lender_claims": 0.0,
    }


def test_disclosure_row_at_march_end(tiny_con):
    got = metrics.disclosure_monthly(tiny_con, d("2024-03-31")).iloc[0].to_dict()
    i1 = 354 + 2400 + 2000 / 3  # I1: 1/2 x 708 + 2,400 + 1/3 x 2,000 = 3,420.67
    i2 = 354 + 4000 / 3  # I2: 1/2 x 708 + 2/3 x 2,000 = 1,687.33; i1 + i2 = 5,108
    expected = {
        "cumulative_lending_amount": 6600.0,
        "cumulative_lending_count": 3,
        "outstanding_amount": 5108.0,  # 708 + 2,400 + 2,000
        "outstanding_count": 3,
        # contract interest less borrower interest paid: L1 24 - 20 = 4, L2 144 - 24 = 120, L3 60 - 30 = 30
        "interest_outstanding": 154.0,
        "cumulative_lenders": 2,
        "current_lenders": 2,
        "cumulative_borrowers": 3,
        "current_borrowers": 3,
        "avg_borrowing_per_borrower": 2200.0,
        "avg_lending_per_lender": 3300.0,
        "top10_borrower_share": 1.0,
        "largest_borrower_share": pytest.approx(2400 / 5108),  # B2
        "top10_lender_share": pytest.approx(1.0),
        "largest_lender_share": pytest.approx(i1 / (i1 + i2)),
        "overdue_amount": 2708.0,  # outstanding principal of L1 708 + L3 2,000 (not the 308 + 1,020 missed)
        "overdue_count": 2,
        "overdue_90_amount": 0.0,
        "overdue_90_count": 0,
        "cumulative_compensation_amount": 0.0,
        "cumulative_compensation_count": 0,
        "project_overdue_rate": pytest.approx(2 / 3),
        "amount_overdue_rate": pytest.approx((708 + 2000) / 5108),
        "top10_borrower_outstanding": 5108.0,
        "largest_borrower_outstanding": 2400.0,
        "lender_claims": 5108.0,
        "top10_lender_claims": 5108.0,
        "largest_lender_claims": 3420.67,  # I1, rounded to cents
    }
    got.pop("month_end")
    assert got == expected


# the lender figures (current_lenders, lender_claims, top10_lender_claims, largest_lender_claims) at a
# month-end, by hand: March: L1 708 (I1, I2 1/2 each), L2 2,400 (I1), L3 2,000 (I1 1/3, I2 2/3);
# April: L1 and L2 paid off in April, L3 2,000 left (claim until the 06-10 buy-out)
LENDERS_MARCH = [2, 5108.0, 5108.0, 3420.67]  # I1 354 + 2,400 + 666.67; I2 354 + 1,333.33
LENDERS_APRIL = [2, 2000.0, 2000.0, 1333.33]  # I2 2/3 x 2,000; I1 666.67


@pytest.mark.parametrize(
    ("observed_to", "month_end", "expected"),
    [
        # the active loans' final rows (holding_book) are their rows at observed_to = the month-end
        (d("2024-03-31"), d("2024-03-31"), LENDERS_MARCH),
        # L1 and L2's final rows (paid_off) are at April: left out; L3's final row is its April row
        (d("2024-04-30"), d("2024-04-30"), LENDERS_APRIL),
        # every final row is later than March: the exposures come from the March tape
        (d("2024-04-30"), d("2024-03-31"), LENDERS_MARCH),
    ],
)
def test_disclosure_lenders_from_final_rows_and_from_the_tape(observed_to, month_end, expected):
    con = duckdb.connect()
    store.populate(con, tiny_tables(), source="tiny", observed_to=observed_to)
    row = metrics.disclosure_monthly(con, month_end).iloc[0]
    columns = ["current_lenders", "lender_claims", "top10_lender_claims", "largest_lender_claims"]
    assert row[columns].tolist() == expected
    con.close()


def test_disclosure_adds_up_a_borrower_with_two_loans(tiny_frames):
    # L2 lent to B1 as well: at 03-31 B1 owes L1's 708 + L2's 2,400 = 3,108, B3 owes L3's 2,000
    tiny_frames["loans"].loc[tiny_frames["loans"]["loan_id"] == "L2", "borrower_id"] = "B1"
    con = duckdb.connect()
    store.populate(con, tiny_frames, source="tiny", observed_to=OBSERVED_TO)
    row = metrics.disclosure_monthly(con, d("2024-03-31")).iloc[0]
    con.close()
    columns = [
        "cumulative_borrowers",
        "current_borrowers",
        "avg_borrowing_per_borrower",
        "top10_borrower_outstanding",
        "largest_borrower_outstanding",
        "largest_borrower_share",
    ]
    # B1 (L1 in January) and B3: two borrowers; 6,600 / 2 = 3,300
    assert row[columns].tolist() == [2, 2, 3300.0, 5108.0, 3108.0, 3108.0 / 5108.0]


# ---------------------------------------------------------------- as-of dates


def test_month_ends_run_from_the_first_tape_month_to_observed_to(tiny_con):
    ends = metrics.month_ends(tiny_con)
    assert ends[0] == d("2024-01-31")
    assert ends[-1] == OBSERVED_TO
    assert len(ends) == 12  # all twelve month-ends of 2024, although every loan closed by 09-30
    assert vocab.observed_to(tiny_con) == OBSERVED_TO


def test_vintage_highlights_compare_at_a_common_age() -> None:
    from lendrisk import reports

    curves = pd.DataFrame(
        {
            "vintage": ["Q1"] * 3 + ["Q2"] * 3 + ["Q3"] * 2,
            "months_on_book": [0, 1, 2, 0, 1, 2, 0, 1],
            "cumulative_default_rate": [0, 0.05, 0.30, 0, 0.2, 0.25, 0, 0.01],
        }
    )
    # none is 12 months old: compared at 1 month (Q3's age), Q2's 20 % is the worst (Q1's 30 % at
    # month 2 is not comparable with the others)
    assert reports.vintage_highlights(curves) == {
        "newest": "Q3",
        "worst": "Q2",
        "at_mob": 1,
        "worst_rate": 0.2,
    }


def test_every_disclosed_ratio_is_its_disclosed_numerator_over_its_denominator(tiny_con):
    for month_end in (d("2024-03-31"), d("2024-06-30")):
        report = reports.disclosure_report(tiny_con, month_end).set_index("item")
        ratios = report[report["basis"] == "ratio"]
        assert len(ratios) == 8
        for item, row in ratios.iterrows():
            if row["numerator"] in report.index:  # a disclosed item: the very figure shown
                assert row["numerator_value"] == report.loc[row["numerator"], "value"], item
            if row["denominator"] in report.index:
                assert row["denominator_value"] == report.loc[row["denominator"], "value"], item
            expected = row["numerator_value"] / row["denominator_value"] if row["denominator_value"] else 0.0
            assert row["value"] == pytest.approx(expected, rel=1e-12, abs=0.0), item
    march = reports.disclosure_report(tiny_con, d("2024-03-31")).set_index("item")
    # 金额逾期率 = 逾期金额 / 借贷余额 = 2,708 / 5,108; 项目逾期率 = 2 / 3; 人均累计出借金额 = 6,600 / 2
    assert march.loc["amount_overdue_rate", ["numerator_value", "denominator_value"]].tolist() == [
        2708.0,
        5108.0,
    ]
    assert march.loc["project_overdue_rate", ["numerator_value", "denominator_value"]].tolist() == [2.0, 3.0]
    assert march.loc["avg_lending_per_lender", "value"] == 3300.0
