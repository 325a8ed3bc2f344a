"""Screening on the tiny platform and on hand-made score counts: segment rates, score power, cut-offs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lendrisk import screening

MARCH, YEAR_END = dt.date(2024, 3, 31), dt.date(2024, 12, 31)


def test_segment_rates_by_grade_in_march(tiny_con) -> None:
    frame = screening.segment_rates(tiny_con, MARCH, "grade")
    assert frame["segment"].tolist() == ["A", "B", "E"]
    # nobody has defaulted yet; L1 (A) owes 708 at DPD 16, L3 (E) 2,000 at DPD 21, L2 (B) is current
    assert frame["default_rate"].tolist() == [0.0, 0.0, 0.0]
    assert frame["outstanding_principal"].tolist() == [708.0, 2400.0, 2000.0]
    assert frame["overdue_rate_amount"].tolist() == [1.0, 0.0, 1.0]


def test_segment_rates_at_year_end(tiny_con) -> None:
    bands = screening.segment_rates(tiny_con, YEAR_END, "score_band")
    # scores 590 (L3), 680 (L2), 720 (L1): L3 defaulted (90+ at 06-30 with 2,000 outstanding)
    assert bands["segment"].tolist() == ["lt600", "650-699", "700-749"]
    assert bands["default_rate"].tolist() == [2000 / 3000, 0.0, 0.0]
    assert bands["default_rate_count"].tolist() == [1.0, 0.0, 0.0]
    assert bands["active_loans"].sum() == 0  # every loan paid off or charged off by December
    income = screening.segment_rates(tiny_con, YEAR_END, "income_verification")
    assert income.set_index("segment")["default_rate"].to_dict() == {
        "verified": 0.0,
        "not_verified": 2000 / 3000,
    }
    channel = screening.segment_rates(tiny_con, YEAR_END, "channel")
    assert channel.set_index("segment")["loans"].to_dict() == {"platform": 2, "institution": 1}
    region = screening.segment_rates(tiny_con, YEAR_END, "region")
    assert region["segment"].tolist() == ["Guangdong", "Shanghai", "Beijing"]  # by principal
    with pytest.raises(ValueError):
        screening.segment_rates(tiny_con, YEAR_END, "borrower_id; drop table loans")


def test_power_from_hand_made_counts() -> None:
    # defaulted scores 600, 650; others 650, 700, 750
    counts = pd.DataFrame(
        {"credit_score": [600, 650, 700, 750], "loans": [1, 2, 1, 1], "defaulted_loans": [1, 1, 0, 0]}
    )
    result = screening.power(counts)
    # pairs (good, bad): 650>600 1, 650=650 ½, 700 beats both 2, 750 beats both 2 -> 5.5 of 6
    assert result["auc"] == pytest.approx(5.5 / 6)
    assert result["gini"] == pytest.approx(2 * 5.5 / 6 - 1)
    # cumulative bad vs good: ≤600 ½ vs 0, ≤650 1 vs ⅓, ≤700 1 vs ⅔ -> KS ⅔
    assert result["ks"] == pytest.approx(2 / 3)
    # a score that ranks the wrong way round has AUC 0
    assert screening.power(counts.assign(credit_score=[750, 700, 650, 600]))["auc"] == pytest.approx(0.5 / 6)
    assert pd.isna(screening.power(counts.assign(defaulted_loans=0))["auc"])


def test_score_power_by_vintage_year(tiny_con) -> None:
    frame = screening.score_power(tiny_con, YEAR_END)
    # 2024: the only default (L3) has the lowest score -> perfect ranking
    assert frame.to_dict("records") == [
        {
            "vintage_year": 2024,
            "loans": 3,
            "defaulted_loans": 1,
            "default_rate": 1 / 3,
            "auc": 1.0,
            "gini": 1.0,
            "ks": 1.0,
        }
    ]
    assert pd.isna(screening.score_power(tiny_con, MARCH)["auc"].iloc[0])  # no default yet


def test_cutoff_whatif(tiny_con) -> None:
    # a minimum of 600 rejects L3 (590, 3,000): 45 % of volume, its default and its 1,700 net loss
    result = screening.cutoff_whatif(tiny_con, YEAR_END, 600)
    assert result["volume_lost"] == pytest.approx(3000 / 6600)
    assert result["loans_lost"] == pytest.approx(1 / 3)
    assert result["defaults_avoided"] == 1.0
    assert result["defaulted_principal_avoided"] == 1.0
    assert result["lost_principal_avoided"] == 1.0
    assert result["lost_principal_avoided_amount"] == pytest.approx(2000 - 300)
    # 700 also rejects L2 (680, 2,400) which repaid in full: more volume lost, nothing more saved
    higher = screening.cutoff_whatif(tiny_con, YEAR_END, 700)
    assert higher["volume_lost"] == pytest.approx(5400 / 6600)
    assert higher["defaults_avoided"] == 1.0
    assert screening.cutoff_whatif(tiny_con, YEAR_END, 300)["volume_lost"] == 0.0


def test_cutoff_curve(tiny_con) -> None:
    curve = screening.cutoff_curve(tiny_con, YEAR_END)
    assert curve["min_score"].tolist() == [590, 680, 720]
    assert curve["volume_lost"].tolist() == pytest.approx([0.0, 3000 / 6600, 5400 / 6600])
    assert curve["defaults_avoided"].tolist() == [0.0, 1.0, 1.0]
    assert curve["lost_principal_avoided"].tolist() == [0.0, 1.0, 1.0]
    # the what-if opens where at least 10 % of volume goes: 680 (45.5 %); 50 % first at 720
    assert screening.default_cutoff(curve) == 680
    assert screening.default_cutoff(curve, volume_lost=0.5) == 720
    assert screening.default_cutoff(curve, volume_lost=0.9) == 720  # none reaches it: the highest
    point = screening.cutoff_whatif(tiny_con, YEAR_END, 680)
    assert point["volume_lost"] == pytest.approx(curve["volume_lost"].iloc[1])


def test_contribution_to_the_overdue_balance_and_a_year_ago(tiny_con) -> None:
    march = dt.date(2024, 3, 31)
    trend = screening.segment_trend(tiny_con, march, "grade")
    # overdue at 03-31: L1 (grade A) 708 and L3 (grade E) 2,000 of 2,708; L2 (grade B) is current
    assert trend["segment"].tolist() == ["A", "B", "E"]
    assert trend["overdue_contribution"].tolist() == pytest.approx([708 / 2708, 0.0, 2000 / 2708])
    # a year earlier (2023-03-31) nothing had been originated: no rate to compare with
    assert trend["overdue_rate_year_ago"].isna().all() and trend["overdue_rate_change"].isna().all()
    # at 12-31 every loan is closed: no overdue balance, every contribution 0
    assert screening.segment_rates(tiny_con, YEAR_END, "grade")["overdue_contribution"].tolist() == [0.0] * 3
