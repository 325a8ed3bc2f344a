"""AppTest of the investor Risk page on the tiny store: concentration, stress, loss distribution, cash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from apptest_helpers import figures, open_page, shown_metrics, texts, values

from lendrisk import fmt, metrics, risk, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

MARCH = dt.date(2024, 3, 31)
PAGE = "pages/investor_risk.py"
# At 03-31 I1 has L2 (2,400, current, 12-month PD 1 - (33/47)^5), L1 (354, 1-30, PD 1) and L3
# (666.67, 1-30, reserve-covered); LGD 0.9 everywhere (no charge-off yet).
PD_L2 = 1 - (33 / 47) ** 5


@pytest.fixture
def con(tiny_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the same store, to compute the expected numbers directly."""
    connection = store.connect(tiny_db, read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def at(tiny_db: Path, monkeypatch: pytest.MonkeyPatch):
    """The page as investor1 at 2024-03-31."""
    return open_page(tiny_db, monkeypatch, "investor1", PAGE, as_of=MARCH)


def test_concentration(at, con) -> None:
    assert not at.exception
    shown = shown_metrics(at)
    total = 2400 + 666.67 + 354
    hhi = (2400 / total) ** 2 + (666.67 / total) ** 2 + (354 / total) ** 2
    assert shown["Herfindahl index (HHI)"] == fmt.number(hhi, "en", 3) == "0.541"
    assert shown["Herfindahl index (HHI)"] == fmt.number(
        metrics.concentration(con, MARCH, "I1")["hhi"], "en", 3
    )
    assert shown["Largest borrower"] == "70.2%"  # B2: 2,400 / 3,420.67
    assert shown["Top 10 borrowers"] == "100.0%"
    assert shown["Borrowers"] == "3"
    assert "yours equals spreading evenly over 1.8 borrowers" in texts(at)  # 1 / 0.541
    top = figures(at)[0]
    assert values(top["data"][0]["y"]) == ["Borrower B2", "Borrower B3", "Borrower B1"]
    assert values(top["data"][0]["x"]) == pytest.approx([2400 / total, 666.67 / total, 354 / total], abs=1e-5)


def test_stress_before_and_after(at, con) -> None:
    shown = shown_metrics(at)
    before = 2400 * PD_L2 * 0.9 + 354 * 0.9
    assert shown["Expected loss today"] == fmt.money(before, "en") == "¥2,110.02"
    at.slider(key="risk_shock_pp").set_value(4.0).run()
    assert not at.exception
    engine = risk.stressed_expected_loss(con, MARCH, 4.0, investor_id="I1")
    shown = shown_metrics(at)
    assert shown["Expected loss after the shock"] == fmt.money(engine["el_after_guarantee_stressed"], "en")
    # unemployment is flat in the tiny store: no measurable sensitivity, the shock changes nothing
    assert shown["Expected loss after the shock"] == "¥2,110.02"
    assert shown["Extra loss from the shock"] == "¥0.00"
    assert "do not move together" in " ".join(i.value for i in at.info)
    # the explanation: L3's 666.67 x 0.9 = 600 is the reserve's, which still covers all of it
    assert (
        "before any guarantee your expected loss goes from ¥2,710.02 to ¥2,710.02. The risk reserve would"
        " still cover 100% of the guaranteed loans' losses (¥600.00), so what stays with you goes from"
        " ¥2,110.02 to ¥2,110.02." in texts(at)
    )
    assert "The same holdings if unemployment were 4.0 percentage points higher." in texts(at)


def test_loss_distribution(at) -> None:
    shown = shown_metrics(at)
    # L1 always loses 354 x 0.9 = 318.6; L2 defaults with PD 0.829 and then loses 2,160: in more
    # than 5 % of the years both happen, so VaR 95 and 99 are 2,478.60.
    assert shown["Expected loss, next 12 months"] == fmt.money(318.6 + 2400 * PD_L2 * 0.9, "en")
    assert shown["VaR 95 %"] == "¥2,478.60"
    assert shown["VaR 99 %"] == "¥2,478.60"
    assert shown["P(loss > 5.0 %)"] == "100.0%"  # 5 % of 3,420.67 = 171.03 < 318.6, always exceeded
    at.number_input(key="risk_k").set_value(80.0).run()
    assert shown_metrics(at)["P(loss > 80.0 %)"] == "0.0%"  # 2,736.53 is never reached
    at.number_input(key="risk_rho").set_value(0.3).run()
    assert not at.exception
    assert shown_metrics(at)["VaR 99 %"] == "¥2,478.60"
    histogram = figures(at)[2]
    assert histogram["layout"]["xaxis"]["title"]["text"] == "Loss over the next 12 months (¥)"
    assert sum(values(histogram["data"][0]["y"])) == pytest.approx(1.0)


def test_expected_cash_flows(at, con) -> None:
    shown = shown_metrics(at)
    # April: 1/2 x 404 + 24 + 1/3 x 1,010; May..July: L2's 24; August: L2's 2,424
    assert shown["Due under the contracts"] == fmt.money(202 + 24 + 1010 / 3 + 3 * 24 + 2424, "en")
    flows = risk.expected_cash_flows(con, MARCH, "I1")
    assert shown["Expected to arrive"] == fmt.money(flows["expected"].sum(), "en")
    cash = figures(at)[3]
    assert [t["name"] for t in cash["data"]] == ["Due under the contracts", "Expected to arrive"]
    assert values(cash["data"][0]["y"])[:5] == pytest.approx([202 + 24 + 1010 / 3, 24, 24, 24, 2424])
    assert len(figures(at)) == 4


def test_chinese(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "investor2", PAGE, as_of=MARCH, lang="zh")
    assert not at.exception
    shown = shown_metrics(at)
    # I2: 354 of L1 (B1) and 1,333.33 of L3 (B3)
    assert shown["最大借款人占比"] == fmt.pct(1333.33 / 1687.33, "zh")
    assert shown["借款人数"] == "2"
    assert at.slider(key="risk_shock_pp").label == "失业率冲击（百分点）"
    assert "压力测试：如果失业率上升？" in [h.value for h in at.header]
