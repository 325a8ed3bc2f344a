"""AppTest of the Liquidity and reserve page on the tiny store: KPIs and projections shown equal
lendrisk.liquidity's results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest_helpers import figures, open_page, texts, values

from lendrisk import fmt, liquidity, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

MARCH = dt.date(2024, 3, 31)


def test_march_outlook(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/reserve.py", as_of=MARCH)
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    # 10,000 in the reserve; L3's 2,000 is expected to be bought out in June -> 60 months of coverage
    assert shown["Reserve balance"] == fmt.money(10000, "en", compact=True)
    assert shown["Reserve-guaranteed exposure"] == fmt.money(2000, "en", compact=True)
    assert shown["Expected buy-outs, 12 months"] == fmt.money(2000, "en", compact=True)
    assert shown["Months of coverage (base)"] == "60.0"
    assert shown["Months of coverage (stressed)"] == "60.0"
    assert not at.warning
    history, buyouts, collections = figures(at)
    assert values(history["data"][0]["y"]) == [10000.0] * 3
    assert values(buyouts["data"][0]["y"]) == pytest.approx([0, 0, 2000] + [2000] * 9)
    con = store.connect(tiny_db, read_only=True)
    expected = liquidity.projected_collections(con, MARCH, 2.0)
    con.close()
    assert values(collections["data"][0]["y"]) == pytest.approx(expected["contractual"].tolist())
    assert values(collections["data"][1]["y"]) == pytest.approx(expected["expected_base"].tolist())
    assert "Expected buy-outs over the next 12 months, base vs +2.0 points unemployment (¥)" in texts(at)


def test_shock_slider_and_after_the_buyout(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/reserve.py", as_of=dt.date(2024, 7, 31))
    at.slider(key="reserve_shock").set_value(4.0).run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Months of coverage (base)"] == "No buy-outs expected"
    assert shown["Expected buy-outs, 12 months"] == "¥0.00"
    # the June buy-out shows in the history
    history = figures(at)[0]["data"][1]
    assert values(history["y"]) == [0, 0, 0, 0, 0, 2020.0, 0]
    assert "+4.0 points" in texts(at)
