"""AppTest of Holdings on the tiny store: the table is the investor's own, filters work, stories open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from apptest_helpers import download_data, figures, keep_downloads, open_page, texts, values

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

MARCH, APRIL, DEC = dt.date(2024, 3, 31), dt.date(2024, 4, 30), dt.date(2024, 12, 31)
PAGE = "pages/holdings.py"


def test_table_of_investor1_at_march_end(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=MARCH)
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame.columns)[:12] == [
        "Loan",
        "State",
        "Days past due",
        "Grade",
        "Product",
        "Interest rate",
        "Term (months)",
        "Invested",
        "Exposure",
        "Received to date",
        "Next payment",
        "Next payment amount",
    ]
    # overdue loans first, worst DPD first: L3 (DPD 21), L1 (DPD 16), then the current L2
    assert frame["Loan"].tolist() == ["L3", "L1", "L2"]
    assert frame["State"].tolist() == ["1–30 days past due (M1)", "1–30 days past due (M1)", "Current"]
    assert frame["Days past due"].tolist() == [21, 16, 0]
    assert frame["Exposure"].tolist() == pytest.approx([2000 / 3, 354.0, 2400.0])
    # a cell with no value shows a dash, not Streamlit's "None"
    assert at.dataframe[0].proto.placeholder == "—"
    # L3: 1/3 of the 1,030 paid 02-10; L1: half of 412 + 100; L2: the 24 of 03-01
    assert frame["Received to date"].tolist() == pytest.approx([1030 / 3, 256.0, 24.0])
    # the next installment not yet due: L3 04-10 1,010 / 3, L1 04-15 404 / 2, L2 04-01 24
    assert [f"{d:%Y-%m-%d}" for d in frame["Next payment"]] == ["2024-04-10", "2024-04-15", "2024-04-01"]
    assert frame["Next payment amount"].tolist() == pytest.approx([1010 / 3, 202.0, 24.0])
    assert frame["Interest rate"].tolist() == pytest.approx([12.0] * 3)  # shown in %
    assert frame["Term (months)"].tolist() == [3, 3, 6]
    assert frame["Expected loss"].tolist() == pytest.approx([0.0, 318.6, 2400 * (1 - (33 / 47) ** 5) * 0.9])
    assert "3 of 3 holdings shown: exposure ¥3,420.67" in texts(at)


def test_csv_download_has_iso_dates_and_cents(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keep_downloads(monkeypatch)
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=MARCH)
    name, data = download_data(at, "my_holdings")
    assert name == "my_holdings_2024-03-31.csv"  # every holding shown: the unfiltered file
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Loan,State,Days past due,Grade,Product,Interest rate,Term (months),Invested,")
    assert lines[1] == (
        "L3,1–30 days past due (M1),21,E,Small-business loan,0.12,3,1000.00,666.67,343.33,2024-04-10,"
        "336.67,1.0,0.00,Risk reserve,0.00,2024-01-10"
    )
    assert lines[2] == (
        "L1,1–30 days past due (M1),16,A,Personal loan,0.12,3,600.00,354.00,256.00,2024-04-15,"
        "202.00,1.0,318.60,No guarantee,0.00,2024-01-15"
    )
    at.text_input(key="holdings_search").input("l1").run()
    assert at.dataframe[0].value["Loan"].tolist() == ["L1"]
    name, data = download_data(at, "my_holdings")
    assert name == "my_holdings_2024-03-31_filtered.csv"
    assert len(data.decode("utf-8-sig").splitlines()) == 2


def test_running_only_and_the_worst_running_loan_opens(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 04-30: L1 and L2 are paid off, L3 is 51 days past due
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=APRIL)
    assert at.toggle(key="holdings_active_only").value is True
    assert at.dataframe[0].value["Loan"].tolist() == ["L3"]
    picker = at.selectbox(key="holdings_story_loan")
    assert picker.value == "L3"  # not a paid-off loan
    assert [o.split(" ·")[0] for o in picker.options] == ["L3", "L2", "L1"]
    at.toggle(key="holdings_active_only").set_value(False).run()
    frame = at.dataframe[0].value
    assert frame["Loan"].tolist() == ["L3", "L2", "L1"]  # closed loans after, larger first
    assert frame["Received to date"].tolist() == pytest.approx([1030 / 3, 2448.0, 612.0])
    assert frame["Next payment"].isna().tolist() == [True, True, True]  # nothing left to fall due


def test_filters_narrow_the_table(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=MARCH)
    at.multiselect(key="holdings_state-en").select("1-30").run()
    at.selectbox(key="holdings_sort").set_value("exposure").run()
    assert at.dataframe[0].value["Loan"].tolist() == ["L3", "L1"]
    at.multiselect(key="holdings_product-en").select("personal").run()
    assert at.dataframe[0].value["Loan"].tolist() == ["L1"]
    assert "1 of 3 holdings shown: exposure ¥354.00, expected loss ¥318.60" in texts(at)


def test_story_of_the_worst_loan_opens_first(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=DEC)
    picker = at.selectbox(key="holdings_story_loan")
    # only I1's loans: nothing runs any more, so the charge-off L3 first, then the paid-off L2 (2,400
    # invested) and L1 (600)
    assert [o.split(" ·")[0] for o in picker.options] == ["L3", "L2", "L1"]
    assert picker.value == "L3"
    assert "The story of loan L3" in [h.value for h in at.header]
    assert "You hold 33.3% of it (¥1,000.00). Now: **Charged off**." in texts(at)
    # the guarantor bought the investors out on 06-10: 2,020, of which 1/3 is I1's
    assert at.warning[0].value.startswith(
        "Guarantor buy-out: on 10 Jun 2024 the guarantor paid ¥2,020.00 to the loan's investors,"
        " of which ¥673.33 was yours."
    )
    payments, timeline = figures(at)
    assert [t["name"] for t in payments["data"]] == [
        "Due under the contract",
        "Paid by the borrower (incl. collection)",
        "Paid by the guarantor",
    ]
    assert values(payments["data"][0]["y"]) == [0.0, 1030.0, 2050.0, 3060.0]
    assert values(payments["data"][1]["y"]) == [0.0, 1030.0, 1330.0, 1330.0]
    rows = [t["y"][0] for t in timeline["data"]]
    assert rows == [
        "Loan originated",
        "First missed payment",
        "Phone call",
        "Visit",
        "Lawsuit filed",
        "Court judgment",
        "Guarantor buy-out",
        "Charged off",
        "Collection recovery",
    ]
    schedule = at.dataframe[1].value
    # charged off on 09-06: the days late stop there (03-10 -> 09-06 = 180, 04-10 -> 149), not at as-of
    assert schedule["Status"].tolist() == ["Paid on time"] + ["Unpaid, written off at charge-off"] * 2
    assert schedule["Days late"].tolist() == [0, 180, 149]
    assert [None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in schedule["Paid in full on"]] == [
        "2024-02-10",
        None,
        None,
    ]


def test_choosing_another_loan(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=DEC)
    at.selectbox(key="holdings_story_loan").set_value("L1").run()
    assert not at.exception
    assert "The story of loan L1" in [h.value for h in at.header]
    assert "No guarantor buy-out on this loan so far." in texts(at)
    schedule = at.dataframe[1].value
    assert schedule["Status"].tolist() == ["Paid on time", "Paid late", "Paid on time"]
    assert schedule["Days late"].tolist() == [0, 28, 0]


def test_other_investors_loans_cannot_be_opened(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # investor2 (I2) holds parts of L1 and L3 but not L2
    at = open_page(tiny_db, monkeypatch, "investor2", PAGE, as_of=MARCH)
    assert at.dataframe[0].value["Loan"].tolist() == ["L3", "L1"]  # L3 is 21 days past due, L1 16
    assert [o.split(" ·")[0] for o in at.selectbox(key="holdings_story_loan").options] == ["L3", "L1"]
    # a session-state edit to L2 and URL parameters naming I1 and L2 are ignored: the picker keeps
    # to I2's loans (Streamlit drops a value outside the options) and the story is I2's own
    tampered = open_page(tiny_db, monkeypatch, "investor2", "pages/portfolio.py", as_of=MARCH)
    tampered.session_state["holdings_story_loan"] = "L2"
    tampered.query_params["loan_id"] = "L2"
    tampered.query_params["investor_id"] = "I1"
    tampered.switch_page(PAGE).run()
    assert not tampered.exception
    assert tampered.selectbox(key="holdings_story_loan").value == "L3"
    assert [h.value for h in tampered.header] == ["The story of loan L3"]
    assert tampered.dataframe[0].value["Loan"].tolist() == ["L3", "L1"]
    assert "You hold 66.7% of it (¥2,000.00)" in texts(tampered)


def test_chinese_labels(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=MARCH, lang="zh")
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame.columns)[:3] == ["借款编号", "状态", "逾期天数"]
    assert set(frame["状态"]) == {"正常", "逾期1–30天（M1）"}
    assert "借款 L3 的经历" in [h.value for h in at.header]
    assert at.multiselect(key="holdings_state-zh").label == "状态"
