"""Real browser, investor workspace: the four pages draw their charts in English and Chinese, and an
investor finds only their own data whatever they put in the URL, the widgets or the address bar.
Screenshots of every page in both languages go to artifacts/screenshots/investor_*.png."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from streamlit_server import wait_idle

pytestmark = pytest.mark.browser

CHART = "[data-testid='stPlotlyChart']"
SIDEBAR = "[data-testid='stSidebar']"
# Sidebar link text of each investor page, and the charts it draws on the tiny store: the first three
# at 2024-03-31 (I1 still has money out), Learn at 2024-12-31 (both stories have happened).
PAGES = {
    "portfolio": ({"en": "My portfolio", "zh": "我的投资组合"}, 2),
    "holdings": ({"en": "Holdings", "zh": "持仓明细"}, 2),
    "risk": ({"en": "Risk", "zh": "风险分析"}, 4),
    "learn": ({"en": "Learn", "zh": "投资者教育"}, 4),
}
TITLES = {
    "portfolio": {"en": "My portfolio", "zh": "我的投资组合"},
    "holdings": {"en": "My holdings", "zh": "我的持仓明细"},
    "risk": {"en": "My risk", "zh": "我的风险分析"},
    "learn": {"en": "Learn: what the numbers mean", "zh": "投资者教育：读懂这些数字"},
}
AS_OF = {"portfolio": "31 Mar 2024", "holdings": "31 Mar 2024", "risk": "31 Mar 2024", "learn": "31 Dec 2024"}
AS_OF_ZH = {"31 Mar 2024": "2024年3月31日", "31 Dec 2024": "2024年12月31日"}


def wait_for_app(page) -> None:
    """Wait until the app is up and no script run is in progress."""
    wait_idle(page)


def settle(page) -> None:
    """Let a click start its rerun, then wait for the run to finish."""
    time.sleep(0.5)
    wait_for_app(page)


def sign_in(page, url: str, login, user: str = "investor1") -> None:
    """Open the app and log in as a demo investor."""
    page.goto(url)
    wait_for_app(page)
    login(page, user, "demo-investor")
    page.locator(SIDEBAR).get_by_text("Signed in as").wait_for()
    settle(page)


def open_nav(page, name: str, lang: str) -> None:
    """Click an investor page in the sidebar navigation and wait for its title."""
    text = PAGES[name][0][lang]
    page.locator("[data-testid='stSidebarNavLink']").filter(has_text=text).first.click()
    page.get_by_role("heading", name=TITLES[name][lang]).first.wait_for()
    settle(page)


def choose_as_of(page, label: str) -> None:
    """Pick a month-end in the sidebar's as-of selectbox."""
    page.locator(SIDEBAR).locator("[data-testid='stSelectbox']").click()
    page.get_by_role("option", name=label).click()
    settle(page)


def wait_for_charts(page, count: int) -> None:
    """Wait until `count` plotly charts are drawn (each has its SVG)."""
    page.wait_for_function(
        "n => document.querySelectorAll(\"[data-testid='stPlotlyChart'] .main-svg\").length >= n",
        arg=count,
        timeout=30_000,
    )


def main_text(page) -> str:
    """The text of the page's main area."""
    return page.locator("[data-testid='stMain']").inner_text()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_draws_its_charts(page, app_url: str, login, shot, lang: str) -> None:
    sign_in(page, app_url, login)
    if lang == "zh":
        page.locator(SIDEBAR).get_by_text("简体中文").click()
        page.locator(SIDEBAR).get_by_text("当前用户").wait_for()
        settle(page)
    for name, (_, charts) in PAGES.items():
        open_nav(page, name, lang)
        choose_as_of(page, AS_OF[name] if lang == "en" else AS_OF_ZH[AS_OF[name]])
        wait_for_charts(page, charts)
        expect(page.locator(CHART)).to_have_count(charts)  # retries while a rerun clears stale elements
        assert page.locator("[data-testid='stException']").count() == 0
        text = main_text(page)
        if lang == "zh":
            assert TITLES[name]["zh"] in text
            for english in ("Download CSV", "Exposure", "Expected loss", "Story 1"):
                assert english not in text, (name, english)
        path = shot(page, f"investor_{name}_{lang}")
        assert path.stat().st_size > 20_000


def test_url_parameters_show_only_ones_own(page, app_url: str, login) -> None:
    sign_in(page, app_url, login)
    choose_as_of(page, "31 Mar 2024")
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Exposure (still owed to you)")
    assert "¥3,420.67" in metric.inner_text()  # I1: 354 + 2,400 + 666.67
    for query in ("?investor_id=I2", "?investor=I2&user=investor2", "?investor_id=I2&as_of=2024-03-31"):
        page.goto(f"{app_url}/{query}")
        wait_for_app(page)
        page.get_by_role("heading", name="My portfolio").first.wait_for()
        choose_as_of(page, "31 Mar 2024")
        text = main_text(page)
        assert "¥3,420.67" in text, query
        assert "¥1,687.33" not in text and "¥2,600.00" not in text  # I2's exposure and invested
    page.goto(f"{app_url}/holdings?investor_id=I2&loan_id=L2")
    wait_for_app(page)
    page.get_by_role("heading", name="My holdings").first.wait_for()
    assert "Signed in as investor1" in page.locator(SIDEBAR).inner_text()


def test_widgets_offer_only_ones_own_loans(page, app_url: str, login) -> None:
    # investor2 (I2) holds parts of L1 and L3; L2 belongs to investor1 alone
    sign_in(page, app_url, login, "investor2")
    open_nav(page, "holdings", "en")
    choose_as_of(page, "31 Mar 2024")
    picker = page.locator("[data-testid='stSelectbox']").filter(has_text="Open the story of one of my loans")
    picker.click()
    options = page.get_by_role("option").all_inner_texts()
    assert [o.split(" ·")[0] for o in options] == ["L3", "L1"]
    page.keyboard.type("L2")
    time.sleep(0.5)
    assert page.get_by_role("option").filter(has_text="L2").count() == 0
    page.keyboard.press("Escape")
    settle(page)
    assert "L2" not in main_text(page).replace("L2 ", "")  # no loan L2 anywhere on the page
    page.goto(f"{app_url}/holdings?loan_id=L2")
    wait_for_app(page)
    page.get_by_role("heading", name="The story of loan").first.wait_for()
    assert "The story of loan L2" not in main_text(page)


def test_manager_pages_are_out_of_reach(page, app_url: str, login) -> None:
    sign_in(page, app_url, login)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    for manager_page in ("Platform health", "Vintages", "Collections", "Risk reserve", "Disclosure"):
        assert manager_page not in nav
    for path in ("health", "vintages", "segments", "collections", "reserve", "disclosure", "data"):
        page.goto(f"{app_url}/{path}")
        wait_for_app(page)
        page.get_by_role("heading", name="My portfolio").first.wait_for()
        text = main_text(page)
        assert "Platform health" not in text and "Reserve coverage" not in text, path
        assert "Signed in as investor1" in page.locator(SIDEBAR).inner_text()
