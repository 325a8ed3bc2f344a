"""The management pages on a store shaped like an imported real book (LendingClub LoanStats3a).

A real loan file brings no macro series, no risk reserve, no guaranteed loans and no collection
actions (its only events are charge-offs), and its observation runs years past the dates a manager
looks at. The tiny platform reshaped that way: macro and reserve_fund empty, L3 not guaranteed and
its guarantor buy-out removed (L3 simply stops paying: 2,000 outstanding, charged off 2024-09-06,
300 recovered 2024-11-15), only the charge-off event kept, observed to 2028-12-31.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest_helpers import TINY_INVESTORS, figures, open_page, shown_metrics, texts, values
from tiny import tiny_tables

from lendrisk import auth, fmt, liquidity, reports, risk, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

MARCH, YEAR_END, LATER = dt.date(2024, 3, 31), dt.date(2024, 12, 31), dt.date(2025, 6, 30)
OBSERVED_TO = dt.date(2028, 12, 31)


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file of the tiny platform in the shape of an imported real book, with the demo accounts."""
    tables = tiny_tables()
    tables["macro"] = tables["macro"].iloc[0:0]
    tables["reserve_fund"] = tables["reserve_fund"].iloc[0:0]
    tables["loans"] = tables["loans"].assign(guarantee="none")
    tables["repayments"] = tables["repayments"][tables["repayments"]["source"] != "guarantor"]
    tables["loan_events"] = tables["loan_events"][tables["loan_events"]["kind"] == "charged_off"]
    tables["users"] = auth.demo_user_rows(TINY_INVESTORS)
    path = tmp_path_factory.mktemp("real-shaped") / "real.duckdb"
    store.build_store(path, tables, source="real-shaped", observed_to=OBSERVED_TO)
    return path


def test_store_has_no_reserve_and_no_unemployment(real_db: Path, tiny_db: Path) -> None:
    con = store.connect(real_db, read_only=True)
    assert not liquidity.has_reserve(con, MARCH)
    assert not liquidity.has_unemployment(con, MARCH)
    con.close()
    con = store.connect(tiny_db, read_only=True)
    # the tiny platform: a 10,000 reserve and L3 guaranteed; unemployment 5 % every month
    assert liquidity.has_reserve(con, MARCH) and liquidity.has_unemployment(con, MARCH)
    con.close()


def test_health_without_macro_or_reserve(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(real_db, monkeypatch, "manager", "pages/health.py", as_of=MARCH)
    assert not at.exception
    (rates, *_) = figures(at)
    # only the platform's own three rates: no empty benchmark line, no unemployment axis
    names = [trace["name"] for trace in rates["data"]]
    assert names == ["Overdue rate by amount", "Overdue rate by count", "M3+ rate by amount"]
    assert "yaxis2" not in rates["layout"]
    # hand-computed (tests/tiny.py): 708 + 2,000 overdue of 5,108 outstanding at 03-31
    assert values(rates["data"][0]["y"])[-1] == pytest.approx(2708 / 5108)
    shown = texts(at)
    assert "Overdue and M3+ rates (%)" in shown
    assert "against the industry" not in shown
    assert [i.value for i in at.info] == [
        "The store has no industry overdue-rate benchmark and no unemployment series up to this date, "
        "so the platform's rates are shown on their own."
    ]
    # no reserve: no made-up 100 % coverage
    assert shown_metrics(at)["Reserve coverage"] == fmt.MISSING
    assert "The store has no risk reserve: no reserve balance and no reserve-guaranteed loan." in shown
    assert shown_metrics(at)["Overdue rate (amount)"] == "53.0%"


def test_health_in_chinese(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(real_db, monkeypatch, "manager", "pages/health.py", as_of=MARCH, lang="zh")
    assert not at.exception
    assert shown_metrics(at)["风险准备金覆盖率"] == fmt.MISSING
    assert "逾期率与M3+逾期率（%）" in texts(at)
    assert [i.value for i in at.info] == [
        "截至该日，数据库中既没有行业逾期率基准，也没有失业率数据，因此仅显示平台自身的逾期率。"
    ]


def test_backtest_runs_up_to_the_as_of_date(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # observation runs to 2028, yet a manager at mid-2025 sees the predictions whose 12 months have
    # passed by then: month-ends Feb .. Jun 2024 (January has no transition to fit a matrix on)
    con = store.connect(real_db, read_only=True)
    frame = reports.backtest_until(con, LATER)
    # anchored at observed_to (the old page did this), the last 36 predictions all fall after the book
    assert risk.backtest(con).empty
    con.close()
    assert [d.isoformat() for d in frame["predicted_on"]] == [
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
        "2024-05-31",
        "2024-06-30",
    ]
    # L3 is active at each: 2,000 charged off on 09-06, less 300 recovered on 11-15, within 12 months
    assert frame["realised_loss"].tolist() == pytest.approx([1700.0] * 5)
    at = open_page(real_db, monkeypatch, "manager", "pages/vintages.py", as_of=LATER)
    assert not at.exception
    assert not at.info
    test = figures(at)[3]["data"]
    assert values(test[1]["y"]) == pytest.approx([1700.0] * 5)


def test_vintage_curves_by_year(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(real_db, monkeypatch, "manager", "pages/vintages.py", as_of=LATER)
    at.radio(key="vintage_grain").set_value("year").run()
    assert not at.exception
    (year,) = figures(at)[0]["data"]
    # 2024 = L1 1,200 + L2 2,400 + L3 3,000; L3 first 90+ at 06-30 (5 months on book) with 2,000
    # outstanding; every month of 2024 has been on book 6 months by 2025-06-30
    assert year["name"] == "2024"
    assert values(year["x"]) == [0, 1, 2, 3, 4, 5, 6]
    assert values(year["y"]) == pytest.approx([0, 0, 0, 0, 0, 2000 / 6600, 2000 / 6600])
    con = store.connect(real_db, read_only=True)
    curves = reports.vintage_curves_as_of(con, LATER, "year")
    con.close()
    assert curves["loans"].unique().tolist() == [3]
    assert curves["defaulted_loans"].tolist() == [0, 0, 0, 0, 0, 1, 1]


def test_collections_without_actions_or_lawsuits(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(real_db, monkeypatch, "manager", "pages/collections.py", as_of=YEAR_END)
    assert not at.exception
    assert [i.value for i in at.info] == [
        "No overdue spell of the last two years had a recorded collection action (reminder, call, visit, "
        "promise to pay or lawsuit), so there are no cure rates by action or by days to first contact to "
        "compare (3-month cure window).",
        "No lawsuit has been filed by this date.",
    ]
    # only the recovery curve is drawn: 300 of 2,000 recovered two months after the charge-off
    (recovery,) = figures(at)
    assert values(recovery["data"][0]["y"]) == [0.0, 0.0, 0.15, 0.15]
    assert shown_metrics(at)["Lawsuits filed"] == "0"


def test_reserve_page_says_there_is_no_reserve(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(real_db, monkeypatch, "manager", "pages/reserve.py", as_of=MARCH)
    assert not at.exception
    assert [i.value for i in at.info] == [
        "The store has no unemployment series, so the stress cannot be estimated: the stressed figures "
        "equal the base case.",
        "The store has no risk reserve data: no reserve balance and no reserve-guaranteed loan, so there "
        "is no coverage or buy-out to show. Projected borrower payments follow.",
    ]
    assert not at.metric
    # what is left: borrower payments due, L3's 2 × 1,000 + interest (now unpaid) among them
    (payments,) = figures(at)
    con = store.connect(real_db, read_only=True)
    expected = liquidity.projected_collections(con, MARCH, 2.0)
    con.close()
    assert values(payments["data"][0]["y"]) == pytest.approx(expected["contractual"].tolist())
    assert values(payments["data"][1]["y"]) == pytest.approx(values(payments["data"][2]["y"]))


def test_disclosure_ticks_small_rates(real_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(real_db, monkeypatch, "manager", "pages/disclosure.py", as_of=MARCH)
    assert not at.exception
    (rates,) = figures(at)
    assert rates["layout"]["yaxis"]["tickformat"] == ".1%"
    assert [b.proto.label for b in at.get("download_button")][:2] == ["Download CSV", "Download Excel"]


@pytest.mark.parametrize("page", ["segments", "store"])
def test_other_pages_open(real_db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = open_page(real_db, monkeypatch, "manager", f"pages/{page}.py", as_of=MARCH)
    assert not at.exception
