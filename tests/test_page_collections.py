"""AppTest of the Collections page on the tiny store: queue, cure rates, legal pipeline and recovery
curve shown equal lendrisk.collections' results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_app_store import texts, tiny_db  # noqa: F401  (tiny_db is a fixture)
from test_page_health import figures, open_page, values

from lendrisk import collections, fmt, store

MARCH, YEAR_END = dt.date(2024, 3, 31), dt.date(2024, 12, 31)


def test_queue_in_march(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    at = open_page(tiny_db, monkeypatch, "pages/collections.py", MARCH)
    assert not at.exception
    con = store.connect(tiny_db, read_only=True)
    queue = collections.collection_queue(con, MARCH)
    con.close()
    table = at.dataframe[0].value
    assert table["Loan"].tolist() == ["L3", "L1"]
    assert table["Expected loss"].tolist() == pytest.approx(queue["el"].tolist())
    assert table["Overdue bucket"].tolist() == ["M1 (1–30 days)", "M1 (1–30 days)"]
    assert table["Days since last contact"].tolist() == ["16", "11"]
    assert table["Last contact"].tolist() == ["Phone call", "Reminder"]
    assert table["Next step"].tolist() == ["Visit", "Call"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Overdue loans"] == "2"
    assert shown["Expected loss in the queue"] == fmt.money(queue["el"].sum(), "en", compact=True)
    assert shown["Not contacted for 30+ days"] == "0"
    # the bucket filter
    at.multiselect(key="queue_buckets").set_value(["31-60"]).run()
    assert at.dataframe[0].value.empty


def test_cures_legal_and_recoveries_at_year_end(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    at = open_page(tiny_db, monkeypatch, "pages/collections.py", YEAR_END)
    assert not at.exception
    by_action, by_delay, legal, recovery = (f["data"][0] for f in figures(at))
    # L1 (reminder first) cured, L3 (call first) did not; both were contacted 5 days after falling due
    action = dict(zip(values(by_action["x"]), values(by_action["y"]), strict=True))
    assert action["Reminder"] == 1.0 and action["Phone call"] == 0.0
    delay = dict(zip(values(by_delay["x"]), values(by_delay["y"]), strict=True))
    assert delay["4–7 days"] == 0.5
    assert values(legal["x"]) == [1, 1, 1]
    assert values(legal["y"]) == ["Lawsuit filed", "Judgment", "Money recovered"]
    assert values(recovery["y"]) == [0.0, 0.0, 0.15, 0.15]
    assert "Claims at filing ¥2,000.00; recovered since filing ¥300.00 (15.0%)." in texts(at)
    assert {m.label: m.value for m in at.metric}["Lawsuits filed"] == "1"


def test_chinese(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    at = open_page(tiny_db, monkeypatch, "pages/collections.py", MARCH)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["下一步"].tolist() == ["上门催收", "电话催收"]
    assert "贷后催收" in texts(at)
