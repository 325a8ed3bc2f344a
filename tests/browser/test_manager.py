"""The management workspace in a real browser: every platform page draws its charts (both languages,
screenshots), the admin's upload is validated and atomic, and a manager cannot open the Data page."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect
from streamlit_server import free_port, serve, wait_idle

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
# page file stem, English and Chinese link text, plotly charts drawn on the tiny store at 30 Jun 2024
PAGES = [
    ("health", "Platform health", "平台风险概况", 3),
    ("vintages", "Vintages", "放款批次分析", 3),
    ("segments", "Segments", "分群分析", 3),
    ("collections", "Collections", "贷后催收", 2),  # June: no lawsuit, no charge-off yet: notes
    ("reserve", "Risk reserve", "风险准备金", 3),
    ("disclosure", "Disclosure", "信息披露", 1),
]
JUNE = "30 Jun 2024"
BAD_INVESTORS = "investor_id,segment,joined_on\nI1,retail,2024-01-01\nI9,whale,2024-13-01\n"
GOOD_INVESTORS = "investor_id,segment,joined_on\nI9,retail,2024-06-01\n"


def open_page(page, link: str) -> None:
    """Click a sidebar navigation link and wait for the page to finish."""
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=link).first.click()
    wait_idle(page)


def choose_as_of(page, label: str) -> None:
    """Pick a month-end in the sidebar's as-of selector."""
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name=label).click()
    wait_idle(page)


def assert_charts_drawn(page, count: int) -> None:
    """count plotly charts on the page, each with its SVG drawn, and no exception box."""
    charts = page.locator("[data-testid='stPlotlyChart']")
    expect(charts).to_have_count(count)
    for i in range(count):
        expect(charts.nth(i).locator(".main-svg").first).to_be_attached()
    assert page.locator("[data-testid='stException']").count() == 0


def test_manager_opens_every_page_in_both_languages(page, app_url: str, login, shot) -> None:
    page.goto(app_url)
    login(page, "manager", "demo-manager")
    expect(page.get_by_text("Signed in as manager (platform manager)")).to_be_visible()
    # a manager has no Data page in the navigation
    expect(page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Data and users")).to_have_count(0)
    choose_as_of(page, JUNE)
    for lang in ("en", "zh"):
        if lang == "zh":
            page.locator("[data-testid='stSidebar'] label").filter(has_text="简体中文").click()
            wait_idle(page)
            expect(page.get_by_text("当前用户：manager（平台管理层）")).to_be_visible()
            choose_as_of(page, "2024年6月30日")  # the switch re-creates the sidebar's selector
        for name, english, chinese, charts in PAGES:
            open_page(page, english if lang == "en" else chinese)
            assert_charts_drawn(page, charts)
            body = page.locator("[data-testid='stMain']").inner_text()
            assert "manage." not in body and "common." not in body  # no untranslated keys
            shot(page, f"manager-{name}-{lang}")
    # the KPI the AppTest checks at March shows the June figure here: L3 alone, 112 days past due
    open_page(page, "平台风险概况")
    m3 = page.locator("[data-testid='stMetric']").filter(has_text="M3+逾期率（金额）")
    expect(m3.locator("[data-testid='stMetricValue']")).to_have_text("100.0%")


def test_manager_cannot_open_the_data_page(page, app_url: str, login) -> None:
    page.goto(app_url)
    login(page, "manager", "demo-manager")
    expect(page.get_by_text("Signed in as manager (platform manager)")).to_be_visible()
    page.wait_for_function("document.cookie.includes('lendrisk_session=')")  # a new tab stays logged in
    page.goto(f"{app_url}/data")
    wait_idle(page)
    expect(page.get_by_text("Signed in as manager (platform manager)")).to_be_visible()
    expect(page.get_by_role("heading", name="Data and users")).to_have_count(0)
    assert page.locator("input[type='file']").count() == 0


# --- the admin's import, on a private copy of the store ----------------------------------------


@pytest.fixture(scope="module")
def admin_store(tiny_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tiny store that the import test may change."""
    path = tmp_path_factory.mktemp("admin-store") / "tiny.duckdb"
    shutil.copy(tiny_store, path)
    return path


@pytest.fixture(scope="module")
def admin_url(admin_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dashboard server of its own on admin_store (stopped after the module)."""
    env = {**os.environ, "LENDRISK_DB": str(admin_store), "LENDRISK_STRICT_I18N": "1"}
    log = tmp_path_factory.mktemp("admin-log") / "streamlit.log"
    with serve(ROOT, env, free_port(), log) as url:
        yield url


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def investors_in(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute("select investor_id from investors order by 1").fetchall()]
    finally:
        con.close()


# What the admin sees in each language on the way to the upload problems.
ADMIN_TEXT = {
    "en": (
        "en-GB",
        "Signed in as admin (administrator)",
        "Data and users",
        "Import canonical files",
        "Validate and import",
        "problems found, nothing was imported",
    ),
    "zh": (
        "zh-CN",
        "当前用户：admin（系统管理员）",
        "数据导入与用户",
        "导入标准格式文件",
        "校验并导入",
        "未导入任何数据",
    ),
}


def upload_bad_investors(browser, admin_url: str, admin_store: Path, tmp_path: Path, login, shot, lang: str):
    """Log in as admin, upload a bad investors.csv, see the problems (screenshot); the store is untouched.

    Returns the (context, page) for the caller to go on with and close.
    """
    locale, signed_in, link, heading, button, refused = ADMIN_TEXT[lang]
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale=locale)
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        page.goto(admin_url)
        login(page, "admin", "demo-admin")
        expect(page.get_by_text(signed_in)).to_be_visible()
        open_page(page, link)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        before = digest(admin_store)
        bad = tmp_path / "bad" / "investors.csv"
        bad.parent.mkdir()
        bad.write_text(BAD_INVESTORS, encoding="utf-8")
        page.locator("input[type='file']").set_input_files(str(bad))
        expect(page.locator("[data-testid='stFileChip']")).to_have_count(1)
        page.get_by_role("button", name=button).click()
        wait_idle(page)
        expect(page.get_by_text(refused)).to_be_visible(timeout=60_000)
        expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
        shot(page, f"admin-data-validation-{lang}")
        assert digest(admin_store) == before  # byte-identical
    except BaseException:
        context.close()
        raise
    return context, page


def test_admin_sees_the_upload_problems_in_chinese(
    browser, admin_url: str, admin_store: Path, tmp_path, login, shot
) -> None:
    context, _ = upload_bad_investors(browser, admin_url, admin_store, tmp_path, login, shot, "zh")
    context.close()


def test_admin_upload_is_validated_then_imported(
    browser, admin_url: str, admin_store: Path, tmp_path, login, shot
) -> None:
    context, page = upload_bad_investors(browser, admin_url, admin_store, tmp_path, login, shot, "en")
    try:
        assert investors_in(admin_store) == ["I1", "I2"]

        good = tmp_path / "good" / "investors.csv"
        good.parent.mkdir()
        good.write_text(GOOD_INVESTORS, encoding="utf-8")
        page.locator("input[type='file']").set_input_files(str(good))
        expect(page.locator("[data-testid='stFileChip']")).to_have_count(1)
        page.get_by_role("button", name="Validate and import").click()
        wait_idle(page)
        expect(page.get_by_text("Imported. The store now runs to 31 Dec 2024")).to_be_visible(timeout=60_000)
        assert investors_in(admin_store) == ["I1", "I2", "I9"]
        # the app reads the new store: the new investor can be linked to an account
        wait_idle(page)
        investor_box = page.locator("[data-testid='stSelectbox']").filter(has_text="Investor id")
        investor_box.scroll_into_view_if_needed()
        investor_box.click()
        expect(page.get_by_role("option")).to_have_text(["I1", "I2", "I9"])
        page.keyboard.press("Escape")
        shot(page, "admin-data-imported-en")
    finally:
        context.close()
