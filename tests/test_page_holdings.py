"""AppTest of Holdings on the tiny store: the table is the investor's own, filters work, stories open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest_helpers import build_tiny_store, figures, open_page, values
from test_app_store import texts

MARCH, DEC = dt.date(2024, 3, 31), dt.date(2024, 12, 31)
PAGE = "pages/holdings.py"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny store with the demo accounts."""
    return build_tiny_store(tmp_path_factory.mktemp("store") / "tiny.duckdb")


def test_table_of_investor1_at_march_end(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(db, monkeypatch, "investor1", PAGE, as_of=MARCH)
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame.columns)[:7] == [
        "Loan",
        "State",
        "Days past due",
        "Grade",
        "Product",
        "Invested",
        "Exposure",
    ]
    # sorted by expected loss: L2 (2,400 x PD 0.829 x 0.9), L1 (318.6), L3 (reserve-covered: 0)
    assert frame["Loan"].tolist() == ["L2", "L1", "L3"]
    assert frame["State"].tolist() == ["Current", "1–30 days past due (M1)", "1–30 days past due (M1)"]
    assert frame["Days past due"].tolist() == [0, 16, 21]
    assert frame["Exposure"].tolist() == pytest.approx([2400.0, 354.0, 2000 / 3])
    assert frame["Expected loss"].tolist() == pytest.approx([2400 * (1 - (33 / 47) ** 5) * 0.9, 318.6, 0.0])
    assert "3 of 3 holdings shown: exposure ¥3,420.67" in texts(at)


def test_filters_narrow_the_table(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(db, monkeypatch, "investor1", PAGE, as_of=MARCH)
    at.multiselect(key="holdings_state").select("1-30").run()
    at.selectbox(key="holdings_sort").set_value("exposure").run()
    assert at.dataframe[0].value["Loan"].tolist() == ["L3", "L1"]
    at.multiselect(key="holdings_product").select("personal").run()
    assert at.dataframe[0].value["Loan"].tolist() == ["L1"]
    assert "1 of 3 holdings shown: exposure ¥354.00, expected loss ¥318.60" in texts(at)


def test_story_of_the_worst_loan_opens_first(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(db, monkeypatch, "investor1", PAGE, as_of=DEC)
    picker = at.selectbox(key="holdings_story_loan")
    # only I1's loans, the worst state first: L3 charged off, then the paid-off L1 and L2
    assert [o.split(" ·")[0] for o in picker.options] == ["L3", "L1", "L2"]
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
    assert schedule["Status"].tolist() == ["Paid on time", "Unpaid, overdue", "Unpaid, overdue"]
    assert schedule["Days late"].tolist() == [0, 296, 265]
    assert schedule["Paid in full on"].tolist() == ["10 Feb 2024", "—", "—"]


def test_choosing_another_loan(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(db, monkeypatch, "investor1", PAGE, as_of=DEC)
    at.selectbox(key="holdings_story_loan").set_value("L1").run()
    assert not at.exception
    assert "The story of loan L1" in [h.value for h in at.header]
    assert "No guarantor buy-out on this loan so far." in texts(at)
    schedule = at.dataframe[1].value
    assert schedule["Status"].tolist() == ["Paid on time", "Paid late", "Paid on time"]
    assert schedule["Days late"].tolist() == [0, 28, 0]


def test_other_investors_loans_cannot_be_opened(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # investor2 (I2) holds parts of L1 and L3 but not L2
    at = open_page(db, monkeypatch, "investor2", PAGE, as_of=MARCH)
    assert at.dataframe[0].value["Loan"].tolist() == ["L1", "L3"]
    assert [o.split(" ·")[0] for o in at.selectbox(key="holdings_story_loan").options] == ["L3", "L1"]
    # a session-state edit to L2 and URL parameters naming I1 and L2 are ignored: the picker keeps
    # to I2's loans (Streamlit drops a value outside the options) and the story is I2's own
    tampered = open_page(db, monkeypatch, "investor2", "pages/portfolio.py", as_of=MARCH)
    tampered.session_state["holdings_story_loan"] = "L2"
    tampered.query_params["loan_id"] = "L2"
    tampered.query_params["investor_id"] = "I1"
    tampered.switch_page(PAGE).run()
    assert not tampered.exception
    assert tampered.selectbox(key="holdings_story_loan").value == "L3"
    assert [h.value for h in tampered.header] == ["The story of loan L3"]
    assert tampered.dataframe[0].value["Loan"].tolist() == ["L1", "L3"]
    assert "You hold 66.7% of it (¥2,000.00)" in texts(tampered)


def test_chinese_labels(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(db, monkeypatch, "investor1", PAGE, as_of=MARCH, lang="zh")
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame.columns)[:3] == ["借款编号", "状态", "逾期天数"]
    assert set(frame["状态"]) == {"正常", "逾期1–30天（M1）"}
    assert "借款 L3 的经历" in [h.value for h in at.header]
    assert at.multiselect(key="holdings_state").label == "状态"
