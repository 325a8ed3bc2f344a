"""AppTest of Learn on the tiny store: the glossary in both languages and the two real stories."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest_helpers import figures, open_page, texts, values

from lendrisk import i18n

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

MARCH, DEC = dt.date(2024, 3, 31), dt.date(2024, 12, 31)
PAGE = "pages/learn.py"
TERMS = 23


def test_two_real_stories(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=DEC)
    assert not at.exception
    page = texts(at)
    # L2 paid its interest on 03-01 and 04-01, then the whole 2,400 on 04-20, due 08-01
    assert (
        "This borrower paid 2 installments on time, then repaid the whole loan on 20 Apr 2024,"
        " 4 months before the last due date (1 Aug 2024)." in page
    )
    # L3 missed the 03-10 installment; call 03-15 and visit 05-02; lawsuit 07-01; judgment 10-20
    assert (
        "This borrower first missed the installment due on 10 Mar 2024. Collection started on"
        " 15 Mar 2024 (2 contacts: reminders, calls, visits), and on 1 Jul 2024 the platform went"
        " to court. The court ruled on 20 Oct 2024." in page
    )
    early_paid, early_timeline, legal_paid, legal_timeline = figures(at)
    assert values(early_paid["data"][1]["y"]) == [0.0, 24.0, 48.0, 2448.0, 2448.0]
    assert [t["y"][0] for t in early_timeline["data"]] == ["Loan originated", "Repaid early"]
    assert values(legal_paid["data"][0]["y"]) == [0.0, 1030.0, 2050.0, 3060.0]
    assert [t["y"][0] for t in legal_timeline["data"]][:3] == [
        "Loan originated",
        "First missed payment",
        "Phone call",
    ]
    headers = [h.value for h in at.header]
    assert headers[:2] == ["Story 1: a borrower who repaid early", "Story 2: from a missed payment to court"]


def test_glossary_in_both_languages(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=DEC)
    labels = [e.label for e in at.expander]
    assert len(labels) == TERMS
    assert labels[:3] == ["Invested", "Exposure", "Days past due (DPD) and buckets"]
    assert "Adjusted NAR" in labels and "Value at risk (VaR 95 % and 99 %)" in labels
    zh = open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=DEC, lang="zh")
    assert not zh.exception
    zh_labels = [e.label for e in zh.expander]
    assert zh_labels[:3] == ["累计出借", "风险敞口", "逾期天数（DPD）与分档"]
    assert "是什么：" in texts(zh) and "案例一：提前还款的借款人" in [h.value for h in zh.header]
    # every term has what / how / why in both languages
    for key in i18n.catalogue():
        if key.startswith("investor.glossary.") and key.endswith(".name"):
            for part in ("what", "how", "why"):
                entry = i18n.catalogue()[key.replace(".name", f".{part}")]
                assert entry["en"] and entry["zh"]


def test_no_story_yet_in_march(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor2", PAGE, as_of=MARCH)
    assert not at.exception
    assert [i.value for i in at.info] == [
        "No loan in the store has been repaid early by this date.",
        "No loan in the store has gone from a missed payment through collection to court by this date.",
    ]
    assert figures(at) == []
    assert len(at.expander) == TERMS
