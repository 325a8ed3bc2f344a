"""AppTest of the Disclosure page on the tiny store: every item equals metrics.disclosure_monthly, the
rates after compensation are hand-computed, and the Excel file holds the same numbers."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from apptest_helpers import figures, open_page, texts, values
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from lendrisk import fmt, metrics, reports, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

MARCH, JUNE = dt.date(2024, 3, 31), dt.date(2024, 6, 30)


def rates_shown(at: AppTest) -> dict[str, tuple[float, float]]:
    """The rates table: item -> (before, after) in % as shown."""
    frame = at.dataframe[1].value
    return {r[1]: (r[2], r[3]) for r in frame.itertuples(index=False)}


def shown_items(at: AppTest) -> dict[str, str]:
    """The report table: Chinese item -> value shown."""
    frame = at.dataframe[0].value
    return dict(zip(frame.iloc[:, 0], frame.iloc[:, 2], strict=True))


@pytest.mark.parametrize("month_end", [MARCH, JUNE])
def test_items_equal_the_engine(tiny_db: Path, monkeypatch: pytest.MonkeyPatch, month_end: dt.date) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/disclosure.py", as_of=month_end)
    assert not at.exception
    con = store.connect(tiny_db, read_only=True)
    row = metrics.disclosure_monthly(con, month_end).iloc[0]
    con.close()
    shown = shown_items(at)
    assert len(shown) == len(reports.DISCLOSURE_ITEMS) == 23
    for item in reports.DISCLOSURE_ITEMS:
        value = row[item.column]
        expected = {
            "money": fmt.money(value, "en"),
            "count": fmt.number(value, "en", 0),
            "pct": fmt.pct(value, "en", 2),
        }[item.kind]
        assert shown[item.zh] == expected, item.column
    assert list(at.dataframe[0].value.columns) == ["Item (Chinese)", "Item (English)", "Value", "Base"]


def test_march_hand_computed(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/disclosure.py", as_of=MARCH)
    shown = shown_items(at)
    assert shown["累计借贷金额"] == "¥6,600.00"
    assert shown["借贷余额"] == "¥5,108.00"  # 708 (L1) + 2,400 (L2) + 2,000 (L3)
    assert shown["逾期金额"] == "¥2,708.00"  # outstanding principal of the overdue L1 708 + L3 2,000
    assert shown["逾期笔数"] == "2"
    assert shown["项目逾期率"] == "66.67%"
    assert shown["金额逾期率"] == "53.01%"  # 2,708 / 5,108
    frame = at.dataframe[0].value
    bases = dict(zip(frame.iloc[:, 0], frame.iloc[:, 3], strict=True))
    assert bases["金额逾期率"] == "Overdue amount ÷ Outstanding loan balance = ¥2,708.00 ÷ ¥5,108.00"
    assert bases["项目逾期率"] == "Number of overdue loans ÷ Number of outstanding loans = 2 ÷ 3"
    assert bases["逾期金额"] == "principal"
    # no buy-out yet: before and after compensation agree
    assert rates_shown(at)["Overdue rate by amount"] == pytest.approx((2708 / 5108 * 100, 2708 / 5108 * 100))
    assert "No guarantor buy-out changes the rates at this month-end." in texts(at)


def test_june_buyout_hides_the_overdue_loan_after_compensation(
    tiny_db: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/disclosure.py", as_of=JUNE)
    shown = shown_items(at)
    assert shown["累计代偿金额"] == "¥2,020.00"  # the reserve bought L3 out on 06-10
    assert shown["逾期90天(不含)以上笔数"] == "1"
    # L3 (DPD 112) is the only active loan: 100 % overdue before, nothing left after the buy-out
    assert rates_shown(at) == {
        "Overdue rate by count": (100.0, 0.0),
        "Overdue rate by amount": (100.0, 0.0),
        "M3+ overdue rate by amount": (100.0, 0.0),
    }
    bars = figures(at)[0]["data"]
    assert [b["name"] for b in bars] == ["Before compensation", "After compensation"]
    assert values(bars[0]["y"]) == [1.0, 1.0, 1.0] and values(bars[1]["y"]) == [0.0, 0.0, 0.0]
    assert len(at.warning) == 1


def test_excel_report(tiny_db: Path) -> None:
    con = store.connect(tiny_db, read_only=True)
    report = reports.disclosure_report(con, JUNE)
    rates = reports.compensation_rates(con, JUNE)
    con.close()
    english = {i.column: i.column for i in (*reports.DISCLOSURE_ITEMS, *reports.COMPENSATION_RATES)}
    headers = {k: k for k in ("zh", "en", "value", "base", "before", "after", "rates")}
    bases = [f"base of {item}" for item in report["item"]]
    data = reports.disclosure_excel(report, rates, JUNE, english, headers, "Disclosure June 2024", bases)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "2024-06"
    assert ws["A1"].value == "Disclosure June 2024"
    assert [c.value for c in ws[3]][:4] == ["zh", "en", "value", "base"]
    assert ws["D4"].value == "base of cumulative_lending_amount"
    rows = {r[0]: r[2] for r in ws.iter_rows(min_row=4, max_row=26, values_only=True)}
    assert rows["借贷余额"] == 2000.0 and rows["累计代偿金额"] == 2020.0 and rows["项目逾期率"] == 1.0
    assert ws["C4"].number_format == "#,##0.00"
    last = list(ws.iter_rows(min_row=ws.max_row - 2, values_only=True))
    assert [(r[0], r[2], r[3]) for r in last] == [
        ("项目逾期率", 1.0, 0.0),
        ("金额逾期率", 1.0, 0.0),
        ("M3+逾期率（金额）", 1.0, 0.0),
    ]


def test_chinese_layout(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/disclosure.py", as_of=MARCH, lang="zh")
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["项目", "项目（英文）", "数值", "口径"]
    assert frame.iloc[2].tolist() == ["借贷余额", "Outstanding loan balance", "¥5,108.00", "本金"]
    assert frame.iloc[-1].tolist()[3] == "逾期金额 ÷ 借贷余额 = ¥2,708.00 ÷ ¥5,108.00"
    assert "信息披露报告（2024年3月）" in texts(at)
