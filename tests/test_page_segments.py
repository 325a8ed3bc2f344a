"""AppTest of the Segments page on the tiny store: rates, score power and the cut-off what-if shown
equal lendrisk.screening's results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest_helpers import figures, open_page, texts, values

from lendrisk import screening, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

YEAR_END = dt.date(2024, 12, 31)


def test_grade_rates_and_score_power(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/segments.py", as_of=YEAR_END)
    assert not at.exception
    bars = figures(at)[0]["data"]
    assert values(bars[0]["x"]) == ["Grade A", "Grade B", "Grade E"]
    assert values(bars[0]["y"]) == pytest.approx([0.0, 0.0, 2000 / 3000])  # L3 defaulted with 2,000 left
    table = at.dataframe[0].value
    assert table["Segment"].tolist() == ["Grade A", "Grade B", "Grade E"]
    # shown in %
    assert table["Serious-delinquency rate (amount)"].tolist() == pytest.approx([0.0, 0.0, 200 / 3])
    power = at.dataframe[1].value
    assert power[["Origination year", "AUC", "Gini", "KS"]].values.tolist() == [[2024, 1.0, 1.0, 1.0]]


def test_other_dimensions_are_translated(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/segments.py", as_of=YEAR_END)
    at.radio(key="segment_dimension").set_value("score_band").run()
    assert at.dataframe[0].value["Segment"].tolist() == ["Below 600", "650–699", "700–749"]
    at.radio(key="segment_dimension").set_value("income_verification").run()
    assert at.dataframe[0].value["Segment"].tolist() == ["Income verified", "Income not verified"]
    at.session_state["lang"] = "zh"
    at.radio(key="segment_dimension").set_value("region").run()
    assert not at.exception
    assert at.dataframe[0].value["客群"].tolist() == ["广东", "上海", "北京"]


def test_cutoff_slider(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/segments.py", as_of=YEAR_END)
    slider = at.slider(key="cutoff_score")
    # the default is the lowest score giving up >= 10 % of volume: 680 rejects L3 (590), 45.5 %
    assert (slider.min, slider.max, slider.value) == (590, 720, 680)
    assert {m.label: m.value for m in at.metric}["Defaults avoided"] == "100.0%"  # not a 0.0 % tile
    slider.set_value(590).run()
    assert {m.label: m.value for m in at.metric}["Volume lost"] == "0.0%"
    slider.set_value(600).run()
    con = store.connect(tiny_db, read_only=True)
    expected = screening.cutoff_whatif(con, YEAR_END, 600)
    con.close()
    shown = {m.label: m.value for m in at.metric}
    # rejecting L3 (score 590): 3,000 of 6,600 originated, its default and its 1,700 net loss
    assert shown["Volume lost"] == "45.5%" == f"{expected['volume_lost']:.1%}"
    assert shown["Defaults avoided"] == "100.0%"
    assert shown["Lost principal avoided"] == "100.0%"
    assert "¥1,700.00" in texts(at)
    curve = figures(at)[2]["data"]
    assert values(curve[2]["y"]) == pytest.approx([0.0, 3000 / 6600, 5400 / 6600])
