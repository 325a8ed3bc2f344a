"""Risk figures on the 40,000-loan demo platform (seed 7, the dashboard's): slow, built once per run."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lendrisk import liquidity, reports, risk


@pytest.mark.slow
def test_reserve_coverage_and_liquidity_agree_to_the_cent_in_2024(demo_con):
    for month in range(1, 13):
        as_of = (pd.Timestamp(2024, month, 1) + pd.offsets.MonthEnd(0)).date()
        coverage = risk.reserve_coverage(demo_con, as_of)["expected_buyouts"]
        outlook = liquidity.reserve_outlook(demo_con, as_of)["buyouts_base"]
        assert coverage > 0
        assert round(coverage, 2) == round(outlook, 2), as_of


@pytest.mark.slow
def test_stressed_coverage_uses_the_90plus_trigger(demo_con):
    as_of = dt.date(2024, 12, 31)
    coverage = [
        risk.stressed_expected_loss(demo_con, as_of, pp)["reserve_coverage_stressed"] for pp in (1, 2, 3)
    ]
    outlook = liquidity.reserve_outlook(demo_con, as_of, 2.0)
    assert coverage == sorted(coverage, reverse=True)
    assert coverage[1] == pytest.approx(min(1.0, outlook["balance"] / outlook["buyouts_stressed"]))


@pytest.mark.slow
def test_demo_disclosure_rates_are_disclosed_numerator_over_disclosed_denominator(demo_con):
    for month in (3, 6, 9, 12):
        as_of = (pd.Timestamp(2024, month, 1) + pd.offsets.MonthEnd(0)).date()
        report = reports.disclosure_report(demo_con, as_of).set_index("item")
        for item, row in report[report["basis"] == "ratio"].iterrows():
            for part in ("numerator", "denominator"):
                if row[part] in report.index:
                    assert row[f"{part}_value"] == report.loc[row[part], "value"], item
            assert row["value"] == pytest.approx(row["numerator_value"] / row["denominator_value"], rel=1e-12)
        # 金额逾期率 from the two disclosed amounts, as a reader of the report would check it
        amount = report.loc["overdue_amount", "value"] / report.loc["outstanding_amount", "value"]
        assert report.loc["amount_overdue_rate", "value"] == pytest.approx(amount, rel=1e-12)


@pytest.mark.slow
def test_demo_triangle_lgd_is_close_to_the_seasoned_charge_offs(demo_con):
    lgd = risk.seasoned_lgd(demo_con, dt.date(2024, 12, 31))
    assert lgd["seasoned_loans"] >= 100
    assert abs(lgd["triangle"] - lgd["seasoned"]) <= 0.03
    assert lgd["observed"] > lgd["triangle"] + 0.05  # counting immature recoveries as final overstates LGD
