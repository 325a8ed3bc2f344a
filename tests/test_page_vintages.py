"""AppTest of the Vintages page on the tiny store: curves, roll rates and cure rates equal the engine's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest_helpers import figures, open_page, texts, values

from lendrisk import risk, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

MARCH, JUNE = dt.date(2024, 3, 31), dt.date(2024, 6, 30)


def test_vintage_curves_cut_at_as_of(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/vintages.py", as_of=JUNE)
    assert not at.exception
    at.radio(key="vintage_grain").set_value("month").run()
    curves = {trace["name"]: trace for trace in figures(at)[0]["data"]}
    assert list(curves) == ["Jan 2024", "Feb 2024"]
    # January: L1 1,200 + L3 3,000; L3 first 90+ at 2024-06-30 (5 months on book) with 2,000 outstanding
    assert values(curves["Jan 2024"]["x"]) == [0, 1, 2, 3, 4, 5]
    assert values(curves["Jan 2024"]["y"]) == pytest.approx([0, 0, 0, 0, 0, 2000 / 4200])
    # February (L2 alone) is observed 4 months by the end of June, and never defaults
    assert values(curves["Feb 2024"]["y"]) == [0.0] * 5
    # by quarter: Q1 2024 = all three loans, observed 3 months after March
    at.radio(key="vintage_grain").set_value("quarter").run()
    (q1,) = figures(at)[0]["data"]
    assert q1["name"] == "2024 Q1" and values(q1["x"]) == [0, 1, 2, 3]
    # the grade filter: grade A (L1) never defaults
    at.selectbox(key="vintage_grade").set_value("A").run()
    assert values(figures(at)[0]["data"][0]["y"]) == [0.0] * 4


def test_roll_rate_heatmap_and_cures(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/vintages.py", as_of=MARCH)
    assert not at.exception
    heat = figures(at)[1]["data"][0]
    z = values(heat["z"])
    # Jan->Feb L1 1,200 and L3 3,000 stay current; Feb->Mar L2 2,400 stays, L1 800 and L3 2,000 slip
    assert z[0][0] == pytest.approx(6600 / 9400)
    assert z[0][1] == pytest.approx(2800 / 9400)
    assert sum(z[1]) == 0  # nothing was overdue before March: no roll out of M1 observed yet
    assert heat["x"][:2] == ["Current", "M1"]
    con = store.connect(tiny_db, read_only=True)
    engine = risk.roll_rates(con, MARCH, 12)
    con.close()
    assert engine["probability"].tolist() == pytest.approx([6600 / 9400, 2800 / 9400])
    assert "Monthly roll rates over the last 12 months (% of balance)" in texts(at)


def test_cure_rates_and_backtest_at_year_end(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/vintages.py", as_of=dt.date(2024, 12, 31))
    assert not at.exception
    cures = {t["name"]: t for t in figures(at)[2]["data"]}
    con = store.connect(tiny_db, read_only=True)
    engine = risk.cure_rates_by_month(con, dt.date(2024, 12, 31), 24)
    con.close()
    m1 = engine[engine["bucket"] == "1-30"]
    assert values(cures["M1 (1–30 days)"]["y"]) == pytest.approx(m1["cure_rate"].tolist())
    # L3 in M2 at 04-30 rolled to M3: the M2 cure rate of May is 0
    assert values(cures["M2 (31–60 days)"]["y"]) == [0.0]
    # the tiny store ends 2024-12-31: no 12-month back-test window is complete
    assert [e.value for e in at.info] == [
        "The back-test needs at least 12 months of history after a prediction; none is complete by this date."
    ]
    assert len(figures(at)) == 3
