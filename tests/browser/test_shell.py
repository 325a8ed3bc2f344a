"""The shell in a real browser: login gate, Store page, reload, logout, language, lockout."""

from __future__ import annotations

import base64
import json

import pytest
from playwright.sync_api import expect
from streamlit_server import wait_idle

from lendrisk import store

pytestmark = pytest.mark.browser

STORE_TITLE = "What the store holds"


def session_cookie(page) -> dict:
    """The session cookie, once the page's script has set it."""
    page.wait_for_function("document.cookie.includes('lendrisk_session=')")
    return next(c for c in page.context.cookies() if c["name"] == "lendrisk_session")


def open_store(page, app_url: str) -> None:
    """Open the Store page (logged in: the session cookie logs the new session in)."""
    page.goto(f"{app_url}/store")
    expect(page.get_by_role("heading", name=STORE_TITLE)).to_be_visible()


def test_unauthenticated_visit_shows_only_the_login_form(page, app_url: str, login, shot) -> None:
    # the first request of the server goes to a page URL: no page runs without the login gate
    for path in ("/health", "", "/store", "/portfolio", "/store?investor_id=I2"):
        page.goto(f"{app_url}{path}")
        expect(page.locator("input[type='password']")).to_be_visible()
        expect(page.get_by_role("heading", name="Log in to lendrisk")).to_be_visible()
        body = page.locator("body").inner_text()
        for hidden in (STORE_TITLE, "As of", "Log out", "Loans", "Borrowers"):
            assert hidden not in body, (path, hidden)
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        assert page.locator("[data-testid='stMetric']").count() == 0
    shot(page, "login-en")


def test_manager_sees_the_store_page_with_numbers(page, app_url: str, login, shot) -> None:
    page.goto(app_url)
    login(page, "manager", "demo-manager")
    expect(page.get_by_text("Signed in as manager (platform manager)")).to_be_visible()
    page.get_by_role("link", name="Store overview").click()
    expect(page.get_by_role("heading", name=STORE_TITLE)).to_be_visible()
    loans = page.locator("[data-testid='stMetric']").filter(has_text="Loans")
    expect(loans.locator("[data-testid='stMetricValue']")).to_have_text("3")
    first = page.locator("[data-testid='stMetric']").filter(has_text="First loan originated")
    expect(first.locator("[data-testid='stMetricValue']")).to_have_text("10 Jan 2024")
    expect(page.locator("[data-testid='stDataFrame']")).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_be_visible()
    expect(page.get_by_text(f"Source: tiny · schema version {store.SCHEMA_VERSION}")).to_be_visible()
    shot(page, "store-en")


def test_login_survives_a_reload_and_logout_ends_it(page, app_url: str, login, shot) -> None:
    page.goto(app_url)
    login(page, "admin", "demo-admin")
    expect(page.get_by_text("Signed in as admin (administrator)")).to_be_visible()
    assert session_cookie(page)["sameSite"] == "Strict"
    page.reload()
    expect(page.get_by_text("Signed in as admin (administrator)")).to_be_visible()
    open_store(page, app_url)
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("input[type='password']")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    page.wait_for_function("!document.cookie.includes('lendrisk_session=')")
    page.reload()
    expect(page.locator("input[type='password']")).to_be_visible()
    # log in and out within one page view: the cookie goes too
    login(page, "admin", "demo-admin")
    session_cookie(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("input[type='password']")).to_be_visible()
    page.wait_for_function("!document.cookie.includes('lendrisk_session=')")
    page.reload()
    expect(page.locator("input[type='password']")).to_be_visible()


def test_an_edited_cookie_does_not_log_in(page, app_url: str, login, shot) -> None:
    page.goto(app_url)
    login(page, "investor1", "demo-investor")
    expect(page.get_by_text("Signed in as investor1 (investor)")).to_be_visible()
    cookie = session_cookie(page)
    _, stamp, signature = cookie["value"].split(".")
    # another investor's name under the genuine timestamp and signature
    claims = {"u": "investor2", "v": 0, "h": "0" * 16}
    other = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    page.context.clear_cookies()
    page.context.add_cookies([{**cookie, "value": f"{other}.{stamp}.{signature}"}])
    page.goto(app_url)
    expect(page.locator("input[type='password']")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    page.wait_for_function("!document.cookie.includes('lendrisk_session=')")  # and it is deleted


def test_language_switch_shows_chinese(page, app_url: str, login, shot) -> None:
    page.goto(app_url)
    page.get_by_text("简体中文").click()
    expect(page.get_by_role("heading", name="登录 lendrisk")).to_be_visible()
    shot(page, "login-zh")
    login(page, "manager", "demo-manager")
    expect(page.get_by_text("当前用户：manager（平台管理层）")).to_be_visible()
    page.get_by_role("link", name="数据概览").click()
    expect(page.get_by_role("heading", name="数据存储概况")).to_be_visible()
    first = page.locator("[data-testid='stMetric']").filter(has_text="首笔放款日期")
    expect(first.locator("[data-testid='stMetricValue']")).to_have_text("2024年1月10日")
    expect(page.get_by_text("数据截至（月末）")).to_be_visible()
    shot(page, "store-zh")
    page.get_by_text("English").click()
    expect(page.get_by_role("heading", name=STORE_TITLE)).to_be_visible()


def test_wrong_passwords_back_off_and_the_right_one_gets_in_after_the_wait(
    page, app_url: str, login, shot
) -> None:
    page.goto(app_url)
    alert = page.locator("[data-testid='stAlert']")
    login(page, "investor3", "wrong-1")
    expect(alert.first).to_contain_text("Wrong username or password.")
    for attempt in range(2, 10):  # retries reach the back-off (1, 2, 4, 8 ... s)
        login(page, "investor3", f"wrong-{attempt}")
        wait_idle(page)
        if "Too many attempts" in " ".join(alert.all_inner_texts()):
            break
    text = " ".join(alert.all_inner_texts())
    assert "Too many attempts on this account from here: try again in" in text
    shot(page, "login-wait")
    seconds = int(text.split("try again in ")[1].split(" s")[0])
    page.wait_for_timeout((seconds + 1) * 1000)  # no hard lock: after the wait the owner gets in
    login(page, "investor3", "demo-investor")
    wait_idle(page)
    expect(page.get_by_text("Signed in as investor3 (investor)")).to_be_visible()
