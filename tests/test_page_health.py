"""AppTest of the Platform health page on the tiny store: KPIs equal the risk engine's numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest_helpers import open_page, texts
from streamlit.testing.v1 import AppTest

from lendrisk import fmt, metrics, reports, risk, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

MARCH = dt.date(2024, 3, 31)


@pytest.fixture
def manager(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The dashboard on the tiny store, logged in as the demo manager, on the health page at 2024-03-31."""
    return open_page(tiny_db, monkeypatch, "manager", "pages/health.py", as_of=MARCH)


def test_kpis_equal_the_engine(manager: AppTest, tiny_db: Path) -> None:
    assert not manager.exception
    shown = {m.label: m for m in manager.metric}
    con = store.connect(tiny_db, read_only=True)
    trend = metrics.overdue_trend(con, MARCH, MARCH).iloc[0]
    el = risk.expected_loss(con, MARCH)["el"].sum()
    con.close()
    # hand-computed: overdue L1 708 + L3 2,000 of 5,108 outstanding; 2 of 3 loans; nothing 90+
    assert trend["overdue_rate_amount"] == pytest.approx(2708 / 5108)
    assert shown["Overdue rate (amount)"].value == fmt.pct(trend["overdue_rate_amount"], "en") == "53.0%"
    assert shown["Overdue rate (count)"].value == fmt.pct(trend["overdue_rate_count"], "en") == "66.7%"
    assert shown["M3+ rate (amount)"].value == "0.0%"
    assert shown["Outstanding principal"].value == fmt.money(5108, "en", compact=True)
    assert shown["Expected loss"].value == fmt.money(el, "en", compact=True)
    # the reserve as the Risk reserve page reads it: 10,000 against L3's 2,000 expected buy-out over
    # the next 12 months = 500 % (not capped at 100 %), 60 months; February expected none
    assert shown["Reserve coverage"].value == "500%"
    assert not shown["Reserve coverage"].delta  # no change against infinity
    assert (
        "Reserve balance ¥10,000.00 over the ¥2,000.00 of buy-outs expected in the next 12 months"
        " (not capped: 200 % = twice what is needed); it lasts about 60.0 months." in texts(manager)
    )
    # the gap to the industry: 53.01 % against the benchmark's 2.00 %
    assert shown["Gap to the industry (pp)"].value == "+51.0"
    assert "Overdue rate by amount 53.01% against the industry's published 2.00%" in texts(manager)
    # February had nothing overdue: the change is the whole rate, in percentage points
    assert shown["Overdue rate (amount)"].delta == "53.0 pp"
    assert shown["Overdue rate (count)"].delta == "66.7 pp"


def test_charts_and_downloads(manager: AppTest) -> None:
    assert len(manager.get("plotly_chart")) == 3
    assert len(manager.get("download_button")) == 3
    shown = texts(manager)
    assert "Overdue and M3+ rates against the industry and unemployment (%)" in shown
    assert "Originations by grade (¥ per month)" in shown


def test_chinese(manager: AppTest) -> None:
    manager.session_state["lang"] = "zh"
    manager.run()
    assert not manager.exception
    shown = {m.label: m.value for m in manager.metric}
    assert shown["金额逾期率"] == "53.0%"
    assert "平台风险概况" in texts(manager)


def test_trend_matches_reports(tiny_db: Path) -> None:
    con = store.connect(tiny_db, read_only=True)
    mix = reports.originations_by_grade(con, MARCH)
    con.close()
    # January: L1 (A, 1,200) and L3 (E, 3,000); February: L2 (B, 2,400)
    assert mix[["grade", "principal"]].values.tolist() == [["A", 1200.0], ["E", 3000.0], ["B", 2400.0]]
    assert mix["share"].round(4).tolist() == [round(1200 / 4200, 4), round(3000 / 4200, 4), 1.0]
