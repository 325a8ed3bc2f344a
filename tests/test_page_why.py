"""AppTest of the Why it moved page on the roll-rate platform of tests/platforms.py: the rates, the
waterfall and the table show the hand-computed attribution (all +3.33 pp from collections), in both
languages, and a store without a macro series has no economy bar and says why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import apptest_helpers
import platforms
import pytest
from apptest_helpers import figures, shown_metrics, texts, values
from streamlit.testing.v1 import AppTest

from lendrisk import auth, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each


def build(path: Path, macro: bool, cohorts: list[platforms.Cohort] | None = None) -> Path:
    """A store file of a platform (the roll-rate one by default) with the demo accounts."""
    tables = platforms.platform(cohorts or platforms.roll_cohorts(), macro=macro)
    tables["users"] = auth.demo_user_rows({"investor1": "I1", "investor2": "I2", "investor3": "I2"})
    store.build_store(path, tables, source="tiny", observed_to=platforms.D1)
    return path


@pytest.fixture(scope="module")
def roll_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The roll-rate platform as a store file (flat unemployment)."""
    return build(tmp_path_factory.mktemp("why") / "roll.duckdb", macro=True)


@pytest.fixture(scope="module")
def roll_db_no_macro(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The roll-rate platform without a macro table, as a LendingClub import."""
    return build(tmp_path_factory.mktemp("why") / "roll_no_macro.duckdb", macro=False)


@pytest.fixture(scope="module")
def growth_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The growth platform as a store file."""
    return build(tmp_path_factory.mktemp("why") / "growth.duckdb", True, platforms.growth_cohorts())


def open_why(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "en") -> AppTest:
    """The page as the demo manager at 2024-12-31 (its default compares with 2023-12-31)."""
    at = apptest_helpers.open_page(db, monkeypatch, "manager", "pages/why.py", lang=lang)
    assert not at.exception
    return at


def test_rates_waterfall_and_table(roll_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_why(roll_db, monkeypatch)
    shown = shown_metrics(at)
    # 2 of 120 loans overdue at D0, 6 of 120 at D1; growth 0, so the growth-adjusted rate is 5 %
    assert shown["Rate at 31 Dec 2023"] == "1.67%"
    assert shown["Rate at 31 Dec 2024"] == "5.00%"
    assert shown["Growth-adjusted rate"] == "5.00%"
    assert shown["Unexplained (rest), pp"] == "0.00"
    (waterfall,) = figures(at)
    trace = waterfall["data"][0]
    assert trace["x"][0] == "31 Dec 2023" and trace["x"][-1] == "31 Dec 2024"
    assert trace["x"][1:-1] == [
        "Growth",
        "Mix: grade",
        "Mix: credit score",
        "Mix: channel",
        "Mix: income verified",
        "Economy",
        "Collections",
        "Rest (unexplained)",
    ]
    y = values(trace["y"])
    assert y[0] == pytest.approx(100 * 2 / 120) and y[-1] == pytest.approx(5.0)
    assert y[7] == pytest.approx(100 * 2 / 120 * 2)  # collections: 1.67 % x (3 - 1)
    assert sum(y[1:-1]) == pytest.approx(y[-1] - y[0], abs=1e-9)
    table = at.dataframe[0].value
    assert list(table["Change (pp)"].round(4)) == [0, 0, 0, 0, 0, 0, 3.3333, 0]
    assert table["Share of the change"].iloc[6] == pytest.approx(100.0)
    assert "Change: +3.33 pp." in texts(at)
    assert "unemployment did not move" in texts(at)  # economy bar shown at 0, and why
    assert "Unemployment moved 0.00 pp; through the estimated sensitivity" in texts(at)


def test_chinese(roll_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_why(roll_db, monkeypatch, "zh")
    assert at.title[0].value == "为什么变化"
    (waterfall,) = figures(at)
    assert "催收" in waterfall["data"][0]["x"]
    assert "催收" in texts(at) and "失业率没有变化" in texts(at)


def test_without_macro_the_economy_bar_is_absent(
    roll_db_no_macro: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_why(roll_db_no_macro, monkeypatch)
    (waterfall,) = figures(at)
    assert "Economy" not in waterfall["data"][0]["x"]
    assert any("no unemployment series" in i.value for i in at.info)
    assert list(at.dataframe[0].value["Change (pp)"].round(4)) == [0, 0, 0, 0, 0, 3.3333, 0]


def test_a_later_month_before_the_earlier_one_is_refused(
    roll_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_why(roll_db, monkeypatch)

    at.selectbox(key="why_end").set_value(dt.date(2022, 1, 31)).run()
    assert not at.exception
    assert any("Pick a later month-end" in i.value for i in at.info)


def test_investors_do_not_have_it(roll_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        apptest_helpers.open_page(roll_db, monkeypatch, "investor1", "pages/why.py")


def test_health_shows_the_growth_adjusted_rates(growth_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = apptest_helpers.open_page(growth_db, monkeypatch, "manager", "pages/health.py")
    assert not at.exception
    shown = shown_metrics(at)
    assert shown["Overdue rate (amount)"] == "4.1%"  # 21 / 510, the published rate stays
    assert shown["Loans at least 3 months on book"] == "6.7%"  # 21 / 315
    assert shown["Loans at least 6 months on book"] == "12.7%"  # 21 / 165
    assert shown["At the age mix of 31 Dec 2023"] == "5.0%"  # 6 / 120
    assert "the overdue rate is **6.7%** rather than **4.1%** (2.5 pp more)" in texts(at)
    links = [(link.proto.page, link.proto.label) for link in at.get("page_link")]
    assert ("why", "Why it moved: the causes of the change") in links
    # what changed this month at the top: 21 / 510 = 4.1 % overdue against the industry's 2 %
    assert "1. The overdue rate by amount, 4.1%, is above the industry's 2.0%." in texts(at)
    assert links[0] == ("why", "Why it moved")


def test_health_too_young_for_lagged_rates(growth_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = apptest_helpers.open_page(
        growth_db, monkeypatch, "manager", "pages/health.py", as_of=dt.date(2022, 2, 28)
    )
    assert not at.exception
    shown = shown_metrics(at)
    assert shown["Loans at least 3 months on book"] == "—"
    assert "No loan is 3 months on book yet" in texts(at)


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny platform (tests/tiny.py) as a store file with the demo accounts."""
    return apptest_helpers.build_tiny_store(tmp_path_factory.mktemp("why") / "tiny.duckdb")


def test_portfolio_lists_my_changes_and_opens_the_story(
    tiny_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    june = dt.date(2024, 6, 30)
    at = apptest_helpers.open_page(tiny_store, monkeypatch, "investor1", "pages/portfolio.py", as_of=june)
    assert not at.exception
    shown = texts(at)
    # L3 went from 82 to 112 days past due, and the guarantor paid 2,020 on 10 June: I1 holds a third
    assert "What changed since 31 May 2024" in shown
    assert (
        "Loan L3 rolled to a worse bucket: 61–90 days past due (M3) → Over 90 days past due (M3+)." in shown
    )
    assert "Loan L3: the guarantor bought you out, ¥673.33 paid to you on 10 Jun 2024." in shown
    buttons = [b for b in at.button if b.label == "Open its story"]
    assert len(buttons) == 2
    buttons[1].click().run()
    assert not at.exception
    # the button preselects the loan for My holdings' story picker and calls st.switch_page, which
    # AppTest does not follow (the browser does): open the page as the switch would
    assert at.session_state["holdings_story_loan"] == "L3"
    at.switch_page("pages/holdings.py").run()
    assert at.selectbox(key="holdings_story_loan").value == "L3"
    assert "L3" in at.header[0].value


def test_portfolio_quiet_month(tiny_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = apptest_helpers.open_page(
        tiny_store, monkeypatch, "investor2", "pages/portfolio.py", as_of=dt.date(2024, 8, 31)
    )
    assert not at.exception
    assert "None of your loans rolled to a worse bucket" in texts(at)
