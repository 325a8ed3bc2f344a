"""AppTest of My portfolio on the tiny store: the KPIs are the risk engine's for the logged-in investor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from apptest_helpers import figures, open_page, shown_metrics, texts, values
from tiny import OBSERVED_TO, tiny_tables

from lendrisk import auth, fmt, investor, metrics, risk, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

MARCH = dt.date(2024, 3, 31)
PAGE = "pages/portfolio.py"


@pytest.fixture
def con(tiny_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the same store, to compute the expected numbers directly."""
    connection = store.connect(tiny_db, read_only=True)
    yield connection
    connection.close()


def test_investor1_kpis_at_march_end(tiny_db: Path, monkeypatch: pytest.MonkeyPatch, con) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=MARCH)
    assert not at.exception
    shown = shown_metrics(at)
    kpi = investor.portfolio_summary(con, MARCH, "I1")
    # hand-computed (tests/tiny.py): I1 lent 600 + 2,400 + 1,000; exposure 354 + 2,400 + 666.67;
    # L1 and L3 are 1-30: overdue 1,020.67; interest Feb 6 + 10, Mar 4 + 24.
    assert shown["Invested"] == "¥4,000.00" == fmt.money(kpi["invested"], "en")
    assert shown["Exposure (still owed to you)"] == "¥3,420.67" == fmt.money(kpi["exposure"], "en")
    assert shown["Overdue balance"] == "¥1,020.67" == fmt.money(kpi["overdue_balance"], "en")
    assert shown["Interest received"] == "¥44.00"
    assert shown["Realised loss"] == "¥0.00"
    returns = risk.investor_returns(con, MARCH, "I1")
    assert shown["Expected principal loss"] == fmt.money(returns["expected_loss"], "en")
    assert shown["Net annualised return (NAR)"] == fmt.pct(returns["nar"], "en", 2)
    assert shown["Adjusted NAR"] == fmt.pct(returns["adjusted_nar"], "en", 2)
    assert shown["XIRR, expected"] == fmt.pct(returns["xirr"], "en", 2)
    # the plain-language lines under the numbers carry the figures behind them
    page = texts(at)
    assert "29.84% of your exposure is in loans at least one day late; ¥494.00 of instalments" in page
    assert "Principal still owed to you (running loans: 3)" in page
    # the overdue rate with its basis, and the warning that it rests on a small book
    assert (
        "On 31 Mar 2024 your overdue rate of 29.84% is ¥1,020.67 overdue out of the ¥3,420.67 you have"
        " in 3 running loans." in page
    )
    assert at.info[-1].value.startswith(
        "Your book is small: the rate rests on 3 loans / ¥3,420.67, so one late loan moves it by about"
        " 33%. In 3 of the months shown it rested on fewer than 10 loans"
    )


def test_charts_show_the_investors_buckets_and_rates(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch, con
) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=MARCH)
    bars, lines = figures(at)
    assert values(bars["data"][0]["x"]) == ["Current", "1–30 d", "31–60 d", "61–90 d", "90+ d"]
    buckets = metrics.overdue_by_bucket(con, MARCH, investor_id="I1")
    assert (
        values(bars["data"][0]["y"])
        == buckets["outstanding_principal"].tolist()
        == [2400.0, 1020.67, 0, 0, 0]
    )
    assert bars["layout"]["yaxis"]["title"]["text"] == "Exposure (¥)"
    names = [t["name"] for t in lines["data"]]
    assert names == ["My holdings", "Whole platform", "Industry benchmark"]
    mine, platform = values(lines["data"][0]["y"]), values(lines["data"][1]["y"])
    assert mine == pytest.approx([0.0, 0.0, (354 + 2000 / 3) / (2754 + 2000 / 3)])  # Jan, Feb, Mar
    assert platform[-1] == pytest.approx(2708 / 5108)
    subheaders = [s.value for s in at.subheader]
    assert "My exposure by days past due (¥)" in subheaders
    assert len(at.get("download_button")) == 4  # each chart's data, the cash flows, the statement


def test_another_investor_sees_only_their_own(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor2", PAGE, as_of=MARCH)
    shown = shown_metrics(at)
    # I2: 600 of L1 (1/2 x 708 = 354) and 2,000 of L3 (2/3 x 2,000 = 1,333.33), both 1-30
    assert shown["Invested"] == "¥2,600.00"
    assert shown["Exposure (still owed to you)"] == "¥1,687.33"
    assert shown["Overdue balance"] == "¥1,687.33"


def test_url_parameters_do_not_change_the_investor(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor2", PAGE, as_of=MARCH)
    at.query_params["investor_id"] = "I1"
    at.query_params["investor"] = "I1"
    at.run()
    assert not at.exception
    assert shown_metrics(at)["Exposure (still owed to you)"] == "¥1,687.33"


def test_chinese_and_a_later_date(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=dt.date(2024, 12, 31), lang="zh")
    assert not at.exception
    shown = shown_metrics(at)
    # all repaid or bought out by 12-31; interest 230/3 over 29,462/3 of start principal (test_risk.py)
    assert shown["累计出借"] == "¥4,000.00"
    assert shown["风险敞口（待收本金）"] == "¥0.00"
    assert shown["已收利息"] == fmt.money(230 / 3, "zh") == "¥76.67"
    assert shown["年化净收益率（NAR）"] == fmt.pct((1 + 230 / 29462) ** 12 - 1, "zh", 2)
    assert "我的投资组合" in texts(at)
    assert "该日您已没有未收回的出借本金：所有持仓均已还清、代偿或核销。" in [i.value for i in at.info]


def test_managers_have_no_investor_pages(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(tiny_db, monkeypatch, "manager", PAGE)


def test_cash_flow_statement_lists_every_flow_newest_first(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=MARCH)
    assert not at.exception
    frame = next(df.value for df in at.dataframe if "Cash to you (¥)" in df.value.columns)
    # tests/tiny.py, I1 to 03-31: invests 1,000 in L3 (01-10), 600 in L1 (01-15), 2,400 in L2 (02-01);
    # receives a third of L3's 1,030 (02-10), half of L1's 412 (02-15) and 100 (03-15), L2's 24 (03-01).
    assert frame["Date"].astype(str).str[:10].tolist() == [
        "2024-03-15",
        "2024-03-01",
        "2024-02-15",
        "2024-02-10",
        "2024-02-01",
        "2024-01-15",
        "2024-01-10",
    ]
    assert frame["Flow"].tolist() == ["Repayment"] * 4 + ["Investment"] * 3
    assert frame["Paid by"].tolist() == ["Borrower"] * 4 + ["You (investment)"] * 3
    assert frame["Cash to you (¥)"].tolist() == pytest.approx(
        [50.0, 24.0, 206.0, 1030 / 3, -2400.0, -600.0, -1000.0]
    )
    # an investment has no principal part: blank, not ¥0.00
    principal = next(c for c in frame.columns if c.startswith("Principal"))
    assert frame[principal].isna().tolist() == [False] * 4 + [True] * 3
    assert "7 flows: ¥4,000.00 invested, ¥623.33 received." in texts(at)


def scaled_tables(factor: float) -> dict:
    """The tiny platform with every amount multiplied by factor (rates, dates and states unchanged)."""
    tables = tiny_tables()
    money = {
        "borrowers": ["annual_income"],
        "loans": ["principal"],
        "schedule": ["principal_due", "interest_due"],
        "repayments": ["principal_paid", "interest_paid", "fee_paid"],
        "loan_events": ["amount"],
        "holdings": ["amount"],
        "reserve_fund": ["balance"],
    }
    for name, columns in money.items():
        tables[name] = tables[name].assign(**{c: tables[name][c].astype(float) * factor for c in columns})
    tables["users"] = auth.demo_user_rows({"investor1": "I1", "investor2": "I2", "investor3": "I2"})
    return tables


def test_chinese_amount_axes_in_wan_and_yi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "large.duckdb"
    store.build_store(db, scaled_tables(100_000.0), source="tiny x 100,000", observed_to=OBSERVED_TO)
    at = open_page(db, monkeypatch, "investor1", PAGE, as_of=MARCH, lang="zh")
    assert not at.exception
    buckets = figures(at)[0]
    # I1's exposure by bucket: current 2,400 x 100,000 = 2.4亿, 1-30 1,020.67 x 100,000 = 1.02亿;
    # ticks every 5,000万 up to 2.5亿, written in 万 / 亿 (Plotly alone would write 100M / 200M)
    assert values(buckets["data"][0]["y"])[:2] == pytest.approx([2.4e8, 354e5 + 2e8 / 3])
    axis = buckets["layout"]["yaxis"]
    assert axis["tickvals"] == [0, 5e7, 1e8, 1.5e8, 2e8, 2.5e8]
    assert axis["ticktext"] == ["¥0", "¥5000万", "¥1亿", "¥1.5亿", "¥2亿", "¥2.5亿"]
    english = open_page(db, monkeypatch, "investor1", PAGE, as_of=MARCH)
    assert figures(english)[0]["layout"]["yaxis"]["ticktext"][1:3] == ["¥50M", "¥100M"]
